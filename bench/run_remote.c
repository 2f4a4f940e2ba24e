/* run_remote.c - measuring on a board through edgebench-agent (or an MLPerf Tiny device)
 * and turning what it streams back into the same report result a local run makes. */
#include "run_remote.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "boards.h"
#include "cli.h"
#include "run.h"
#include "eb_model.h"

#define AGENT_HINT "start it on the board with 'edgebench-agent /dev/ttyGS0' (or the board's " \
                   "serial device; see targets/agent/README.md)"

void eb_remote_fill_env(eb_report *rep, const eb_remote *r, const eb_target *t, eb_kset kset)
{
    eb_report_env *e = &rep->environment;
    e->cpu_known = true;
    snprintf(e->vendor, sizeof e->vendor, "%s", !strcmp(r->arch, "x86_64") ? "unknown" : "ARM");
    snprintf(e->brand, sizeof e->brand, "%s", r->cpu);
    for (char *p = e->brand; *p; p++)
        if (*p == '_')
            *p = ' ';
    snprintf(e->codename, sizeof e->codename, "%s", t->cpu);
    e->cores = e->threads = r->cores;
    char isa[sizeof r->isa];
    snprintf(isa, sizeof isa, "%s", r->isa);
    char *save = NULL;
    e->n_isa_features = 0;
    for (char *tok = strtok_r(isa, ",", &save); tok && e->n_isa_features < EB_REPORT_MAX_ISA;
         tok = strtok_r(NULL, ",", &save))
        if (strcmp(tok, "none"))
            snprintf(e->isa_features[e->n_isa_features++], sizeof e->isa_features[0], "%s", tok);
    snprintf(e->kernel_set, sizeof e->kernel_set, "%s", eb_kset_name(kset));
    snprintf(e->os_kernel, sizeof e->os_kernel, "%s", r->os);
    for (char *p = e->os_kernel; *p; p++)
        if (*p == '_')
            *p = ' ';
    snprintf(e->hostname, sizeof e->hostname, "%.40s (edgebench-agent %.20s)", t->desc.name,
             r->version);
    if (r->clock_mhz > 0)
        e->frequency_mhz = r->clock_mhz;
}

