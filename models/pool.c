/* pool.c - the persistent thread pool of eb_pool.h. */
#include "eb_pool.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define EB_PAUSE() _mm_pause()
#elif defined(__aarch64__) || defined(__arm__)
#define EB_PAUSE() __asm__ __volatile__("yield")
#else
#define EB_PAUSE() ((void)0)
#endif

/* Spins before a waiting worker sleeps: long enough to cover the gap between two ops
 * of one inference, short enough not to burn a core between inferences. */
#define SPIN_ITERS 20000

typedef struct {
    eb_pool *pool;
    int index;
} worker_arg;

struct eb_pool {
    int n;
    pthread_t th[EB_POOL_MAX_THREADS];
    worker_arg args[EB_POOL_MAX_THREADS];
    /* the current run: published by a release increment of `gen` */
    eb_pool_fn fn;
    void *arg;
    int ntasks;
    _Atomic unsigned gen;
    _Atomic int pending; /* tasks of the current run not yet finished by workers */
    _Atomic bool quit;
    _Atomic int sleepers;
    pthread_mutex_t mu;
    pthread_cond_t cv;
};

static void *worker(void *va)
{
    worker_arg *wa = va;
    eb_pool *p = wa->pool;
    unsigned seen = 0;
    for (;;) {
        unsigned g;
        int spins = 0;
        while ((g = atomic_load_explicit(&p->gen, memory_order_acquire)) == seen &&
               !atomic_load_explicit(&p->quit, memory_order_acquire)) {
            if (++spins < SPIN_ITERS) {
                EB_PAUSE();
                continue;
            }
            /* sleepers, then gen (both sequentially consistent), against the caller's gen,
             * then sleepers: one of the two sides sees the other's store */
            pthread_mutex_lock(&p->mu);
            atomic_fetch_add(&p->sleepers, 1);
            while (atomic_load(&p->gen) == seen && !atomic_load(&p->quit))
                pthread_cond_wait(&p->cv, &p->mu);
            atomic_fetch_sub(&p->sleepers, 1);
            pthread_mutex_unlock(&p->mu);
        }
        if (atomic_load_explicit(&p->quit, memory_order_acquire))
            return NULL;
        seen = g;
        if (wa->index < p->ntasks) {
            p->fn(p->arg, wa->index, p->ntasks);
            atomic_fetch_sub_explicit(&p->pending, 1, memory_order_release);
        }
    }
}

eb_status eb_pool_create(int nthreads, eb_pool **out)
{
    *out = NULL;
    if (nthreads < 1 || nthreads > EB_POOL_MAX_THREADS)
        return EB_ERR_ARG;
    eb_pool *p = calloc(1, sizeof *p);
    if (!p)
        return EB_ERR_NOMEM;
    p->n = 1;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    for (int i = 1; i < nthreads; i++) {
        p->args[i] = (worker_arg){p, i};
        if (pthread_create(&p->th[i], NULL, worker, &p->args[i]) != 0) {
            eb_pool_free(p);
            return EB_ERR_NOMEM;
        }
        p->n++;
    }
    *out = p;
    return EB_OK;
}

void eb_pool_free(eb_pool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    atomic_store(&p->quit, true);
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    for (int i = 1; i < p->n; i++)
        pthread_join(p->th[i], NULL);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    free(p);
}

int eb_pool_threads(const eb_pool *p)
{
    return p ? p->n : 1;
}

void eb_pool_run(eb_pool *p, eb_pool_fn fn, void *arg, int ntasks)
{
    if (!p || p->n == 1 || ntasks <= 1) {
        for (int i = 0; i < ntasks; i++)
            fn(arg, i, ntasks);
        return;
    }
    if (ntasks > p->n)
        ntasks = p->n;
    p->fn = fn;
    p->arg = arg;
    p->ntasks = ntasks;
    /* workers with index >= ntasks see the run too but do nothing and count nothing */
    atomic_store_explicit(&p->pending, ntasks - 1, memory_order_relaxed);
    atomic_fetch_add(&p->gen, 1);
    if (atomic_load(&p->sleepers)) {
        pthread_mutex_lock(&p->mu);
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
    }
    fn(arg, 0, ntasks);
    int spins = 0;
    while (atomic_load_explicit(&p->pending, memory_order_acquire) > 0) {
        if (++spins < SPIN_ITERS)
            EB_PAUSE();
        else
            sched_yield();
    }
}
