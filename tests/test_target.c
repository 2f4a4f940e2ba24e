/* test_target.c - target descriptions: targets/host.json, parse errors, name lookup,
 * `edgebench list targets`. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "eb_target.h"
#include "eb_test_cmd.h"

Test(target, host_json_loads_with_auto_fields)
{
    eb_target t;
    char err[512];
    cr_assert_eq(eb_target_load("host", &t, err, sizeof err), EB_OK, "%s", err);
    cr_assert_str_eq(t.desc.name, "host");
    cr_assert_str_eq(t.desc.transport, "local");
    cr_assert(!t.desc.emulated);
    cr_assert_eq(t.desc.cores, (int32_t)sysconf(_SC_NPROCESSORS_ONLN));
    cr_assert(t.desc.memory_bytes > 0);
    cr_assert(t.desc.arch[0]);
    cr_assert(t.desc.power_model.active_w >= t.desc.power_model.idle_w);
    cr_assert_not_null(strstr(t.desc.power_model.source, "estimate"),
                       "the host's power model says it is an estimate");
    cr_assert(isnan(t.desc.clock_mhz));
}

Test(target, load_by_file_path)
{
    eb_target t;
    char err[512];
    cr_assert_eq(eb_target_load(EB_SOURCE_DIR "/targets/host.json", &t, err, sizeof err), EB_OK,
                 "%s", err);
    cr_assert_str_eq(t.desc.name, "host");
}

Test(target, unknown_name_lists_valid_ones)
{
    eb_target t;
    char err[512];
    cr_assert_eq(eb_target_load("rpi9", &t, err, sizeof err), EB_ERR_ARG);
    cr_assert_not_null(strstr(err, "unknown target 'rpi9'; valid names: "), "%s", err);
    cr_assert_not_null(strstr(err, "host"), "%s", err);
}

Test(target, parse_errors_name_the_problem)
{
    static const struct {
        const char *json, *needle;
    } cases[] = {
        {"[1]", "not a JSON object"},
        {"{\"name\":\"b\",\"transport\":\"usb\"}", "'transport' must be"},
        {"{\"name\":\"b\",\"transport\":\"serial\",\"arch\":\"auto\"}", "'arch' must be"},
        {"{\"name\":\"b\",\"transport\":\"serial\",\"arch\":\"aarch64\",\"cores\":0}",
         "'cores' must be"},
        {"{\"name\":\"b\",\"transport\":\"serial\",\"arch\":\"aarch64\",\"cores\":4}",
         "'power_model' must be"},
        {"{\"name\":\"b\",\"transport\":\"serial\",\"arch\":\"aarch64\",\"cores\":4,"
         "\"power_model\":{\"idle_w\":3,\"active_w\":2,\"source\":\"x\"}}",
         "active_w >= idle_w"},
        {"{\"name\":\"b\",\"transport\":\"serial\",\"arch\":\"aarch64\",\"cores\":4,"
         "\"power_model\":{\"idle_w\":2,\"active_w\":6}}",
         "must say where the figures come from"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        eb_target t;
        char err[512];
        cr_assert_eq(eb_target_parse(cases[i].json, "b.json", &t, err, sizeof err),
                     EB_ERR_FORMAT, "%s accepted", cases[i].json);
        cr_assert(!strncmp(err, "b.json: ", 8), "%s", err);
        cr_assert_not_null(strstr(err, cases[i].needle), "'%s' not in '%s'", cases[i].needle,
                           err);
    }
    eb_target t;
    char err[512];
    cr_assert_eq(eb_target_parse("{\"name\":\"b\",\"transport\":\"serial\",\"arch\":\"aarch64\","
                                 "\"cores\":4,\"clock_mhz\":1500,\"memory_bytes\":4294967296,"
                                 "\"price_usd\":55,\"device\":\"/dev/ttyUSB0\",\"baud\":115200,"
                                 "\"power_model\":{\"idle_w\":2.7,\"active_w\":6.4,"
                                 "\"source\":\"meter\"}}",
                                 "b.json", &t, err, sizeof err),
                 EB_OK, "%s", err);
    cr_assert_eq(t.desc.memory_bytes, INT64_C(4294967296));
    cr_assert_float_eq(t.desc.clock_mhz, 1500, 1e-9);
    cr_assert_str_eq(t.device, "/dev/ttyUSB0");
    cr_assert_eq(t.baud, 115200);
}

Test(target, study_figures_are_read_or_nan)
{
    eb_target t;
    char err[512];
    cr_assert_eq(eb_target_load("rpi4", &t, err, sizeof err), EB_OK, "%s", err);
    cr_assert_float_eq(t.memory_bandwidth_gbs, 5.5, 1e-9, "measured STREAM copy (targets/rpi4.json sources)");
    cr_assert_float_eq(t.macs_per_cycle_fp32, 8, 1e-9);
    cr_assert_float_eq(t.macs_per_cycle_int8, 16, 1e-9);
    cr_assert_float_eq(t.peak_gmacs_fp32, 48, 1e-9);
    cr_assert_float_eq(t.peak_gmacs_int8, 96, 1e-9);
    cr_assert_eq(eb_target_load("host", &t, err, sizeof err), EB_OK, "%s", err);
    cr_assert(isnan(t.memory_bandwidth_gbs) && isnan(t.macs_per_cycle_fp32) &&
              isnan(t.macs_per_cycle_int8) && isnan(t.peak_gmacs_fp32) &&
              isnan(t.peak_gmacs_int8), "absent figures are unknown, not 0");
}

Test(target, list_targets_command)
{
    eb_cmd_capture c = eb_test_cmd(eb_cmd_list, "list", "targets", NULL);
    cr_assert_eq(c.rc, 0, "%s", c.err);
    cr_assert_not_null(strstr(c.out, "\nhost "), "%s", c.out);
    cr_assert_not_null(strstr(c.out, "local"), "%s", c.out);
    eb_test_cmd_free(&c);
}

/* A board description with one power/size field replaced: {FIELD} in the template. */
static void parse_with(const char *field, const char *value, eb_status want, const char *needle)
{
    char json[1024];
    const char *pm_idle = !strcmp(field, "idle_w") ? value : "2";
    const char *pm_act = !strcmp(field, "active_w") ? value : "6";
    snprintf(json, sizeof json,
             "{\"name\":\"b\",\"transport\":\"serial\",\"arch\":\"aarch64\",\"cores\":%s,"
             "\"clock_mhz\":%s,\"memory_bytes\":%s,\"price_usd\":%s,\"baud\":%s,"
             "\"power_model\":{\"idle_w\":%s,\"active_w\":%s,\"source\":\"x\"}}",
             !strcmp(field, "cores") ? value : "4", !strcmp(field, "clock_mhz") ? value : "1500",
             !strcmp(field, "memory_bytes") ? value : "4294967296",
             !strcmp(field, "price_usd") ? value : "55", !strcmp(field, "baud") ? value : "115200",
             pm_idle, pm_act);
    eb_target t;
    char err[512] = "";
    eb_status st = eb_target_parse(json, "b.json", &t, err, sizeof err);
    cr_assert_eq(st, want, "%s = %s: %s", field, value, err);
    if (needle)
        cr_assert_not_null(strstr(err, needle), "%s = %s: '%s' not in '%s'", field, value,
                           needle, err);
}

