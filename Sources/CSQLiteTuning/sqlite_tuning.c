#include "sqlite_tuning.h"

#include <sqlite3.h>
#include <stdatomic.h>
#include <stdlib.h>

/*
 * Why wrap the page cache
 * -----------------------
 * Every commit ends with xTruncate(dbSize + 1), which drops cached pages
 * beyond the end of the file. The default cache (pcache1) only does work
 * when its largest key seen (iMaxKey) reaches that limit, and then walks
 * every hash bucket when iMaxKey is far beyond it.
 *
 * The b-tree's balance step swaps two pages' numbers through a temporary
 * number, the page that holds the locking bytes ((0x40000000 / page size)
 * + 1; it is never a real page). That raises iMaxKey to 262,145 (4 KiB
 * pages) until the next truncation, so on a file smaller than 1 GiB nearly
 * every commit after a page split walks the whole hash table: with a 64 MiB
 * cache, thousands of buckets of pointer chasing, about a tenth of the
 * writer's time under load (measured with 8 KiB pages).
 *
 * The wrapper keeps its own largest key, ignoring the transient temporary
 * number (it is renumbered away within the same balance step), and passes a
 * truncation on only when some page can be at or beyond the limit.
 */

typedef struct {
    sqlite3_pcache *inner;
    unsigned int maxKey;     /* largest key a page can have, the temporary excluded */
    unsigned int lockingKey; /* the balance step's temporary number */
} WrappedCache;

static sqlite3_pcache_methods2 innerMethods;
static _Atomic long long truncationsSkipped;

static int wrapInit(void *arg) { return innerMethods.xInit(arg); }

static void wrapShutdown(void *arg) {
    if (innerMethods.xShutdown) innerMethods.xShutdown(arg);
}

static sqlite3_pcache *wrapCreate(int szPage, int szExtra, int bPurgeable) {
    WrappedCache *cache = sqlite3_malloc(sizeof *cache);
    if (!cache) return 0;
    cache->inner = innerMethods.xCreate(szPage, szExtra, bPurgeable);
    if (!cache->inner) {
        sqlite3_free(cache);
        return 0;
    }
    cache->maxKey = 0;
    cache->lockingKey = szPage > 0 ? (unsigned int)(0x40000000 / szPage) + 1 : 0;
    return (sqlite3_pcache *)cache;
}

static void wrapCachesize(sqlite3_pcache *p, int nCachesize) {
    innerMethods.xCachesize(((WrappedCache *)p)->inner, nCachesize);
}

static int wrapPagecount(sqlite3_pcache *p) {
    return innerMethods.xPagecount(((WrappedCache *)p)->inner);
}

static sqlite3_pcache_page *wrapFetch(sqlite3_pcache *p, unsigned key, int createFlag) {
    WrappedCache *cache = (WrappedCache *)p;
    sqlite3_pcache_page *page = innerMethods.xFetch(cache->inner, key, createFlag);
    if (page && key > cache->maxKey) cache->maxKey = key;
    return page;
}

static void wrapUnpin(sqlite3_pcache *p, sqlite3_pcache_page *page, int discard) {
    innerMethods.xUnpin(((WrappedCache *)p)->inner, page, discard);
}

static void wrapRekey(sqlite3_pcache *p, sqlite3_pcache_page *page, unsigned oldKey, unsigned newKey) {
    WrappedCache *cache = (WrappedCache *)p;
    innerMethods.xRekey(cache->inner, page, oldKey, newKey);
    if (newKey > cache->maxKey && newKey != cache->lockingKey) cache->maxKey = newKey;
}

static void wrapTruncate(sqlite3_pcache *p, unsigned limit) {
    WrappedCache *cache = (WrappedCache *)p;
    if (limit > cache->maxKey) {
        atomic_fetch_add_explicit(&truncationsSkipped, 1, memory_order_relaxed);
        return;
    }
    innerMethods.xTruncate(cache->inner, limit);
    cache->maxKey = limit > 0 ? limit - 1 : 0;
}

static void wrapDestroy(sqlite3_pcache *p) {
    WrappedCache *cache = (WrappedCache *)p;
    innerMethods.xDestroy(cache->inner);
    sqlite3_free(cache);
}

static void wrapShrink(sqlite3_pcache *p) {
    if (innerMethods.xShrink) innerMethods.xShrink(((WrappedCache *)p)->inner);
}

static int installPageCacheWrapper(void) {
    int rc = sqlite3_config(SQLITE_CONFIG_GETPCACHE2, &innerMethods);
    if (rc != SQLITE_OK) return rc;
    if (innerMethods.iVersion < 1 || !innerMethods.xCreate) return SQLITE_ERROR;
    sqlite3_pcache_methods2 wrapper = {
        .iVersion = 1,
        .pArg = innerMethods.pArg,
        .xInit = wrapInit,
        .xShutdown = wrapShutdown,
        .xCreate = wrapCreate,
        .xCachesize = wrapCachesize,
        .xPagecount = wrapPagecount,
        .xFetch = wrapFetch,
        .xUnpin = wrapUnpin,
        .xRekey = wrapRekey,
        .xTruncate = wrapTruncate,
        .xDestroy = wrapDestroy,
        .xShrink = wrapShrink,
    };
    return sqlite3_config(SQLITE_CONFIG_PCACHE2, &wrapper);
}

int discountd_sqlite_configure(void) {
    int rc = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    if (rc != SQLITE_OK) return rc;
    rc = sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
    if (rc != SQLITE_OK) return rc;
    return installPageCacheWrapper();
}

long long discountd_sqlite_truncations_skipped(void) {
    return atomic_load_explicit(&truncationsSkipped, memory_order_relaxed);
}
