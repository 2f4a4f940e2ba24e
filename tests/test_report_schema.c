/* test_report_schema.c - real reports validate against reports/schema.json (strictly:
 * every field the writer emits is described); broken ones do not; the validator itself
 * on small schemas; write -> read -> write round trip. */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "eb_report.h"
#include "eb_test_cmd.h"
#include "json_schema.h"

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *b = malloc((size_t)n + 1);
    cr_assert_eq(fread(b, 1, (size_t)n, f), (size_t)n);
    b[n] = 0;
    fclose(f);
    return b;
}

__attribute__((unused)) static cJSON *schema(void)
{
    cJSON *s = cJSON_Parse(eb_report_schema_text());
    cr_assert_not_null(s, "built-in schema parses");
    return s;
}

Test(report_schema, built_in_schema_is_the_file)
{
    char *file = slurp(EB_SOURCE_DIR "/reports/schema.json");
    cr_assert_str_eq(eb_report_schema_text(), file);
    free(file);
}

/* A real report from a real run (tiny model, offline so every optional section shows). */
static cJSON *real_report(const char *extra1, const char *extra2)
{
    char dir[64], path[128];
    eb_test_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/r.json", dir);
    eb_cmd_capture c = eb_test_cmd(eb_cmd_run, "run", "--model",
                                   "fc_autoencoder_int8,fc_autoencoder_fp32", "--min-iterations",
                                   "4", "--repetitions", "2", "--warmup", "1", "--warmup-time",
                                   "0", "--min-time", "0", "--quiet", "--out", path, extra1,
                                   extra2, NULL);
    cr_assert_eq(c.rc, 0, "run failed: %s", c.err);
    eb_test_cmd_free(&c);
    char *text = slurp(path);
    cJSON *doc = cJSON_Parse(text);
    cr_assert_not_null(doc);
    free(text);
    unlink(path);
    rmdir(dir);
    return doc;
}

__attribute__((unused)) static void assert_valid(const cJSON *s, const cJSON *doc, unsigned flags)
{
    char err[512];
    cr_assert(eb_json_schema_validate(s, doc, flags, err, sizeof err), "invalid: %s", err);
}

__attribute__((unused)) static void assert_invalid(const cJSON *s, const cJSON *doc, const char *needle)
{
    char err[512];
    cr_assert(!eb_json_schema_validate(s, doc, 0, err, sizeof err), "accepted a broken report");
    cr_assert_not_null(strstr(err, needle), "'%s' not in '%s'", needle, err);
}

Test(report_schema, real_reports_validate_strictly)
{
    cJSON *s = schema();
    cJSON *single = real_report("--profile", "--counters");
    assert_valid(s, single, EB_SCHEMA_STRICT);
    cJSON *offline = real_report("--scenario", "offline");
    assert_valid(s, offline, EB_SCHEMA_STRICT);
    /* the sections the contract promises are there */
    const cJSON *res = cJSON_GetArrayItem(cJSON_GetObjectItem(single, "results"), 0);
    cr_assert(cJSON_IsArray(cJSON_GetObjectItem(res, "profile")));
    cr_assert(cJSON_IsObject(cJSON_GetObjectItem(res, "fidelity")));
    const cJSON *res2 = cJSON_GetArrayItem(cJSON_GetObjectItem(offline, "results"), 1);
    cr_assert(cJSON_IsNull(cJSON_GetObjectItem(res2, "fidelity")));
    cr_assert(cJSON_IsArray(cJSON_GetObjectItem(res2, "per_thread_latency_ms")));
    cJSON_Delete(single);
    cJSON_Delete(offline);
    cJSON_Delete(s);
}