eb_status eb_run_remote_open(eb_run_remote_session *s, const eb_run_remote_options *o, eb_report *rep,
                         char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    s->o = o;
    eb_conn_init(&s->conn);
    const eb_target *t = o->target;
    const char *proto = o->protocol ? o->protocol : t->protocol[0] ? t->protocol : "edgebench";
    s->mlperf = !strcmp(proto, "mlperf-tiny");
    eb_run_report_target(&rep->target, &t->desc);
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
    } else if (o->host || !strcmp(t->desc.transport, "ssh")) {
        const char *host = o->host ? o->host : t->host;
        if (s->mlperf) {
            snprintf(err, errlen, "MLPerf Tiny devices are reached on a serial line, not over "
                     "SSH; give its serial port with --port");
            return EB_ERR_ARG;
        }
        if (!*host) {
            snprintf(err, errlen, "target '%s' names no SSH host; give one with --host "
                     "USER@HOST (or \"host\" in %s)", t->desc.name, t->path);
            return EB_ERR_ARG;
        }
        st = eb_conn_open_ssh(&s->conn, t, host, err, errlen);
        if (st != EB_OK)
            return st;
        snprintf(s->port, sizeof s->port, "%s", host);
        snprintf(rep->target.transport, sizeof rep->target.transport, "ssh");
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
        st = eb_conn_open(&s->conn, port, s->baud, why, sizeof why);
        if (st != EB_OK && eb_conn_is_url(port)) {
            snprintf(err, errlen, "%s", why); /* it names the server and what went wrong */
            return st;
        }
        if (st != EB_OK) {
            if (s->mlperf)
                snprintf(err, errlen, "no MLPerf Tiny device on %s (%s); plug the board in or "
                         "give its port with --port", port, why);
            else
                snprintf(err, errlen, "no edgebench-agent answered on %s (%s); %s, or give the "
                         "port with --port", port, why, AGENT_HINT);
            return st;
        }
        snprintf(rep->target.transport, sizeof rep->target.transport, "%s", s->conn.transport);
        if (o->baud && !strcmp(s->conn.transport, "tcp"))
            eb_report_warn(rep, "--baud %d has no effect on %s: a raw TCP serial server runs "
                           "the line at the speed it is configured for (rfc2217:// sets it)",
                           o->baud, port);
    }

    char why[600] = "";
    if (s->mlperf) {
        int line_s = o->timeout_s > 0 ? o->timeout_s : EB_MLPERF_LINE_MS / 1000;
        eb_mlperf_init(&s->m, s->conn.fd, line_s * 1000);
        eb_conn_attach(&s->conn, &s->m.rd);
        s->m.trace = o->trace;
        s->m.stop = o->stop;
        st = eb_mlperf_identify(&s->m, why, sizeof why);
        if ((st == EB_ERR_TIMEOUT || st == EB_ERR_IO) && !s->m.name[0])
            snprintf(err, errlen, "no MLPerf Tiny device answered on %s at %d baud (%s); check "
                     "that the board runs the MLPerf Tiny performance-mode firmware, give the "
                     "port and speed with --port and --baud, or wait longer for each reply "
                     "line with --timeout S (now %d s)", s->port, s->baud, why, line_s);
        else if (st == EB_ERR_TIMEOUT || st == EB_ERR_IO)
            snprintf(err, errlen, "the MLPerf Tiny device on %s stopped answering while it was "
                     "identified (%s); wait longer for each reply line with --timeout S (now "
                     "%d s)", s->port, why, line_s);
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
        /* m-name-dut-[unspecified] is the reference firmware's: the submitter set no name */
        bool named = strcmp(s->m.name, "unspecified") != 0;
        snprintf(e->hostname, sizeof e->hostname, "%.48s (MLPerf Tiny %.8s, model %.16s)",
                 named ? s->m.name : "unnamed", s->m.role, s->m.model);
        eb_report_warn(rep, "MLPerf Tiny device %s%s%s (%s, model %s): it times windows of "
                       "inferences, so each sample is a window's mean latency per inference, "
                       "not one inference", named ? "'" : "", named ? s->m.name : "without a "
                       "name", named ? "'" : "", s->m.profile, s->m.model);
        return EB_OK;
    }

    bool ssh = !strcmp(s->conn.transport, "ssh");
    eb_remote_opts ro = {
        /* qemu needs a moment to start, ssh to log in (a failed login ends it at once) */
        .reply_ms = o->emulate || ssh ? 15000 : 3000,
        .idle_ms = (o->timeout_s > 0 ? o->timeout_s : 120) * 1000,
        .retries = 4,
        .trace = o->trace,
        .stop = o->stop,
    };
    eb_remote_init(&s->r, s->conn.fd, s->conn.fd, &ro);
    eb_conn_attach(&s->conn, &s->r.rd);
    st = eb_remote_hello(&s->r, why, sizeof why);
    if (st != EB_OK) {
        if (st == EB_ERR_PROTOCOL)
            snprintf(err, errlen, "%s", why);
        else if (ssh)
            eb_conn_ssh_diagnose(&s->conn, eb_target_ref(t), err, errlen);
        else if (o->emulate)
            snprintf(err, errlen, "the emulated agent (%s) did not answer: %s", s->conn.how, why);
        else if (s->conn.telnet || eb_conn_is_url(s->port))
            snprintf(err, errlen, "no edgebench-agent answered on %s (%s)%s%s%s; start the "
                     "agent on the board's serial line that the server serves (see "
                     "targets/agent/README.md)", s->port, s->conn.how,
                     s->r.noise[0] ? "; the line said '" : "", s->r.noise,
                     s->r.noise[0] ? "'" : "");
        else
            snprintf(err, errlen, "no edgebench-agent answered on %s at %d baud%s%s%s; %s, or "
                     "give the port with --port", s->port, s->baud,
                     s->r.noise[0] ? " (the line said '" : "", s->r.noise,
                     s->r.noise[0] ? "')" : "", AGENT_HINT);
        goto fail;
    }
    eb_conn_release(&s->conn); /* from now on a dead agent reads as a closed line */
    eb_remote_fill_env(rep, &s->r, o->target, o->kernels);
    if (strcmp(s->r.arch, t->desc.arch))
        eb_report_warn(rep, "the agent runs as %s but target '%s' says %s", s->r.arch,
                       t->desc.name, t->desc.arch);
    if (o->emulate)
        eb_report_warn(rep, "emulated target: the agent ran under '%s' on a pseudo-terminal; "
                       "timings are not representative of the real board", s->conn.how);
    else if (ssh)
        eb_report_warn(rep, "remote target: times come from the board's own monotonic clock, "
                       "streamed over SSH from %s", s->port);
    else if (strcmp(s->conn.transport, "serial"))
        eb_report_warn(rep, "remote target: times come from the board's own monotonic clock, "
                       "streamed over %s (%s)", s->port, s->conn.how);
    else
        eb_report_warn(rep, "remote target: times come from the board's own monotonic clock, "
                       "streamed over %s at %d baud", s->port, s->baud);
    return EB_OK;
