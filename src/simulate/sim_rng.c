/*
 * Random streams for the simulator: xoshiro256** (Blackman and Vigna), seeded
 * through splitmix64 so that nearby seeds and stream numbers give unrelated
 * streams. Only integer arithmetic decides the raw numbers; the helpers that
 * return doubles use log() and exp() from the C library.
 */
#include <math.h>
#include <string.h>

#include "sim_internal.h"

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

void sim_rng_seed(sim_rng *r, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed ^ (stream * UINT64_C(0xd1b54a32d192ed03));
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
}

uint64_t sim_rng_next(sim_rng *r)
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

uint64_t sim_rng_below(sim_rng *r, uint64_t n)
{
    if (n == 0)
        return 0;
    /* Rejection keeps the result exactly uniform. */
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do
        x = sim_rng_next(r);
    while (x >= limit);
    return x % n;
}

int64_t sim_rng_range(sim_rng *r, int64_t lo, int64_t hi)
{
    if (hi <= lo)
        return lo;
    return lo + (int64_t)sim_rng_below(r, (uint64_t)(hi - lo) + 1);
}

double sim_rng_unit(sim_rng *r)
{
    return (double)(sim_rng_next(r) >> 11) * 0x1.0p-53;
}

bool sim_rng_chance(sim_rng *r, double p)
{
    return sim_rng_unit(r) < p;
}

double sim_rng_exp(sim_rng *r, double mean)
{
    return -mean * log(1.0 - sim_rng_unit(r));
}

uint64_t sim_rng_log_range(sim_rng *r, uint64_t lo, uint64_t hi)
{
    if (lo == 0)
        lo = 1;
    if (hi <= lo)
        return lo;
    double v = exp(log((double)lo) + sim_rng_unit(r) * (log((double)hi) - log((double)lo)));
    uint64_t n = (uint64_t)v;
    if (n < lo)
        return lo;
    if (n > hi)
        return hi;
    return n;
}

uint64_t sim_hash(const char *text, uint64_t n)
{
    /* FNV-1a over the text, then one splitmix64 round to mix in n. */
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (size_t i = 0; text[i]; i++) {
        h ^= (unsigned char)text[i];
        h *= UINT64_C(0x100000001b3);
    }
    h ^= n;
    return splitmix64(&h);
}
