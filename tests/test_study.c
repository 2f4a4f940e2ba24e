/* test_study.c - the roofline, its host calibration, and the study's table and files. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

#include "eb_fixture_reports.h"
#include "cli.h"
#include "eb_outfile.h"
#include "eb_study.h"

static eb_study_target target(const char *name, double fp32, double int8, double bw, double price)
{
    eb_study_target t = {.cores = 4, .clock_mhz = 1500, .memory_bytes = 4e9, .bandwidth_gbs = bw,
                         .core_gmacs_fp32 = fp32, .core_gmacs_int8 = int8, .price_usd = price,
                         .idle_w = 2, .active_w = 6};
    snprintf(t.name, sizeof t.name, "%s", name);
    snprintf(t.arch, sizeof t.arch, "aarch64");
    return t;
}

Test(study, roofline_takes_the_slower_of_compute_and_memory_per_op)
{
    eb_study_target t = target("board", 2.0, 8.0, 4.0, 50);
    eb_roof_op ops[3] = {
        {.macs = 2e6, .bytes = 4e3, .int8 = false}, /* compute: 2e6/2e9 = 1 ms; mem 1 us */
        {.macs = 8e6, .bytes = 4e3, .int8 = true},  /* compute: 8e6/8e9 = 1 ms */
        {.macs = 0, .bytes = 8e6, .int8 = false},   /* memory: 8e6/4e9 = 2 ms */
    };
    cr_assert_float_eq(eb_roofline_ms(ops, 3, &t), 4.0, 1e-12);
    t.bandwidth_gbs = NAN;
    cr_assert(isnan(eb_roofline_ms(ops, 3, &t)), "no bandwidth: cannot predict");
}

static void one_model(eb_study_model *m, eb_roof_op *ops, const char *name)
{
    ops[0] = (eb_roof_op){.macs = 20e6, .bytes = 1e6, .int8 = true};
    ops[1] = (eb_roof_op){.macs = 0, .bytes = 2e6, .int8 = true};
    memset(m, 0, sizeof *m);
    snprintf(m->name, sizeof m->name, "%s", name);
    m->ops = ops;
    m->n_ops = 2;
    m->planned_total_bytes = 3e6;
}

Test(study, predictions_are_calibrated_on_the_host)
{
    /* host roofline of the model: 20e6/20e9 + 2e6/20e9 = 1.1 ms; measured 5.5 ms: the
     * kernels reach 0.2 of the roofline. The board: 20e6/4e9 + 2e6/2e9 = 6 ms of roofline,
     * so 30 ms predicted. */
    eb_study_target host = target("host", 10, 20, 20, NAN);
    eb_study_target targets[2] = {host, target("board", 2, 4, 2, 60)};
    eb_roof_op ops[2];
    eb_study_model model;
    one_model(&model, ops, "net_int8");
    double s[100];
    fx_samples(s, 100, 5.5, 0.0, 0, 1);
    for (int i = 90; i < 100; i++)
        s[i] = 6.6; /* a tail: p90/p50 > 1 */
    fx_result fr = {.target = "host", .model = "net", .variant = "int8", .samples = s, .n = 100,
                    .energy_j = 0.01, .peak_rss_bytes = 9e6};
    char *json = fx_report(&fr, 1, "CPU", "auto", 1);
    eb_report rep;
    char err[256];
    cr_assert_eq(eb_report_read_text(json, "host.json", &rep, err, sizeof err), EB_OK, "%s", err);
    free(json);
    eb_study_measured meas = {&rep.results[0], &rep};
    eb_study_options o;
    eb_study_options_default(&o);
    o.latency_budget_ms = 20;
    eb_study st;
    cr_assert_eq(eb_study_build(targets, 2, &model, 1, &meas, 1, &host, &o, &st, err, sizeof err),
                 EB_OK, "%s", err);
    cr_assert_eq(st.n_rows, 2);
    const eb_study_row *h = &st.rows[0], *b = &st.rows[1];
    cr_assert_eq(h->p50_ms.src, EB_SRC_MEASURED);
    cr_assert_float_eq(h->p50_ms.v, 5.5, 1e-9);
    cr_assert_float_eq(h->memory_bytes.v, 9e6, 1e-3, "measured memory is the peak RSS");
    cr_assert_float_eq(st.efficiency_median, 1.1 / 5.5, 1e-12);
    cr_assert_eq(b->p50_ms.src, EB_SRC_PREDICTED);
    cr_assert_float_eq(b->roofline_ms, 6.0, 1e-9);
    cr_assert_float_eq(b->p50_ms.v, 30.0, 1e-9);
    double ratio = h->p90_ms.v / 5.5;
    cr_assert(ratio > 1.0);
    cr_assert_float_eq(b->p90_ms.v, 30.0 * ratio, 1e-9, "p90 scaled by the host's tail ratio");
    cr_assert_float_eq(b->energy_j.v, 6 * 0.030, 1e-12, "active watts x p50");
    cr_assert_float_eq(b->memory_bytes.v, 3e6, 1e-9);
    cr_assert_eq(b->memory_bytes.src, EB_SRC_PREDICTED);
    cr_assert_eq(b->price_usd.src, EB_SRC_SPEC);
    /* 60 USD over 3 years of 30 ms inferences, plus 0.18 J per inference at 0.15 USD/kWh */
    double n = 3 * 365.25 * 86400 * 1000 / 30.0;
    double cost = 60 / n * 1e6 + 0.18 * 1e6 / 3.6e6 * 0.15;
    cr_assert_float_eq(b->cost_per_m_usd.v, cost, 1e-12);
    cr_assert_eq(h->meets_budget, 1);
    cr_assert_eq(b->meets_budget, 0, "predicted p90 above 20 ms");
    cr_assert_eq(h->cost_per_m_usd.src, EB_SRC_NONE, "the host has no price");
    eb_study_free(&st);
    eb_report_free(&rep);
}

