/*
 * Unit tests of the default profile's dynamic-DNS, fast-flux and combining
 * detectors, run as the scan runs them (configured from the built-in
 * default profile, one state per worker, merged, finished in profile
 * order) on hand-made DNS and connection events, with an ASN database
 * written by the test.
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

#include "../../src/detect/detect.h"
#include "../../src/enrich/enrich.h"
#include "../../src/event/addr.h"

#define T0 (INT64_C(1715587200) * IH_NS_PER_SEC) /* 2024-05-13T08:00:00Z */

/* Eight ASNs, one /16 each, for the flux domain; one for the CDN; the NTP servers get one each. */
static char asn_path[64];

static void write_asn_db(void)
{
    strcpy(asn_path, "/tmp/infrahunt-asn-XXXXXX");
    int fd = mkstemp(asn_path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    for (int i = 0; i < 8; i++)
        fprintf(f, "%d.%d.0.0,%d.%d.255.255,%d,Isp%d Broadband\n", 60 + i, i, 60 + i, i, 64600 + i, i);
    fprintf(f, "23.32.0.0,23.32.255.255,20940,\"Akamai International B.V.\"\n");
    for (int i = 0; i < 23; i++)
        fprintf(f, "90.%d.0.0,90.%d.255.255,%d,Pool member %d\n", i, i, 65000 + i, i);
    fprintf(f, "45.77.0.0,45.77.255.255,20473,\"The Constant Company, LLC\"\n");
    fclose(f);
}

typedef struct harness {
    profile prof;
    const ih_detector *detectors[8];
    void *params[8];
    void *states[2][8]; /* two workers */
    size_t n;
    ih_alert_list alerts;
} harness;

static void harness_open(harness *h)
{
    memset(h, 0, sizeof(*h));
    write_asn_db();
    ih_enrich_options o = {asn_path, NULL, 0, NULL, 0};
    ih_enrich_set_options(&o);
    assert_int_equal(profile_load(&h->prof, "default"), 0);
    profile_node *list;
    assert_int_equal(profile_get_map(&h->prof, h->prof.root, "detectors", &list), 0);
    for (size_t i = 0; i < list->count; i++) {
        for (size_t k = 0; ih_detectors[k]; k++) {
            if (strcmp(ih_detectors[k]->name, list->keys[i]) != 0)
                continue;
            list->used[i] = true;
            if (ih_detectors[k]->configure(&h->prof, list->items[i], &h->params[h->n]) < 0)
                fail_msg("configure %s: %s", list->keys[i], h->prof.error);
            h->detectors[h->n++] = ih_detectors[k];
        }
    }
    for (int w = 0; w < 2; w++)
        for (size_t i = 0; i < h->n; i++)
            h->states[w][i] = h->detectors[i]->state_new(h->params[i]);
}

static void feed_dns(harness *h, int worker, const ih_dns *d)
{
    for (size_t i = 0; i < h->n; i++)
        assert_int_equal(h->detectors[i]->dns(h->states[worker][i], d), 0);
}

static void feed_conn(harness *h, int worker, const ih_conn *c)
{
    for (size_t i = 0; i < h->n; i++)
        assert_int_equal(h->detectors[i]->conn(h->states[worker][i], c), 0);
}

static void harness_finish(harness *h)
{
    ih_diag diag;
    ih_diag_init(&diag, false);
    ih_scan_info info;
    memset(&info, 0, sizeof(info));
    info.now = T0 + 6 * IH_NS_PER_HOUR;
    for (size_t i = 0; i < h->n; i++) {
        assert_int_equal(h->detectors[i]->merge(h->states[0][i], h->states[1][i]), 0);
        h->detectors[i]->state_free(h->states[1][i]);
        assert_int_equal(h->detectors[i]->finish(h->states[0][i], &info, &h->alerts, &diag), 0);
        h->detectors[i]->state_free(h->states[0][i]);
    }
    ih_diag_free(&diag);
    alert_list_sort(&h->alerts);
}

static void harness_close(harness *h)
{
    for (size_t i = 0; i < h->n; i++)
        h->detectors[i]->params_free(h->params[i]);
    alert_list_free(&h->alerts);
    profile_free(&h->prof);
    unlink(asn_path);
}

static const ih_alert *find_alert(const harness *h, const char *type_part, const char *url)
{
    for (size_t i = 0; i < h->alerts.count; i++) {
        const ih_alert *a = &h->alerts.items[i];
        if (strstr(a->alert_type, type_part) && a->remote_url && strcmp(a->remote_url, url) == 0)
            return a;
    }
    return NULL;
}

static const alert_field *field(const ih_alert *a, const char *name)
{
    for (size_t i = 0; i < a->nfields; i++)
        if (strcmp(a->fields[i].name, name) == 0)
            return &a->fields[i];
    return NULL;
}

static void answer(ih_dns *d, const char *text, int64_t ttl)
{
    ih_dns_answer *an = &d->answers[d->answer_count++];
    an->kind = ih_addr_parse(text, strlen(text), &an->addr) == 0 ? IH_ANSWER_ADDR : IH_ANSWER_CNAME;
    an->text = (ih_str){text, strlen(text)};
    an->ttl_s = ttl;
}

static void lookup(ih_dns *d, ih_time t, const char *device, const char *process, const char *name)
{
    ih_dns_init(d);
    d->time = t;
    d->device_id = d->device_name = (ih_str){device, strlen(device)};
    if (process)
        d->process_name = (ih_str){process, strlen(process)};
    d->query_name = (ih_str){name, strlen(name)};
    d->query_type = 1;
}

/* Ten addresses in eight ASNs, TTL 180 s; each answer three of them, rotating. */
static void feed_flux(harness *h)
{
    static char addrs[10][32];
    for (int i = 0; i < 10; i++)
        snprintf(addrs[i], sizeof(addrs[i]), "%d.%d.1.%d", 60 + i % 8, i % 8, 10 + i);
    for (int k = 0; k < 12; k++) {
        ih_dns d;
        lookup(&d, T0 + k * 200 * IH_NS_PER_SEC, "WS-1", "implant.exe", "cdn.flux-test.example.net");
        for (int j = 0; j < 3; j++)
            answer(&d, addrs[(k * 3 + j) % 10], 180);
        feed_dns(h, k % 2, &d);
    }
}

static void flux_domain_found(void **state)
{
    (void)state;
    harness h;
    harness_open(&h);
    feed_flux(&h);
    harness_finish(&h);
    const ih_alert *a = find_alert(&h, "FastFlux", "cdn.flux-test.example.net");
    assert_non_null(a);
    assert_true(a->score >= 60);
    assert_int_equal(field(a, "DistinctIPs")->i, 10);
    assert_int_equal(field(a, "DistinctASNs")->i, 8);
    assert_true(field(a, "HolzScore")->d > 161.5 && field(a, "HolzScore")->d < 161.6);
    assert_int_equal(field(a, "MinTTLSeconds")->i, 180);
    assert_true(field(a, "Rotations")->i >= 2);
    harness_close(&h);
}

static void cdn_and_pool_not_flux(void **state)
{
    (void)state;
    harness h;
    harness_open(&h);
    static char cdn[20][32], pool[23][32];
    for (int i = 0; i < 20; i++)
        snprintf(cdn[i], sizeof(cdn[i]), "23.32.%d.%d", i, 5 + i);
    for (int i = 0; i < 23; i++)
        snprintf(pool[i], sizeof(pool[i]), "90.%d.3.4", i);
    for (int k = 0; k < 24; k++) {
        ih_dns d;
        lookup(&d, T0 + k * 60 * IH_NS_PER_SEC, "WS-2", NULL, "statics.cdn.example.org");
        answer(&d, cdn[(2 * k) % 20], 20);
        answer(&d, cdn[(2 * k + 1) % 20], 20);
        feed_dns(&h, k % 2, &d);
        lookup(&d, T0 + k * 60 * IH_NS_PER_SEC, "WS-2", NULL, "0.debian.pool.ntp.org");
        for (int j = 0; j < 4; j++)
            answer(&d, pool[(4 * k + j) % 23], 5);
        feed_dns(&h, k % 2, &d);
    }
    harness_finish(&h);
    assert_null(find_alert(&h, "FastFlux", "statics.cdn.example.org"));
    const ih_alert *ntp = find_alert(&h, "FastFlux", "0.debian.pool.ntp.org");
    /* The pool's features are flux-like, so only the server-pool rule keeps it down. */
    assert_true(ntp == NULL || ntp->score < 40);
    harness_close(&h);
}

static void double_flux_name_servers(void **state)
{
    (void)state;
    harness h;
    harness_open(&h);
    static char ns[12][64];
    for (int i = 0; i < 12; i++)
        snprintf(ns[i], sizeof(ns[i]), "ns%d.dflux-test.example.net", i);
    for (int k = 0; k < 10; k++) {
        ih_dns d;
        lookup(&d, T0 + k * 300 * IH_NS_PER_SEC, "WS-1", NULL, "dflux-test.example.net");
        d.query_type = 2;
        answer(&d, ns[(2 * k) % 12], 300);
        answer(&d, ns[(2 * k + 1) % 12], 300);
        d.answers[0].kind = d.answers[1].kind = IH_ANSWER_OTHER;
        feed_dns(&h, k % 2, &d);
    }
    harness_finish(&h);
    const ih_alert *a = find_alert(&h, "FastFlux", "dflux-test.example.net");
    assert_non_null(a);
    assert_non_null(field(a, "NameServers"));
    assert_true(field(a, "NameServerRotations")->i >= 2);
    harness_close(&h);
}

static void ddns_lookalikes_and_link(void **state)
{
    (void)state;
    harness h;
    harness_open(&h);
    static const char *const names[] = {"a.duckdns.org", "ABC.DuckDNS.ORG.", "duckdns.org.evil.example",
                                        "notzapto.org", "a.dynu.company.com"};
    for (size_t i = 0; i < 5; i++) {
        ih_dns d;
        lookup(&d, T0 + (int64_t)i * IH_NS_PER_SEC, "WS-3", "powershell.exe", names[i]);
        answer(&d, "45.77.1.2", 60);
        feed_dns(&h, 0, &d);
    }
    /* The connection comes from another worker, as conn.log and dns.log files do. */
    ih_conn c;
    ih_conn_init(&c);
    c.time = T0 + 10 * IH_NS_PER_SEC;
    c.device_id = c.device_name = IH_STR_LIT("WS-3");
    c.process_name = IH_STR_LIT("powershell.exe");
    c.remote_addr = (ih_addr){IH_AF_INET, {45, 77, 1, 2}};
    c.remote_port = 443;
    c.direction = IH_DIR_OUTBOUND;
    c.action = IH_ACTION_SUCCESS;
    feed_conn(&h, 1, &c);
    harness_finish(&h);
    const ih_alert *a = find_alert(&h, "DynamicDNS", "a.duckdns.org");
    assert_non_null(a);
    assert_non_null(find_alert(&h, "DynamicDNS", "abc.duckdns.org"));
    assert_null(find_alert(&h, "DynamicDNS", "duckdns.org.evil.example"));
    assert_null(find_alert(&h, "DynamicDNS", "notzapto.org"));
    assert_null(find_alert(&h, "DynamicDNS", "a.dynu.company.com"));
    assert_int_equal(field(a, "LinkedConnections")->i, 1);
    assert_string_equal(field(a, "LinkedProcesses")->texts[0], "powershell.exe");
    assert_non_null(strstr(a->explanation, "connected to 45.77.1.2 once on port 443"));
    assert_non_null(strstr(a->explanation, "suspicious networks")); /* AS20473 */
    harness_close(&h);
}

static void beacon_ddns_flux_combined(void **state)
{
    (void)state;
    harness h;
    harness_open(&h);
    feed_flux(&h);
    /* implant.exe beacons every 60 s to the flux name, connecting by name to its addresses. */
    for (int k = 0; k < 40; k++) {
        ih_conn c;
        ih_conn_init(&c);
        c.time = T0 + k * 60 * IH_NS_PER_SEC;
        c.device_id = c.device_name = IH_STR_LIT("WS-1");
        c.process_name = IH_STR_LIT("implant.exe");
        c.remote_name = IH_STR_LIT("cdn.flux-test.example.net");
        c.remote_addr = (ih_addr){IH_AF_INET, {(uint8_t)(60 + k % 8), (uint8_t)(k % 8), 1, (uint8_t)(10 + k % 10)}};
        c.remote_port = 443;
        c.direction = IH_DIR_OUTBOUND;
        c.action = IH_ACTION_SUCCESS;
        feed_conn(&h, k % 2, &c);
    }
    harness_finish(&h);
    const ih_alert *a = find_alert(&h, "+", "cdn.flux-test.example.net");
    assert_non_null(a);
    assert_non_null(strstr(a->alert_type, "Beaconing"));
    assert_non_null(strstr(a->alert_type, "FastFlux"));
    const alert_field *scores = field(a, "SignalScores");
    assert_non_null(scores);
    for (size_t i = 0; i < scores->ntexts; i++) {
        int s = atoi(strrchr(scores->texts[i], ' ') + 1);
        if (a->score <= s)
            fail_msg("combined score %d is not above %s", a->score, scores->texts[i]);
    }
    assert_string_equal(a->techniques[0], "T1584");
    harness_close(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(flux_domain_found),
        cmocka_unit_test(cdn_and_pool_not_flux),
        cmocka_unit_test(double_flux_name_servers),
        cmocka_unit_test(ddns_lookalikes_and_link),
        cmocka_unit_test(beacon_ddns_flux_combined),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
