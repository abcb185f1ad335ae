/*
 * Measures the IP-to-ASN index: build time and memory for a database, and
 * lookups per second on random IPv4 and IPv6 addresses, one thread.
 * Usage: asn_bench PATH [LOOKUPS]   (PATH as infrahunt's --asn-db takes it)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../src/enrich/asn.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Peak resident memory of this process in KiB, from /proc/self/status. */
static long peak_rss_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;
    while (f && fgets(line, sizeof(line), f))
        if (strncmp(line, "VmHWM:", 6) == 0)
            kib = strtol(line + 6, NULL, 10);
    if (f)
        fclose(f);
    return kib;
}

static uint64_t next_random(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: asn_bench PATH [LOOKUPS]\n");
        return 2;
    }
    long lookups = argc > 2 ? strtol(argv[2], NULL, 10) : 10000000;
    long rss_before = peak_rss_kib();
    double t0 = now_s();
    asn_db *db;
    char err[1024];
    if (asn_db_open(argv[1], &db, err, sizeof(err)) < 0) {
        fprintf(stderr, "asn_bench: %s\n", err);
        return 1;
    }
    double load = now_s() - t0;
    asn_db_stats st;
    asn_db_get_stats(db, &st);

    uint64_t seed = 0x2545F4914F6CDD1Du, found = 0;
    double best4 = 0, best6 = 0;
    for (int family = 4; family <= 6; family += 2) {
        for (int rep = 0; rep < 3; rep++) {
            double t = now_s();
            for (long i = 0; i < lookups; i++) {
                ih_addr a = {(uint8_t)family, {0}};
                uint64_t r = next_random(&seed);
                memcpy(a.bytes, &r, 8);
                if (family == 6) {
                    a.bytes[0] = 0x20; /* global unicast, 2000::/3 */
                    a.bytes[1] = (uint8_t)(r >> 56) & 0x0f;
                }
                asn_info info;
                found += asn_db_lookup(db, &a, &info);
            }
            double rate = lookups / (now_s() - t);
            if (family == 4 && rate > best4)
                best4 = rate;
            if (family == 6 && rate > best6)
                best6 = rate;
        }
    }
    printf("database        %s (%s)\n", argv[1], st.kind);
    printf("ranges          %zu IPv4, %zu IPv6, %zu lines skipped\n", st.ipv4_ranges, st.ipv6_ranges,
           st.skipped_lines);
    printf("load            %.3f s (read, decompress, parse, sort)\n", load);
    printf("index           %.1f MiB\n", st.index_bytes / 1048576.0);
    printf("peak RSS        %.1f MiB (%.1f MiB before loading)\n", peak_rss_kib() / 1024.0, rss_before / 1024.0);
    printf("lookups         %.1f M/s IPv4, %.1f M/s IPv6 (random addresses, best of 3 x %ld)\n", best4 / 1e6,
           best6 / 1e6, lookups);
    printf("found           %llu\n", (unsigned long long)found);
    asn_db_close(db);
    return 0;
}