fail:
    eb_conn_close(&s->conn);
    return st;
}

void eb_run_remote_close(eb_run_remote_session *s) { eb_conn_close(&s->conn); }

typedef struct {
    const eb_run_remote_options *o;
    const char *model;
} prog_state;

static void on_progress(void *user, const char *phase, uint64_t done, uint64_t total)
{
    prog_state *p = user;
    if (p->o->progress_lines) {
        eb_progress_line(done == total, "%s: %s %llu/%llu", p->model, phase,
                         (unsigned long long)done, (unsigned long long)total);
        return;
    }
    if (!p->o->progress)
        return;
    fprintf(stderr, "\r%s on %s: %s %llu/%llu   ", p->model, p->o->target->desc.name, phase,
            (unsigned long long)done, (unsigned long long)total);
    fflush(stderr);
}

static void progress_clear(const eb_run_remote_options *o)
{
    if (o->progress)
        fprintf(stderr, "\r%60s\r", "");
}

/* Host-side extras that do not depend on the board: fidelity of the variant (it is
 * computed from the model's weights, identical on every machine). */
void eb_remote_fidelity(const char *model, eb_report_result *res)
{
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
}

eb_status eb_remote_fill_result(const eb_remote_run_result *rr, uint64_t per_rep,
                               const char *run_name, const eb_power_model *power,
                               eb_report_result *res, char *err, size_t errlen)
{
    eb_status st = EB_OK;
    eb_report_result_init(res);
    const eb_agent_model_info *in = &rr->info;
    snprintf(res->model, sizeof res->model, "%s", in->arch[0] && strcmp(in->arch, "-")
                                                       ? in->arch : run_name);
    snprintf(res->variant, sizeof res->variant, "%s", strcmp(in->variant, "-") ? in->variant : "");
    snprintf(res->name, sizeof res->name, "%s", in->name[0] ? in->name : run_name);
    snprintf(res->scenario, sizeof res->scenario, "single-stream");
    res->threads = in->threads > 0 ? in->threads : 1; /* the agent's pool */
    res->macs = in->macs;
    res->params = in->params;
    for (int k = 0; k < in->n_kernels && res->n_kernels < EB_REPORT_MAX_KERNELS; k++) {
        snprintf(res->kernels[res->n_kernels].op, sizeof res->kernels[0].op, "%s",
                 in->kernels[k].op);
        snprintf(res->kernels[res->n_kernels].name, sizeof res->kernels[0].name, "%s",
                 in->kernels[k].name);
        res->n_kernels++;
    }
    double *ms = malloc((rr->n_received ? rr->n_received : 1) * sizeof *ms);
    size_t n = ms ? eb_remote_samples_ms(rr, ms, rr->n_received) : 0;
    size_t nreps = n ? (n + per_rep - 1) / per_rep : 0;
    eb_rep_info *ri = calloc(nreps ? nreps : 1, sizeof *ri);
    if (!ms || !ri) {
        free(ms);
        free(ri);
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
        snprintf(err, errlen, "cannot summarise the samples of '%s'", run_name);
        return st;
    }
    res->complete = rr->complete;
    eb_report_memory *mem = &res->memory;
    mem->weights_bytes = in->weights_bytes;
    mem->packed_bytes = in->packed_bytes;
    mem->arena_bytes = in->arena_bytes;
    mem->scratch_bytes = in->scratch_bytes;
    mem->arena_lower_bound_bytes = in->arena_lower_bound_bytes;
    mem->planned_total_bytes =
        in->weights_bytes + in->packed_bytes + in->arena_bytes + in->scratch_bytes;
    mem->peak_rss_bytes = rr->agent_done && rr->peak_rss_bytes ? (int64_t)rr->peak_rss_bytes : -1;
    mem->rusage_maxrss_bytes = -1;
    snprintf(mem->rss_method, sizeof mem->rss_method, "%s",
             mem->peak_rss_bytes >= 0 ? "VmHWM after clear_refs, agent process on the board"
                                      : "not reported (the run ended before the agent's summary)");
    /* also without samples: the method and detail say there is no estimate */
    eb_result_set_energy(res, power, NAN, 0, n, NULL);
    res->counters.available = false;
    snprintf(res->counters.reason, sizeof res->counters.reason,
             "hardware counters are not collected on remote targets (the agent reports times "
             "only)");
    res->window_latency = false;
    return EB_OK;
}

