/* json_schema.c - the JSON Schema subset described in json_schema.h. */
#include "json_schema.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    const cJSON *root;
    unsigned flags;
    char *err;
    size_t errlen;
    int depth;
} vctx;

static bool fail(vctx *c, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bool fail(vctx *c, const char *path, const char *fmt, ...)
{
    if (!c->err || !c->errlen)
        return false;
    int n = snprintf(c->err, c->errlen, "%s: ", *path ? path : "/");
    if (n < 0 || (size_t)n >= c->errlen)
        return false;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
    va_end(ap);
    return false;
}

static const char *type_of(const cJSON *v)
{
    if (cJSON_IsNull(v))
        return "null";
    if (cJSON_IsBool(v))
        return "boolean";
    if (cJSON_IsNumber(v))
        return "number";
    if (cJSON_IsString(v))
        return "string";
    if (cJSON_IsArray(v))
        return "array";
    if (cJSON_IsObject(v))
        return "object";
    return "raw";
}

static bool is_integer(const cJSON *v)
{
    return cJSON_IsNumber(v) && isfinite(v->valuedouble) && floor(v->valuedouble) == v->valuedouble;
}

static bool type_matches(const char *t, const cJSON *v)
{
    if (!strcmp(t, "integer"))
        return is_integer(v);
    return !strcmp(t, type_of(v));
}

/* Deep equality for enum/const. */
static bool json_equal(const cJSON *a, const cJSON *b)
{
    return cJSON_Compare(a, b, true);
}

static bool validate(vctx *c, const cJSON *s, const cJSON *v, char *path, size_t pathlen);

static const cJSON *resolve_ref(vctx *c, const char *ref, const char *path)
{
    if (!strcmp(ref, "#"))
        return c->root;
    const char *pre = "#/$defs/";
    if (strncmp(ref, pre, strlen(pre))) {
        fail(c, path, "schema uses an unsupported $ref '%s'", ref);
        return NULL;
    }
    const cJSON *defs = cJSON_GetObjectItemCaseSensitive(c->root, "$defs");
    const cJSON *t = defs ? cJSON_GetObjectItemCaseSensitive(defs, ref + strlen(pre)) : NULL;
    if (!t)
        fail(c, path, "schema $ref '%s' points nowhere", ref);
    return t;
}

/* Appends "/<seg>" to path for the duration of a child check. */
static size_t path_push(char *path, size_t pathlen, const char *seg)
{
    size_t old = strlen(path);
    snprintf(path + old, pathlen - old, "/%s", seg);
    return old;
}

static bool check_combinator(vctx *c, const char *kw, const cJSON *list, const cJSON *v,
                             char *path, size_t pathlen)
{
    if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) == 0)
        return fail(c, path, "schema keyword %s needs a non-empty array", kw);
    int matched = 0;
    char first_err[512] = "";
    const cJSON *sub;
    cJSON_ArrayForEach(sub, list)
    {
        vctx quiet = *c;
        char e[512] = "";
        quiet.err = e;
        quiet.errlen = sizeof e;
        if (validate(&quiet, sub, v, path, pathlen)) {
            matched++;
        } else {
            if (!first_err[0])
                snprintf(first_err, sizeof first_err, "%s", e);
            if (!strcmp(kw, "allOf")) {
                if (c->err && c->errlen)
                    snprintf(c->err, c->errlen, "%s", e);
                return false;
            }
        }
    }
    if (!strcmp(kw, "anyOf") && matched == 0)
        return fail(c, path, "matches none of the allowed forms (first: %s)", first_err);
    if (!strcmp(kw, "oneOf") && matched != 1)
        return matched == 0
                   ? fail(c, path, "matches none of the allowed forms (first: %s)", first_err)
                   : fail(c, path, "matches %d forms where exactly one is allowed", matched);
    return true;
}

