/* test_agent_proto.c - the agent protocol primitives (targets/agent/eb_proto.c). */
#include <criterion/criterion.h>
#include <string.h>
#include <unistd.h>

#include "eb_proto.h"

Test(agent_proto, crc_check_values)
{
    cr_assert_eq(eb_proto_crc16("123456789", 9), 0x29B1);
    cr_assert_eq(eb_proto_crc32(0, "123456789", 9), 0xCBF43926u);
    /* incremental CRC-32 equals one pass */
    uint32_t c = eb_proto_crc32(0, "1234", 4);
    cr_assert_eq(eb_proto_crc32(c, "56789", 5), 0xCBF43926u);
}

Test(agent_proto, seal_then_check_round_trip)
{
    char buf[64] = "s 12 345678";
    size_t n = eb_proto_seal(buf, strlen(buf), sizeof buf);
    cr_assert_eq(n, strlen("s 12 345678") + 8);
    cr_assert_eq(buf[n - 2], '\r');
    cr_assert_eq(buf[n - 1], '\n');
    buf[n - 2] = '\0';
    cr_assert_eq(eb_proto_check(buf), 1);
    cr_assert_str_eq(buf, "s 12 345678");
}

Test(agent_proto, check_rejects_a_flipped_bit_and_accepts_plain_lines)
{
    char buf[64] = "done n=5";
    size_t n = eb_proto_seal(buf, strlen(buf), sizeof buf);
    buf[n - 2] = '\0';
    buf[2] ^= 0x04;
    cr_assert_eq(eb_proto_check(buf), -1);
    char plain[] = "help";
    cr_assert_eq(eb_proto_check(plain), 0);
    cr_assert_str_eq(plain, "help");
    char junk[] = "abc *ZZZZ"; /* not hex: no checksum present */
    cr_assert_eq(eb_proto_check(junk), 0);
}

Test(agent_proto, seal_refuses_overlong_lines)
{
    static char buf[EB_PROTO_MAX_LINE + 64];
    memset(buf, 'a', EB_PROTO_MAX_LINE);
    cr_assert_eq(eb_proto_seal(buf, EB_PROTO_MAX_LINE, sizeof buf), 0);
    cr_assert_neq(eb_proto_seal(buf, EB_PROTO_MAX_LINE - 6, sizeof buf), 0);
}

Test(agent_proto, base64_round_trip_every_tail)
{
    uint8_t src[EB_PROTO_CHUNK_BYTES], back[EB_PROTO_CHUNK_BYTES];
    for (size_t i = 0; i < sizeof src; i++)
        src[i] = (uint8_t)(i * 37 + 11);
    char enc[EB_PROTO_CHUNK_BYTES * 2];
    for (size_t n = 1; n <= 7; n++) {
        size_t el = eb_base64_encode(src, n, enc, sizeof enc);
        cr_assert_eq(el, (n + 2) / 3 * 4);
        cr_assert_eq(eb_base64_decode(enc, el, back, sizeof back), (long)n);
        cr_assert_arr_eq(back, src, n);
    }
    size_t el = eb_base64_encode(src, sizeof src, enc, sizeof enc);
    cr_assert_lt(el + 40, (size_t)EB_PROTO_MAX_LINE, "a full chunk fits on one line");
    cr_assert_eq(eb_base64_decode(enc, el, back, sizeof back), (long)sizeof src);
    cr_assert_eq(memcmp(back, src, sizeof src), 0);
    cr_assert_str_eq((eb_base64_encode("foobar", 6, enc, sizeof enc), enc), "Zm9vYmFy");
}

Test(agent_proto, base64_rejects_bad_input_and_overflow)
{
    uint8_t out[4];
    cr_assert_eq(eb_base64_decode("Zm9", 3, out, sizeof out), -1);      /* not a multiple of 4 */
    cr_assert_eq(eb_base64_decode("Zm!v", 4, out, sizeof out), -1);     /* bad character */
    cr_assert_eq(eb_base64_decode("Zg==Zg==", 8, out, sizeof out), -1); /* data after pad */
    cr_assert_eq(eb_base64_decode("Zm9vYmFy", 8, out, sizeof out), -1); /* 6 bytes > 4 */
    cr_assert_eq(eb_base64_decode("Zm8=", 4, out, sizeof out), 2);
}

Test(agent_proto, u64_parse_is_strict)
{
    uint64_t v;
    cr_assert(eb_proto_u64("123", 1000, &v));
    cr_assert_eq(v, 123);
    cr_assert_not(eb_proto_u64("1001", 1000, &v));
    cr_assert_not(eb_proto_u64("12a", 1000, &v));
    cr_assert_not(eb_proto_u64("", 1000, &v));
    cr_assert_not(eb_proto_u64("-1", 1000, &v));
    cr_assert_not(eb_proto_u64("99999999999999999999999", UINT64_MAX, &v));
}

Test(agent_proto, split_and_kv)
{
    char line[] = "info name=ds_cnn_int8  macs=2700000 arena_bytes=1";
    char *w[8];
    int n = eb_proto_split(line, w, 8);
    cr_assert_eq(n, 4);
    cr_assert_str_eq(eb_proto_kv(w, n, "macs"), "2700000");
    cr_assert_str_eq(eb_proto_kv(w, n, "name"), "ds_cnn_int8");
    cr_assert_null(eb_proto_kv(w, n, "mac"));
}

Test(agent_proto, linereader_splits_crlf_bounds_length_and_times_out)
{
    int p[2];
    cr_assert_eq(pipe(p), 0);
    eb_linereader r;
    eb_linereader_init(&r, p[0]);
    char line[EB_PROTO_MAX_LINE + 1];
    cr_assert_eq(write(p[1], "one\r\ntwo\rthr", 12), 12);
    cr_assert_eq(eb_linereader_get(&r, line, sizeof line, 1000), EB_OK);
    cr_assert_str_eq(line, "one");
    cr_assert_eq(eb_linereader_get(&r, line, sizeof line, 1000), EB_OK);
    cr_assert_str_eq(line, "two");
    /* "thr" has no end yet: a bounded wait, then timeout */
    int64_t t0 = eb_mono_ms();
    cr_assert_eq(eb_linereader_get(&r, line, sizeof line, 100), EB_ERR_TIMEOUT);
    cr_assert_lt(eb_mono_ms() - t0, 2000);
    cr_assert_eq(write(p[1], "ee\n", 3), 3);
    cr_assert_eq(eb_linereader_get(&r, line, sizeof line, 1000), EB_OK);
    cr_assert_str_eq(line, "three");
    /* an overlong line is dropped whole and reported; the next line is intact */
    static char big[EB_PROTO_MAX_LINE * 3];
    memset(big, 'x', sizeof big);
    cr_assert_eq(write(p[1], big, sizeof big), (ssize_t)sizeof big);
    cr_assert_eq(write(p[1], "\nok\n", 4), 4);
    eb_status st;
    do
        st = eb_linereader_get(&r, line, sizeof line, 1000);
    while (st == EB_ERR_TIMEOUT);
    cr_assert_eq(st, EB_ERR_NOMEM);
    cr_assert_eq(eb_linereader_get(&r, line, sizeof line, 1000), EB_OK);
    cr_assert_str_eq(line, "ok");
    close(p[1]);
    cr_assert_eq(eb_linereader_get(&r, line, sizeof line, 1000), EB_ERR_IO);
    close(p[0]);
}
