/* mlperf_reply_seeds.c - the seed corpus of fuzz_mlperf_reply: what MLPerf Tiny devices
 * send (as tests/mlperf_fake.h plays them), one reply per file, byte 0 choosing the
 * command whose reply it is (see fuzz_mlperf_reply.c).
 *   mlperf_reply_seeds DIR */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static const struct {
    const char *name;
    unsigned char command; /* 0 name, 1 profile, 2 timestamp, 3 db load, 4 db, 5 infer */
    const char *text;
} seeds[] = {
    {"boot_then_name", 0,
     "m-timestamp-mode-performance\r\nm-init-done\r\nm-ready\r\nm-name-dut-[unspecified]\r\n"
     "m-ready\r\n"},
    {"energy_boot", 0, "m-timestamp-mode-energy\r\nm-init-done\r\nm-ready\r\n"},
    {"name_error_spam", 0, "m-name-dut-[x]\r\ne-[name unavailable]\r\nstill talking 0\r\n"},
    {"interface_board", 0,
     "m-ready\r\ntinyML Enhanced Interface Board\r\nm-ready\r\nm-dut-passthrough(name)\r\n"
     "m-ready\r\n[dut]: m-name-dut-[unspecified]\r\n[dut]: m-ready\r\n"},
    {"profile", 1,
     "m-profile-[ULPMark for tinyML Firmware V0.0.1]\r\nm-model-[kws01]\r\nm-ready\r\n"},
    {"hostile_profile", 1, "m-profile-[\x01\"q\xff]\r\nm-model-[]\r\nm-ready\r\n"},
    {"timestamp", 2, "m-lap-us-4294967295\r\nm-ready\r\n"},
    {"energy_timestamp", 2, "m-ready\r\n"},
    {"db_load", 3, "m-[Expecting 490 bytes]\r\nm-ready\r\n"},
    {"db_too_big", 3, "Supplied buffer size 99999 exceeds maximum of 27648\nm-ready\r\n"},
    {"db_done", 4, "m-load-done\r\nm-ready\r\n"},
    {"infer", 5,
     "m-warmup-start-5\r\nm-warmup-done\r\nm-infer-start-10\r\nm-lap-us-1000\r\ndbg 1\r\n"
     "dbg 2\r\nm-lap-us-13340\r\nm-infer-done\r\nm-results-[0.012,0.950,0.038]\r\nm-ready\r\n"},
    {"infer_wrap", 5,
     "m-infer-start-10\r\nm-lap-us-4294967000\r\nm-lap-us-500\r\nm-infer-done\r\nm-ready\r\n"},
    {"infer_reset", 5,
     "m-infer-start-3\r\nm-lap-us-10\r\nm-timestamp-mode-performance\r\nm-init-done\r\n"
     "m-ready\r\n"},
    {"infer_complaint", 5,
     "Input db has 0 elemented, expected 490\r\nm-warmup-start-0\r\nm-warmup-done\r\n"
     "m-infer-start-1\r\nm-lap-us-5\r\nm-lap-us-9\r\nm-infer-done\r\nm-ready\r\n"},
};

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: mlperf_reply_seeds DIR\n");
        return 2;
    }
    if (mkdir(argv[1], 0755) != 0 && errno != EEXIST) {
        perror(argv[1]);
        return 1;
    }
    for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", argv[1], seeds[i].name);
        FILE *f = fopen(path, "wb");
        if (!f || fputc(seeds[i].command, f) == EOF ||
            fwrite(seeds[i].text, 1, strlen(seeds[i].text), f) != strlen(seeds[i].text) ||
            fclose(f) != 0) {
            perror(path);
            return 1;
        }
    }
    return 0;
}
