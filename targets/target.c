/* target.c - loading target descriptions (the JSON files in targets/). */
#include "eb_target.h"

#if defined(EB_HAVE_CJSON)
#include <cjson/cJSON.h>
#endif
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#ifndef EB_TARGETS_SOURCE_DIR
#define EB_TARGETS_SOURCE_DIR ""
#endif

static bool is_dir(const char *p)
{
    struct stat st;
    return p && *p && stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *eb_targets_dir(void)
{
    const char *env = getenv("EB_TARGETS_DIR");
    if (is_dir(env))
        return env;
    if (is_dir(EB_TARGETS_SOURCE_DIR))
        return EB_TARGETS_SOURCE_DIR;
    if (is_dir("targets"))
        return "targets";
    return "";
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

size_t eb_target_names(char *buf, size_t buflen)
{
    if (buflen)
        buf[0] = 0;
    const char *dir = eb_targets_dir();
    DIR *d = *dir ? opendir(dir) : NULL;
    if (!d)
        return 0;
    char *names[128];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 128) {
        size_t len = strlen(e->d_name);
        if (len > 5 && !strcmp(e->d_name + len - 5, ".json") && e->d_name[0] != '.') {
            names[n] = strndup(e->d_name, len - 5);
            if (names[n])
                n++;
        }
    }
    closedir(d);
    qsort(names, n, sizeof names[0], cmp_str);
    size_t used = 0;
    for (size_t i = 0; i < n; i++) {
        if (used < buflen)
            used += (size_t)snprintf(buf + used, buflen - used, "%s%s", i ? ", " : "", names[i]);
        free(names[i]);
    }
    return n;
}

#if defined(EB_HAVE_CJSON)
static bool is_auto(const cJSON *v)
{
    return cJSON_IsString(v) && !strcmp(v->valuestring, "auto");
}

/* A number, or NaN when k is absent or not a number (o may be NULL). */
static double num_or_nan(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

#define BAD(...)                                                                           \
    do {                                                                                   \
        int _n = snprintf(err, errlen, "%s: ", path);                                      \
        if (_n >= 0 && (size_t)_n < errlen)                                                \
            snprintf(err + _n, errlen - (size_t)_n, __VA_ARGS__);                          \
        goto fail;                                                                         \
    } while (0)

static bool copy_str(const cJSON *o, const char *key, char *dst, size_t cap, bool required)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!v || cJSON_IsNull(v))
        return !required;
    if (!cJSON_IsString(v) || (required && !*v->valuestring) || strlen(v->valuestring) >= cap)
        return false;
    snprintf(dst, cap, "%s", v->valuestring);
    return true;
}

/* One entry of "published": every field is required but the note; numbers in range. */
static eb_status parse_published(const cJSON *e, int32_t cores, eb_published *p, char *err,
                                 size_t errlen, const char *path)
{
    memset(p, 0, sizeof *p);
    const cJSON *th = cJSON_GetObjectItemCaseSensitive(e, "threads");
    const cJSON *bits = cJSON_GetObjectItemCaseSensitive(e, "os_bits");
    const cJSON *ms = cJSON_GetObjectItemCaseSensitive(e, "latency_ms");
    const cJSON *src = cJSON_GetObjectItemCaseSensitive(e, "source");
    const char *why = NULL;
    if (!cJSON_IsObject(e))
        why = "must be an object";
    else if (!copy_str(e, "model", p->model, sizeof p->model, true))
        why = "needs 'model', the zoo variant measured (e.g. \"mobilenet_v2_int8\")";
    else if (!copy_str(e, "runtime", p->runtime, sizeof p->runtime, true))
        why = "needs 'runtime', what ran it";
    else if (!cJSON_IsNumber(th) || th->valuedouble != floor(th->valuedouble) ||
             th->valuedouble < 1 || th->valuedouble > cores)
        why = "needs 'threads', a whole number from 1 to the target's cores";
    else if (!cJSON_IsNumber(bits) || (bits->valuedouble != 32 && bits->valuedouble != 64))
        why = "needs 'os_bits', 32 or 64";
    else if (!cJSON_IsNumber(ms) || !(ms->valuedouble > 0 && ms->valuedouble < 1e7))
        why = "needs 'latency_ms', a positive number of milliseconds";
    else if (!cJSON_IsObject(src) || !copy_str(src, "title", p->title, sizeof p->title, true) ||
             !copy_str(src, "date", p->date, sizeof p->date, true) ||
             !copy_str(src, "url", p->url, sizeof p->url, true))
        why = "needs 'source' with non-empty 'title', 'date' and 'url'";
    else if (!copy_str(e, "note", p->note, sizeof p->note, false))
        why = "'note' must be a short string";
    if (why) {
        snprintf(err, errlen, "%s: published entry: %s", path, why);
        return EB_ERR_FORMAT;
    }
    p->threads = (int32_t)th->valuedouble;
    p->os_bits = (int32_t)bits->valuedouble;
    p->latency_ms = ms->valuedouble;
    return EB_OK;
}

