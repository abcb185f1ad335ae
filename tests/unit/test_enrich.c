/*
 * Unit tests of the enrichment module: name normalization and zone
 * matching on label boundaries, the built-in dynamic-DNS lists, the IP-to-ASN
 * index against a hand-made CSV and against a linear scan on random
 * addresses, and indicator lists (addresses, prefixes, domains, URLs, CSV).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../src/enrich/asn.h"
#include "../../src/enrich/domain.h"
#include "../../src/enrich/enrich.h"
#include "../../src/enrich/intel.h"
#include "../../src/event/addr.h"

/* Normalizes name and matches it against z as the ddns detector does (subdomains only). */
static bool ddns_match(const zone_set *z, const char *name, uint32_t *value)
{
    char buf[IH_NAME_MAX + 1];
    int n = ih_name_normalize(name, strlen(name), buf);
    zone_match m;
    if (n < 0 || !zone_set_match(z, buf, (size_t)n, true, &m))
        return false;
    *value = m.value;
    return true;
}

static void normalize_cases(void **state)
{
    (void)state;
    char out[IH_NAME_MAX + 1];
    assert_int_equal(ih_name_normalize("ABC.DuckDNS.ORG.", 16, out), 15);
    assert_string_equal(out, "abc.duckdns.org");
    assert_int_equal(ih_name_normalize("a..b", 4, out), -1);
    assert_int_equal(ih_name_normalize(".a", 2, out), -1);
    assert_int_equal(ih_name_normalize("", 0, out), -1);
    assert_int_equal(ih_name_normalize(".", 1, out), -1);
    assert_int_equal(ih_name_normalize("a b.com", 7, out), -1);
    assert_int_equal(ih_name_normalize("_dmarc.x.com", 12, out), 12);
    char longname[300];
    memset(longname, 'a', sizeof(longname));
    assert_int_equal(ih_name_normalize(longname, 254, out), -1);
}

static void zone_label_boundaries(void **state)
{
    (void)state;
    zone_set z;
    zone_set_init(&z);
    assert_int_equal(zone_set_add(&z, "duckdns.org", 11, 1), 1);
    assert_int_equal(zone_set_add(&z, "zapto.org", 9, 2), 1);
    assert_int_equal(zone_set_add(&z, "dynu.com", 8, 3), 1);
    assert_int_equal(zone_set_add(&z, "duckdns.org", 11, 9), 0); /* the first value stays */
    uint32_t v = 0;
    assert_true(ddns_match(&z, "a.duckdns.org", &v));
    assert_int_equal(v, 1);
    assert_true(ddns_match(&z, "ABC.DuckDNS.ORG.", &v));
    assert_true(ddns_match(&z, "x.y.zapto.org", &v));
    assert_int_equal(v, 2);
    assert_false(ddns_match(&z, "duckdns.org", &v)); /* the provider's own site */
    assert_false(ddns_match(&z, "duckdns.org.evil.example", &v));
    assert_false(ddns_match(&z, "notzapto.org", &v));
    assert_false(ddns_match(&z, "a.notzapto.org", &v));
    assert_false(ddns_match(&z, "a.dynu.company.com", &v));
    assert_false(ddns_match(&z, "org", &v));
    zone_set_free(&z);
}

static void zone_longest_wins(void **state)
{
    (void)state;
    zone_set z;
    zone_set_init(&z);
    zone_set_add(&z, "example.net", 11, 1);
    zone_set_add(&z, "b.example.net", 13, 2);
    zone_match m;
    assert_true(zone_set_match(&z, "a.b.example.net", 15, true, &m));
    assert_int_equal(m.value, 2);
    assert_int_equal(m.zone_offset, 2);
    /* Without subdomains_only the zone matches itself. */
    assert_true(zone_set_match(&z, "example.net", 11, false, &m));
    assert_int_equal(m.zone_offset, 0);
    zone_set_free(&z);
}