Test(study, without_host_measurement_the_roofline_is_marked_uncalibrated)
{
    eb_study_target host = target("host", 10, 20, 20, NAN);
    eb_study_target board = target("board", 2, 4, 2, 60);
    eb_roof_op ops[2];
    eb_study_model model;
    one_model(&model, ops, "net_int8");
    eb_study_options o;
    eb_study_options_default(&o);
    eb_study st;
    char err[256];
    cr_assert_eq(eb_study_build(&board, 1, &model, 1, NULL, 0, &host, &o, &st, err, sizeof err),
                 EB_OK);
    cr_assert_eq(st.rows[0].p50_ms.src, EB_SRC_ROOFLINE);
    cr_assert_float_eq(st.rows[0].p50_ms.v, 6.0, 1e-9);
    cr_assert_eq(st.rows[0].p90_ms.src, EB_SRC_NONE, "no tail ratio without a measurement");
    cr_assert_eq(st.rows[0].meets_budget, -1);
    eb_study_free(&st);
}

Test(study, writes_markdown_csv_and_plot_scripts)
{
    char dir[128];
    fx_tmpdir(dir, sizeof dir, "study");
    eb_study_target host = target("host", 10, 20, 20, NAN);
    eb_study_target targets[2] = {host, target("board", 2, 4, 2, 60)};
    eb_roof_op ops[2];
    eb_study_model model;
    one_model(&model, ops, "net_int8");
    eb_study_options o;
    eb_study_options_default(&o);
    o.latency_budget_ms = 8;
    eb_study st;
    char err[256];
    cr_assert_eq(eb_study_build(targets, 2, &model, 1, NULL, 0, &host, &o, &st, err, sizeof err),
                 EB_OK);
    eb_plot_list plots;
    cr_assert_eq(eb_study_write(&st, targets, 2, &host, &o, dir, EB_PLOT_PNG, &plots, err,
                                sizeof err), EB_OK, "%s", err);
    cr_assert_eq(plots.n, 3);
    char path[256];
    snprintf(path, sizeof path, "%s/study.md", dir);
    char *md = fx_slurp(path);
    cr_assert_not_null(md);
    cr_assert(strstr(md, "| board | net_int8 | 6.00 [r] |") != NULL, "%s", md);
    cr_assert(strstr(md, "roofline") != NULL);
    cr_assert(strstr(md, "[s]") != NULL);
    free(md);
    snprintf(path, sizeof path, "%s/study.csv", dir);
    char *csv = fx_slurp(path);
    cr_assert_not_null(csv);
    int lines = 0, commas_header = -1;
    for (char *l = strtok(csv, "\n"); l; l = strtok(NULL, "\n"), lines++) {
        int c = 0;
        for (char *p = l; *p; p++)
            c += *p == ',';
        if (commas_header < 0)
            commas_header = c;
        cr_assert_eq(c, commas_header, "every CSV line has the header's columns: %s", l);
    }
    cr_assert_eq(lines, 3);
    free(csv);
    snprintf(path, sizeof path, "%s/study_latency.gp", dir);
    char *gp = fx_slurp(path);
    cr_assert(gp && strstr(gp, "budget 8 ms") && strstr(gp, "noenhanced"));
    cr_assert(strstr(gp, "board (roofline)") != NULL, "the series says how it was obtained");
    free(gp);
    eb_plot_list_free(&plots);
    eb_study_free(&st);
    fx_rmdir(dir);
}