/* Found by fuzzing target.c: inf (1e999 parses to it) and huge values were converted to
 * integers (baud, memory_bytes: undefined behaviour) or accepted as watts and prices. */
Test(target, infinite_and_huge_numbers_are_refused)
{
    static const char *const huge[] = {"1e999", "-1e999", "1e300", "5.11e308", "9.3e18"};
    static const char *const fields[] = {"clock_mhz", "memory_bytes", "price_usd", "idle_w",
                                         "active_w", "baud", "cores"};
    for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++)
        for (size_t v = 0; v < sizeof huge / sizeof huge[0]; v++)
            parse_with(fields[f], huge[v], EB_ERR_FORMAT, fields[f]);
    parse_with("memory_bytes", "4294967296.5", EB_ERR_FORMAT, "memory_bytes");
    parse_with("baud", "115200.5", EB_ERR_FORMAT, "baud");
    parse_with("memory_bytes", "1125899906842624", EB_OK, NULL); /* 1 PiB: the limit */
    parse_with("active_w", "1000000", EB_OK, NULL);
    parse_with("clock_mhz", "1000000", EB_OK, NULL);
}

Test(target, duplicate_keys_and_trailing_garbage_are_refused)
{
    eb_target t;
    char err[512];
    const char *base = "{\"name\":\"b\",\"transport\":\"serial\",\"arch\":\"aarch64\",\"cores\":4,"
                       "\"power_model\":{\"idle_w\":2,\"active_w\":6,\"source\":\"x\"}}";
    cr_assert_eq(eb_target_parse(base, "b.json", &t, err, sizeof err), EB_OK, "%s", err);
    char buf[1024];
    snprintf(buf, sizeof buf, "%s{}", base);
    cr_assert_eq(eb_target_parse(buf, "b.json", &t, err, sizeof err), EB_ERR_FORMAT);
    cr_assert_not_null(strstr(err, "follows"), "%s", err);
    snprintf(buf, sizeof buf, "{\"cores\":64,%s", base + 1);
    cr_assert_eq(eb_target_parse(buf, "b.json", &t, err, sizeof err), EB_ERR_FORMAT);
    cr_assert_not_null(strstr(err, "'cores' twice"), "%s", err);
}