/* A .tflite model for a board: imported here and written as a .ebm into a fresh folder
 * under $TMPDIR (tmp_dir, tmp_path; removed by the caller), named after the file's stem
 * with only [A-Za-z0-9._-] kept, so the agent loads the graph the host would run. */
static eb_status tflite_to_ebm(const char *model, char *tmp_dir, size_t dcap, char *tmp_path,
                               size_t pcap, const char **upload_name, char *err, size_t errlen)
{
    const char *td = getenv("TMPDIR");
    snprintf(tmp_dir, dcap, "%s/edgebench-tflite-XXXXXX", td && *td ? td : "/tmp");
    if (!mkdtemp(tmp_dir)) {
        snprintf(err, errlen, "cannot make a temporary folder for the .ebm of '%s'", model);
        tmp_dir[0] = 0;
        return EB_ERR_IO;
    }
    eb_model_options mo = {EB_KSET_REF, NULL};
    eb_model *m = NULL;
    eb_status st = eb_model_build(model, &mo, &m, err, errlen);
    if (st != EB_OK)
        return st;
    /* the model's own name: the file's stem, with the variant of FILE.tflite@VARIANT */
    const char *stem = eb_model_get_info(m)->name;
    char name[96];
    size_t j = 0;
    for (size_t i = 0; stem[i] && j + 5 < sizeof name; i++) {
        char c = stem[i];
        name[j++] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                            c == '.' || c == '-' || c == '_' ? c : '_';
    }
    if (j == 0 || name[0] == '.')
        name[j++] = 'm';
    memcpy(name + j, ".ebm", 5);
    snprintf(tmp_path, pcap, "%s/%s", tmp_dir, name);
    *upload_name = strrchr(tmp_path, '/') + 1;
    st = eb_model_export(m, tmp_path, err, errlen);
    eb_model_free(m);
    return st;
}