Test(study, command_from_reports)
{
    char dir[128], path[256], out[256];
    fx_tmpdir(dir, sizeof dir, "studycmd");
    double s[50];
    fx_samples(s, 50, 4.0, 0.03, 0.01, 9);
    fx_result fr = {.target = "host", .model = "ds_cnn", .variant = "int8", .samples = s, .n = 50,
                    .weights_bytes = 40000, .planned_total_bytes = 90000, .peak_rss_bytes = 5e6};
    char *json = fx_report(&fr, 1, "CPU", "auto", 1);
    snprintf(path, sizeof path, "%s/host.json", dir);
    fx_write(path, json);
    free(json);
    snprintf(out, sizeof out, "%s/study", dir);
    char *argv[] = {"study", "--from", path, "-o", out, "--latency-budget", "10", "--no-render"};
    cr_assert_eq(eb_cmd_study(8, argv), EB_EXIT_OK);
    char md[300];
    snprintf(md, sizeof md, "%s/study.md", out);
    char *text = fx_slurp(md);
    cr_assert_not_null(text);
    cr_assert(strstr(text, "| host | ds_cnn_int8 |") != NULL, "%s", text);
    cr_assert(strstr(text, "[m]") != NULL);
    cr_assert(strstr(text, "yes [m]") != NULL, "4 ms meets a 10 ms budget");
    free(text);
    char *bad1[] = {"study", "--from", path};
    cr_assert_eq(eb_cmd_study(3, bad1), EB_EXIT_USAGE, "no output directory");
    char *bad2[] = {"study", "--targets", "nosuchboard", "--models", "x", "-o", out};
    cr_assert_eq(eb_cmd_study(7, bad2), EB_EXIT_USAGE, "unknown target");
    char *bad3[] = {"study", "--from", "/nonexistent.json", "-o", out};
    cr_assert_eq(eb_cmd_study(5, bad3), EB_EXIT_USAGE);
    fx_rmdir(dir);
}

/* ---- study --validate ---- */

static eb_val_target val_target(void)
{
    eb_val_target t = {.cores = 4, .clock_mhz = 1000, .bandwidth_gbs = 1};
    snprintf(t.name, sizeof t.name, "board");
    t.issue64 = (eb_issue_cost){.gemm_f32 = 0.5, .dwconv_f32 = 2, .gemm_s8 = 0.25,
                                .dwconv_s8 = 1, .gemm_s8_dot = NAN};
    t.issue32 = t.issue64;
    t.issue32.gemm_f32 = 1;
    return t;
}

