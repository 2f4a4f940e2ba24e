/* test_report_read.c - the report reader refuses what other JSON readers would read
 * differently (duplicate keys, trailing garbage, concatenated documents, NUL bytes,
 * numbers beyond double range, invalid UTF-8) and values no run can produce, before any
 * of them reaches an integer conversion. Found by fuzzing (fuzz/fuzz_report.c). */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <string.h>

#include "eb_fixture_reports.h"
#include "eb_report.h"

/* A valid report (the harness's writer) as text; free() it. */
static char *valid_report(void)
{
    double s[8] = {1.0, 1.1, 1.2, 1.05, 0.99, 1.3, 1.01, 1.02};
    fx_result r = {.target = "host", .model = "m", .variant = "int8", .samples = s, .n = 8};
    char *t = fx_report(&r, 1, "CPU", "auto", 1);
    cr_assert_not_null(t);
    return t;
}

static eb_status parse(const char *text, char *err, size_t errlen)
{
    cJSON *tree = NULL;
    eb_status st = eb_report_parse(text, &tree, err, errlen);
    if (st == EB_OK) {
        /* what compare and plot do next: must be defined behaviour for anything accepted */
        eb_report r;
        cr_assert_eq(eb_report_from_json(tree, &r, err, errlen), EB_OK);
        eb_report_free(&r);
    }
    cJSON_Delete(tree);
    return st;
}

/* The report with one field replaced by raw JSON text: path like "results/0/threads". */
static char *with_field(const char *path, const char *raw)
{
    char *text = valid_report();
    cJSON *doc = cJSON_Parse(text);
    free(text);
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    cJSON *o = doc;
    char *save = NULL, *key = strtok_r(buf, "/", &save);
    while (key) {
        char *next = strtok_r(NULL, "/", &save);
        if (!next) {
            cJSON *v = cJSON_CreateRaw(raw);
            if (cJSON_IsArray(o))
                cJSON_ReplaceItemInArray(o, atoi(key), v);
            else
                cJSON_ReplaceItemInObjectCaseSensitive(o, key, v);
        } else {
            o = cJSON_IsArray(o) ? cJSON_GetArrayItem(o, atoi(key))
                                 : cJSON_GetObjectItemCaseSensitive(o, key);
            cr_assert_not_null(o, "%s", path);
        }
        key = next;
    }
    char *out = cJSON_Print(doc);
    cJSON_Delete(doc);
    return out;
}

Test(report_read, the_fixture_itself_is_accepted)
{
    char *t = valid_report();
    char err[512];
    cr_assert_eq(parse(t, err, sizeof err), EB_OK, "%s", err);
    free(t);
}

/* Found by the fuzzer: 6.7e119 -> long and 7.2e101 -> unsigned long in report_read.c,
 * undefined behaviour reached by compare and plot on a crafted report. */
