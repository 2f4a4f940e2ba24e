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
    cr_assert_float_eq(t.memory_bandwidth_gbs, 12.8, 1e-9);
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
