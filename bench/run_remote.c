/* run_remote.c - measuring on a board through edgebench-agent (or an MLPerf Tiny device)
 * and turning what it streams back into the same report result a local run makes. */
#include "run_remote.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#if defined(EB_MODELS_AVAILABLE)
#include "eb_model.h"
#endif

#define AGENT_HINT "start it on the board with 'edgebench-agent /dev/ttyGS0' (or the board's " \
                   "serial device; see targets/agent/README.md)"

static void set_env_from_agent(eb_report *rep, const eb_remote *r, const eb_remote_options *o)
{
    eb_report_env *e = &rep->environment;
    e->cpu_known = true;
    snprintf(e->vendor, sizeof e->vendor, "%s", !strcmp(r->arch, "x86_64") ? "unknown" : "ARM");
    snprintf(e->brand, sizeof e->brand, "%s", r->cpu);
    for (char *p = e->brand; *p; p++)
        if (*p == '_')
            *p = ' ';
    snprintf(e->codename, sizeof e->codename, "%s", o->target->cpu);
    e->cores = e->threads = r->cores;
    char isa[sizeof r->isa];
    snprintf(isa, sizeof isa, "%s", r->isa);
    char *save = NULL;
    e->n_isa_features = 0;
    for (char *tok = strtok_r(isa, ",", &save); tok && e->n_isa_features < EB_REPORT_MAX_ISA;
         tok = strtok_r(NULL, ",", &save))
        if (strcmp(tok, "none"))
            snprintf(e->isa_features[e->n_isa_features++], sizeof e->isa_features[0], "%s", tok);
    snprintf(e->kernel_set, sizeof e->kernel_set, "%s", eb_kset_name(o->kernels));
    snprintf(e->os_kernel, sizeof e->os_kernel, "%s", r->os);
    for (char *p = e->os_kernel; *p; p++)
        if (*p == '_')
            *p = ' ';
    snprintf(e->hostname, sizeof e->hostname, "%.40s (edgebench-agent %.20s)", o->target->desc.name,
             r->version);
    if (r->clock_mhz > 0)
        e->frequency_mhz = r->clock_mhz;
}