/* Loads a built-in list into a zone set the way the ddns detector reads it. */
static size_t load_builtin(zone_set *z, const char *name)
{
    char *text, err[256];
    size_t len, n = 0;
    assert_int_equal(ih_list_read(name, &text, &len, err, sizeof(err)), 0);
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (*line == '#')
            continue;
        char *comma = strchr(line, ',');
        if (comma)
            *comma = '\0';
        char zone[IH_NAME_MAX + 1];
        int k = ih_name_normalize(line, strlen(line), zone);
        assert_true(k > 0);
        n += zone_set_add(z, zone, (size_t)k, 0) == 1;
    }
    free(text);
    return n;
}

static void builtin_lists(void **state)
{
    (void)state;
    zone_set providers, shared;
    zone_set_init(&providers);
    zone_set_init(&shared);
    assert_true(load_builtin(&providers, "builtin:ddns/providers.txt") > 600);
    assert_true(load_builtin(&shared, "builtin:ddns/freedns-shared.txt") > 38000);
    static const char *const provider_names[] = {
        "x.duckdns.org", "x.no-ip.com",    "x.no-ip.org",     "x.no-ip.biz",      "x.ddns.net",
        "x.hopto.org",   "x.zapto.org",    "x.sytes.net",     "x.serveftp.com",   "x.myftp.biz",
        "x.redirectme.net", "x.servebeer.com", "x.myddns.me", "x.dynu.net",       "x.dynalias.com",
        "x.changeip.org", "x.mooo.com",
    };
    uint32_t v;
    for (size_t i = 0; i < sizeof(provider_names) / sizeof(provider_names[0]); i++) {
        if (!ddns_match(&providers, provider_names[i], &v))
            fail_msg("%s is not in the provider tier", provider_names[i]);
    }
    assert_true(ddns_match(&shared, "host.chickenkiller.com", &v));
    assert_false(ddns_match(&providers, "host.chickenkiller.com", &v));
    assert_false(ddns_match(&providers, "www.google.com", &v));
    assert_false(ddns_match(&shared, "www.google.com", &v));
    char *text, err[256];
    size_t len;
    assert_int_equal(ih_list_read("builtin:ddns/missing.txt", &text, &len, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "no built-in list"));
    zone_set_free(&providers);
    zone_set_free(&shared);
}

static ih_addr addr(const char *s)
{
    ih_addr a;
    assert_int_equal(ih_addr_parse(s, strlen(s), &a), 0);
    return a;
}

static const char HAND_CSV[] =
    "start_ip,end_ip,asn,org\n"
    "1.0.0.0,1.0.0.255,13335,\"Cloudflare, Inc.\"\n"
    "1.0.4.0,1.0.7.255,38803,Gtelecom Pty Ltd\n"
    "159.65.0.0,159.65.255.255,14061,\"DigitalOcean, LLC\"\n"
    "159.65.16.0,159.65.16.255,99999,Overlapping Range\n" /* overlaps: left out */
    "not an address,1.2.3.4,5,Bad\n"                        /* malformed: left out */
    "9.9.9.9,9.9.9.1,5,Reversed\n"                          /* start above end: left out */
    "2001:db8::,2001:db8:ffff:ffff:ffff:ffff:ffff:ffff,64496,\"Doc \"\"quoted\"\"\"\n"
    "255.255.255.0,255.255.255.255,64511,Top\r\n";

