/* lava_collect.c - a finished LAVA job back into an edgebench report (lava.h): the agent's
 * checksummed lines are found in the job's log whatever wraps them (YAML entries, JSON,
 * timestamps), gathered per run as a host gathers them from a serial line, and turned
 * into results with the same code as remote runs (run_remote.h). */
#if defined(EB_HAVE_CJSON)
#include <cjson/cJSON.h>
#endif
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "eb_outfile.h"
#include "env.h"
#include "lava.h"
#include "run.h"
#include "run_remote.h"

#define MAX_RUNS 32
#define MAX_FILE_BYTES ((size_t)256 << 20)
#define MAX_WORDS 16

/* ---- results (lavacli / REST API) -------------------------------------------------- */

static void unquote(char *v)
{
    size_t n = strlen(v);
    while (n && (v[n - 1] == ' ' || v[n - 1] == '\r'))
        v[--n] = '\0';
    if (n >= 2 && (v[0] == '\'' || v[0] == '"') && v[n - 1] == v[0]) {
        memmove(v, v + 1, n - 2);
        v[n - 2] = '\0';
    }
}

static double parse_measurement(const char *v)
{
    if (!v || !*v || !strcmp(v, "null") || !strcmp(v, "None") || !strcmp(v, "~"))
        return NAN;
    char *end;
    double d = strtod(v, &end);
    return end != v && !*end ? d : NAN;
}

static void case_set(eb_lava_case *c, const char *key, const char *val)
{
    if (!strcmp(key, "name"))
        snprintf(c->name, sizeof c->name, "%s", val);
    else if (!strcmp(key, "result"))
        snprintf(c->result, sizeof c->result, "%s", val);
    else if (!strcmp(key, "unit") || !strcmp(key, "units"))
        snprintf(c->unit, sizeof c->unit, "%s", val);
    else if (!strcmp(key, "job"))
        snprintf(c->job, sizeof c->job, "%s", val);
    else if (!strcmp(key, "measurement"))
        c->measurement = parse_measurement(val);
}

#if defined(EB_HAVE_CJSON)
static size_t results_json(const char *text, eb_lava_case *cases, size_t cap)
{
    cJSON *doc = cJSON_Parse(text);
    if (!doc)
        return 0;
    const cJSON *list = cJSON_IsArray(doc) ? doc : cJSON_GetObjectItemCaseSensitive(doc, "results");
    size_t n = 0;
    const cJSON *item;
    if (!cJSON_IsArray(list)) {
        cJSON_Delete(doc);
        return 0;
    }
    cJSON_ArrayForEach(item, list)
    {
        if (n == cap || !cJSON_IsObject(item) ||
            !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(item, "name")))
            continue;
        eb_lava_case *c = &cases[n];
        memset(c, 0, sizeof *c);
        c->measurement = NAN;
        const cJSON *f;
        cJSON_ArrayForEach(f, item)
        {
            char val[128] = "";
            if (cJSON_IsString(f))
                snprintf(val, sizeof val, "%s", f->valuestring);
            else if (cJSON_IsNumber(f))
                snprintf(val, sizeof val, "%.17g", f->valuedouble);
            else
                continue;
            /* the REST API may give the result as its number: 0 pass, 1 fail, 2 skip */
            if (!strcmp(f->string, "result") && cJSON_IsNumber(f))
                snprintf(val, sizeof val, "%s", f->valueint == 0 ? "pass"
                                                : f->valueint == 1 ? "fail" : "skip");
            case_set(c, f->string, val);
        }
        n++;
    }
    cJSON_Delete(doc);
    return n;
}
#endif

/* `lavacli results ID --yaml`: a list of mappings; keys of an item at one indentation
 * (nested mappings such as metadata are skipped). */
static size_t results_yaml(const char *text, eb_lava_case *cases, size_t cap)
{
    size_t n = 0;
    int key_indent = -1;
    bool in_item = false;
    const char *p = text;
    while (*p) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        char line[512];
        snprintf(line, sizeof line, "%.*s", (int)(len < sizeof line ? len : sizeof line - 1), p);
        p += len + (eol ? 1 : 0);
        int indent = (int)strspn(line, " ");
        char *body = line + indent;
        if (!strncmp(body, "- ", 2) && indent == 0) {
            if (n == cap)
                break;
            memset(&cases[n], 0, sizeof cases[n]);
            cases[n].measurement = NAN;
            n++;
            in_item = true;
            key_indent = 2;
            body += 2;
            indent = 2;
        }
        if (!in_item || indent != key_indent)
            continue;
        char *colon = strstr(body, ": ");
        if (!colon) {
            size_t bl = strlen(body);
            if (bl && body[bl - 1] == ':')
                continue; /* a nested mapping follows */
            continue;
        }
        *colon = '\0';
        char *val = colon + 2;
        unquote(val);
        case_set(&cases[n - 1], body, val);
    }
    /* a results listing has names and results */
    size_t good = 0;
    for (size_t i = 0; i < n; i++)
        if (cases[i].name[0] && cases[i].result[0])
            cases[good++] = cases[i];
    return good;
}