Test(study, validate_model_splits_compute_over_threads_but_not_memory)
{
    eb_val_target t = val_target();
    eb_roof_op ops[3] = {
        {.macs = 8e6, .bytes = 1e5, .kind = EB_ROOF_GEMM}, /* 8e6 x 0.5 / 1e9 = 4 ms / n */
        {.macs = 1e6, .bytes = 1e5, .kind = EB_ROOF_DW},   /* 1e6 x 2 / 1e9 = 2 ms / n */
        {.macs = 0, .bytes = 3e6, .kind = EB_ROOF_OTHER},  /* 3e6 / 1e9 = 3 ms always */
    };
    eb_study_model m = {.name = "net_fp32", .ops = ops, .n_ops = 3};
    double c, mem;
    cr_assert_float_eq(eb_val_raw_ms(&t, &m, false, 1, 64, &c, &mem), 9.0, 1e-9);
    cr_assert_float_eq(c, 6.0, 1e-9);
    cr_assert_float_eq(mem, 3.0, 1e-9);
    /* 4 threads: gemm 1 ms, dw 0.5 ms (the 0.1 ms of memory each is below), add 3 ms */
    cr_assert_float_eq(eb_val_raw_ms(&t, &m, false, 4, 64, NULL, NULL), 4.5, 1e-9);
    cr_assert_float_eq(eb_val_raw_ms(&t, &m, false, 8, 64, NULL, NULL), 4.5, 1e-9,
                       "threads beyond the cores do not help");
    cr_assert_float_eq(eb_val_raw_ms(&t, &m, false, 1, 32, NULL, NULL), 13.0, 1e-9,
                       "32-bit code uses its own costs");
    t.issue64.dwconv_f32 = NAN;
    cr_assert(isnan(eb_val_raw_ms(&t, &m, false, 1, 64, NULL, NULL)));
}

Test(study, validate_fits_k_leave_one_out)
{
    eb_val_target t = val_target();
    eb_roof_op op = {.macs = 2e6, .bytes = 0, .kind = EB_ROOF_GEMM}; /* raw 1 ms, 1 thread */
    eb_study_model m = {.name = "net_fp32", .ops = &op, .n_ops = 1};
    eb_val_figure f[3];
    memset(f, 0, sizeof f);
    double pub[3] = {2, 8, 4}; /* published / raw = 2, 8, 4 */
    for (int i = 0; i < 3; i++)
        f[i] = (eb_val_figure){.target = 0, .model = &m, .threads = 1, .os_bits = 64,
                               .published_ms = pub[i]};
    eb_val_result r[3];
    eb_val_summary s;
    char err[128];
    cr_assert_eq(eb_validate(&t, 1, f, 3, r, &s, err, sizeof err), EB_OK, "%s", err);
    /* figure 0 is predicted with k = geomean(8, 4) = sqrt(32), not with its own 2 */
    cr_assert_float_eq(r[0].k, sqrt(32.0), 1e-9);
    cr_assert_float_eq(r[0].predicted_ms, sqrt(32.0), 1e-9);
    cr_assert_float_eq(r[1].k, sqrt(8.0), 1e-9);
    cr_assert_float_eq(r[2].k, 4.0, 1e-9);
    cr_assert_float_eq(s.k_fp32, 4.0, 1e-9, "all three: geomean(2, 8, 4)");
    cr_assert(isnan(s.k_int8), "no int8 figure");
    /* errors: sqrt(32)/2 - 1, sqrt(8)/8 - 1, 4/4 - 1 */
    cr_assert_float_eq(s.worst_ratio, 8 / sqrt(8.0), 1e-9);
    cr_assert_float_eq(s.median_abs_error, fabs(sqrt(8.0) / 8 - 1), 1e-9);
    cr_assert_eq(s.n, 3);
}

Test(study, validate_writes_table_csv_and_plot)
{
    eb_val_target t = val_target();
    eb_roof_op op = {.macs = 2e6, .bytes = 0, .kind = EB_ROOF_GEMM};
    eb_study_model m = {.name = "net_fp32", .ops = &op, .n_ops = 1};
    eb_val_figure f[2] = {{.model = &m, .threads = 1, .os_bits = 64, .published_ms = 2},
                          {.model = &m, .threads = 1, .os_bits = 32, .published_ms = 3}};
    snprintf(f[0].source, sizeof f[0].source, "Title A, 2022, https://a");
    snprintf(f[1].source, sizeof f[1].source, "Title A, 2022, https://a");
    eb_val_result r[2];
    eb_val_summary s;
    char err[256], dir[] = "/tmp/eb_validate_XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    cr_assert_eq(eb_validate(&t, 1, f, 2, r, &s, err, sizeof err), EB_OK, "%s", err);
    const char *untested[] = {"lonely_board"};
    eb_plot_list pl;
    cr_assert_eq(eb_validate_write(&t, 1, f, 2, r, &s, untested, 1, dir, EB_PLOT_PNG, &pl, err,
                                   sizeof err),
                 EB_OK, "%s", err);
    cr_assert_eq(pl.n, 1);
    char path[512], *text;
    snprintf(path, sizeof path, "%s/validate.md", dir);
    cr_assert_eq(eb_read_file(path, 1 << 20, &text, NULL, err, sizeof err), EB_OK, "%s", err);
    cr_assert_not_null(strstr(text, "| board | net_fp32 |"), "%s", text);
    cr_assert_not_null(strstr(text, "lonely_board | 0 | no published figure"), "%s", text);
    cr_assert_not_null(strstr(text, "Title A, 2022, https://a"), "%s", text);
    free(text);
    snprintf(path, sizeof path, "%s/validate.gp", dir);
    cr_assert_eq(eb_read_file(path, 1 << 20, &text, NULL, err, sizeof err), EB_OK, "%s", err);
    cr_assert_not_null(strstr(text, "set logscale xy"), "%s", text);
    cr_assert_not_null(strstr(text, "plot x with lines"), "the 1:1 line: %s", text);
    free(text);
    eb_plot_list_free(&pl);
}