eb_status eb_remote_open(eb_remote_session *s, const eb_remote_options *o, eb_report *rep,
                         char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    s->o = o;
    s->conn.fd = s->conn.hold_fd = -1;
    const eb_target *t = o->target;
    const char *proto = o->protocol ? o->protocol : t->protocol[0] ? t->protocol : "edgebench";
    s->mlperf = !strcmp(proto, "mlperf-tiny");
    rep->target = t->desc;
    eb_status st;
    if (o->emulate) {
        if (s->mlperf) {
            snprintf(err, errlen, "--emulate runs edgebench-agent; it cannot emulate an MLPerf "
                     "Tiny device (drop --protocol mlperf-tiny)");
            return EB_ERR_ARG;
        }
        st = eb_conn_spawn_emulated(&s->conn, t, o->agent, err, errlen);
        if (st != EB_OK)
            return st;
        snprintf(s->port, sizeof s->port, "%s", s->conn.port);
        snprintf(rep->target.transport, sizeof rep->target.transport, "emulated");
        rep->target.emulated = true;
    } else {
        const char *port = o->port ? o->port : t->device;
        s->baud = o->baud ? o->baud : t->baud ? t->baud : (s->mlperf ? EB_MLPERF_BAUD : 115200);
        if (!port || !*port) {
            snprintf(err, errlen, "target '%s' names no serial device; give one with --port "
                     "(e.g. --port /dev/ttyUSB0)", t->desc.name);
            return EB_ERR_ARG;
        }
        snprintf(s->port, sizeof s->port, "%s", port);
        char why[300];
        st = eb_conn_open_serial(&s->conn, port, s->baud, why, sizeof why);
        if (st != EB_OK) {
            if (s->mlperf)
                snprintf(err, errlen, "no MLPerf Tiny device on %s (%s); plug the board in or "
                         "give its port with --port", port, why);
            else
                snprintf(err, errlen, "no edgebench-agent answered on %s (%s); %s, or give the "
                         "port with --port", port, why, AGENT_HINT);
            return st;
        }
        snprintf(rep->target.transport, sizeof rep->target.transport, "serial");
    }

    char why[600] = "";
    if (s->mlperf) {
        eb_mlperf_init(&s->m, s->conn.fd, 3000);
        s->m.trace = o->trace;
        st = eb_mlperf_identify(&s->m, why, sizeof why);
        if (st == EB_ERR_TIMEOUT || st == EB_ERR_IO)
            snprintf(err, errlen, "no MLPerf Tiny device answered on %s at %d baud (%s); check "
                     "that the board runs the MLPerf Tiny performance-mode firmware, or give "
                     "the port with --port and --baud", s->port, s->baud, why);
        else if (st != EB_OK)
            snprintf(err, errlen, "MLPerf Tiny device on %s: %s", s->port, why);
        if (st != EB_OK)
            goto fail;
        eb_report_env *e = &rep->environment;
        e->cpu_known = true;
        snprintf(e->vendor, sizeof e->vendor, "unknown");
        snprintf(e->brand, sizeof e->brand, "%s", t->cpu[0] ? t->cpu : "unknown");
        e->cores = e->threads = t->desc.cores;
        snprintf(e->kernel_set, sizeof e->kernel_set, "%s", eb_kset_name(o->kernels));
        snprintf(e->os_kernel, sizeof e->os_kernel, "MLPerf Tiny firmware: %.60s", s->m.profile);
        snprintf(e->hostname, sizeof e->hostname, "%.60s (model %.16s)", s->m.name,
                 s->m.model);
        eb_report_warn(rep, "MLPerf Tiny device (%s, %s): it times windows of inferences, so "
                       "each sample is a window's mean latency per inference, not one "
                       "inference", s->m.name, s->m.profile);
        return EB_OK;
    }

    eb_remote_opts ro = {
        .reply_ms = o->emulate ? 15000 : 3000, /* qemu needs a moment to start */
        .idle_ms = (o->timeout_s > 0 ? o->timeout_s : 120) * 1000,
        .retries = 4,
        .trace = o->trace,
        .stop = o->stop,
    };
    eb_remote_init(&s->r, s->conn.fd, s->conn.fd, &ro);
    st = eb_remote_hello(&s->r, why, sizeof why);
    if (st != EB_OK) {
        if (st == EB_ERR_PROTOCOL)
            snprintf(err, errlen, "%s", why);
        else if (o->emulate)
            snprintf(err, errlen, "the emulated agent (%s) did not answer: %s", s->conn.how, why);
        else
            snprintf(err, errlen, "no edgebench-agent answered on %s at %d baud; %s, or give "
                     "the port with --port", s->port, s->baud, AGENT_HINT);
        goto fail;
    }
    eb_conn_release(&s->conn); /* from now on a dead agent reads as a closed line */
    set_env_from_agent(rep, &s->r, o);
    if (strcmp(s->r.arch, t->desc.arch))
        eb_report_warn(rep, "the agent runs as %s but target '%s' says %s", s->r.arch,
                       t->desc.name, t->desc.arch);
    if (o->emulate)
        eb_report_warn(rep, "emulated target: the agent ran under '%s' on a pseudo-terminal; "
                       "timings are not representative of the real board", s->conn.how);
    else
        eb_report_warn(rep, "remote target: times come from the board's own monotonic clock, "
                       "streamed over %s at %d baud", s->port, s->baud);
    return EB_OK;
fail:
    eb_conn_close(&s->conn);
    return st;
}

void eb_remote_close(eb_remote_session *s) { eb_conn_close(&s->conn); }

typedef struct {
    const eb_remote_options *o;
    const char *model;
} prog_state;

static void on_progress(void *user, const char *phase, uint64_t done, uint64_t total)
{
    prog_state *p = user;
    if (!p->o->progress)
        return;
    fprintf(stderr, "\r%s on %s: %s %llu/%llu   ", p->model, p->o->target->desc.name, phase,
            (unsigned long long)done, (unsigned long long)total);
    fflush(stderr);
}

static void progress_clear(const eb_remote_options *o)
{
    if (o->progress)
        fprintf(stderr, "\r%60s\r", "");
}

/* Host-side extras that do not depend on the board: fidelity of the variant (it is
 * computed from the model's weights, identical on every machine). */
static void host_fidelity(const char *model, eb_report_result *res)
{
#if defined(EB_MODELS_AVAILABLE)
    if (!strcmp(res->variant, "fp32"))
        return;
    eb_model_options mo = {EB_KSET_AUTO, NULL};
    eb_model *m = NULL;
    char e[256];
    if (eb_model_build(model, &mo, &m, e, sizeof e) != EB_OK)
        return;
    eb_fidelity f;
    if (eb_model_fidelity(m, &f) == EB_OK) {
        res->has_fidelity = true;
        res->fidelity.sqnr_db = f.sqnr_db;
        res->fidelity.cosine = f.cosine;
        res->fidelity.top1_agreement = f.top1_agreement;
        res->fidelity.max_abs_err = f.max_abs_err;
        res->fidelity.inputs = f.inputs;
    }
    eb_model_free(m);
#else
    (void)model;
    (void)res;
#endif
}