size_t eb_lava_parse_results(const char *text, eb_lava_case *cases, size_t cap)
{
#if defined(EB_HAVE_CJSON)
    const char *s = text + strspn(text, " \t\r\n");
    if (*s == '[' || *s == '{') {
        size_t n = results_json(s, cases, cap);
        if (n)
            return n;
    }
#endif
    if (!strstr(text, "result:"))
        return 0;
    return results_yaml(text, cases, cap);
}

/* ---- the agent's lines in a log ------------------------------------------------------ */

/* The "msg" value of a LAVA log entry ({"dt": ..., "lvl": ..., "msg": "..."} or YAML
 * `msg: ...`), unescaped; else the line itself. */
static void log_text(const char *line, char *out, size_t cap)
{
    const char *m = strstr(line, "\"msg\": \"");
    size_t k = 0;
    if (m) {
        for (const char *p = m + 8; *p && *p != '"' && k + 1 < cap; p++) {
            if (*p == '\\' && p[1]) {
                p++;
                out[k++] = *p == 'n' ? ' ' : *p == 't' ? ' ' : *p;
            } else {
                out[k++] = *p;
            }
        }
        out[k] = '\0';
        return;
    }
    m = strstr(line, "msg: ");
    snprintf(out, cap, "%s", m ? m + 5 : line);
    unquote(out);
    /* terminal colours (lavacli's text output) */
    char *w = out;
    for (const char *r = out; *r;) {
        if (r[0] == '\033' && r[1] == '[') {
            r += 2;
            while (*r && !((*r >= 'A' && *r <= 'Z') || (*r >= 'a' && *r <= 'z')))
                r++;
            if (*r)
                r++;
        } else {
            *w++ = *r++;
        }
    }
    *w = '\0';
}

/* Whether p starts with a kind of line the agent sends (its first word). A checksum
 * alone does not tell where the line starts: after some prefixes CRC-16/CCITT-FALSE's
 * register is back at 0xFFFF, its start value ("[   0.978] " is one), and the prefixed
 * line checks out as well as the line. */
static bool agent_kind(const char *p)
{
    static const char *const kinds[] = {
        EB_REP_READY, EB_REP_OK,    EB_REP_ERR,   EB_REP_HELLO,  EB_REP_ID,
        EB_REP_KERNEL, EB_REP_MODEL, EB_REP_INFO, EB_REP_WARM,   EB_REP_START,
        EB_REP_SAMPLE, EB_REP_DONE,  EB_REP_ACK,  EB_REP_SYNC,   EB_REP_COMMENT,
        "plan"};
    size_t len = strcspn(p, " ");
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strlen(kinds[i]) == len && !strncmp(p, kinds[i], len))
            return true;
    return false;
}

/* A protocol line inside text (after a timestamp or other prefix): the first suffix
 * starting at a word that is a line kind and whose checksum is right. Returns it (in
 * text), or NULL. */
static char *find_sealed(char *text)
{
    for (char *p = text; p && *p; p = strchr(p, ' ')) {
        while (*p == ' ')
            p++;
        char copy[EB_PROTO_MAX_LINE + 1];
        if (strlen(p) > EB_PROTO_MAX_LINE || !agent_kind(p))
            continue; /* too long to be one line, or not a line's start: a later word may be */
        memcpy(copy, p, strlen(p) + 1);
        if (eb_proto_check(copy) == 1)
            return p;
        if (!*p)
            break;
    }
    return NULL;
}

typedef struct {
    char tag[16], model[EB_PROTO_MAX_NAME + 1], target[64], kernels[32];
    uint64_t reps, per, warmup, min_iterations, max_iterations, threads;
    double min_time_s, warmup_time_s;
    eb_remote_run_result rr;
} lava_run;

