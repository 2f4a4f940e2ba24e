/* eb_rng.h - the portable random numbers behind synthetic weights and test inputs.
 *
 * Integer generator (splitmix64 seeding xoshiro256**), so every machine and architecture
 * draws the same bits. Normal deviates are an Irwin-Hall sum of eight 16-bit uniforms,
 * scaled to unit variance: no libm call, so the values are bit-identical everywhere
 * (bounded at about +-4.9 sigma, which suits weight initialization). */
#ifndef EB_RNG_H
#define EB_RNG_H

#include <stdint.h>

typedef struct {
    uint64_t s[4];
} eb_rng;

void eb_rng_seed(eb_rng *r, uint64_t seed);
uint64_t eb_rng_next(eb_rng *r);
/* Uniform in [0, 1), 53 random bits. */
double eb_rng_uniform(eb_rng *r);
/* Approximately standard normal (see above). */
double eb_rng_normal(eb_rng *r);
/* FNV-1a of a string: seeds derived from names. */
uint64_t eb_hash_str(const char *s);

#endif
