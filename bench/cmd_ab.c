/* cmd_ab.c - `edgebench ab`: interleaved A/B measurement of two builds, two kernel sets
 * or two variants, decided on paired rounds (reports/eb_ab.h). Each side of a round is a
 * child `edgebench run ... --json --repetitions 1`, alternating the order (ABBA...). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "child.h"
#include "cli.h"
#include "eb_ab.h"
#include "eb_bootstrap.h"
#include "eb_compare.h"
#include "eb_report_data.h"

static void ab_usage(FILE *f)
{
    fprintf(f,
            "usage: edgebench ab --model M [--baseline BIN] [--candidate BIN] [options]\n\n"
            "Alternates short measurement rounds of A (baseline) and B (candidate) so both see\n"
            "the same machine states, then decides on the paired rounds: the median of the\n"
            "per-round ratios B/A, its bootstrap interval, and a Wilcoxon signed-rank test.\n"
            "Exit status: 0 no regression, 1 regression, 2 usage or input error.\n\n"
            "  --baseline BIN          edgebench binary for A (default: this one)\n"
            "  --candidate BIN         edgebench binary for B (default: this one)\n"
            "  --model M               model variant, both sides (e.g. mobilenet_v1_int8)\n"
            "  --baseline-model M      A's variant (two variants of one binary)\n"
            "  --candidate-model M     B's variant\n"
            "  --kernels K             kernel set for both sides (auto|ref|avx2|avx512|neon)\n"
            "  --baseline-kernels K    A's kernel set (two kernel sets of one binary)\n"
            "  --candidate-kernels K   B's kernel set\n"
            "  --target T              target (default host)\n"
            "  --rounds N              paired rounds (default 10; at least %zu for alpha 0.01)\n"
            "  --round-time S          measuring time per side and round (default 0.5 s)\n"
            "  --warmup-time S         warm-up per side and round (default 0.2 s)\n"
            "  --threshold PCT         smallest change that counts (default 5)\n"
            "  --alpha A               significance level (default 0.01)\n"
            "  --junit FILE, --markdown FILE   as for compare\n"
            "  --quiet                 no per-round lines\n",
            eb_ab_min_rounds(0.01));
}

typedef struct {
    const char *bin, *model, *kernels;
} ab_side;

static eb_status run_side(const ab_side *s, const char *target, const char *round_time,
                          const char *warmup_time, double *median, char *err, size_t errlen)
{
    char *argv[32];
    int n = 0;
    argv[n++] = (char *)s->bin;
    argv[n++] = "run";
    argv[n++] = "--target";
    argv[n++] = (char *)target;
    argv[n++] = "--model";
    argv[n++] = (char *)s->model;
    if (s->kernels) {
        argv[n++] = "--kernels";
        argv[n++] = (char *)s->kernels;
    }
    argv[n++] = "--repetitions";
    argv[n++] = "1";
    argv[n++] = "--min-iterations";
    argv[n++] = "5";
    argv[n++] = "--min-time";
    argv[n++] = (char *)round_time;
    argv[n++] = "--warmup-time";
    argv[n++] = (char *)warmup_time;
    argv[n++] = "--no-counters";
    argv[n++] = "--json";
    argv[n++] = "--quiet";
    argv[n] = NULL;
    eb_child_result cr;
    eb_status st = eb_child_run(argv, 600, &cr, err, errlen);
    if (st != EB_OK)
        return st;
    if (cr.exit_code != 0) {
        /* the child's last line is its one-sentence error */
        char *last = cr.err + strlen(cr.err);
        while (last > cr.err && (last[-1] == '\n' || last[-1] == ' '))
            *--last = 0;
        char *line = strrchr(cr.err, '\n');
        line = line ? line + 1 : cr.err;
        if (!strncmp(line, "edgebench: ", 11))
            line += 11;
        snprintf(err, errlen, "'%s run --model %s' %s: %s", s->bin, s->model,
                 cr.timed_out ? "timed out" : "failed", line);
        free(cr.out);
        return EB_ERR_IO;
    }
    eb_rdata rep;
    st = eb_rdata_parse(cr.out, s->bin, &rep, err, errlen);
    free(cr.out);
    if (st != EB_OK)
        return st;
    if (rep.n_results < 1 || rep.results[0].n_samples == 0) {
        snprintf(err, errlen, "'%s run' returned no samples", s->bin);
        eb_rdata_free(&rep);
        return EB_ERR_FORMAT;
    }
    /* the median of the raw samples, by the same quantile definition as the gates */
    const eb_rresult *r = &rep.results[0];
    *median = eb_quantile_inplace(r->samples_ms, r->n_samples, 0.5);
    eb_rdata_free(&rep);
    return EB_OK;
}

