// jemalloc from Debian's libjemalloc-dev (unprefixed: it replaces malloc).
#include <jemalloc/jemalloc.h>
