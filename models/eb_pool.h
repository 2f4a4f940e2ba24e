/* eb_pool.h - a persistent pool of threads that runs one inference's ops split across
 * them (models/ and its tests only).
 *
 * Created once, before anything is measured: eb_pool_run() allocates nothing, creates
 * nothing and takes no lock on its fast path. Task i of a run always goes to thread i
 * (the caller is thread 0), so which thread computes which outputs never varies. Waiting
 * threads spin briefly, then sleep until the next run; the caller spins (yielding) until
 * every task of a run is done. */
#ifndef EB_POOL_H
#define EB_POOL_H

#include "eb_status.h"

typedef struct eb_pool eb_pool;

/* task in [0, ntasks): the caller runs task 0 itself, worker i runs task i. */
typedef void (*eb_pool_fn)(void *arg, int task, int ntasks);

#define EB_POOL_MAX_THREADS 64

/* nthreads in 1..EB_POOL_MAX_THREADS, the caller included (1: no worker threads). */
eb_status eb_pool_create(int nthreads, eb_pool **out);
void eb_pool_free(eb_pool *p);
int eb_pool_threads(const eb_pool *p);

/* Runs fn(arg, i, ntasks) for every i < ntasks (ntasks <= the pool's threads) and
 * returns when all are done. Not reentrant: one run at a time per pool. */
void eb_pool_run(eb_pool *p, eb_pool_fn fn, void *arg, int ntasks);

#endif