Test(study, thread_share_is_the_largest_part_of_the_split)
{
    cr_assert_float_eq(eb_thread_share(7, 4, 4), 2.0 / 7, 1e-12, "7 rows on 4: parts of 2");
    cr_assert_float_eq(eb_thread_share(8, 4, 4), 0.25, 1e-12);
    cr_assert_float_eq(eb_thread_share(3, 4, 4), 1.0 / 3, 1e-12, "3 rows: 3 threads work");
    cr_assert_float_eq(eb_thread_share(1, 4, 4), 1.0, 1e-12, "one unit: one thread");
    cr_assert_float_eq(eb_thread_share(0, 4, 4), 0.25, 1e-12, "unknown units: evenly");
    cr_assert_float_eq(eb_thread_share(112, 8, 4), 0.25, 1e-12, "no more threads than cores");
    cr_assert_float_eq(eb_thread_share(112, 1, 4), 1.0, 1e-12);
}

Test(study, all_cores_column_is_predicted_by_the_thread_model_or_measured)
{
    /* board: 4 cores; op0 compute 20e6 / 4e9 = 5 ms over 7 rows -> 4 threads take 2 rows
     * each: 10/7 ms (its memory, 0.5 ms, is below); op1 is 1 ms of memory, not divided.
     * One thread: 6 ms of roofline, 30 ms predicted; all cores: 30 x (10/7 + 1) / 6. */
    eb_study_target host = target("host", 10, 20, 20, NAN);
    eb_study_target targets[2] = {host, target("board", 2, 4, 2, 60)};
    eb_roof_op ops[2];
    eb_study_model model;
    one_model(&model, ops, "net_int8");
    ops[0].units = 7;
    ops[1].units = 1;
    double s[50], s4[50];
    fx_samples(s, 50, 5.5, 0.0, 0, 1);
    fx_samples(s4, 50, 2.0, 0.0, 0, 1);
    fx_result fr[2] = {{.target = "host", .model = "net", .variant = "int8", .samples = s,
                        .n = 50, .energy_j = 0.01, .peak_rss_bytes = 9e6},
                       {.target = "host", .model = "net", .variant = "int8", .samples = s4,
                        .n = 50, .energy_j = 0.01, .peak_rss_bytes = 9e6, .threads = 4}};
    char *json = fx_report(fr, 2, "CPU", "auto", 1);
    eb_report rep;
    char err[256];
    cr_assert_eq(eb_report_read_text(json, "host.json", &rep, err, sizeof err), EB_OK, "%s", err);
    free(json);
    eb_study_measured meas[2] = {{&rep.results[0], &rep}, {&rep.results[1], &rep}};
    eb_study_options o;
    eb_study_options_default(&o);
    eb_study st;
    cr_assert_eq(eb_study_build(targets, 2, &model, 1, meas, 2, &host, &o, &st, err, sizeof err),
                 EB_OK, "%s", err);
    const eb_study_row *h = &st.rows[0], *b = &st.rows[1];
    cr_assert_float_eq(h->p50_ms.v, 5.5, 1e-9, "the one-thread result, not the 4-thread one");
    cr_assert_eq(h->p50_all_ms.src, EB_SRC_MEASURED, "the host ran with its 4 cores");
    cr_assert_float_eq(h->p50_all_ms.v, 2.0, 1e-9);
    cr_assert_eq(b->all_threads, 4);
    cr_assert_eq(b->p50_all_ms.src, EB_SRC_PREDICTED);
    cr_assert_float_eq(b->p50_all_ms.v, 30.0 * (10.0 / 7 + 1) / 6, 1e-9);
    /* study.md says how and states the expected error it is given */
    eb_study_expected ex[2] = {{"board", 3, 0.2, 0.4}, {"", 3, 0.2, 1.5}};
    o.expected = ex;
    o.n_expected = 1;
    char dir[] = "/tmp/eb_study_threads_XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    eb_plot_list pl;
    cr_assert_eq(eb_study_write(&st, targets, 2, &host, &o, dir, EB_PLOT_PNG, &pl, err,
                                sizeof err),
                 EB_OK, "%s", err);
    char path[512], *text;
    snprintf(path, sizeof path, "%s/study.md", dir);
    cr_assert_eq(eb_read_file(path, 1 << 20, &text, NULL, err, sizeof err), EB_OK, "%s", err);
    cr_assert_not_null(strstr(text, "p50 ms, all cores"), "%s", text);
    cr_assert_not_null(strstr(text, ", 4 thr"), "%s", text);
    cr_assert_not_null(strstr(text, "Its limits: it leaves out the fork/join cost"), "%s", text);
    cr_assert_not_null(strstr(text, "| board | 3 | 20 % | 40 % |"), "%s", text);
    cr_assert_not_null(strstr(text, "| host | 0 | no published figure"), "%s", text);
    free(text);
    eb_plot_list_free(&pl);
    eb_study_free(&st);
    eb_report_free(&rep);
}

