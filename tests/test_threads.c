/* test_threads.c - one inference split over a thread pool: the pool runs every task
 * once per run, also after its workers went to sleep; and every zoo model's outputs with
 * 2, 3 and 4 threads equal one thread's bit for bit (fp32 and int8, dense, pruned and
 * sparse), with the auto kernels and with ref. */
#include <criterion/criterion.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "eb_model.h"
#include "eb_model_internal.h"
#include "eb_pool.h"

typedef struct {
    _Atomic int ran[8];
    _Atomic int wrong;
} tally;

static void count_task(void *arg, int task, int ntasks)
{
    tally *t = arg;
    if (task < 0 || task >= ntasks || ntasks > 8)
        atomic_fetch_add(&t->wrong, 1);
    else
        atomic_fetch_add(&t->ran[task], 1);
}

Test(pool, every_task_once_per_run_also_after_sleeping)
{
    eb_pool *p;
    cr_assert_eq(eb_pool_create(4, &p), EB_OK);
    cr_assert_eq(eb_pool_threads(p), 4);
    tally t;
    memset(&t, 0, sizeof t);
    int runs = 0;
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 500; i++, runs++)
            eb_pool_run(p, count_task, &t, 1 + i % 4); /* 1..4 tasks */
        /* long enough for the workers to stop spinning and sleep */
        struct timespec ts = {0, 60 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    cr_assert_eq(atomic_load(&t.wrong), 0);
    /* task k ran in every run with more than k tasks: runs of 1..4 tasks in turn */
    for (int k = 0; k < 4; k++)
        cr_assert_eq(atomic_load(&t.ran[k]), runs / 4 * (4 - k), "task %d ran %d times", k,
                     atomic_load(&t.ran[k]));
    eb_pool_run(p, count_task, &t, 9); /* more tasks than threads: clipped to 4 */
    cr_assert_eq(atomic_load(&t.wrong), 0);
    eb_pool_free(p);
    cr_assert_eq(eb_pool_create(0, &p), EB_ERR_ARG);
    cr_assert_eq(eb_pool_create(EB_POOL_MAX_THREADS + 1, &p), EB_ERR_ARG);
}

static void *output_with(const eb_model *m, int threads, uint32_t index)
{
    const eb_model_info *info = eb_model_get_info(m);
    eb_context *c;
    cr_assert_eq(eb_context_create_threads(m, threads, &c), EB_OK);
    cr_assert_eq(eb_context_threads(c), threads);
    eb_context_fill_input(c, index);
    eb_context_run(c);
    eb_context_run(c); /* twice: a second run on the same input gives the same */
    void *out = malloc(info->output_bytes);
    memcpy(out, eb_context_output(c), info->output_bytes);
    eb_context_free(c);
    return out;
}

static void same_outputs(const char *name, eb_kset ks)
{
    eb_model_options opt = {ks, NULL};
    eb_model *m;
    char err[256];
    cr_assert_eq(eb_model_build(name, &opt, &m, err, sizeof err), EB_OK, "%s: %s", name, err);
    const eb_model_info *info = eb_model_get_info(m);
    int split = 0;
    for (int32_t i = 0; i < m->g->nops; i++)
        split += eb_xop_parts(&m->x[i], 4) > 1;
    /* the fc autoencoder's layers are all below the split threshold */
    cr_assert(split > 0 || strstr(name, "autoencoder"), "%s: no op is split", name);
    void *one = output_with(m, 1, 3);
    for (int t = 2; t <= 4; t++) {
        void *got = output_with(m, t, 3);
        cr_assert(!memcmp(one, got, info->output_bytes), "%s (%s): %d threads differ from 1",
                  name, ks == EB_KSET_REF ? "ref" : "auto", t);
        free(got);
    }
    free(one);
    eb_model_free(m);
}

Test(threads, zoo_outputs_do_not_depend_on_the_thread_count, .timeout = 600)
{
    static const char *const small[] = {
        "ds_cnn_fp32", "ds_cnn_int8", "ds_cnn_int8_p75", "resnet8_fp32", "resnet8_int8",
        "resnet8_fp32_c50", "vww_mobilenet_v1_025_fp32", "vww_mobilenet_v1_025_int8_p50",
        "fc_autoencoder_fp32", "fc_autoencoder_int8"};
    for (size_t i = 0; i < sizeof small / sizeof small[0]; i++) {
        same_outputs(small[i], EB_KSET_AUTO);
        same_outputs(small[i], EB_KSET_REF);
    }
#if !defined(EB_SANITIZED)
    static const char *const big[] = {"mobilenet_v1_fp32", "mobilenet_v1_int8",
                                      "mobilenet_v2_fp32", "mobilenet_v2_int8",
                                      "mobilenet_v2_fp32_p75"};
    for (size_t i = 0; i < sizeof big / sizeof big[0]; i++)
        same_outputs(big[i], EB_KSET_AUTO);
#endif
}

Test(threads, op_info_says_how_each_op_is_split)
{
    eb_model_options o = {0};
    eb_model *m = NULL;
    char err[256];
    cr_assert_eq(eb_model_build("mobilenet_v1_int8", &o, &m, err, sizeof err), EB_OK, "%s", err);
    const eb_model_info *mi = eb_model_get_info(m);
    int split = 0, whole = 0;
    for (int32_t i = 0; i < mi->num_ops; i++) {
        eb_op_info oi;
        cr_assert_eq(eb_model_op_info(m, i, &oi), EB_OK);
        cr_assert_geq(oi.split_units, 1);
        if (oi.macs > 0 && oi.macs < 200000)
            cr_assert_eq(oi.split_units, 1, "%s: small ops stay on one thread", oi.name);
        if (oi.type && !strcmp(oi.type, "conv2d") && oi.macs >= 200000) {
            /* a convolution of a 224x224 network has 112..7 output rows */
            cr_assert(oi.split_units >= 7 && oi.split_units <= 112, "%s: %d units", oi.name,
                      oi.split_units);
            split++;
        }
        whole += oi.split_units == 1;
    }
    cr_assert_gt(split, 10);
    cr_assert_gt(whole, 0, "the pool and fc layers run whole");
    eb_model_free(m);
}