/* active_w 5.11e308 parsed to a finite double, was accepted, and the energy estimate
 * (active_w x latency) overflowed to infinity: the report written failed the schema. */
Test(target, run_refuses_a_power_model_beyond_range)
{
    char dir[64], tf[128], out[128];
    eb_test_tmpdir(dir, sizeof dir);
    snprintf(tf, sizeof tf, "%s/hot.json", dir);
    snprintf(out, sizeof out, "%s/r.json", dir);
    FILE *f = fopen(tf, "w");
    fprintf(f, "{\"name\":\"hot\",\"transport\":\"local\",\"arch\":\"auto\",\"cores\":\"auto\","
               "\"power_model\":{\"idle_w\":3,\"active_w\":5.11e308,\"source\":\"x\"}}\n");
    fclose(f);
    eb_cmd_capture c = eb_test_cmd(eb_cmd_run, "run", "--target", tf, "--model",
                                   "fc_autoencoder_int8", "--min-iterations", "2",
                                   "--repetitions", "1", "--warmup", "1", "--warmup-time", "0",
                                   "--min-time", "0", "--quiet", "--out", out, NULL);
    cr_assert_eq(c.rc, EB_EXIT_USAGE, "rc %d: %s", c.rc, c.err);
    cr_assert_not_null(strstr(c.err, "active_w"), "%s", c.err);
    cr_assert_neq(access(out, F_OK), 0, "no report is written");
    eb_test_cmd_free(&c);
    unlink(tf);
    rmdir(dir);
}

#define PUB_HEAD                                                                          \
    "{\"name\":\"b\",\"transport\":\"serial\",\"arch\":\"aarch64\",\"cores\":4,"          \
    "\"power_model\":{\"idle_w\":2,\"active_w\":6,\"source\":\"m\"},\"published\":["
#define PUB_SRC "\"source\":{\"title\":\"T\",\"date\":\"2022\",\"url\":\"https://x\"}"

