/* target.c - loading, validating, finding and listing target files. */
#include "eb_target.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_TARGET_FILE (256 * 1024)

static char *slurp(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "cannot read target file %s: %s", path, strerror(errno));
        return NULL;
    }
    char *buf = malloc(MAX_TARGET_FILE + 1);
    size_t n = buf ? fread(buf, 1, MAX_TARGET_FILE + 1, f) : 0;
    fclose(f);
    if (!buf) {
        snprintf(err, errlen, "out of memory reading %s", path);
        return NULL;
    }
    if (n > MAX_TARGET_FILE) {
        snprintf(err, errlen, "target file %s is larger than %d bytes", path, MAX_TARGET_FILE);
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    return buf;
}

/* Field readers: each returns false after writing one sentence to err. */
typedef struct {
    const char *path;
    char *err;
    size_t errlen;
} ctx;

static bool get_str(ctx *c, const cJSON *o, const char *key, bool required, char *dst,
                    size_t cap)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!v || cJSON_IsNull(v)) {
        if (required) {
            snprintf(c->err, c->errlen, "target file %s: missing \"%s\" (a string)", c->path,
                     key);
            return false;
        }
        dst[0] = '\0';
        return true;
    }
    if (!cJSON_IsString(v) || strlen(v->valuestring) >= cap) {
        snprintf(c->err, c->errlen, "target file %s: \"%s\" must be a string of at most %zu "
                 "characters", c->path, key, cap - 1);
        return false;
    }
    snprintf(dst, cap, "%s", v->valuestring);
    return true;
}

static bool get_num(ctx *c, const cJSON *o, const char *key, bool required, double min,
                    double max, double dflt, double *dst)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!v || cJSON_IsNull(v)) {
        if (required) {
            snprintf(c->err, c->errlen, "target file %s: missing \"%s\" (a number)", c->path,
                     key);
            return false;
        }
        *dst = dflt;
        return true;
    }
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble < min ||
        v->valuedouble > max) {
        snprintf(c->err, c->errlen, "target file %s: \"%s\" must be a number from %g to %g",
                 c->path, key, min, max);
        return false;
    }
    *dst = v->valuedouble;
    return true;
}