Test(report_schema, broken_reports_do_not_validate)
{
    cJSON *s = schema();
    cJSON *doc = real_report("--profile", NULL);
    cJSON *res0 = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "results"), 0);
    cJSON *lat = cJSON_GetObjectItem(res0, "latency_ms");

    cJSON *b = cJSON_Duplicate(doc, 1);
    cJSON_DeleteItemFromObject(b, "results");
    assert_invalid(s, b, "required field 'results' is missing");
    cJSON_Delete(b);

    b = cJSON_Duplicate(doc, 1);
    cJSON_ReplaceItemInObject(b, "schema_version", cJSON_CreateNumber(3));
    assert_invalid(s, b, "/schema_version: 3 is not one of [1,2]");
    cJSON_Delete(b);

    b = cJSON_Duplicate(doc, 1);
    cJSON *bl = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(b, "results"), 0),
                                    "latency_ms");
    cJSON_ReplaceItemInObject(bl, "median", cJSON_CreateString("fast"));
    assert_invalid(s, b, "/results/0/latency_ms/median: expected type");
    cJSON_Delete(b);

    b = cJSON_Duplicate(doc, 1);
    cJSON *br = cJSON_GetArrayItem(cJSON_GetObjectItem(b, "results"), 0);
    cJSON_ReplaceItemInObject(br, "scenario", cJSON_CreateString("batch"));
    assert_invalid(s, b, "/results/0/scenario");
    cJSON_Delete(b);

    b = cJSON_Duplicate(doc, 1);
    br = cJSON_GetArrayItem(cJSON_GetObjectItem(b, "results"), 0);
    cJSON_AddItemToArray(cJSON_GetObjectItem(br, "samples_ms"), cJSON_CreateNumber(-1));
    assert_invalid(s, b, "/results/0/samples_ms/");
    cJSON_Delete(b);

    b = cJSON_Duplicate(doc, 1);
    br = cJSON_GetArrayItem(cJSON_GetObjectItem(b, "results"), 0);
    cJSON_ReplaceItemInObject(cJSON_GetObjectItem(br, "energy"), "method",
                              cJSON_CreateString("guessed"));
    assert_invalid(s, b, "/results/0/energy/method");
    cJSON_Delete(b);

    b = cJSON_Duplicate(doc, 1);
    br = cJSON_GetArrayItem(cJSON_GetObjectItem(b, "results"), 0);
    cJSON_ReplaceItemInObject(br, "counters", cJSON_Parse("{\"available\": true}"));
    assert_invalid(s, b, "/results/0/counters");
    cJSON_Delete(b);

    b = cJSON_Duplicate(doc, 1);
    cJSON_ReplaceItemInObject(b, "created_utc", cJSON_CreateString("yesterday"));
    assert_invalid(s, b, "/created_utc");
    cJSON_Delete(b);

    b = cJSON_Duplicate(doc, 1);
    bl = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(b, "results"), 0),
                             "latency_ms");
    cJSON_DeleteItemFromArray(cJSON_GetObjectItem(bl, "ci95_median"), 1);
    assert_invalid(s, b, "ci95_median: has 1 items");
    cJSON_Delete(b);

    /* an unknown field is fine for readers, not for the strict check */
    b = cJSON_Duplicate(doc, 1);
    cJSON_AddStringToObject(b, "surprise", "x");
    assert_valid(s, b, 0);
    char err[256];
    cr_assert(!eb_json_schema_validate(s, b, EB_SCHEMA_STRICT, err, sizeof err));
    cr_assert_not_null(strstr(err, "/surprise"));
    cJSON_Delete(b);
    (void)lat;
    cJSON_Delete(doc);
    cJSON_Delete(s);
}


Test(report_schema, reader_reports_clear_errors)
{
    cJSON *t;
    char err[512];
    cr_assert_eq(eb_report_parse("{\"schema_version\": 1", &t, err, sizeof err), EB_ERR_FORMAT);
    cr_assert_not_null(strstr(err, "not valid JSON"), "%s", err);
    cr_assert_eq(eb_report_parse("{\"schema_version\": 7}", &t, err, sizeof err), EB_ERR_FORMAT);
    cr_assert_not_null(strstr(err, "schema_version 7"), "%s", err);
    cr_assert_eq(eb_report_parse("{\"schema_version\": 1}", &t, err, sizeof err), EB_ERR_FORMAT);
    cr_assert_not_null(strstr(err, "required field"), "%s", err);
    cr_assert_eq(eb_report_load("/nonexistent/r.json", &t, err, sizeof err), EB_ERR_IO);
    cr_assert_not_null(strstr(err, "cannot read '/nonexistent/r.json'"), "%s", err);
}