int eb_cmd_ab(int argc, char **argv)
{
    eb_cmp_options o;
    eb_cmp_options_default(&o);
    ab_side A = {NULL, NULL, NULL}, B = {NULL, NULL, NULL};
    const char *model = NULL, *kernels = NULL, *target = "host";
    const char *round_time = "0.5", *warmup_time = "0.2", *junit = NULL, *markdown = NULL;
    long rounds = 10;
    bool quiet = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            ab_usage(stdout);
            return EB_EXIT_OK;
        }
        if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
            quiet = true;
            continue;
        }
        if (a[0] != '-') {
            eb_error("ab takes no positional arguments ('%s'); see 'edgebench ab --help'", a);
            return EB_EXIT_USAGE;
        }
        if (!v) {
            eb_error("%s needs a value; see 'edgebench ab --help'", a);
            return EB_EXIT_USAGE;
        }
        i++;
        double d;
        if (!strcmp(a, "--baseline"))
            A.bin = v;
        else if (!strcmp(a, "--candidate"))
            B.bin = v;
        else if (!strcmp(a, "--model"))
            model = v;
        else if (!strcmp(a, "--baseline-model"))
            A.model = v;
        else if (!strcmp(a, "--candidate-model"))
            B.model = v;
        else if (!strcmp(a, "--kernels"))
            kernels = v;
        else if (!strcmp(a, "--baseline-kernels"))
            A.kernels = v;
        else if (!strcmp(a, "--candidate-kernels"))
            B.kernels = v;
        else if (!strcmp(a, "--target"))
            target = v;
        else if (!strcmp(a, "--junit"))
            junit = v;
        else if (!strcmp(a, "--markdown"))
            markdown = v;
        else if (!strcmp(a, "--rounds")) {
            if (!eb_parse_int(a, v, 2, 10000, &rounds))
                return EB_EXIT_USAGE;
        } else if (!strcmp(a, "--round-time")) {
            if (!eb_parse_double(a, v, 0.01, 3600, &d))
                return EB_EXIT_USAGE;
            round_time = v;
        } else if (!strcmp(a, "--warmup-time")) {
            if (!eb_parse_double(a, v, 0, 3600, &d))
                return EB_EXIT_USAGE;
            warmup_time = v;
        } else if (!strcmp(a, "--threshold")) {
            if (!eb_parse_percent(a, v, 1000, &o.threshold))
                return EB_EXIT_USAGE;
        } else if (!strcmp(a, "--alpha")) {
            if (!eb_parse_double(a, v, 1e-12, 0.5, &o.alpha))
                return EB_EXIT_USAGE;
        } else {
            eb_error("unknown option '%s' for ab; see 'edgebench ab --help'", a);
            return EB_EXIT_USAGE;
        }
    }
    if (!A.model)
        A.model = model;
    if (!B.model)
        B.model = model;
    if (!A.model || !B.model) {
        eb_error("ab needs --model (or --baseline-model and --candidate-model)");
        return EB_EXIT_USAGE;
    }
    if (!A.kernels)
        A.kernels = kernels;
    if (!B.kernels)
        B.kernels = kernels;
    if (!A.bin)
        A.bin = eb_self_exe();
    if (!B.bin)
        B.bin = eb_self_exe();
    size_t need = eb_ab_min_rounds(o.alpha);
    if ((size_t)rounds < need) {
        eb_error("--rounds %ld is too few: at alpha %g the signed-rank test needs at least %zu "
                 "paired rounds", rounds, o.alpha, need);
        return EB_EXIT_USAGE;
    }
    double *ma = calloc((size_t)rounds, sizeof *ma), *mb = calloc((size_t)rounds, sizeof *mb);
    if (!ma || !mb) {
        free(ma);
        free(mb);
        eb_error("out of memory");
        return EB_EXIT_USAGE;
    }
    if (!quiet) {
        printf("A (baseline):  %s run --model %s%s%s\n", A.bin, A.model,
               A.kernels ? " --kernels " : "", A.kernels ? A.kernels : "");
        printf("B (candidate): %s run --model %s%s%s\n", B.bin, B.model,
               B.kernels ? " --kernels " : "", B.kernels ? B.kernels : "");
        printf("%ld rounds on %s, order ABBA..., each side %s s warm-up + %s s measured\n\n",
               rounds, target, warmup_time, round_time);
        printf("round  order  A p50 ms    B p50 ms    B/A\n");
        fflush(stdout);
    }
    int rc = EB_EXIT_USAGE;
    char err[1024];
    for (long r = 0; r < rounds; r++) {
        bool a_first = (r % 2) == 0; /* ABBA: A first in even rounds */
        for (int k = 0; k < 2; k++) {
            bool do_a = (k == 0) == a_first;
            eb_status st = run_side(do_a ? &A : &B, target, round_time, warmup_time,
                                    do_a ? &ma[r] : &mb[r], err, sizeof err);
            if (st != EB_OK) {
                eb_error("round %ld, %s: %s", r + 1, do_a ? "baseline" : "candidate", err);
                goto done;
            }
        }
        if (!quiet) {
            printf("%5ld  %s     %-10.4g  %-10.4g  %.4f\n", r + 1, a_first ? "AB" : "BA", ma[r],
                   mb[r], mb[r] / ma[r]);
            fflush(stdout);
        }
    }
    eb_cmp_row paired, unpaired;
    memset(&paired, 0, sizeof paired);
    memset(&unpaired, 0, sizeof unpaired);
    if (eb_ab_decide(ma, mb, (size_t)rounds, &o, &paired, &unpaired) != EB_OK) {
        eb_error("cannot decide: a round returned no usable median");
        goto done;
    }
    snprintf(paired.pair, sizeof paired.pair, "%s/%s%s%s", target, A.model,
             strcmp(A.model, B.model) ? " vs " : "", strcmp(A.model, B.model) ? B.model : "");
    paired.metric = "p50";
    paired.unit = "ms";
    char method[300];
    snprintf(method, sizeof method,
             "paired rounds: change = median of the per-round ratios B/A, its %.0f %% "
             "bootstrap interval over rounds, p from a two-sided Wilcoxon signed-rank test "
             "of log(B/A)",
             100 * o.level);
    o.method = method;
    eb_cmp_outcome out = {.rows = &paired, .n_rows = 1,
                          .regressions = paired.verdict == EB_VERDICT_REGRESSION,
                          .improvements = paired.verdict == EB_VERDICT_IMPROVEMENT};
    if (!quiet)
        printf("\n");
    eb_cmp_print_table(stdout, &out, &o);
    printf("unpaired view (compare's U test on the %ld round medians of each side): change "
           "%+.2f %%, p %.3g\n",
           rounds, 100 * unpaired.change, unpaired.p);
    if (junit && eb_cmp_write_junit(junit, &out, &o, "edgebench ab", err, sizeof err)) {
        eb_error("%s", err);
        goto done;
    }
    if (markdown && eb_cmp_write_markdown(markdown, &out, &o, "edgebench ab", err, sizeof err)) {
        eb_error("%s", err);
        goto done;
    }
    rc = out.regressions ? EB_EXIT_GATE : EB_EXIT_OK;
done:
    free(ma);
    free(mb);
    return rc;
}
