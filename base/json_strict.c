/* json_strict.c - JSON text parsed strictly (json_strict.h). */
#include "json_strict.h"

#if defined(EB_HAVE_CJSON) /* cross builds have no cJSON and read no JSON */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Length of the UTF-8 sequence at p (at most n bytes), 0 when it is not well formed
 * (overlong forms, surrogates and code points above U+10FFFF included). */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
    if (p[0] < 0x80)
        return 1;
    size_t len = p[0] >= 0xF0 ? 4 : p[0] >= 0xE0 ? 3 : p[0] >= 0xC2 ? 2 : 0;
    if (!len || len > n || p[0] > 0xF4)
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    if (len == 3 && ((p[0] == 0xE0 && p[1] < 0xA0) || (p[0] == 0xED && p[1] >= 0xA0)))
        return 0;
    if (len == 4 && ((p[0] == 0xF0 && p[1] < 0x90) || (p[0] == 0xF4 && p[1] >= 0x90)))
        return 0;
    return len;
}

static bool utf8_ok(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        size_t k = utf8_seq(p + i, n - i);
        if (!k)
            return false;
        i += k;
    }
    return true;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Walks the tree: every number finite, every string and key UTF-8, no object with a
 * key twice (cJSON keeps both and finds the first, most other readers keep the last:
 * "complete" could mean two things to two tools). path is the JSON path so far. */
static bool strict_tree(const cJSON *v, char *path, size_t cap, char *err, size_t errlen)
{
    if (cJSON_IsNumber(v) && !isfinite(v->valuedouble)) {
        snprintf(err, errlen, "%s: a number outside the range of a double", *path ? path : "/");
        return false;
    }
    if (cJSON_IsString(v) && !utf8_ok(v->valuestring)) {
        snprintf(err, errlen, "%s: a string that is not UTF-8", *path ? path : "/");
        return false;
    }
    if (!cJSON_IsObject(v) && !cJSON_IsArray(v))
        return true;
    size_t n = (size_t)cJSON_GetArraySize(v);
    if (cJSON_IsObject(v) && n > 1) {
        const char **names = malloc(n * sizeof *names);
        if (!names) {
            snprintf(err, errlen, "out of memory while reading the report");
            return false;
        }
        size_t k = 0;
        const cJSON *c;
        cJSON_ArrayForEach(c, v) names[k++] = c->string ? c->string : "";
        qsort(names, k, sizeof *names, cmp_name);
        for (size_t i = 1; i < k; i++) {
            if (!strcmp(names[i - 1], names[i])) {
                snprintf(err, errlen, "%s: the object has the key '%.80s' twice",
                         *path ? path : "/", utf8_ok(names[i]) ? names[i] : "?");
                free(names);
                return false;
            }
        }
        free(names);
    }
    size_t i = 0, old = strlen(path);
    const cJSON *c;
    cJSON_ArrayForEach(c, v)
    {
        if (cJSON_IsObject(v)) {
            if (!utf8_ok(c->string)) {
                snprintf(err, errlen, "%s: a key that is not UTF-8", *path ? path : "/");
                return false;
            }
            snprintf(path + old, cap - old, "/%.60s", c->string);
        } else {
            snprintf(path + old, cap - old, "/%zu", i);
        }
        i++;
        if (!strict_tree(c, path, cap, err, errlen))
            return false;
        path[old] = 0;
    }
    return true;
}

eb_status eb_json_parse_strict(const char *text, size_t len, cJSON **out, char *err,
                               size_t errlen)
{
    *out = NULL;
    const char *nul = memchr(text, 0, len);
    if (nul) {
        snprintf(err, errlen, "not a JSON text: a NUL byte at byte %zu", (size_t)(nul - text));
        return EB_ERR_FORMAT;
    }
    const char *end = NULL;
    cJSON *doc = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (!doc) {
        const char *at = end ? end : cJSON_GetErrorPtr();
        size_t off = at && at >= text && at <= text + len ? (size_t)(at - text) : 0;
        snprintf(err, errlen, "not valid JSON (near byte %zu)", off);
        return EB_ERR_FORMAT;
    }
    size_t off = end && end >= text && end <= text + len ? (size_t)(end - text) : len;
    while (off < len && strchr(" \t\r\n", text[off]))
        off++;
    if (off < len) {
        snprintf(err, errlen, "something follows the document at byte %zu (trailing garbage "
                 "or a second document)", off);
        cJSON_Delete(doc);
        return EB_ERR_FORMAT;
    }
    char path[512] = "";
    if (!strict_tree(doc, path, sizeof path, err, errlen)) {
        cJSON_Delete(doc);
        return EB_ERR_FORMAT;
    }
    *out = doc;
    return EB_OK;
}
#endif