static eb_status measure_agent(eb_remote_session *s, const char *model, eb_report_result *res,
                               eb_report *rep, char *err, size_t errlen)
{
    const eb_remote_options *o = s->o;
    const eb_measure_settings *m = &o->measure;
    const char *run_name = model;
    bool is_file = eb_model_is_file(model);
    if (is_file) {
        const char *base = strrchr(model, '/') ? strrchr(model, '/') + 1 : model;
        size_t bl = strlen(base);
        if (bl < 5 || strcmp(base + bl - 4, ".ebm")) {
            snprintf(err, errlen, "a model file for a remote target must be a .ebm file, not "
                     "'%s' (write one with 'edgebench export --model %s -o FILE.ebm')",
                     model, model);
            return EB_ERR_ARG;
        }
        eb_status st = eb_remote_upload(&s->r, model, base, err, errlen);
        if (st != EB_OK)
            return st;
        run_name = base;
    }
    const char *kset = eb_kset_name(o->kernels);
    prog_state ps = {o, model};

    /* Calibration: the warm-up runs and one timed inference give the latency that sizes
     * the measured run (iterations for --min-time, warm-up for --warmup-time). */
    eb_remote_run_result cal;
    eb_status st = eb_remote_run(&s->r, run_name, (uint64_t)m->warmup, 1, kset, &cal,
                                 on_progress, &ps, err, errlen);
    if (st != EB_OK) {
        progress_clear(o);
        return st;
    }
    double t_ms = cal.n_received ? (double)cal.samples_ns[0] / 1e6 : NAN;
    bool cal_ok = cal.complete;
    eb_remote_run_result_free(&cal);
    if (!cal_ok) {
        progress_clear(o);
        if (o->stop && *o->stop) {
            snprintf(err, errlen, "interrupted before '%s' was measured", model);
            return EB_ERR_IO;
        }
        snprintf(err, errlen, "the agent stopped before measuring '%s': %s", model,
                 cal.stop_reason);
        return EB_ERR_IO;
    }
    if (!(t_ms > 0))
        t_ms = 1e-3;
    double per = ceil(m->min_time_s * 1000.0 / t_ms);
    if (per < m->min_iterations)
        per = m->min_iterations;
    if (per > m->max_iterations)
        per = m->max_iterations;
    if (per < 1)
        per = 1;
    int32_t reps = m->repetitions > 0 ? m->repetitions : 1;
    if (per * reps > EB_PROTO_MAX_ITERS)
        per = floor((double)EB_PROTO_MAX_ITERS / reps);
    double warm = ceil(m->warmup_min_time_s * 1000.0 / t_ms);
    if (warm < m->warmup)
        warm = m->warmup;
    if (warm > EB_PROTO_MAX_WARMUP)
        warm = EB_PROTO_MAX_WARMUP;
    uint64_t per_rep = (uint64_t)per, total = per_rep * (uint64_t)reps;

    eb_remote_run_result rr;
    st = eb_remote_run(&s->r, run_name, (uint64_t)warm, total, kset, &rr, on_progress, &ps,
                       err, errlen);
    progress_clear(o);
    if (st != EB_OK)
        return st;

    eb_report_result_init(res);
    const eb_agent_model_info *in = &rr.info;
    snprintf(res->model, sizeof res->model, "%s", in->arch[0] && strcmp(in->arch, "-")
                                                       ? in->arch : run_name);
    snprintf(res->variant, sizeof res->variant, "%s", strcmp(in->variant, "-") ? in->variant : "");
    snprintf(res->name, sizeof res->name, "%s", in->name[0] ? in->name : run_name);
    snprintf(res->scenario, sizeof res->scenario, "single-stream");
    res->threads = 1;
    res->macs = in->macs;
    res->params = in->params;
    for (int k = 0; k < in->n_kernels && res->n_kernels < EB_REPORT_MAX_KERNELS; k++) {
        snprintf(res->kernels[res->n_kernels].op, sizeof res->kernels[0].op, "%s",
                 in->kernels[k].op);
        snprintf(res->kernels[res->n_kernels].name, sizeof res->kernels[0].name, "%s",
                 in->kernels[k].name);
        res->n_kernels++;
    }
    double *ms = malloc((rr.n_received ? rr.n_received : 1) * sizeof *ms);
    size_t n = ms ? eb_remote_samples_ms(&rr, ms, rr.n_received) : 0;
    size_t nreps = n ? (n + per_rep - 1) / per_rep : 0;
    eb_rep_info *ri = calloc(nreps ? nreps : 1, sizeof *ri);
    if (!ms || !ri) {
        free(ms);
        free(ri);
        eb_remote_run_result_free(&rr);
        snprintf(err, errlen, "out of memory");
        return EB_ERR_NOMEM;
    }
    for (size_t i = 0; i < nreps; i++)
        ri[i].count = i + 1 < nreps ? per_rep : n - per_rep * (nreps - 1);
    if (n)
        st = eb_result_set_samples(res, ms, n, ri, nreps);
    free(ms);
    free(ri);
    if (st != EB_OK) {
        eb_remote_run_result_free(&rr);
        snprintf(err, errlen, "cannot summarise the samples of '%s'", model);
        return st;
    }
    res->complete = rr.complete;
    if (!rr.complete) {
        rep->complete = false;
        eb_report_warn(rep, "%s: incomplete remote run: %s; the %zu samples received are kept",
                       res->name, rr.stop_reason, n);
        snprintf(s->incomplete, sizeof s->incomplete, "%.300s", rr.stop_reason);
    }
    eb_report_memory *mem = &res->memory;
    mem->weights_bytes = in->weights_bytes;
    mem->packed_bytes = in->packed_bytes;
    mem->arena_bytes = in->arena_bytes;
    mem->scratch_bytes = in->scratch_bytes;
    mem->arena_lower_bound_bytes = in->arena_lower_bound_bytes;
    mem->planned_total_bytes =
        in->weights_bytes + in->packed_bytes + in->arena_bytes + in->scratch_bytes;
    mem->peak_rss_bytes = rr.agent_done && rr.peak_rss_bytes ? (int64_t)rr.peak_rss_bytes : -1;
    mem->rusage_maxrss_bytes = -1;
    snprintf(mem->rss_method, sizeof mem->rss_method, "%s",
             mem->peak_rss_bytes >= 0 ? "VmHWM after clear_refs, agent process on the board"
                                      : "not reported (the run ended before the agent's summary)");
    if (n)
        eb_result_set_energy(res, &o->target->desc.power_model, NAN, 0, n, NULL);
    res->counters.available = false;
    snprintf(res->counters.reason, sizeof res->counters.reason,
             "hardware counters are not collected on remote targets (the agent reports times "
             "only)");
    res->window_latency = false;
    if (!(o->stop && *o->stop))
        host_fidelity(is_file ? model : res->name, res);
    eb_remote_run_result_free(&rr);
    return EB_OK;
}