static bool validate(vctx *c, const cJSON *s, const cJSON *v, char *path, size_t pathlen)
{
    if (cJSON_IsTrue(s))
        return true;
    if (cJSON_IsFalse(s))
        return fail(c, path, "no value is allowed here");
    if (!cJSON_IsObject(s))
        return fail(c, path, "schema is neither an object nor a boolean");
    if (++c->depth > 64) {
        c->depth--;
        return fail(c, path, "schema nesting too deep (a $ref cycle?)");
    }
    bool ok = true;
    const cJSON *props = NULL, *addl = NULL;
    const cJSON *kw;
    cJSON_ArrayForEach(kw, s)
    {
        const char *k = kw->string;
        if (!strcmp(k, "$schema") || !strcmp(k, "$id") || !strcmp(k, "$comment") ||
            !strcmp(k, "title") || !strcmp(k, "description") || !strcmp(k, "default") ||
            !strcmp(k, "examples") || !strcmp(k, "$defs")) {
            continue;
        } else if (!strcmp(k, "$ref")) {
            const cJSON *t = cJSON_IsString(kw) ? resolve_ref(c, kw->valuestring, path) : NULL;
            ok = t && validate(c, t, v, path, pathlen);
        } else if (!strcmp(k, "type")) {
            bool any = false;
            if (cJSON_IsString(kw)) {
                any = type_matches(kw->valuestring, v);
            } else if (cJSON_IsArray(kw)) {
                const cJSON *t;
                cJSON_ArrayForEach(t, kw) if (cJSON_IsString(t) && type_matches(t->valuestring, v))
                    any = true;
            } else {
                ok = fail(c, path, "schema 'type' must be a string or an array");
                break;
            }
            if (!any) {
                char want[128];
                char *p = cJSON_PrintUnformatted(kw);
                snprintf(want, sizeof want, "%s", p ? p : "?");
                cJSON_free(p);
                ok = fail(c, path, "expected type %s, got %s", want, type_of(v));
            }
        } else if (!strcmp(k, "enum")) {
            bool any = false;
            const cJSON *e;
            cJSON_ArrayForEach(e, kw) if (json_equal(e, v)) any = true;
            if (!any) {
                char *p = cJSON_PrintUnformatted(kw), *q = cJSON_PrintUnformatted(v);
                ok = fail(c, path, "%s is not one of %s", q ? q : "?", p ? p : "?");
                cJSON_free(p);
                cJSON_free(q);
            }
        } else if (!strcmp(k, "const")) {
            if (!json_equal(kw, v)) {
                char *p = cJSON_PrintUnformatted(kw), *q = cJSON_PrintUnformatted(v);
                ok = fail(c, path, "must be %s, got %s", p ? p : "?", q ? q : "?");
                cJSON_free(p);
                cJSON_free(q);
            }
        } else if (!strcmp(k, "properties")) {
            props = kw;
        } else if (!strcmp(k, "additionalProperties")) {
            addl = kw;
        } else if (!strcmp(k, "required")) {
            if (cJSON_IsObject(v)) {
                const cJSON *r;
                cJSON_ArrayForEach(r, kw)
                {
                    if (cJSON_IsString(r) && !cJSON_GetObjectItemCaseSensitive(v, r->valuestring)) {
                        ok = fail(c, path, "required field '%s' is missing", r->valuestring);
                        break;
                    }
                }
            }
        } else if (!strcmp(k, "items")) {
            if (cJSON_IsArray(v)) {
                int i = 0;
                const cJSON *e;
                cJSON_ArrayForEach(e, v)
                {
                    char seg[24];
                    snprintf(seg, sizeof seg, "%d", i++);
                    size_t old = path_push(path, pathlen, seg);
                    ok = validate(c, kw, e, path, pathlen);
                    if (ok)
                        path[old] = 0;
                    if (!ok)
                        break;
                }
            }
        } else if (!strcmp(k, "minItems") || !strcmp(k, "maxItems")) {
            if (cJSON_IsArray(v)) {
                int n = cJSON_GetArraySize(v);
                if (k[1] == 'i' && n < kw->valueint)
                    ok = fail(c, path, "has %d items, at least %d needed", n, kw->valueint);
                if (k[1] == 'a' && n > kw->valueint)
                    ok = fail(c, path, "has %d items, at most %d allowed", n, kw->valueint);
            }
        } else if (!strcmp(k, "minimum") || !strcmp(k, "maximum") ||
                   !strcmp(k, "exclusiveMinimum") || !strcmp(k, "exclusiveMaximum")) {
            if (cJSON_IsNumber(v)) {
                double x = v->valuedouble, b = kw->valuedouble;
                bool bad = !strcmp(k, "minimum")            ? x < b
                           : !strcmp(k, "maximum")          ? x > b
                           : !strcmp(k, "exclusiveMinimum") ? x <= b
                                                            : x >= b;
                if (bad)
                    ok = fail(c, path, "%.17g violates %s %.17g", x, k, b);
            }
        } else if (!strcmp(k, "minLength") || !strcmp(k, "maxLength")) {
            if (cJSON_IsString(v)) {
                /* length in code points: count bytes that do not continue a UTF-8 sequence */
                int n = 0;
                for (const unsigned char *p = (const unsigned char *)v->valuestring; *p; p++)
                    n += (*p & 0xC0) != 0x80;
                if (k[1] == 'i' && n < kw->valueint)
                    ok = fail(c, path, "string shorter than %d", kw->valueint);
                if (k[1] == 'a' && n > kw->valueint)
                    ok = fail(c, path, "string longer than %d", kw->valueint);
            }
        } else if (!strcmp(k, "pattern")) {
            if (cJSON_IsString(v)) {
                regex_t re;
                if (!cJSON_IsString(kw) || regcomp(&re, kw->valuestring, REG_EXTENDED | REG_NOSUB)) {
                    ok = fail(c, path, "schema pattern does not compile");
                } else {
                    if (regexec(&re, v->valuestring, 0, NULL, 0))
                        ok = fail(c, path, "'%s' does not match %s", v->valuestring,
                                  kw->valuestring);
                    regfree(&re);
                }
            }
        } else if (!strcmp(k, "anyOf") || !strcmp(k, "oneOf") || !strcmp(k, "allOf")) {
            ok = check_combinator(c, k, kw, v, path, pathlen);
        } else {
            ok = fail(c, path, "schema uses unsupported keyword '%s'", k);
        }
        if (!ok)
            break;
    }
    if (ok && cJSON_IsObject(v) && (props || addl)) {
        const cJSON *m;
        cJSON_ArrayForEach(m, v)
        {
            const cJSON *sub = props ? cJSON_GetObjectItemCaseSensitive(props, m->string) : NULL;
            if (!sub) {
                if (addl)
                    sub = addl;
                else if (c->flags & EB_SCHEMA_STRICT)
                    sub = NULL;
                else
                    continue;
            }
            size_t old = path_push(path, pathlen, m->string);
            if (!sub)
                ok = fail(c, path, "field is not described by the schema");
            else
                ok = validate(c, sub, m, path, pathlen);
            if (!ok)
                break;
            path[old] = 0;
        }
    }
    c->depth--;
    return ok;
}

bool eb_json_schema_validate(const cJSON *schema, const cJSON *doc, unsigned flags, char *err,
                             size_t errlen)
{
    vctx c = {schema, flags, err, errlen, 0};
    char path[512] = "";
    if (err && errlen)
        err[0] = 0;
    if (!schema || !doc)
        return fail(&c, path, "no schema or no document");
    return validate(&c, schema, doc, path, sizeof path);
}