static void asn_hand_csv(void **state)
{
    (void)state;
    asn_db *db;
    assert_int_equal(asn_db_from_csv(HAND_CSV, sizeof(HAND_CSV) - 1, &db), 0);
    asn_db_stats st;
    asn_db_get_stats(db, &st);
    assert_string_equal(st.kind, "csv");
    assert_int_equal(st.ipv4_ranges, 4);
    assert_int_equal(st.ipv6_ranges, 1);
    assert_int_equal(st.skipped_lines, 4); /* header, malformed, reversed, overlapping */

    asn_info info;
    ih_addr a = addr("1.0.0.0");
    assert_true(asn_db_lookup(db, &a, &info));
    assert_int_equal(info.asn, 13335);
    assert_int_equal(info.org.len, strlen("Cloudflare, Inc."));
    assert_memory_equal(info.org.ptr, "Cloudflare, Inc.", info.org.len);
    a = addr("1.0.0.255");
    assert_true(asn_db_lookup(db, &a, &info));
    a = addr("1.0.1.0"); /* a gap */
    assert_false(asn_db_lookup(db, &a, &info));
    a = addr("0.255.255.255"); /* below every range */
    assert_false(asn_db_lookup(db, &a, &info));
    a = addr("159.65.16.7"); /* inside the kept range, not the overlapping one */
    assert_true(asn_db_lookup(db, &a, &info));
    assert_int_equal(info.asn, 14061);
    a = addr("255.255.255.255");
    assert_true(asn_db_lookup(db, &a, &info));
    assert_int_equal(info.asn, 64511);
    a = addr("2001:db8::1");
    assert_true(asn_db_lookup(db, &a, &info));
    assert_int_equal(info.asn, 64496);
    assert_memory_equal(info.org.ptr, "Doc \"quoted\"", info.org.len);
    a = addr("2001:db9::");
    assert_false(asn_db_lookup(db, &a, &info));
    ih_addr none = {0};
    assert_false(asn_db_lookup(db, &none, &info));
    asn_db_close(db);
}

