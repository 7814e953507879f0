#ifndef DISCOUNTD_SQLITE_TUNING_H
#define DISCOUNTD_SQLITE_TUNING_H

/// Process-wide SQLite settings, applied once before SQLite's first use
/// (sqlite3_config is variadic, which Swift cannot call). Returns SQLITE_OK,
/// or SQLITE_MISUSE when SQLite was already initialized (the settings then
/// stay as they were).
///
/// - MEMSTATUS off: otherwise every allocation SQLite makes takes a global
///   mutex to keep statistics nobody here reads.
/// - MULTITHREAD: each connection is used by one thread at a time (the store
///   opens them with SQLITE_OPEN_NOMUTEX anyway).
/// - The default page cache, wrapped so that commits stop scanning it whole
///   (see sqlite_tuning.c).
int discountd_sqlite_configure(void);

/// How many commits' page-cache truncations the wrapper found nothing to do
/// for and skipped (for tests).
long long discountd_sqlite_truncations_skipped(void);

#endif