eb_status eb_target_parse(const char *text, const char *path, eb_target *out, char *err,
                          size_t errlen)
{
    memset(out, 0, sizeof *out);
    eb_target_desc *t = &out->desc;
    t->clock_mhz = NAN;
    t->memory_bytes = -1;
    t->price_usd = NAN;
    snprintf(out->path, sizeof out->path, "%s", path);
    cJSON *o = cJSON_Parse(text);
    if (!o || !cJSON_IsObject(o))
        BAD("not a JSON object");

    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "name");
    if (!cJSON_IsString(v) || !*v->valuestring || strlen(v->valuestring) >= sizeof t->name)
        BAD("'name' must be a non-empty string");
    snprintf(t->name, sizeof t->name, "%s", v->valuestring);
    v = cJSON_GetObjectItemCaseSensitive(o, "description");
    if (cJSON_IsString(v))
        snprintf(out->description, sizeof out->description, "%s", v->valuestring);

    v = cJSON_GetObjectItemCaseSensitive(o, "transport");
    if (!cJSON_IsString(v) || (strcmp(v->valuestring, "local") && strcmp(v->valuestring, "serial") &&
                               strcmp(v->valuestring, "ssh") && strcmp(v->valuestring, "emulated")))
        BAD("'transport' must be \"local\", \"serial\", \"ssh\" or \"emulated\"");
    snprintf(t->transport, sizeof t->transport, "%s", v->valuestring);
    bool local = !strcmp(t->transport, "local");
    t->emulated = !strcmp(t->transport, "emulated");
    v = cJSON_GetObjectItemCaseSensitive(o, "emulated");
    if (cJSON_IsBool(v))
        t->emulated = cJSON_IsTrue(v) || t->emulated;

    v = cJSON_GetObjectItemCaseSensitive(o, "arch");
    if (local && is_auto(v)) {
        struct utsname u;
        snprintf(t->arch, sizeof t->arch, "%.31s", uname(&u) == 0 ? u.machine : "unknown");
    } else if (cJSON_IsString(v) && *v->valuestring && !is_auto(v)) {
        snprintf(t->arch, sizeof t->arch, "%s", v->valuestring);
    } else {
        BAD("'arch' must be a string (\"auto\" only for local targets)");
    }

    v = cJSON_GetObjectItemCaseSensitive(o, "cores");
    if (local && is_auto(v)) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        t->cores = n > 0 ? (int32_t)n : 1;
    } else if (cJSON_IsNumber(v) && v->valuedouble >= 1 && v->valuedouble <= 4096 &&
               v->valuedouble == floor(v->valuedouble)) {
        t->cores = (int32_t)v->valuedouble;
    } else {
        BAD("'cores' must be a whole number from 1 (\"auto\" only for local targets)");
    }

    v = cJSON_GetObjectItemCaseSensitive(o, "clock_mhz");
    if (cJSON_IsNumber(v) && v->valuedouble > 0)
        t->clock_mhz = v->valuedouble;
    else if (v && !cJSON_IsNull(v))
        BAD("'clock_mhz' must be a positive number or null");

    v = cJSON_GetObjectItemCaseSensitive(o, "memory_bytes");
    if (local && is_auto(v)) {
        long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);
        t->memory_bytes = pages > 0 && psz > 0 ? (int64_t)pages * psz : -1;
    } else if (cJSON_IsNumber(v) && v->valuedouble >= 0) {
        t->memory_bytes = (int64_t)v->valuedouble;
    } else if (v && !cJSON_IsNull(v)) {
        BAD("'memory_bytes' must be a number of bytes or null");
    }

    v = cJSON_GetObjectItemCaseSensitive(o, "price_usd");
    if (cJSON_IsNumber(v) && v->valuedouble >= 0)
        t->price_usd = v->valuedouble;
    else if (v && !cJSON_IsNull(v))
        BAD("'price_usd' must be a number or null");

    const cJSON *pm = cJSON_GetObjectItemCaseSensitive(o, "power_model");
    if (!cJSON_IsObject(pm))
        BAD("'power_model' must be an object with idle_w, active_w and source");
    const cJSON *idle = cJSON_GetObjectItemCaseSensitive(pm, "idle_w");
    const cJSON *act = cJSON_GetObjectItemCaseSensitive(pm, "active_w");
    const cJSON *src = cJSON_GetObjectItemCaseSensitive(pm, "source");
    if (!cJSON_IsNumber(idle) || idle->valuedouble < 0 || !cJSON_IsNumber(act) ||
        act->valuedouble < idle->valuedouble)
        BAD("power_model needs idle_w >= 0 and active_w >= idle_w, in watts");
    if (!cJSON_IsString(src) || !*src->valuestring)
        BAD("power_model.source must say where the figures come from");
    t->power_model.idle_w = idle->valuedouble;
    t->power_model.active_w = act->valuedouble;
    snprintf(t->power_model.source, sizeof t->power_model.source, "%s", src->valuestring);

    v = cJSON_GetObjectItemCaseSensitive(o, "device");
    if (cJSON_IsString(v)) {
        if (strstr(v->valuestring, "://") && strncmp(v->valuestring, "tcp://", 6) &&
            strncmp(v->valuestring, "rfc2217://", 10))
            BAD("'device' must be a serial device (/dev/ttyUSB0) or a serial server address "
                "(tcp://HOST:PORT or rfc2217://HOST:PORT)");
        snprintf(out->device, sizeof out->device, "%s", v->valuestring);
    }
    v = cJSON_GetObjectItemCaseSensitive(o, "baud");
    if (cJSON_IsNumber(v))
        out->baud = (int32_t)v->valuedouble;
    if (!strcmp(t->transport, "serial") && !out->baud)
        out->baud = 115200;
    if (v && (!cJSON_IsNumber(v) || v->valuedouble < 300 || v->valuedouble > 4e6))
        BAD("'baud' must be a line speed such as 115200");

    snprintf(out->protocol, sizeof out->protocol, "edgebench");
    v = cJSON_GetObjectItemCaseSensitive(o, "protocol");
    if (v && !cJSON_IsNull(v)) {
        if (!cJSON_IsString(v) ||
            (strcmp(v->valuestring, "edgebench") && strcmp(v->valuestring, "mlperf-tiny")))
            BAD("'protocol' must be \"edgebench\" (the agent) or \"mlperf-tiny\"");
        snprintf(out->protocol, sizeof out->protocol, "%s", v->valuestring);
    }
    v = cJSON_GetObjectItemCaseSensitive(o, "cpu");
    if (cJSON_IsString(v))
        snprintf(out->cpu, sizeof out->cpu, "%s", v->valuestring);
    v = cJSON_GetObjectItemCaseSensitive(o, "isa_features");
    if (v) {
        const cJSON *e;
        if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) > 12)
            BAD("'isa_features' must be a list of at most 12 names such as \"neon\"");
        cJSON_ArrayForEach(e, v)
        {
            if (!cJSON_IsString(e) || strlen(e->valuestring) >= sizeof out->isa_features[0])
                BAD("'isa_features' entries must be short names such as \"neon\"");
            snprintf(out->isa_features[out->n_isa_features++], sizeof out->isa_features[0],
                     "%s", e->valuestring);
        }
    }
    const cJSON *emu = cJSON_GetObjectItemCaseSensitive(o, "emulation");
    if (emu && !cJSON_IsNull(emu)) {
        if (!cJSON_IsObject(emu))
            BAD("'emulation' must be an object with qemu, cpu and agent");
        const char *keys[3] = {"qemu", "cpu", "agent"};
        char *dst[3] = {out->qemu, out->qemu_cpu, out->agent};
        size_t cap[3] = {sizeof out->qemu, sizeof out->qemu_cpu, sizeof out->agent};
        for (int k = 0; k < 3; k++) {
            v = cJSON_GetObjectItemCaseSensitive(emu, keys[k]);
            if (!v || cJSON_IsNull(v))
                continue;
            if (!cJSON_IsString(v) || strlen(v->valuestring) >= cap[k])
                BAD("emulation.%s must be a string", keys[k]);
            snprintf(dst[k], cap[k], "%s", v->valuestring);
        }
    }

    /* the study's figures are optional and unchecked: what is not a number is unknown */
    out->memory_bandwidth_gbs = num_or_nan(o, "memory_bandwidth_gbs");
    const cJSON *mpc = cJSON_GetObjectItemCaseSensitive(o, "macs_per_cycle_per_core");
    out->macs_per_cycle_fp32 = num_or_nan(mpc, "fp32");
    out->macs_per_cycle_int8 = num_or_nan(mpc, "int8");
    out->peak_gmacs_fp32 = num_or_nan(o, "peak_gmacs_fp32");
    out->peak_gmacs_int8 = num_or_nan(o, "peak_gmacs_int8");

    v = cJSON_GetObjectItemCaseSensitive(o, "published");
    if (v && !cJSON_IsNull(v)) {
        if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) > EB_MAX_PUBLISHED)
            BAD("'published' must be a list of at most %d measurements", EB_MAX_PUBLISHED);
        const cJSON *e;
        cJSON_ArrayForEach(e, v)
        {
            int i = out->n_published;
            if (parse_published(e, t->cores, &out->published[i], err, errlen, path) != EB_OK)
                goto fail;
            out->n_published++;
        }
    }

    const struct {
        const char *key;
        char *dst;
        size_t cap;
    } ssh_str[] = {{"host", out->host, sizeof out->host},
                   {"agent_path", out->agent_path, sizeof out->agent_path},
                   {"agent_prefix", out->agent_prefix, sizeof out->agent_prefix},
                   {"lava_device_type", out->lava_device_type, sizeof out->lava_device_type}};
    for (size_t k = 0; k < sizeof ssh_str / sizeof ssh_str[0]; k++) {
        v = cJSON_GetObjectItemCaseSensitive(o, ssh_str[k].key);
        if (!v || cJSON_IsNull(v))
            continue;
        if (!cJSON_IsString(v) || strlen(v->valuestring) >= ssh_str[k].cap ||
            strpbrk(v->valuestring, "\n\r"))
            BAD("'%s' must be a string of one line", ssh_str[k].key);
        snprintf(ssh_str[k].dst, ssh_str[k].cap, "%s", v->valuestring);
    }
    if (out->host[0] && (out->host[0] == '-' || strpbrk(out->host, " \t")))
        BAD("'host' must be an SSH destination such as \"pi@raspberrypi.local\"");
    v = cJSON_GetObjectItemCaseSensitive(o, "ssh_options");
    if (v && !cJSON_IsNull(v)) {
        const cJSON *e;
        if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) > 16)
            BAD("'ssh_options' must be a list of at most 16 ssh arguments such as \"-p\", "
                "\"2222\"");
        cJSON_ArrayForEach(e, v)
        {
            if (!cJSON_IsString(e) || strlen(e->valuestring) >= sizeof out->ssh_options[0])
                BAD("'ssh_options' entries must be strings");
            snprintf(out->ssh_options[out->n_ssh_options++], sizeof out->ssh_options[0], "%s",
                     e->valuestring);
        }
    }

    cJSON_Delete(o);
    return EB_OK;
