/* rng.c - portable deterministic random numbers (see eb_rng.h). */
#include "eb_rng.h"

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

void eb_rng_seed(eb_rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t eb_rng_next(eb_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double eb_rng_uniform(eb_rng *r)
{
    return (double)(eb_rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

double eb_rng_normal(eb_rng *r)
{
    /* Eight uniforms on [0, 1) from 16-bit fields; their sum has mean 4 and variance
     * 8/12. Integer sum first, so the only float operations are exact or correctly
     * rounded (one multiply, one subtract). */
    uint64_t a = eb_rng_next(r), b = eb_rng_next(r);
    uint64_t sum = 0;
    for (int i = 0; i < 4; i++) {
        sum += (a >> (16 * i)) & 0xffff;
        sum += (b >> (16 * i)) & 0xffff;
    }
    /* (sum + 4) / 65536 centres each 16-bit uniform on its cell: mean exactly 4. */
    double u = ((double)sum + 4.0) * (1.0 / 65536.0) - 4.0;
    return u * 1.2247448713915890; /* sqrt(12 / 8) */
}

uint64_t eb_hash_str(const char *s)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= UINT64_C(0x100000001b3);
    }
    return h;
}
