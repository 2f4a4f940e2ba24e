/* fuzz_telnet.c - the telnet / RFC 2217 decoder (targets/telnet.c) on whatever a serial
 * server sends: the first byte picks how the rest is split into reads (a command may be
 * cut anywhere). Never more data out than in, the subnegotiation buffer bounded. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "eb_telnet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    size_t step = 1 + data[0] % 64;
    eb_telnet t;
    eb_telnet_init(&t, -1); /* answers are dropped */
    for (size_t i = 1; i < size; i += step) {
        size_t k = size - i < step ? size - i : step;
        char buf[64];
        memcpy(buf, data + i, k);
        size_t d = eb_telnet_filter(&t, buf, k);
        if (d > k || t.sb_len > EB_TELNET_SB_MAX)
            abort();
    }
    return 0;
}