typedef struct {
    eb_remote agent; /* what the agent said about itself */
    bool in_id;
    lava_run runs[MAX_RUNS];
    size_t n_runs;
    lava_run *current;
    char first_dt[32];
    unsigned lines, bad;
    uint64_t planned; /* samples of every plan so far (bounded) */
} collector;

static const char *kv(char **w, int n, const char *k, const char *dflt)
{
    const char *v = eb_proto_kv(w, n, k);
    return v ? v : dflt;
}

static void on_plan(collector *c, char **w, int n)
{
    if (c->n_runs == MAX_RUNS)
        return;
    lava_run *r = &c->runs[c->n_runs];
    memset(r, 0, sizeof *r);
    uint64_t reps, per;
    if (!eb_proto_u64(kv(w, n, "repetitions", ""), 1000, &reps) || !reps ||
        !eb_proto_u64(kv(w, n, "per_repetition", ""), EB_PROTO_MAX_ITERS, &per) || !per ||
        reps * per > EB_PROTO_MAX_ITERS || c->planned + reps * per > 4 * EB_PROTO_MAX_ITERS)
        return;
    snprintf(r->tag, sizeof r->tag, "%s", kv(w, n, "tag", ""));
    snprintf(r->model, sizeof r->model, "%s", kv(w, n, "model", ""));
    snprintf(r->target, sizeof r->target, "%s", kv(w, n, "target", ""));
    snprintf(r->kernels, sizeof r->kernels, "%s", kv(w, n, "kernels", "auto"));
    r->reps = reps;
    r->per = per;
    eb_proto_u64(kv(w, n, "warmup", "0"), EB_PROTO_MAX_WARMUP, &r->warmup);
    if (!eb_proto_u64(kv(w, n, "threads", "1"), EB_PROTO_MAX_THREADS, &r->threads) ||
        !r->threads)
        r->threads = 1; /* a plan of a protocol-1 agent has none */
    eb_proto_u64(kv(w, n, "min_iterations", "1"), EB_PROTO_MAX_ITERS, &r->min_iterations);
    eb_proto_u64(kv(w, n, "max_iterations", "1"), EB_PROTO_MAX_ITERS, &r->max_iterations);
    r->min_time_s = atof(kv(w, n, "min_time_s", "0"));
    r->warmup_time_s = atof(kv(w, n, "warmup_time_s", "0"));
    if (!r->tag[0] || !r->model[0])
        return;
    r->rr.target = reps * per;
    r->rr.samples_ns = calloc((size_t)r->rr.target, sizeof *r->rr.samples_ns);
    r->rr.received = calloc((size_t)r->rr.target, 1);
    if (!r->rr.samples_ns || !r->rr.received) {
        eb_remote_run_result_free(&r->rr);
        return;
    }
    c->current = r;
    c->n_runs++;
    c->planned += reps * per;
}

static void take(collector *c, char *line)
{
    char *w[MAX_WORDS];
    int n = eb_proto_split(line, w, MAX_WORDS);
    if (n < 1)
        return;
    c->lines++;
    if (!strcmp(w[0], EB_REP_ID))
        c->in_id = true;
    if (c->in_id) {
        if (n >= 2 && !strcmp(w[0], EB_REP_OK) && !strcmp(w[1], EB_CMD_ID))
            c->in_id = false;
        eb_remote_take_id(&c->agent, w, n);
        return;
    }
    if (!strcmp(w[0], "plan")) {
        on_plan(c, w, n);
        return;
    }
    if (n >= 3 && !strcmp(w[0], EB_REP_OK) && !strcmp(w[1], EB_CMD_RUN)) {
        c->current = NULL; /* a calibration run has no plan: its lines are not kept */
        for (size_t i = 0; i < c->n_runs; i++)
            if (!strcmp(c->runs[i].tag, w[2]))
                c->current = &c->runs[i];
        return;
    }
    if (!strcmp(w[0], EB_REP_DONE)) {
        for (size_t i = 0; i < c->n_runs; i++)
            eb_remote_absorb(&c->runs[i].rr, c->runs[i].tag, w, n);
        return;
    }
    if (c->current)
        eb_remote_absorb(&c->current->rr, c->current->tag, w, n);
}