Test(study, validate_plot_labels_do_not_overlap)
{
    /* twelve figures in a tight cluster (published 20.0 .. 22.2 ms, predictions alike):
     * the labels the script places must not overlap each other */
    eb_val_target t = val_target();
    eb_roof_op op = {.macs = 2e6, .bytes = 0, .kind = EB_ROOF_GEMM};
    eb_study_model m = {.name = "mobilenet_v1_fp32", .ops = &op, .n_ops = 1};
    eb_val_figure f[12];
    memset(f, 0, sizeof f);
    for (int i = 0; i < 12; i++)
        f[i] = (eb_val_figure){.model = &m, .threads = 1 + i % 4, .os_bits = i % 2 ? 32 : 64,
                               .published_ms = 20 + 0.2 * i};
    eb_val_result r[12];
    eb_val_summary s;
    char err[256], dir[] = "/tmp/eb_validate_lbl_XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    cr_assert_eq(eb_validate(&t, 1, f, 12, r, &s, err, sizeof err), EB_OK, "%s", err);
    eb_plot_list pl;
    cr_assert_eq(eb_validate_write(&t, 1, f, 12, r, &s, NULL, 0, dir, EB_PLOT_PNG, &pl, err,
                                   sizeof err),
                 EB_OK, "%s", err);
    eb_plot_list_free(&pl);
    char path[512], *text;
    snprintf(path, sizeof path, "%s/validate.gp", dir);
    cr_assert_eq(eb_read_file(path, 1 << 20, &text, NULL, err, sizeof err), EB_OK, "%s", err);
    double x[12], y[12], w[12];
    int n = 0;
    for (const char *p = text; (p = strstr(p, "\nset label ")) && n < 12; p++) {
        const char *q = strchr(p + 11, '"'), *e = q ? strchr(q + 1, '"') : NULL;
        cr_assert(e && sscanf(e + 1, " at screen %lf,%lf", &x[n], &y[n]) == 2, "%.80s", p);
        w[n] = 6.6 * (double)(e - q - 1) / 1000; /* the placement's own width per char */
        n++;
    }
    cr_assert_eq(n, 12, "a label per figure");
    for (int i = 0; i < n; i++)
        for (int k = i + 1; k < n; k++) {
            bool apart = x[i] + w[i] <= x[k] || x[k] + w[k] <= x[i] ||
                         fabs(y[i] - y[k]) >= 13.0 / 900;
            cr_assert(apart, "labels %d and %d overlap: (%g,%g) and (%g,%g)", i, k, x[i], y[i],
                      x[k], y[k]);
        }
    free(text);
}