Test(report_schema, round_trip_is_stable)
{
    cJSON *doc = real_report("--profile", NULL);
    char *text = cJSON_Print(doc);
    cJSON *tree;
    char err[512];
    cr_assert_eq(eb_report_parse(text, &tree, err, sizeof err), EB_OK, "%s", err);
    eb_report r;
    cr_assert_eq(eb_report_from_json(tree, &r, err, sizeof err), EB_OK);
    char *again = eb_report_to_string(&r);
    cJSON *doc2 = cJSON_Parse(again);
    cr_assert_not_null(doc2);
    cr_assert(cJSON_Compare(doc, doc2, 1), "write(read(report)) differs from the report");
    eb_report_free(&r);
    free(again);
    cJSON_free(text);
    cJSON_Delete(tree);
    cJSON_Delete(doc);
    cJSON_Delete(doc2);
}


Test(report_schema, writer_keeps_exact_integers_and_nulls)
{
    eb_report r;
    eb_report_init(&r);
    snprintf(r.created_utc, sizeof r.created_utc, "2026-01-02T03:04:05Z");
    r.results = calloc(1, sizeof *r.results);
    r.n_results = 1;
    eb_report_result_init(&r.results[0]);
    r.results[0].macs = UINT64_C(18446744073709551615);
    r.results[0].fidelity.sqnr_db = INFINITY;
    r.results[0].has_fidelity = true;
    char *text = eb_report_to_string(&r);
    cr_assert_not_null(strstr(text, "\"macs\":\t18446744073709551615"), "%s", text);
    cr_assert_not_null(strstr(text, "\"sqnr_db\":\tnull"));
    cr_assert_not_null(strstr(text, "\"clock_mhz\":\tnull"));
    free(text);
    eb_report_free(&r);
}

Test(json_schema, keywords)
{
    cJSON *s = cJSON_Parse(
        "{\"type\":\"object\",\"required\":[\"a\"],\"properties\":{"
        "\"a\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":3},"
        "\"b\":{\"type\":[\"string\",\"null\"],\"minLength\":2,\"pattern\":\"^x\"},"
        "\"c\":{\"oneOf\":[{\"const\":1},{\"type\":\"integer\",\"minimum\":1}]},"
        "\"d\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/$defs/e\"},\"maxItems\":2},"
        "\"f\":{\"type\":\"object\",\"additionalProperties\":{\"type\":\"string\"}}},"
        "\"$defs\":{\"e\":{\"enum\":[\"p\",\"q\"]}}}");
    cr_assert_not_null(s);
    struct {
        const char *doc;
        bool ok;
    } cases[] = {
        {"{\"a\":2}", true},
        {"{\"a\":2.5}", false},
        {"{\"a\":4}", false},
        {"{}", false},
        {"{\"a\":1,\"b\":null}", true},
        {"{\"a\":1,\"b\":\"xy\"}", true},
        {"{\"a\":1,\"b\":\"yy\"}", false},
        {"{\"a\":1,\"b\":\"x\"}", false},
        {"{\"a\":1,\"c\":2}", true},
        {"{\"a\":1,\"c\":1}", false}, /* matches both forms of oneOf */
        {"{\"a\":1,\"d\":[\"p\",\"q\"]}", true},
        {"{\"a\":1,\"d\":[\"p\",\"r\"]}", false},
        {"{\"a\":1,\"d\":[\"p\",\"p\",\"p\"]}", false},
        {"{\"a\":1,\"f\":{\"k\":\"v\"}}", true},
        {"{\"a\":1,\"f\":{\"k\":1}}", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cJSON *d = cJSON_Parse(cases[i].doc);
        char err[256];
        bool ok = eb_json_schema_validate(s, d, 0, err, sizeof err);
        cr_assert_eq(ok, cases[i].ok, "%s: %s", cases[i].doc, err);
        cJSON_Delete(d);
    }
    cJSON_Delete(s);
    /* a keyword the validator does not know is an error, never silently ignored */
    s = cJSON_Parse("{\"uniqueItems\":true}");
    cJSON *d = cJSON_Parse("[1]");
    char err[256];
    cr_assert(!eb_json_schema_validate(s, d, 0, err, sizeof err));
    cr_assert_not_null(strstr(err, "unsupported keyword 'uniqueItems'"));
    cJSON_Delete(s);
    cJSON_Delete(d);
}