Test(report_read, numbers_far_outside_range_are_refused)
{
    static const char *const cases[][2] = {
        {"results/0/threads", "6.7e119"},
        {"results/0/macs", "7.2e101"},
        {"results/0/params", "1e300"},
        {"results/0/latency_ms/n", "1.8446744073709552e19"},
        {"results/0/memory/weights_bytes", "1e25"},
        {"results/0/memory/peak_rss_bytes", "9.3e18"},
        {"target/memory_bytes", "6.7e119"},
        {"target/cores", "4294967296"},
        {"environment/cpu/cores", "1e19"},
        {"environment/cpu/caches/l2_kb", "3e9"},
        {"settings/warmup", "1e12"},
        {"settings/repetitions", "2147483648"},
        {"settings/max_iterations", "1e10"},
        {"settings/threads", "1e20"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *t = with_field(cases[i][0], cases[i][1]);
        char err[512] = "";
        cr_assert_eq(parse(t, err, sizeof err), EB_ERR_FORMAT, "%s = %s accepted", cases[i][0],
                     cases[i][1]);
        cr_assert_not_null(strstr(err, "violates maximum"), "%s: %s", cases[i][0], err);
        free(t);
    }
}

/* In range for a double and an integer, but no run produces them. */
Test(report_read, absurd_values_are_refused)
{
    static const char *const cases[][2] = {
        {"results/0/macs", "1000000000000000000"},  /* 10^18 MACs per inference */
        {"results/0/threads", "1000000000"},        /* 10^9 threads */
        {"results/0/latency_ms/median", "1e12"},    /* 31 years per inference */
        {"results/0/samples_ms/3", "1e15"},
        {"results/0/throughput_ips", "1e15"},
        {"results/0/energy/joules_per_inference", "1e20"},
        {"target/power_model/active_w", "1e9"},
        {"target/clock_mhz", "1e9"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *t = with_field(cases[i][0], cases[i][1]);
        char err[512] = "";
        cr_assert_eq(parse(t, err, sizeof err), EB_ERR_FORMAT, "%s = %s accepted", cases[i][0],
                     cases[i][1]);
        free(t);
    }
}

/* Other JSON readers take the last of duplicated keys, cJSON the first: two tools
 * would read two different reports from one file. */
Test(report_read, duplicate_keys_are_refused)
{
    char *t = valid_report();
    char *at = strstr(t, "\"complete\":");
    cr_assert_not_null(at);
    size_t n = strlen(t);
    char *dup = malloc(n + 64);
    size_t pre = (size_t)(at - t);
    memcpy(dup, t, pre);
    strcpy(dup + pre, "\"complete\": false, ");
    strcat(dup, at);
    char err[512] = "";
    cr_assert_eq(parse(dup, err, sizeof err), EB_ERR_FORMAT, "a duplicated key was accepted");
    cr_assert_not_null(strstr(err, "'complete' twice"), "%s", err);
    free(dup);
    /* nested, too */
    char *u = strstr(t, "\"rss_method\":");
    cr_assert_not_null(u);
    dup = malloc(n + 64);
    pre = (size_t)(u - t);
    memcpy(dup, t, pre);
    strcpy(dup + pre, "\"rss_method\": \"x\", ");
    strcat(dup, u);
    cr_assert_eq(parse(dup, err, sizeof err), EB_ERR_FORMAT);
    cr_assert_not_null(strstr(err, "/results/0/memory"), "%s", err);
    free(dup);
    free(t);
}

Test(report_read, trailing_garbage_and_concatenated_documents_are_refused)
{
    char *t = valid_report();
    size_t n = strlen(t);
    char *b = malloc(2 * n + 16);
    char err[512];
    snprintf(b, 2 * n + 16, "%s\n\n", t);
    cr_assert_eq(parse(b, err, sizeof err), EB_OK, "trailing whitespace is fine: %s", err);
    snprintf(b, 2 * n + 16, "%sx", t);
    cr_assert_eq(parse(b, err, sizeof err), EB_ERR_FORMAT, "trailing garbage accepted");
    cr_assert_not_null(strstr(err, "follows the document"), "%s", err);
    snprintf(b, 2 * n + 16, "%s%s", t, t);
    cr_assert_eq(parse(b, err, sizeof err), EB_ERR_FORMAT, "two documents accepted");
    free(b);
    free(t);
}

Test(report_read, nul_bytes_and_unrepresentable_numbers_are_refused)
{
    char *t = valid_report();
    size_t n = strlen(t);
    char dir[128], path[256];
    fx_tmpdir(dir, sizeof dir, "rread");
    snprintf(path, sizeof path, "%s/r.json", dir);
    /* a NUL byte: C strings would end the report there and ignore the rest */
    FILE *f = fopen(path, "wb");
    fwrite(t, 1, n, f);
    fwrite("\0{\"x\":1}", 1, 8, f);
    fclose(f);
    cJSON *tree = NULL;
    char err[512] = "";
    cr_assert_eq(eb_report_load(path, &tree, err, sizeof err), EB_ERR_FORMAT);
    cr_assert_not_null(strstr(err, "NUL"), "%s", err);
    cJSON_Delete(tree);
    fx_rmdir(dir);
    free(t);

    char *big = with_field("results/0/latency_ms/p99", "1e999"); /* inf after strtod */
    cr_assert_eq(parse(big, err, sizeof err), EB_ERR_FORMAT);
    cr_assert_not_null(strstr(err, "outside the range"), "%s", err);
    free(big);
    char *bad = with_field("results/0/name", "\"m\xff\xfe\"");
    cr_assert_eq(parse(bad, err, sizeof err), EB_ERR_FORMAT);
    cr_assert_not_null(strstr(err, "UTF-8"), "%s", err);
    free(bad);
}

/* A string longer than the struct field it is read into is cut at a character boundary:
 * the copy is still UTF-8 (a cut 'é' would not be), for whatever prints or writes it. */
Test(report_read, long_strings_are_cut_between_characters)
{
    char name[450] = "\"";
    for (int i = 0; i < 200; i++)
        strcat(name, "\xc3\xa9");
    strcat(name, "\"");
    char *t = with_field("results/0/name", name);
    cJSON *tree = NULL;
    char err[512];
    cr_assert_eq(eb_report_parse(t, &tree, err, sizeof err), EB_OK, "%s", err);
    eb_report r;
    cr_assert_eq(eb_report_from_json(tree, &r, err, sizeof err), EB_OK);
    size_t n = strlen(r.results[0].name);
    cr_assert_lt(n, sizeof r.results[0].name);
    cr_assert_eq(n % 2, 0, "a two-byte character was cut: %zu bytes", n);
    for (size_t i = 0; i < n; i += 2)
        cr_assert(r.results[0].name[i] == '\xc3' && r.results[0].name[i + 1] == '\xa9');
    eb_report_free(&r);
    cJSON_Delete(tree);
    free(t);
}