static void scan_log(collector *c, char *text)
{
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (!c->first_dt[0]) { /* the job's time, for the report */
            const char *dt = strstr(line, "\"dt\": \"");
            if (!dt)
                dt = strstr(line, "dt: ");
            if (dt) {
                dt = strchr(dt, ':') + 1;
                dt += strspn(dt, " \"'");
                if (strlen(dt) >= 19 && dt[4] == '-' && dt[10] == 'T')
                    snprintf(c->first_dt, sizeof c->first_dt, "%.19sZ", dt);
            }
        }
        char msg[EB_PROTO_MAX_LINE + 64];
        log_text(line, msg, sizeof msg);
        char *p = find_sealed(msg);
        if (!p) {
            if (strstr(msg, " *"))
                c->bad++;
            continue;
        }
        eb_proto_check(p);
        take(c, p);
    }
}

/* ---- the report ---------------------------------------------------------------------- */

static void free_runs(collector *c)
{
    for (size_t i = 0; i < c->n_runs; i++)
        eb_remote_run_result_free(&c->runs[i].rr);
}

static const eb_lava_case *find_case(const eb_lava_case *cases, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(cases[i].name, name))
            return &cases[i];
    return NULL;
}

eb_status eb_lava_collect(const char *const *files, size_t nfiles, const char *target_override,
                          eb_report *rep, char *err, size_t errlen)
{
    static collector c;
    memset(&c, 0, sizeof c);
    eb_report_init(rep); /* on failure rep holds nothing to free */
    static eb_lava_case cases[512];
    size_t ncases = 0;
    const char *results_file = NULL;
    eb_status st = EB_OK;
    for (size_t f = 0; f < nfiles; f++) {
        char *text = NULL;
        if ((st = eb_read_file(files[f], MAX_FILE_BYTES, &text, NULL, err, errlen)) != EB_OK) {
            free_runs(&c);
            return st;
        }
        size_t got = eb_lava_parse_results(text, cases + ncases, 512 - ncases);
        if (got) {
            ncases += got;
            results_file = files[f];
        } else {
            scan_log(&c, text);
        }
        free(text);
    }
    if (!c.n_runs) {
        if (results_file)
            snprintf(err, errlen, "%s holds the job's results but there is no job log among "
                     "the files: give the log too (lavacli jobs logs ID --raw > log.yaml); "
                     "results carry summary numbers only, the log the raw samples", results_file);
        else
            snprintf(err, errlen, "no edgebench-agent run found in %s%s (%u agent lines); is "
                     "it the log of a job from 'edgebench lava job'?", files[0],
                     nfiles > 1 ? " and the other files" : "", c.lines);
        free_runs(&c);
        return EB_ERR_FORMAT;
    }

    const char *tname = target_override                                 ? target_override
                        : c.runs[0].target[0] && strcmp(c.runs[0].target, "-") ? c.runs[0].target
                                                                               : NULL;
    if (!tname) {
        snprintf(err, errlen, "the log does not name the target; give it with --target NAME");
        free_runs(&c);
        return EB_ERR_ARG;
    }
    static eb_target t;
    if ((st = eb_target_load(tname, &t, err, errlen)) != EB_OK) {
        free_runs(&c);
        return st;
    }
    eb_report_init(rep);
    if (c.first_dt[0])
        snprintf(rep->created_utc, sizeof rep->created_utc, "%s", c.first_dt);
    else
        eb_utc_now(rep->created_utc, sizeof rep->created_utc);
    snprintf(rep->edgebench.version, sizeof rep->edgebench.version, "%s", eb_version());
    snprintf(rep->edgebench.git, sizeof rep->edgebench.git, "%s", eb_git_revision());
    snprintf(rep->edgebench.build_type, sizeof rep->edgebench.build_type, "%s", eb_build_type());
    snprintf(rep->edgebench.compiler, sizeof rep->edgebench.compiler, "%s", eb_compiler());
    snprintf(rep->edgebench.cflags, sizeof rep->edgebench.cflags, "%s", eb_cflags());
    const lava_run *p0 = &c.runs[0];
    eb_report_settings *s = &rep->settings;
    s->warmup = (int32_t)p0->warmup;
    s->warmup_min_time_s = p0->warmup_time_s;
    s->min_iterations = (int32_t)(p0->min_iterations ? p0->min_iterations : 1);
    s->min_time_s = p0->min_time_s;
    s->max_iterations = (int32_t)(p0->max_iterations ? p0->max_iterations : p0->per);
    s->repetitions = (int32_t)p0->reps;
    snprintf(s->kernels, sizeof s->kernels, "%.15s", p0->kernels);
    snprintf(s->scenario, sizeof s->scenario, "single-stream");
    s->threads = (int32_t)p0->threads;
    eb_run_report_target(&rep->target, &t.desc);
    snprintf(rep->target.transport, sizeof rep->target.transport, "lava");
    rep->target.emulated = false;
    eb_kset kset = EB_KSET_AUTO;
    eb_kset_parse(p0->kernels, &kset);
    eb_remote_fill_env(rep, &c.agent, &t, kset);

    const char *job = ncases && cases[0].job[0] ? cases[0].job : NULL;
    eb_report_warn(rep, "LAVA%s%s: measured on the board by edgebench-agent %s (times from its "
                   "own monotonic clock), read back from the job's log by edgebench lava "
                   "collect", job ? " job " : "", job ? job : "",
                   c.agent.version[0] ? c.agent.version : "(version not in the log)");
    if (c.bad)
        eb_report_warn(rep, "%u damaged agent lines in the log were dropped", c.bad);
    rep->results = calloc(c.n_runs, sizeof *rep->results);
    if (!rep->results) {
        free_runs(&c);
        snprintf(err, errlen, "out of memory");
        return EB_ERR_NOMEM;
    }
    for (size_t i = 0; i < c.n_runs; i++) {
        lava_run *r = &c.runs[i];
        eb_remote_run_result *rr = &r->rr;
        uint64_t upto = rr->agent_n < rr->target ? rr->agent_n : rr->target;
        if (!rr->agent_done)
            snprintf(rr->stop_reason, sizeof rr->stop_reason, "the log ends before the run's "
                     "summary (the job stopped or timed out?) after %llu of %llu samples",
                     (unsigned long long)rr->n_received, (unsigned long long)rr->target);
        else if (rr->n_received < upto)
            snprintf(rr->stop_reason, sizeof rr->stop_reason, "%llu samples are missing from "
                     "the log (lines lost or damaged)",
                     (unsigned long long)(upto - rr->n_received));
        else if (!rr->complete)
            snprintf(rr->stop_reason, sizeof rr->stop_reason, "the agent stopped after %llu of "
                     "%llu inferences", (unsigned long long)rr->agent_n,
                     (unsigned long long)rr->target);
        rr->complete = rr->agent_done && rr->complete && rr->n_received == rr->target;
        eb_report_result *res = &rep->results[rep->n_results];
        if (rr->n_received == 0) {
            eb_report_warn(rep, "%s: no samples in the log: %s", r->model, rr->stop_reason);
            rep->complete = false;
            continue;
        }
        st = eb_remote_fill_result(rr, r->per, r->model, &t.desc.power_model, res, err,
                                   errlen);
        if (st != EB_OK) {
            eb_report_result_free(res);
            free_runs(&c);
            eb_report_free(rep);
            eb_report_init(rep);
            return st;
        }
        rep->n_results++;
        if (!rr->complete) {
            rep->complete = false;
            eb_report_warn(rep, "%s: incomplete run: %s; the %zu samples in the log are kept",
                           res->name, rr->stop_reason, res->n_samples);
        }
        eb_remote_fidelity(res->name, res);
        eb_result_warnings(rep, res);
        /* the job's own test cases say the same */
        char cname[160];
        snprintf(cname, sizeof cname, "%s_p50", r->model);
        const eb_lava_case *lc = ncases ? find_case(cases, ncases, cname) : NULL;
        if (ncases && !lc)
            eb_report_warn(rep, "%s: the job's results have no test case %s", res->name, cname);
        else if (lc && isfinite(lc->measurement) &&
                 fabs(lc->measurement - res->latency.median) > 0.01 * res->latency.median + 1e-6)
            eb_report_warn(rep, "%s: the job's test case %s says %.6g ms, the samples in the log "
                           "%.6g ms", res->name, cname, lc->measurement, res->latency.median);
    }
    for (size_t i = 0; i < ncases; i++)
        if (strcmp(cases[i].result, "pass"))
            eb_report_warn(rep, "LAVA test case %s: %s", cases[i].name, cases[i].result);
    free_runs(&c);
    if (!rep->n_results) {
        snprintf(err, errlen, "the job's log holds agent runs but no samples (%s)",
                 rep->n_warnings ? rep->warnings[rep->n_warnings - 1] : "nothing measured");
        eb_report_free(rep);
        eb_report_init(rep);
        return EB_ERR_FORMAT;
    }
    return EB_OK;
}