fail:
    cJSON_Delete(o);
    return EB_ERR_FORMAT;
}
#else
/* Cross builds have no cJSON for the target architecture. */
eb_status eb_target_parse(const char *text, const char *path, eb_target *out, char *err,
                          size_t errlen)
{
    (void)text;
    memset(out, 0, sizeof *out);
    snprintf(err, errlen, "%s: reading target files needs cJSON, which this build lacks", path);
    return EB_ERR_UNSUPPORTED;
}
#endif

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *b = malloc(65537);
    size_t n = b ? fread(b, 1, 65536, f) : 0;
    fclose(f);
    if (b)
        b[n] = 0;
    return b;
}

eb_status eb_target_load(const char *name, eb_target *out, char *err, size_t errlen)
{
    char path[512];
    size_t len = strlen(name);
    bool is_file = strchr(name, '/') || (len > 5 && !strcmp(name + len - 5, ".json"));
    if (is_file) {
        snprintf(path, sizeof path, "%s", name);
    } else {
        bool ok = len > 0 && len < 64;
        for (size_t i = 0; ok && i < len; i++)
            ok = (name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') ||
                 name[i] == '_' || name[i] == '-';
        const char *dir = eb_targets_dir();
        snprintf(path, sizeof path, "%s/%s.json", dir, name);
        if (!ok || !*dir || access(path, R_OK) != 0) {
            char names[512];
            size_t n = eb_target_names(names, sizeof names);
            if (n)
                snprintf(err, errlen, "unknown target '%s'; valid names: %s", name, names);
            else
                snprintf(err, errlen, "unknown target '%s'; no target descriptions found "
                                      "(set EB_TARGETS_DIR to the targets/ folder)", name);
            return EB_ERR_ARG;
        }
    }
    char *text = read_text(path);
    if (!text) {
        snprintf(err, errlen, "cannot read target file '%s': %s", path, strerror(errno));
        return EB_ERR_IO;
    }
    eb_status st = eb_target_parse(text, path, out, err, errlen);
    free(text);
    return st;
}

const char *eb_target_ref(const eb_target *t)
{
    char by_name[600];
    snprintf(by_name, sizeof by_name, "%s/%s.json", eb_targets_dir(), t->desc.name);
    struct stat a, b;
    if (stat(by_name, &a) == 0 && stat(t->path, &b) == 0 && a.st_dev == b.st_dev &&
        a.st_ino == b.st_ino)
        return t->desc.name;
    return t->path;
}