Test(target, published_list_is_validated)
{
    eb_target t;
    char err[512];
    cr_assert_eq(eb_target_parse(PUB_HEAD "{\"model\":\"mobilenet_v2_int8\",\"runtime\":\"R\","
                                 "\"threads\":4,\"os_bits\":32,\"latency_ms\":20," PUB_SRC
                                 ",\"note\":\"n\"}]}",
                                 "b.json", &t, err, sizeof err),
                 EB_OK, "%s", err);
    cr_assert_eq(t.n_published, 1);
    cr_assert_str_eq(t.published[0].model, "mobilenet_v2_int8");
    cr_assert_eq(t.published[0].threads, 4);
    cr_assert_eq(t.published[0].os_bits, 32);
    cr_assert_float_eq(t.published[0].latency_ms, 20, 1e-12);
    cr_assert_str_eq(t.published[0].url, "https://x");
    static const struct {
        const char *entry, *needle;
    } bad[] = {
        {"{\"model\":\"m\",\"runtime\":\"R\",\"threads\":5,\"os_bits\":64,\"latency_ms\":1," PUB_SRC "}",
         "threads"},
        {"{\"model\":\"m\",\"runtime\":\"R\",\"threads\":1,\"os_bits\":16,\"latency_ms\":1," PUB_SRC "}",
         "os_bits"},
        {"{\"model\":\"m\",\"runtime\":\"R\",\"threads\":1,\"os_bits\":64,\"latency_ms\":0," PUB_SRC "}",
         "latency_ms"},
        {"{\"model\":\"m\",\"runtime\":\"R\",\"threads\":1,\"os_bits\":64,\"latency_ms\":1,"
         "\"source\":{\"title\":\"T\",\"date\":\"\",\"url\":\"u\"}}",
         "source"},
        {"{\"runtime\":\"R\",\"threads\":1,\"os_bits\":64,\"latency_ms\":1," PUB_SRC "}", "model"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char json[1024];
        snprintf(json, sizeof json, PUB_HEAD "%s]}", bad[i].entry);
        cr_assert_eq(eb_target_parse(json, "b.json", &t, err, sizeof err), EB_ERR_FORMAT,
                     "%s accepted", bad[i].entry);
        cr_assert_not_null(strstr(err, bad[i].needle), "'%s' not in '%s'", bad[i].needle, err);
    }
}

Test(target, shipped_pi_targets_carry_their_published_figures)
{
    eb_target t;
    char err[512];
    cr_assert_eq(eb_target_load("rpi4", &t, err, sizeof err), EB_OK, "%s", err);
    cr_assert_eq(t.n_published, 8, "XNNPACK's Pi 4 table: v1/v2 x fp32/int8 x 32/64-bit");
    cr_assert_eq(eb_target_load("rpi3", &t, err, sizeof err), EB_OK, "%s", err);
    cr_assert_eq(t.n_published, 0, "no public figure for the Pi 3 on a 64-bit OS");
}

/* Found by fuzz/fuzz_target.c: a power_model.source longer than the report's field, made
 * of multi-byte UTF-8, was cut in the middle of a character; the report then held a
 * string that is not UTF-8 (and edgebench refused to write it). A text field longer than
 * a report can hold is refused with its name, like "name" already was. */
Test(target, overlong_text_fields_are_refused_not_cut)
{
    char src[700] = "";
    for (int i = 0; i < 200; i++)
        strcat(src, "\xc3\xa9"); /* 400 bytes of 'é' */
    strcat(src, "xx");
    for (int i = 0; i < 80; i++)
        strcat(src, "\xe2\x8d\xb2"); /* 240 more: 642 bytes */
    char json[2048];
    eb_target t;
    char err[512] = "";
    snprintf(json, sizeof json,
             "{\"name\":\"b\",\"transport\":\"serial\",\"arch\":\"aarch64\",\"cores\":4,"
             "\"power_model\":{\"idle_w\":2,\"active_w\":6,\"source\":\"%s\"}}", src);
    cr_assert_eq(eb_target_parse(json, "b.json", &t, err, sizeof err), EB_ERR_FORMAT,
                 "a 642-byte source was accepted");
    cr_assert_not_null(strstr(err, "power_model.source"), "%s", err);
    snprintf(json, sizeof json,
             "{\"name\":\"b\",\"transport\":\"serial\",\"arch\":\"%.40s\",\"cores\":4,"
             "\"power_model\":{\"idle_w\":2,\"active_w\":6,\"source\":\"x\"}}", src);
    cr_assert_eq(eb_target_parse(json, "b.json", &t, err, sizeof err), EB_ERR_FORMAT);
    cr_assert_not_null(strstr(err, "'arch'"), "%s", err);
    snprintf(json, sizeof json,
             "{\"name\":\"b\",\"transport\":\"serial\",\"arch\":\"aarch64\",\"cores\":4,"
             "\"cpu\":\"%.100s\",\"power_model\":{\"idle_w\":2,\"active_w\":6,\"source\":\"x\"}}",
             src);
    cr_assert_eq(eb_target_parse(json, "b.json", &t, err, sizeof err), EB_ERR_FORMAT);
    cr_assert_not_null(strstr(err, "'cpu'"), "%s", err);
}