static eb_status measure_agent(eb_run_remote_session *s, const char *model, eb_report_result *res,
                               eb_report *rep, char *err, size_t errlen)
{
    const eb_run_remote_options *o = s->o;
    const eb_measure_settings *m = &o->measure;
    const char *run_name = model;
    bool is_file = eb_model_is_file(model);
    char tmp_dir[512] = "", tmp_path[700] = "";
    if (is_file && eb_model_is_tflite(model)) {
        /* the host imports it and ships the graph as .ebm */
        const char *name = NULL;
        eb_status st = tflite_to_ebm(model, tmp_dir, sizeof tmp_dir, tmp_path, sizeof tmp_path,
                                     &name, err, errlen);
        if (st == EB_OK)
            st = eb_remote_upload(&s->r, tmp_path, name, err, errlen);
        if (tmp_path[0])
            unlink(tmp_path);
        if (tmp_dir[0])
            rmdir(tmp_dir);
        if (st != EB_OK)
            return st;
        run_name = strrchr(tmp_path, '/') + 1;
    } else if (is_file) {
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
    int threads = o->threads > 0 ? o->threads : 1;
    eb_status st = eb_remote_run(&s->r, run_name, (uint64_t)m->warmup, 1, kset, threads, &cal,
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
    st = eb_remote_run(&s->r, run_name, (uint64_t)warm, total, kset, threads, &rr, on_progress,
                       &ps, err, errlen);
    progress_clear(o);
    if (st != EB_OK)
        return st;

    st = eb_remote_fill_result(&rr, per_rep, run_name, &o->target->desc.power_model, res, err,
                               errlen);
    if (st != EB_OK) {
        eb_remote_run_result_free(&rr);
        return st;
    }
    size_t n = res->n_samples;
    res->complete = rr.complete;
    if (!rr.complete) {
        rep->complete = false;
        char said[200] = "";
        if (!strcmp(s->conn.transport, "ssh"))
            eb_conn_ssh_stderr(&s->conn, said, sizeof said);
        eb_report_warn(rep, "%s: incomplete remote run: %s%s%s; the %zu samples received are "
                       "kept", res->name, rr.stop_reason, said[0] ? "; ssh said: " : "", said,
                       n);
        snprintf(s->incomplete, sizeof s->incomplete, "%.300s", rr.stop_reason);
    }
    if (!(o->stop && *o->stop))
        eb_remote_fidelity(is_file ? model : res->name, res);
    eb_remote_run_result_free(&rr);
    return EB_OK;
}

/* ---- MLPerf Tiny devices ---- */

#define MLPERF_WINDOWS_PER_REP 5 /* the official runner's five windows */
#define MLPERF_MAX_RESETS 3

/* The input the device's model expects: --input's bytes as they are, else our zoo model's
 * test input 0 converted to the firmware's input type (int8 as is, uint8 pixels = int8 +
 * 128 as the firmware subtracts 128, float32 dequantized). NULL input with EB_OK: none. */
static eb_status mlperf_input(const eb_run_remote_options *o, const eb_mlperf_model *mm,
                              eb_report_result *res, uint8_t **out, size_t *n, char *err,
                              size_t errlen)
{
    *out = NULL;
    *n = 0;
    char *desc = res->device_windows.input;
    size_t dcap = sizeof res->device_windows.input;
    size_t want = mm ? (size_t)mm->elements * mm->elem_bytes : 0;
    if (o->input) {
        FILE *f = fopen(o->input, "rb");
        if (!f) {
            snprintf(err, errlen, "cannot read --input '%s'", o->input);
            return EB_ERR_IO;
        }
        uint8_t *b = malloc(EB_MLPERF_MAX_INPUT + 1);
        size_t got = b ? fread(b, 1, EB_MLPERF_MAX_INPUT + 1, f) : 0;
        fclose(f);
        if (!b) {
            snprintf(err, errlen, "out of memory");
            return EB_ERR_NOMEM;
        }
        if (got == 0 || got > EB_MLPERF_MAX_INPUT || (want && got != want)) {
            if (want)
                snprintf(err, errlen, "--input '%s' has %zu bytes; the device's model %s expects "
                         "%u %s values (%zu bytes)", o->input, got, mm->id, mm->elements,
                         mm->dtype, want);
            else
                snprintf(err, errlen, "--input '%s' has %zu bytes; an MLPerf Tiny input is 1 to "
                         "%u bytes", o->input, got, EB_MLPERF_MAX_INPUT);
            free(b);
            return EB_ERR_ARG;
        }
        const char *base = strrchr(o->input, '/') ? strrchr(o->input, '/') + 1 : o->input;
        char clean[120];
        eb_mlperf_clean(clean, sizeof clean, base, strlen(base), "input");
        snprintf(desc, dcap, "--input file %s (%zu bytes, sent as they are)", clean, got);
        *out = b;
        *n = got;
    }
    if (!mm)
        return EB_OK;
    /* the zoo model the device's is: the result's architecture and counts, and the input */
    eb_model_options mo = {EB_KSET_AUTO, NULL};
    eb_model *mdl = NULL;
    eb_context *ctx = NULL;
    char e[256] = "";
    eb_status st = eb_model_build(mm->zoo, &mo, &mdl, e, sizeof e);
    if (st == EB_OK)
        st = eb_context_create(mdl, &ctx);
    const eb_model_info *mi = st == EB_OK ? eb_model_get_info(mdl) : NULL;
    if (mi && mi->input_bytes != mm->elements) {
        snprintf(e, sizeof e, "its input has %zu values, the firmware's %u", mi->input_bytes,
                 mm->elements);
        st = EB_ERR_UNSUPPORTED;
    }
    if (st == EB_OK) {
        snprintf(res->model, sizeof res->model, "%s", mi->arch);
        snprintf(res->variant, sizeof res->variant, "%s", mi->variant);
        res->macs = mi->macs;
        res->params = mi->params;
    }
    uint8_t *b = st == EB_OK && !*out ? malloc(want) : NULL;
    if (b) {
        eb_context_fill_input(ctx, 0);
        const int8_t *q = eb_context_input(ctx);
        for (uint32_t i = 0; i < mm->elements; i++) {
            if (!strcmp(mm->dtype, "uint8")) {
                b[i] = (uint8_t)(q[i] + 128);
            } else if (!strcmp(mm->dtype, "float32")) {
                float v = (float)((q[i] - mi->in_zp) * mi->in_scale);
                uint32_t u;
                memcpy(&u, &v, 4);
                for (int k = 0; k < 4; k++) /* the boards are little-endian */
                    b[4 * i + (uint32_t)k] = (uint8_t)(u >> (8 * k));
            } else {
                b[i] = (uint8_t)q[i];
            }
        }
        snprintf(desc, dcap, "edgebench test input 0 of %s as %u %s values (%zu bytes)", mm->zoo,
                 mm->elements, mm->dtype, want);
        *out = b;
        *n = want;
    }
    if (ctx)
        eb_context_free(ctx);
    if (mdl)
        eb_model_free(mdl);
    if (!*out) {
        free(b);
        snprintf(err, errlen, "cannot make the input for the device's model %s from %s%s%s",
                 mm->id, mm->zoo, e[0] ? ": " : "", e);
        return st != EB_OK ? st : EB_ERR_NOMEM;
    }
    return EB_OK;
}

typedef struct {
    eb_run_remote_session *s;
    const uint8_t *input;
    size_t in_bytes;
    unsigned resets, wraps;
    uint64_t ignored;
} mlperf_run;

/* One infer; a reset voids it: the input is loaded again and the window run again. */
static eb_status mlperf_window(mlperf_run *run, uint32_t n, uint32_t warm, int silence_ms,
                               int total_ms, eb_mlperf_window *w, char *err, size_t errlen)
{
    for (;;) {
        eb_status st = eb_mlperf_infer(&run->s->m, n, warm, silence_ms, total_ms, w, err, errlen);
        run->ignored += w->ignored;
        if (st == EB_OK && w->wrapped)
            run->wraps++;
        if (st != EB_OK && w->input_complaint) {
            char why[256];
            snprintf(why, sizeof why, "%s", err);
            snprintf(err, errlen, "the MLPerf Tiny device rejected its input: %s (edgebench "
                     "loaded %zu bytes%s); give the bytes its model takes with --input FILE",
                     why, run->in_bytes, run->input ? "" : ": none");
        }
        if (st == EB_ERR_TIMEOUT) {
            size_t l = strlen(err);
            snprintf(err + l, errlen - l, "; wait longer with --timeout S");
        }
        if (st == EB_OK || !w->reset)
            return st;
        if (++run->resets > MLPERF_MAX_RESETS) {
            snprintf(err, errlen, "the MLPerf Tiny device reset %u times during infer (m-init-done); "
                     "giving up", run->resets);
            return EB_ERR_PROTOCOL;
        }
        if (run->input) {
            char why[400];
            st = eb_mlperf_load(&run->s->m, run->input, run->in_bytes, why, sizeof why);
            if (st != EB_OK) {
                snprintf(err, errlen, "the MLPerf Tiny device reset during infer and its input "
                         "could not be loaded again: %s", why);
                return st;
            }
        }
    }
}

/* Waits for an infer of (warm + n) inferences of t_us each: the device is silent while it
 * infers, so the silence allowed grows with the window; --timeout (or the official
 * runner's 30 s) is the least. */
static void mlperf_waits(const eb_run_remote_options *o, double infer_us, double lap_us,
                         int line_ms, int *silence_ms, int *total_ms)
{
    double floor_ms = o->timeout_s > 0 ? o->timeout_s * 1000.0 : EB_MLPERF_INFER_MS;
    double expect_ms = (infer_us + 2 * lap_us) / 1000.0;
    double sil = fmax(floor_ms, 2 * expect_ms + line_ms);
    sil = fmin(sil, 3 * 3600e3);
    *silence_ms = (int)sil;
    *total_ms = (int)fmin(2 * sil + line_ms, 7 * 3600e3);
}

static eb_status measure_mlperf(eb_run_remote_session *s, const char *model, eb_report_result *res,
                                eb_report *rep, char *err, size_t errlen)
{
    const eb_run_remote_options *o = s->o;
    const eb_measure_settings *m = &o->measure;
    const eb_mlperf_model *mm = eb_mlperf_model_find(s->m.model);
    const char *zoo = mm ? mm->zoo : NULL;
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
    eb_report_device_windows *dw = &res->device_windows;
    dw->present = true;
    dw->minimum_s = EB_MLPERF_WINDOW_S;
    dw->target_s = o->window_s > 0 ? o->window_s : EB_MLPERF_WINDOW_S;
    snprintf(dw->input, sizeof dw->input, "none: the device ran on whatever input it held");

    uint8_t *input = NULL;
    size_t in_bytes = 0;
    eb_status st = mlperf_input(o, mm, res, &input, &in_bytes, err, errlen);
    if (st != EB_OK)
        return st;
    if (input) {
        st = eb_mlperf_load(&s->m, input, in_bytes, err, errlen);
        if (st != EB_OK) {
            free(input);
            return st;
        }
    } else {
        eb_report_warn(rep, "%s: no input sent (model %s unknown to this edgebench; give its "
                       "bytes with --input FILE): the device runs on whatever input it holds",
                       res->name, s->m.model);
    }
    mlperf_run run = {s, input, in_bytes, 0, 0, 0};

    /* Calibration: a window holds n inferences plus the device's own printing of the first
     * m-lap-us stamp (a blocking printf: ~1.8 ms at 115200 baud), so one window of 1 and one
     * of k inferences give the inference time t = (d_k - d_1) / (k - 1) without it. */
    int line_ms = s->m.line_ms, silence, total;
    uint32_t warm0 = (uint32_t)(m->warmup > 0 ? m->warmup : 0);
    mlperf_waits(o, 0, 0, line_ms, &silence, &total);
    eb_mlperf_window w;
    st = mlperf_window(&run, 1, warm0, silence, total, &w, err, errlen);
    if (st != EB_OK)
        goto out;
    double d1 = (double)w.elapsed_us;
    double span = fmin(1e6, dw->target_s * 1e6 / 10);
    double k = fmax(2, fmin(1e6, ceil(span / fmax(d1, 1))));
    mlperf_waits(o, k * d1, 0, line_ms, &silence, &total);
    st = mlperf_window(&run, (uint32_t)k, 0, silence, total, &w, err, errlen);
    if (st != EB_OK)
        goto out;
    double dk = (double)w.elapsed_us, t_us, lap_us;
    if (dk > d1) {
        t_us = (dk - d1) / (k - 1);
        lap_us = fmax(0, d1 - t_us);
    } else { /* too noisy to separate: the window's mean, the printing included */
        t_us = dk / k;
        lap_us = NAN;
    }
    if (!(t_us > 0))
        t_us = 1;
    dw->lap_overhead_us = lap_us;

    /* Windows: at least --window seconds of inferences (0.2 % over, for the device's
     * jitter), five per repetition or more for --min-time. */
    double window_us = dw->target_s * 1e6;
    double nwin = fmax(1, fmin(1e9, ceil(window_us * 1.002 / t_us - 1e-6)));
    uint32_t n_inf = (uint32_t)nwin;
    double warm_d = fmax(warm0, ceil(m->warmup_min_time_s * 1e6 / t_us));
    uint32_t warm = (uint32_t)fmin(warm_d, EB_PROTO_MAX_WARMUP);
    dw->inferences = n_inf;
    dw->warmup = warm;
    size_t per_rep = MLPERF_WINDOWS_PER_REP;
    double more = ceil(m->min_time_s / dw->target_s);
    if (more > (double)per_rep)
        per_rep = (size_t)fmin(more, 1000);
    int32_t reps = m->repetitions > 0 ? m->repetitions : 1;
    size_t nreps_max = (size_t)reps;
    size_t want = per_rep * nreps_max;
    double *ms = calloc(want, sizeof *ms);
    eb_rep_info *ri = calloc(nreps_max, sizeof *ri);
    if (!ms || !ri) {
        free(ms);
        free(ri);
        snprintf(err, errlen, "out of memory");
        st = EB_ERR_NOMEM;
        goto out;
    }
    mlperf_waits(o, (double)(n_inf + warm) * t_us, isfinite(lap_us) ? lap_us : 0, line_ms,
                 &silence, &total);
    size_t got = 0;
    unsigned resets_before = run.resets;
    double shortest_us = INFINITY;
    char why[512] = "";
    prog_state ps = {o, res->name};
    for (; got < want; got++) {
        if (o->stop && *o->stop) {
            snprintf(why, sizeof why, "interrupted");
            break;
        }
        on_progress(&ps, "windows", got, want);
        st = mlperf_window(&run, n_inf, warm, silence, total, &w, why, sizeof why);
        if (st != EB_OK) {
            if (o->stop && *o->stop)
                snprintf(why, sizeof why, "interrupted");
            break;
        }
        ms[got] = (double)w.elapsed_us / n_inf / 1000.0;
        shortest_us = fmin(shortest_us, (double)w.elapsed_us);
    }
    progress_clear(o);
    st = EB_OK;
    dw->resets = run.resets;
    dw->dropped = run.resets - resets_before;
    dw->counter_wraps = run.wraps;
    dw->shortest_s = got ? shortest_us / 1e6 : 0;
    dw->below_minimum = got && dw->shortest_s < dw->minimum_s;
    res->complete = got == want;
    if (!res->complete) {
        rep->complete = false;
        eb_report_warn(rep, "%s: incomplete: %s; the %zu windows measured are kept", res->name,
                       why, got);
        snprintf(s->incomplete, sizeof s->incomplete, "%.300s", why);
    }
    if (got == 0) {
        free(ms);
        free(ri);
        snprintf(err, errlen, "the MLPerf Tiny device measured no window: %s", why);
        st = EB_ERR_IO;
        goto out;
    }
    size_t nreps = (got + per_rep - 1) / per_rep;
    for (size_t i = 0; i < nreps; i++) {
        /* count/wall over per-inference means gives inferences per second */
        ri[i].count = i + 1 < nreps ? per_rep : got - per_rep * i;
        ri[i].wall_s = 0;
    }
    st = eb_result_set_samples(res, ms, got, ri, nreps);
    free(ms);
    free(ri);
    if (st != EB_OK) {
        snprintf(err, errlen, "cannot summarise the windows of '%s'", res->name);
        goto out;
    }
    eb_result_set_energy(res, &o->target->desc.power_model, NAN, 0, got * n_inf, NULL);
    eb_report_warn(rep, "%s: latency is per window: each of the %zu samples is the mean "
                   "per-inference time of a window of %u inferences timed by the device "
                   "(m-lap-us)", res->name, got, n_inf);
    if (dw->below_minimum)
        eb_report_warn(rep, "%s: windows of %.3g s are shorter than MLPerf Tiny's 10 s minimum "
                       "(--window %g): allowed, but not comparable with MLPerf Tiny results",
                       res->name, dw->shortest_s, dw->target_s);
    if (run.resets)
        eb_report_warn(rep, "%s: the device reset %u time%s during infer (m-init-done); each "
                       "such window was dropped and the input loaded again", res->name,
                       run.resets, run.resets == 1 ? "" : "s");
    if (run.wraps)
        eb_report_warn(rep, "%s: %u window%s crossed the wrap of the device's 32-bit microsecond "
                       "counter (taken modulo 2^32)", res->name, run.wraps,
                       run.wraps == 1 ? "" : "s");
    if (run.ignored)
        eb_report_warn(rep, "%s: the device printed %llu lines that are not protocol during "
                       "infer (debug output?); printing inside a timed window slows it",
                       res->name, (unsigned long long)run.ignored);
    res->memory.peak_rss_bytes = -1;
    res->memory.rusage_maxrss_bytes = -1;
    snprintf(res->memory.rss_method, sizeof res->memory.rss_method,
             "not reported by MLPerf Tiny devices");
    res->counters.available = false;
    snprintf(res->counters.reason, sizeof res->counters.reason,
             "an MLPerf Tiny device reports window times only");
out:
    free(input);
    return st;
}

eb_status eb_run_remote_measure(eb_run_remote_session *s, const char *model, eb_report_result *res,
                            eb_report *rep, char *err, size_t errlen)
{
    return s->mlperf ? measure_mlperf(s, model, res, rep, err, errlen)
                     : measure_agent(s, model, res, rep, err, errlen);
}