static bool valid_name(const char *s)
{
    if (!*s)
        return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
              (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' || *p == '.'))
            return false;
    return true;
}

eb_status eb_target_load(const char *path, eb_target *t, char *err, size_t errlen)
{
    memset(t, 0, sizeof *t);
    char *text = slurp(path, err, errlen);
    if (!text)
        return EB_ERR_IO;
    cJSON *root = cJSON_Parse(text);
    ctx c = {path, err, errlen};
    eb_status st = EB_ERR_FORMAT;
    if (!root || !cJSON_IsObject(root)) {
        const char *at = cJSON_GetErrorPtr();
        int line = 1;
        if (at && at >= text && at <= text + strlen(text))
            for (const char *p = text; p < at; p++)
                line += *p == '\n';
        snprintf(err, errlen, "target file %s is not a JSON object (syntax error near line %d)",
                 path, line);
        goto out;
    }
    snprintf(t->path, sizeof t->path, "%s", path);
    if (!get_str(&c, root, "name", true, t->name, sizeof t->name) ||
        !get_str(&c, root, "description", false, t->description, sizeof t->description) ||
        !get_str(&c, root, "arch", true, t->arch, sizeof t->arch) ||
        !get_str(&c, root, "cpu", false, t->cpu, sizeof t->cpu))
        goto out;
    if (!valid_name(t->name)) {
        snprintf(err, errlen, "target file %s: \"name\" may hold only letters, digits, '_', "
                 "'-' and '.'", path);
        goto out;
    }
    if (strcmp(t->arch, "x86_64") && strcmp(t->arch, "aarch64") && strcmp(t->arch, "armhf")) {
        snprintf(err, errlen, "target file %s: \"arch\" must be x86_64, aarch64 or armhf, "
                 "not '%s'", path, t->arch);
        goto out;
    }
    const cJSON *isa = cJSON_GetObjectItemCaseSensitive(root, "isa_features");
    if (isa) {
        if (!cJSON_IsArray(isa) || cJSON_GetArraySize(isa) > EB_TARGET_MAX_ISA) {
            snprintf(err, errlen, "target file %s: \"isa_features\" must be a list of at most "
                     "%d strings", path, EB_TARGET_MAX_ISA);
            goto out;
        }
        const cJSON *e;
        cJSON_ArrayForEach(e, isa)
        {
            if (!cJSON_IsString(e) || strlen(e->valuestring) >= sizeof t->isa[0]) {
                snprintf(err, errlen, "target file %s: \"isa_features\" entries must be short "
                         "strings such as \"neon\"", path);
                goto out;
            }
            snprintf(t->isa[t->n_isa++], sizeof t->isa[0], "%s", e->valuestring);
        }
    }
    double cores, mem, baud;
    if (!get_num(&c, root, "cores", false, 0, 4096, 0, &cores) ||
        !get_num(&c, root, "clock_mhz", false, 0, 1e5, 0, &t->clock_mhz) ||
        !get_num(&c, root, "memory_bytes", false, 0, 1e15, 0, &mem) ||
        !get_num(&c, root, "memory_bandwidth_gbs", false, 0, 1e5, NAN,
                 &t->memory_bandwidth_gbs) ||
        !get_num(&c, root, "peak_gmacs_fp32", false, 0, 1e7, NAN, &t->peak_gmacs_fp32) ||
        !get_num(&c, root, "peak_gmacs_int8", false, 0, 1e7, NAN, &t->peak_gmacs_int8) ||
        !get_num(&c, root, "price_usd", false, 0, 1e7, NAN, &t->price_usd))
        goto out;
    if (cores != floor(cores) || mem != floor(mem)) {
        snprintf(err, errlen, "target file %s: \"cores\" and \"memory_bytes\" must be whole "
                 "numbers", path);
        goto out;
    }
    t->cores = (int)cores;
    t->memory_bytes = (uint64_t)mem;
    t->fp32_macs_per_cycle_per_core = t->int8_macs_per_cycle_per_core = NAN;
    const cJSON *mpc = cJSON_GetObjectItemCaseSensitive(root, "macs_per_cycle_per_core");
    if (mpc && (!cJSON_IsObject(mpc) ||
                !get_num(&c, mpc, "fp32", false, 0, 1e4, NAN, &t->fp32_macs_per_cycle_per_core) ||
                !get_num(&c, mpc, "int8", false, 0, 1e4, NAN, &t->int8_macs_per_cycle_per_core))) {
        if (!cJSON_IsObject(mpc))
            snprintf(err, errlen, "target file %s: \"macs_per_cycle_per_core\" must be an "
                     "object like {\"fp32\": 8, \"int8\": 16}", path);
        goto out;
    }
    /* Peaks can be given per core and cycle: derive the totals. */
    if (isnan(t->peak_gmacs_fp32) && !isnan(t->fp32_macs_per_cycle_per_core) && t->cores &&
        t->clock_mhz > 0)
        t->peak_gmacs_fp32 = t->fp32_macs_per_cycle_per_core * t->cores * t->clock_mhz / 1e3;
    if (isnan(t->peak_gmacs_int8) && !isnan(t->int8_macs_per_cycle_per_core) && t->cores &&
        t->clock_mhz > 0)
        t->peak_gmacs_int8 = t->int8_macs_per_cycle_per_core * t->cores * t->clock_mhz / 1e3;

    const cJSON *pm = cJSON_GetObjectItemCaseSensitive(root, "power_model");
    if (!pm || !cJSON_IsObject(pm)) {
        snprintf(err, errlen, "target file %s: missing \"power_model\" (an object with idle_w, "
                 "active_w and source)", path);
        goto out;
    }
    if (!get_num(&c, pm, "idle_w", true, 0, 1e5, 0, &t->idle_w) ||
        !get_num(&c, pm, "active_w", true, 0, 1e5, 0, &t->active_w) ||
        !get_str(&c, pm, "source", true, t->power_source, sizeof t->power_source))
        goto out;
    if (t->active_w < t->idle_w) {
        snprintf(err, errlen, "target file %s: power_model.active_w (%g) is below idle_w (%g)",
                 path, t->active_w, t->idle_w);
        goto out;
    }
    const cJSON *est = cJSON_GetObjectItemCaseSensitive(pm, "estimate");
    t->power_estimate = est && cJSON_IsTrue(est);

    const cJSON *conn = cJSON_GetObjectItemCaseSensitive(root, "connection");
    snprintf(t->transport, sizeof t->transport, "local");
    snprintf(t->protocol, sizeof t->protocol, "edgebench");
    t->baud = 115200;
    if (conn) {
        if (!cJSON_IsObject(conn)) {
            snprintf(err, errlen, "target file %s: \"connection\" must be an object", path);
            goto out;
        }
        char proto[sizeof t->protocol];
        if (!get_str(&c, conn, "transport", true, t->transport, sizeof t->transport) ||
            !get_str(&c, conn, "port", false, t->port, sizeof t->port) ||
            !get_str(&c, conn, "protocol", false, proto, sizeof proto) ||
            !get_num(&c, conn, "baud", false, 300, 4e6, 115200, &baud))
            goto out;
        t->baud = (int)baud;
        if (proto[0])
            snprintf(t->protocol, sizeof t->protocol, "%s", proto);
        if (strcmp(t->transport, "local") && strcmp(t->transport, "serial")) {
            snprintf(err, errlen, "target file %s: connection.transport must be \"local\" or "
                     "\"serial\", not '%s'", path, t->transport);
            goto out;
        }
        if (strcmp(t->protocol, "edgebench") && strcmp(t->protocol, "mlperf-tiny")) {
            snprintf(err, errlen, "target file %s: connection.protocol must be \"edgebench\" or "
                     "\"mlperf-tiny\", not '%s'", path, t->protocol);
            goto out;
        }
        if (!strcmp(t->transport, "serial") && !t->port[0]) {
            snprintf(err, errlen, "target file %s: a serial connection needs \"port\" (e.g. "
                     "\"/dev/ttyUSB0\")", path);
            goto out;
        }
    }
    const cJSON *emu = cJSON_GetObjectItemCaseSensitive(root, "emulation");
    if (emu && cJSON_IsObject(emu)) {
        if (!get_str(&c, emu, "qemu", false, t->qemu, sizeof t->qemu) ||
            !get_str(&c, emu, "cpu", false, t->qemu_cpu, sizeof t->qemu_cpu) ||
            !get_str(&c, emu, "agent", false, t->agent, sizeof t->agent))
            goto out;
    }
    st = EB_OK;
out:
    cJSON_Delete(root);
    free(text);
    return st;
}

bool eb_target_has_isa(const eb_target *t, const char *feature)
{
    for (int i = 0; i < t->n_isa; i++)
        if (!strcmp(t->isa[i], feature))
            return true;
    return false;
}

static bool is_dir(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

size_t eb_target_dirs(char dirs[][512], size_t max)
{
    size_t n = 0;
    const char *env = getenv("EDGEBENCH_TARGETS");
    if (env && *env) {
        char tmp[2048];
        snprintf(tmp, sizeof tmp, "%s", env);
        char *save = NULL;
        for (char *tok = strtok_r(tmp, ":", &save); tok && n < max;
             tok = strtok_r(NULL, ":", &save))
            if (is_dir(tok))
                snprintf(dirs[n++], 512, "%s", tok);
    }
    const char *fixed[] = {"targets",
#ifdef EB_SOURCE_DIR
                           EB_SOURCE_DIR "/targets",
#endif
    };
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0] && n < max; i++) {
        if (!is_dir(fixed[i]))
            continue;
        bool dup = false;
        char *rp = realpath(fixed[i], NULL);
        for (size_t j = 0; j < n && rp; j++) {
            char *rq = realpath(dirs[j], NULL);
            if (rq && !strcmp(rp, rq))
                dup = true;
            free(rq);
        }
        free(rp);
        if (!dup)
            snprintf(dirs[n++], 512, "%s", fixed[i]);
    }
    return n;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const eb_target *)a)->name, ((const eb_target *)b)->name);
}

