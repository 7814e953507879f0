#include <sqlite3.h>

/// Process-wide settings, applied before SQLite's first use (sqlite3_config
/// is variadic, which Swift cannot call). Returns SQLITE_OK, or SQLITE_MISUSE
/// when SQLite was already initialized (the settings then stay as they were).
///
/// - MEMSTATUS off: otherwise every allocation SQLite makes takes a global
///   mutex to keep statistics nobody here reads; the writer allocates on
///   every statement it steps.
/// - MULTITHREAD: each connection is used by one thread at a time (the
///   store opens them with SQLITE_OPEN_NOMUTEX anyway).
static inline int discountd_sqlite_configure(void) {
    int rc = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    if (rc != SQLITE_OK) return rc;
    return sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
}