/* A small generator, so the test does not depend on rand(). */
static uint64_t next_random(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

typedef struct plain_range {
    uint32_t start, end, asn;
} plain_range;

static void asn_matches_linear_scan(void **state)
{
    (void)state;
    /* Random disjoint IPv4 ranges with gaps, written out of order. */
    enum { N = 3000 };
    plain_range *r = malloc(N * sizeof(*r));
    uint64_t seed = 0x9e3779b97f4a7c15u;
    uint32_t at = 1u << 24;
    for (size_t i = 0; i < N; i++) {
        at += (uint32_t)(next_random(&seed) % 50000);
        uint32_t len = (uint32_t)(next_random(&seed) % 70000);
        r[i] = (plain_range){at, at + len, (uint32_t)(1 + next_random(&seed) % 400000)};
        at += len + 1;
    }
    size_t cap = N * 64, len = 0;
    char *csv = malloc(cap);
    for (size_t k = 0; k < N; k++) {
        size_t i = (k * 7919) % N; /* a permutation, since 7919 is prime and N is not its multiple */
        len += (size_t)snprintf(csv + len, cap - len, "%u.%u.%u.%u,%u.%u.%u.%u,%u,org%zu\n", r[i].start >> 24,
                                (r[i].start >> 16) & 255, (r[i].start >> 8) & 255, r[i].start & 255,
                                r[i].end >> 24, (r[i].end >> 16) & 255, (r[i].end >> 8) & 255, r[i].end & 255,
                                r[i].asn, i);
    }
    asn_db *db;
    assert_int_equal(asn_db_from_csv(csv, len, &db), 0);
    for (int t = 0; t < 200000; t++) {
        uint32_t v = t % 4 == 0 ? r[next_random(&seed) % N].start : (uint32_t)next_random(&seed) % (at + 1000);
        if (t % 4 == 1)
            v = r[next_random(&seed) % N].end + (t % 8 == 1);
        uint32_t want = 0;
        for (size_t i = 0; i < N; i++)
            if (r[i].start <= v && v <= r[i].end)
                want = r[i].asn;
        ih_addr a = {IH_AF_INET, {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v}};
        asn_info info;
        bool found = asn_db_lookup(db, &a, &info);
        if (found != (want != 0) || (found && info.asn != want))
            fail_msg("address %u: index says %u, linear scan %u", v, found ? info.asn : 0, want);
    }
    asn_db_close(db);
    free(csv);
    free(r);
}

static void asn_open_errors(void **state)
{
    (void)state;
    asn_db *db;
    char err[512];
    assert_int_equal(asn_db_open("/nonexistent/asn.csv", &db, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "/nonexistent/asn.csv"));
    char path[] = "/tmp/infrahunt-asn-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "no ranges here\n", 15), 15);
    close(fd);
    assert_int_equal(asn_db_open(path, &db, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "holds no"));
    unlink(path);
}

static void intel_indicators(void **state)
{
    (void)state;
    intel_set s;
    intel_set_init(&s);
    assert_int_equal(intel_set_add(&s, "203.0.113.7", 11, "a"), 1);
    assert_int_equal(intel_set_add(&s, "198.51.100.0/24", 15, "b"), 1);
    assert_int_equal(intel_set_add(&s, "2001:db8::/32", 13, "c"), 1);
    assert_int_equal(intel_set_add(&s, "Evil.Example.", 13, "d"), 1);
    assert_int_equal(intel_set_add(&s, "https://c2.bad.test:8443/gate.php", 33, "e"), 1);
    assert_int_equal(intel_set_add(&s, "*.wild.test", 11, "f"), 1);
    assert_int_equal(intel_set_add(&s, "not an indicator", 16, "g"), 0);
    assert_int_equal(intel_set_add(&s, "10.0.0.0/33", 11, "h"), 0);
    assert_int_equal(intel_set_add(&s, "localhost", 9, "i"), 0); /* one label: no domain */
    intel_set_seal(&s);
    assert_int_equal(intel_set_count(&s), 6);

    const char *note;
    ih_addr a = addr("203.0.113.7");
    assert_true(intel_match_addr(&s, &a, &note));
    assert_string_equal(note, "a");
    a = addr("203.0.113.8");
    assert_false(intel_match_addr(&s, &a, &note));
    a = addr("198.51.100.200");
    assert_true(intel_match_addr(&s, &a, &note));
    assert_string_equal(note, "b");
    a = addr("2001:db8:1::5");
    assert_true(intel_match_addr(&s, &a, &note));
    assert_true(intel_match_name(&s, "evil.example", 12, &note));
    assert_true(intel_match_name(&s, "www.evil.example", 16, &note));
    assert_false(intel_match_name(&s, "notevil.example", 15, &note));
    assert_true(intel_match_name(&s, "c2.bad.test", 11, &note));
    assert_string_equal(note, "e");
    assert_true(intel_match_name(&s, "a.wild.test", 11, &note));
    intel_set_free(&s);
}

static void intel_csv_file(void **state)
{
    (void)state;
    char path[] = "/tmp/infrahunt-intel-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char text[] = "indicator,description\n"
                        "# a comment\n"
                        "\"45.77.0.20\",Vultr C2\n"
                        "update-check.duckdns.org,phishing kit\n"
                        "\n"
                        "garbage line\n";
    assert_int_equal(write(fd, text, sizeof(text) - 1), (ssize_t)(sizeof(text) - 1));
    close(fd);
    intel_set s;
    intel_set_init(&s);
    char err[256];
    assert_int_equal(intel_set_load(&s, path, err, sizeof(err)), 0);
    intel_set_seal(&s);
    assert_int_equal(intel_set_count(&s), 2);
    assert_int_equal(s.skipped, 1); /* the header line is not counted */
    const char *note;
    ih_addr a = addr("45.77.0.20");
    assert_true(intel_match_addr(&s, &a, &note));
    assert_non_null(strstr(note, "Vultr C2"));
    assert_true(intel_match_name(&s, "update-check.duckdns.org", 24, &note));
    intel_set_free(&s);
    unlink(path);
    assert_int_equal(intel_set_load(&s, "/nonexistent/list.txt", err, sizeof(err)), -1);
    assert_non_null(strstr(err, "/nonexistent/list.txt"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(normalize_cases),
        cmocka_unit_test(zone_label_boundaries),
        cmocka_unit_test(zone_longest_wins),
        cmocka_unit_test(builtin_lists),
        cmocka_unit_test(asn_hand_csv),
        cmocka_unit_test(asn_matches_linear_scan),
        cmocka_unit_test(asn_open_errors),
        cmocka_unit_test(intel_indicators),
        cmocka_unit_test(intel_csv_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