size_t eb_target_list(eb_target **out,
                      void (*bad)(void *user, const char *path, const char *err), void *user)
{
    char dirs[8][512];
    size_t nd = eb_target_dirs(dirs, 8), n = 0, cap = 0;
    eb_target *v = NULL;
    for (size_t d = 0; d < nd; d++) {
        DIR *dir = opendir(dirs[d]);
        if (!dir)
            continue;
        struct dirent *e;
        while ((e = readdir(dir))) {
            size_t l = strlen(e->d_name);
            if (l < 6 || strcmp(e->d_name + l - 5, ".json") || e->d_name[0] == '.')
                continue;
            char path[1024], err[512];
            snprintf(path, sizeof path, "%s/%s", dirs[d], e->d_name);
            eb_target t;
            if (eb_target_load(path, &t, err, sizeof err) != EB_OK) {
                if (bad)
                    bad(user, path, err);
                continue;
            }
            bool dup = false;
            for (size_t i = 0; i < n; i++)
                if (!strcmp(v[i].name, t.name))
                    dup = true;
            if (dup)
                continue;
            if (n == cap) {
                cap = cap ? cap * 2 : 16;
                eb_target *nv = realloc(v, cap * sizeof *v);
                if (!nv)
                    break;
                v = nv;
            }
            v[n++] = t;
        }
        closedir(dir);
    }
    if (n)
        qsort(v, n, sizeof *v, by_name);
    *out = v;
    return n;
}

eb_status eb_target_find(const char *arg, eb_target *t, char *err, size_t errlen)
{
    size_t al = strlen(arg);
    if (strchr(arg, '/') || (al > 5 && !strcmp(arg + al - 5, ".json")))
        return eb_target_load(arg, t, err, errlen);
    char dirs[8][512];
    size_t nd = eb_target_dirs(dirs, 8);
    for (size_t d = 0; d < nd; d++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s.json", dirs[d], arg);
        struct stat sb;
        if (stat(path, &sb) == 0)
            return eb_target_load(path, t, err, errlen);
    }
    /* Not found by file name: a file may still declare that name. */
    eb_target *all;
    size_t n = eb_target_list(&all, NULL, NULL);
    for (size_t i = 0; i < n; i++)
        if (!strcmp(all[i].name, arg)) {
            *t = all[i];
            free(all);
            return EB_OK;
        }
    char names[400] = "";
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(names);
        snprintf(names + l, sizeof names - l, "%s%s", i ? ", " : "", all[i].name);
    }
    free(all);
    if (nd == 0)
        snprintf(err, errlen, "unknown target '%s': no targets/ directory found (run from the "
                 "edgebench source tree or set EDGEBENCH_TARGETS)", arg);
    else
        snprintf(err, errlen, "unknown target '%s'; valid targets: %s (or --target "
                 "path/to/file.json)", arg, names[0] ? names : "none");
    return EB_ERR_ARG;
}