static eb_status measure_mlperf(eb_remote_session *s, const char *model, eb_report_result *res,
                                eb_report *rep, char *err, size_t errlen)
{
    const eb_remote_options *o = s->o;
    const eb_measure_settings *m = &o->measure;
    const char *zoo = eb_mlperf_zoo_name(s->m.model);
    if (strcmp(model, s->m.model) && strcmp(model, "auto") && (!zoo || strcmp(model, zoo))) {
        snprintf(err, errlen, "the MLPerf Tiny device on %s runs %s%s%s%s, not '%s'; pass "
                 "--model %s", s->port, s->m.model, zoo ? " (" : "", zoo ? zoo : "",
                 zoo ? ")" : "", model, zoo ? zoo : s->m.model);
        return EB_ERR_ARG;
    }
    eb_report_result_init(res);
    snprintf(res->scenario, sizeof res->scenario, "single-stream");
    res->threads = 1;
    res->window_latency = true;
    snprintf(res->name, sizeof res->name, "%s", zoo ? zoo : s->m.model);
    snprintf(res->model, sizeof res->model, "%s", s->m.model);
    snprintf(res->variant, sizeof res->variant, "device");

    /* The input: our zoo model's deterministic test input 0 when we know the model. */
    uint8_t *input = NULL;
    size_t in_bytes = 0;
#if defined(EB_MODELS_AVAILABLE)
    if (zoo) {
        eb_model_options mo = {EB_KSET_AUTO, NULL};
        eb_model *mdl = NULL;
        eb_context *ctx = NULL;
        char e[256];
        if (eb_model_build(zoo, &mo, &mdl, e, sizeof e) == EB_OK &&
            eb_context_create(mdl, &ctx) == EB_OK) {
            const eb_model_info *mi = eb_model_get_info(mdl);
            eb_context_fill_input(ctx, 0);
            in_bytes = mi->input_bytes;
            input = malloc(in_bytes);
            if (input)
                memcpy(input, eb_context_input(ctx), in_bytes);
            snprintf(res->model, sizeof res->model, "%s", mi->arch);
            snprintf(res->variant, sizeof res->variant, "%s", mi->variant);
            res->macs = mi->macs;
            res->params = mi->params;
        }
        if (ctx)
            eb_context_free(ctx);
        if (mdl)
            eb_model_free(mdl);
    }
#endif
    eb_status st = EB_OK;
    if (input) {
        st = eb_mlperf_load(&s->m, input, in_bytes, err, errlen);
        free(input);
        if (st != EB_OK)
            return st;
    } else {
        eb_report_warn(rep, "%s: no input sent (model %s unknown to this edgebench): the device "
                       "runs on whatever input it holds", res->name, s->m.model);
    }
    /* Calibrate with one inference, then windows sized for --min-time. */
    uint64_t us = 0;
    st = eb_mlperf_infer(&s->m, 1, 0, 60000, &us, err, errlen);
    if (st != EB_OK)
        return st;
    double t_us = us > 0 ? (double)us : 1.0;
    const int windows_per_rep = 5;
    double nwin = ceil(m->min_time_s * 1e6 / windows_per_rep / t_us);
    if (nwin < 1)
        nwin = 1;
    if (nwin > 1e6)
        nwin = 1e6;
    uint32_t n_inf = (uint32_t)nwin;
    uint32_t warm = (uint32_t)(m->warmup > 0 ? m->warmup : 0);
    int32_t reps = m->repetitions > 0 ? m->repetitions : 1;
    size_t total = (size_t)windows_per_rep * (size_t)reps;
    double *ms = calloc(total, sizeof *ms);
    if (!ms) {
        snprintf(err, errlen, "out of memory");
        return EB_ERR_NOMEM;
    }
    int timeout = (int)fmin(3.6e6, 10000 + 5.0 * (n_inf + warm) * t_us / 1000.0);
    size_t got = 0;
    char why[512] = "";
    prog_state ps = {o, res->name};
    for (; got < total; got++) {
        if (o->stop && *o->stop) {
            snprintf(why, sizeof why, "interrupted");
            break;
        }
        on_progress(&ps, "windows", got, total);
        st = eb_mlperf_infer(&s->m, n_inf, warm, timeout, &us, why, sizeof why);
        if (st != EB_OK)
            break;
        ms[got] = (double)us / n_inf / 1000.0;
    }
    progress_clear(o);
    res->complete = got == total;
    if (!res->complete) {
        rep->complete = false;
        eb_report_warn(rep, "%s: incomplete: %s; the %zu windows measured are kept", res->name,
                       why, got);
        snprintf(s->incomplete, sizeof s->incomplete, "%.300s", why);
    }
    if (got == 0) {
        free(ms);
        snprintf(err, errlen, "the MLPerf Tiny device measured no window: %s", why);
        return EB_ERR_IO;
    }
    size_t nreps = (got + windows_per_rep - 1) / windows_per_rep;
    eb_rep_info ri[1000];
    if (nreps > 1000)
        nreps = 1000;
    for (size_t i = 0; i < nreps; i++) {
        /* count/wall over per-inference means gives inferences per second */
        ri[i].count = i + 1 < nreps ? (size_t)windows_per_rep : got - (size_t)windows_per_rep * i;
        ri[i].wall_s = 0;
    }
    st = eb_result_set_samples(res, ms, got, ri, nreps);
    free(ms);
    if (st != EB_OK) {
        snprintf(err, errlen, "cannot summarise the windows of '%s'", res->name);
        return st;
    }
    eb_result_set_energy(res, &o->target->desc.power_model, NAN, 0, got * n_inf, NULL);
    eb_report_warn(rep, "%s: latency is per window: each of the %zu samples is the mean "
                   "per-inference time of a window of %u inferences timed by the device "
                   "(m-lap-us)", res->name, got, n_inf);
    res->memory.peak_rss_bytes = -1;
    res->memory.rusage_maxrss_bytes = -1;
    snprintf(res->memory.rss_method, sizeof res->memory.rss_method,
             "not reported by MLPerf Tiny devices");
    res->counters.available = false;
    snprintf(res->counters.reason, sizeof res->counters.reason,
             "an MLPerf Tiny device reports window times only");
    return EB_OK;
}

eb_status eb_remote_measure(eb_remote_session *s, const char *model, eb_report_result *res,
                            eb_report *rep, char *err, size_t errlen)
{
    return s->mlperf ? measure_mlperf(s, model, res, rep, err, errlen)
                     : measure_agent(s, model, res, rep, err, errlen);
}
