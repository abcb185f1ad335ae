/*
 * Unit tests of the EVTX reader, on files made by the EVTX writer
 * (src/simulate/sim_evtx.c), which shares no code with the reader: Sysmon
 * events 3 and 22 in both layouts, skipped records, parallel chunks and
 * streams giving the same events, every kind of damage the reader reports,
 * and the value formats of binary XML.
 *
 * Events are captured as the JSON lines of `infrahunt events`, so a check
 * reads like the command's output. Files go to a fresh mkdtemp() folder.
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
#include <zlib.h>

#include "../../src/event/timeutil.h"
#include "../../src/input/evtx.h"
#include "../../src/input/input.h"
#include "../../src/output/output.h"
#include "../../src/simulate/sim_evtx.h"

#define MAX_WORKERS 4
#define CHUNK_OFFSET(k) (4096 + (uint64_t)(k) * 65536)

static char tmpdir[64];

/* --- Reading --- */

typedef struct worker_out {
    ih_sink sink; /* first, so the sink pointer is the worker_out */
    FILE *mem;
    char *text;
    size_t len;
} worker_out;

typedef struct capture {
    worker_out workers[MAX_WORKERS];
} capture;

/* The outcome of one read: events as JSON lines (sorted when read by several workers). */
typedef struct result {
    int status;
    char *events;
    size_t nevents;
    char *messages;
    ih_diag diag;
} result;

static int on_conn(ih_sink *s, const ih_conn *c, const ih_origin *o)
{
    output_conn_json(((worker_out *)s)->mem, c, o);
    return 0;
}

static int on_dns(ih_sink *s, const ih_dns *d, const ih_origin *o)
{
    output_dns_json(((worker_out *)s)->mem, d, o);
    return 0;
}

static ih_sink *make_sink(void *arg, unsigned worker)
{
    capture *c = arg;
    if (worker >= MAX_WORKERS)
        return NULL;
    worker_out *w = &c->workers[worker];
    w->sink = (ih_sink){on_conn, on_dns, NULL};
    w->mem = open_memstream(&w->text, &w->len);
    return w->mem ? &w->sink : NULL;
}

static int line_order(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Joins the workers' lines, sorted by text so that the thread count does not matter. */
static char *join_sorted(capture *cap, size_t *count)
{
    char *all = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&all, &len);
    assert_non_null(mem);
    for (unsigned w = 0; w < MAX_WORKERS; w++) {
        if (!cap->workers[w].mem)
            continue;
        fclose(cap->workers[w].mem);
        fwrite(cap->workers[w].text, 1, cap->workers[w].len, mem);
        free(cap->workers[w].text);
    }
    fclose(mem);

    size_t n = 0;
    for (char *p = all; *p; p++)
        n += *p == '\n';
    char **lines = calloc(n ? n : 1, sizeof(*lines));
    assert_non_null(lines);
    size_t k = 0;
    for (char *p = strtok(all, "\n"); p; p = strtok(NULL, "\n"))
        lines[k++] = p;
    qsort(lines, k, sizeof(*lines), line_order);
    char *sorted = NULL;
    mem = open_memstream(&sorted, &len);
    assert_non_null(mem);
    for (size_t i = 0; i < k; i++)
        fprintf(mem, "%s\n", lines[i]);
    fclose(mem);
    free(lines);
    free(all);
    *count = k;
    return sorted;
}

static result read_opts(const char *path, const ih_input_options *opt)
{
    result r;
    capture cap;
    char *paths[] = {(char *)path};
    memset(&r, 0, sizeof(r));
    memset(&cap, 0, sizeof(cap));
    ih_sink_factory factory = {make_sink, &cap};

    ih_diag_init(&r.diag, opt->strict);
    r.status = ih_input_read(paths, 1, opt, &factory, &r.diag);
    r.events = join_sorted(&cap, &r.nevents);

    size_t len = 0;
    FILE *mem = open_memstream(&r.messages, &len);
    assert_non_null(mem);
    ih_diag_print_messages(&r.diag, mem);
    fclose(mem);
    return r;
}

static result read_file(const char *path)
{
    ih_input_options opt = {NULL, 1, false, 0, false};
    return read_opts(path, &opt);
}

static void result_free(result *r)
{
    free(r->events);
    free(r->messages);
    ih_diag_free(&r->diag);
}

static uint64_t counter(const ih_counter *list, size_t n, const char *source, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i].source, source) == 0 && strcmp(list[i].name, name) == 0)
            return list[i].count;
    return 0;
}

static uint64_t skipped(const result *r, const char *source, const char *reason)
{
    return counter(r->diag.skipped, r->diag.nskipped, source, reason);
}

static uint64_t records_read(const result *r)
{
    return counter(r->diag.read, r->diag.nread, "sysmon-evtx", "records");
}

/* --- Writing --- */

static void path_in(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s/%s", tmpdir, name);
}

static ih_time at(const char *iso)
{
    ih_time t;
    assert_int_equal(ih_time_parse_iso(iso, strlen(iso), &t), 0);
    return t;
}

/* An outbound connection of powershell.exe from 10.1.2.3 to 203.0.113.9:8080, record n. */
static sim_evtx_conn outbound(unsigned n)
{
    sim_evtx_conn c = {0};
    c.time = at("2024-06-01T10:00:00Z") + (ih_time)n * 30 * IH_NS_PER_SEC;
    c.computer = "ws01.corp.example";
    c.process_id = 4242;
    c.image = "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe";
    c.user = "CORP\\alice";
    c.protocol = "tcp";
    c.initiated = true;
    c.source_ip = "10.1.2.3";
    c.source_hostname = "ws01.corp.example";
    c.source_port = (uint16_t)(50000 + n % 10000);
    c.source_port_name = "-";
    c.destination_ip = "203.0.113.9";
    c.destination_hostname = "c2.duckdns.org";
    c.destination_port = 8080;
    c.destination_port_name = "-";
    return c;
}

static sim_evtx_dns query(unsigned n)
{
    sim_evtx_dns d = {0};
    d.time = at("2024-06-01T11:00:00Z") + (ih_time)n * IH_NS_PER_SEC;
    d.computer = "ws02.corp.example";
    d.process_id = 77;
    d.query_name = "c2.duckdns.org";
    d.query_status = "0";
    d.query_results = "type:  5 edge.example.net;::ffff:203.0.113.9;";
    d.image = "C:\\Windows\\System32\\svchost.exe";
    d.user = "NT AUTHORITY\\NETWORK SERVICE";
    return d;
}

typedef struct writer {
    FILE *file;
    sim_evtx *w;
    char path[256];
} writer;

static writer start(const char *name, enum sim_evtx_layout layout, unsigned per_chunk)
{
    writer wr;
    sim_evtx_options opt = {layout, per_chunk, false};
    path_in(wr.path, sizeof(wr.path), name);
    wr.file = fopen(wr.path, "w+b");
    assert_non_null(wr.file);
    wr.w = sim_evtx_open(wr.file, &opt);
    assert_non_null(wr.w);
    return wr;
}

static void finish(writer *wr)
{
    assert_int_equal(sim_evtx_close(wr->w), 0);
    assert_int_equal(fclose(wr->file), 0);
}

/* A file of n records: connections, every fourth one a DNS query. */
static void write_mixed(const char *name, enum sim_evtx_layout layout, unsigned n,
                        unsigned per_chunk)
{
    writer wr = start(name, layout, per_chunk);
    for (unsigned i = 0; i < n; i++) {
        if (i % 4 == 3) {
            sim_evtx_dns d = query(i);
            assert_int_equal(sim_evtx_write_dns(wr.w, &d), 0);
        } else {
            sim_evtx_conn c = outbound(i);
            assert_int_equal(sim_evtx_write_conn(wr.w, &c), 0);
        }
    }
    finish(&wr);
}

/* Overwrites bytes of a file at offset. */
static void patch(const char *path, uint64_t offset, const void *bytes, size_t n)
{
    FILE *f = fopen(path, "r+b");
    assert_non_null(f);
    assert_int_equal(fseek(f, (long)offset, SEEK_SET), 0);
    assert_int_equal(fwrite(bytes, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

static void patch32(const char *path, uint64_t offset, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    patch(path, offset, b, 4);
}

static uint32_t read32(const char *path, uint64_t offset)
{
    uint8_t b[4];
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, (long)offset, SEEK_SET), 0);
    assert_int_equal(fread(b, 1, 4, f), 4);
    fclose(f);
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static void copy_file(const char *from, const char *to, long max)
{
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    assert_non_null(in);
    assert_non_null(out);
    char buf[65536];
    size_t n;
    long done = 0;
    while ((max < 0 || done < max) &&
           (n = fread(buf, 1, max < 0 || max - done > (long)sizeof(buf) ? sizeof(buf)
                                                                       : (size_t)(max - done),
                      in)) > 0) {
        assert_int_equal(fwrite(buf, 1, n, out), n);
        done += (long)n;
    }
    fclose(in);
    assert_int_equal(fclose(out), 0);
}

/* --- Round trips --- */

static void check_round_trip(enum sim_evtx_layout layout)
{
    writer wr = start(layout == SIM_EVTX_FLAT ? "flat.evtx" : "nested.evtx", layout, 0);
    sim_evtx_conn c = outbound(0);
    assert_int_equal(sim_evtx_write_conn(wr.w, &c), 0);
    uint64_t conn_offset = sim_evtx_record_offset(wr.w);
    sim_evtx_dns d = query(0);
    assert_int_equal(sim_evtx_write_dns(wr.w, &d), 0);
    finish(&wr);

    result r = read_file(wr.path);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.messages, "");
    assert_int_equal(records_read(&r), 2);
    assert_int_equal(r.nevents, 2);
    char expected[256];
    snprintf(expected, sizeof(expected), "\"line\":null,\"offset\":%llu,",
             (unsigned long long)conn_offset);
    assert_non_null(strstr(r.events, expected));
    assert_non_null(strstr(r.events, "\"kind\":\"conn\",\"time\":\"2024-06-01T10:00:00Z\""
                                     ",\"source\":\"sysmon-evtx\""));
    assert_non_null(strstr(r.events, "\"device_name\":\"ws01.corp.example\""));
    assert_non_null(strstr(r.events, "\"process_name\":\"powershell.exe\""));
    assert_non_null(strstr(r.events, "\"process_id\":4242,\"user\":\"CORP\\\\alice\""));
    assert_non_null(strstr(r.events, "\"local_ip\":\"10.1.2.3\",\"local_port\":50000"));
    assert_non_null(strstr(r.events, "\"remote_ip\":\"203.0.113.9\""));
    assert_non_null(strstr(r.events, "\"remote_port\":8080,\"protocol\":\"tcp\","
                                     "\"direction\":\"outbound\",\"action\":\"success\""));
    assert_non_null(strstr(r.events, "\"remote_name\":\"c2.duckdns.org\""));
    assert_non_null(strstr(r.events, "\"kind\":\"dns\",\"time\":\"2024-06-01T11:00:00Z\""));
    assert_non_null(strstr(r.events, "\"query_name\":\"c2.duckdns.org\""));
    assert_non_null(strstr(r.events, "\"rcode\":0,\"rcode_name\":\"NOERROR\""));
    assert_non_null(strstr(r.events, "{\"type\":\"cname\",\"data\":\"edge.example.net\""));
    assert_non_null(strstr(r.events, "{\"type\":\"addr\",\"data\":\"::ffff:203.0.113.9\""));
    result_free(&r);
}

static void round_trip_flat(void **state)
{
    (void)state;
    check_round_trip(SIM_EVTX_FLAT);
}

static void round_trip_nested(void **state)
{
    (void)state;
    check_round_trip(SIM_EVTX_NESTED);
}

static void inbound_ipv6_and_empty_names(void **state)
{
    (void)state;
    writer wr = start("inbound.evtx", SIM_EVTX_NESTED, 0);
    sim_evtx_conn c = outbound(0);
    c.initiated = false;
    c.source_is_ipv6 = c.destination_is_ipv6 = true;
    c.source_ip = "2001:db8::7";
    c.source_hostname = "";
    c.source_port = 51000;
    c.destination_ip = "fe80::1";
    c.destination_hostname = "ws01.corp.example";
    c.destination_port = 3389;
    c.protocol = "udp";
    assert_int_equal(sim_evtx_write_conn(wr.w, &c), 0);
    finish(&wr);

    result r = read_file(wr.path);
    assert_int_equal(r.nevents, 1);
    assert_string_equal(r.messages, "");
    assert_non_null(strstr(r.events, "\"local_ip\":\"fe80::1\",\"local_port\":3389"));
    assert_non_null(strstr(r.events, "\"remote_ip\":\"2001:db8::7\""));
    assert_non_null(strstr(r.events, "\"direction\":\"inbound\",\"action\":\"inbound\""));
    assert_non_null(strstr(r.events, "\"protocol\":\"udp\""));
    assert_non_null(strstr(r.events, "\"remote_name\":\"\""));
    result_free(&r);
}

static void other_records_are_skipped(void **state)
{
    (void)state;
    writer wr = start("others.evtx", SIM_EVTX_FLAT, 0);
    const sim_evtx_field process[] = {{"UtcTime", "2024-06-01 10:00:00.000"},
                                      {"Image", "C:\\Windows\\System32\\cmd.exe"}};
    sim_evtx_event e = {"Microsoft-Windows-Sysmon", "Microsoft-Windows-Sysmon/Operational", 1,
                        "ws01", at("2024-06-01T10:00:00Z"), process, 2};
    assert_int_equal(sim_evtx_write_event(wr.w, &e), 0);
    const sim_evtx_field logon[] = {{"TargetUserName", "alice"}, {"LogonType", "3"}};
    sim_evtx_event s = {"Microsoft-Windows-Security-Auditing", "Security", 3, "ws01",
                        at("2024-06-01T10:00:01Z"), logon, 2};
    assert_int_equal(sim_evtx_write_event(wr.w, &s), 0);
    /* Sysmon's provider in another channel, as forwarded events are. */
    sim_evtx_conn c = outbound(1);
    const sim_evtx_field fields[] = {
        {"UtcTime", "2024-06-01 10:00:02.500"}, {"ProcessId", "9"},
        {"Image", "C:\\x\\a.exe"},              {"Initiated", "true"},
        {"SourceIp", "10.0.0.1"},               {"SourcePort", "50001"},
        {"DestinationIp", "198.51.100.7"},      {"DestinationPort", "443"},
    };
    sim_evtx_event fwd = {"Microsoft-Windows-Sysmon", "ForwardedEvents", 3, "ws09", c.time,
                          fields, sizeof(fields) / sizeof(fields[0])};
    assert_int_equal(sim_evtx_write_event(wr.w, &fwd), 0);
    finish(&wr);

    result r = read_file(wr.path);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.messages, "");
    assert_int_equal(records_read(&r), 3);
    assert_int_equal(skipped(&r, "sysmon-evtx", "not a Sysmon network event"), 1);
    assert_int_equal(skipped(&r, "sysmon-evtx", "not a Sysmon event"), 1);
    assert_int_equal(r.nevents, 1);
    assert_non_null(strstr(r.events, "\"time\":\"2024-06-01T10:00:02.500Z\""));
    assert_non_null(strstr(r.events, "\"device_name\":\"ws09\""));
    assert_non_null(strstr(r.events, "\"remote_ip\":\"198.51.100.7\",\"remote_ip_text\""));
    result_free(&r);
}

static void bad_values_are_reported(void **state)
{
    (void)state;
    writer wr = start("badvalues.evtx", SIM_EVTX_NESTED, 0);
    const sim_evtx_field port[] = {{"UtcTime", "2024-06-01 10:00:00.000"},
                                   {"SourceIp", "10.0.0.1"},
                                   {"SourcePort", "sixty"}};
    sim_evtx_event e = {"Microsoft-Windows-Sysmon", "Microsoft-Windows-Sysmon/Operational", 3,
                        "ws01", at("2024-06-01T10:00:00Z"), port, 3};
    assert_int_equal(sim_evtx_write_event(wr.w, &e), 0);
    uint64_t bad_port = sim_evtx_record_offset(wr.w);
    const sim_evtx_field no_time[] = {{"QueryName", "example.com"}};
    sim_evtx_event d = {"Microsoft-Windows-Sysmon", "Microsoft-Windows-Sysmon/Operational", 22,
                        "ws01", at("2024-06-01T10:00:01Z"), no_time, 1};
    assert_int_equal(sim_evtx_write_event(wr.w, &d), 0);
    sim_evtx_conn good = outbound(2);
    assert_int_equal(sim_evtx_write_conn(wr.w, &good), 0);
    finish(&wr);

    result r = read_file(wr.path);
    assert_int_equal(r.status, 0);
    assert_int_equal(r.nevents, 1);
    assert_int_equal(skipped(&r, "sysmon-evtx", "invalid SourcePort"), 1);
    assert_int_equal(skipped(&r, "sysmon-evtx", "missing UtcTime"), 1);
    char expected[200];
    snprintf(expected, sizeof(expected),
             "badvalues.evtx: byte %llu: invalid SourcePort: SourcePort is \"sixty\"",
             (unsigned long long)bad_port);
    assert_non_null(strstr(r.messages, expected));
    result_free(&r);
}

/* --- Parallel chunks and streams --- */

static void threads_and_streams_agree(void **state)
{
    (void)state;
    char path[256], gz[256];
    write_mixed("many.evtx", SIM_EVTX_NESTED, 2000, 37);
    path_in(path, sizeof(path), "many.evtx");

    result one = read_file(path);
    assert_int_equal(one.status, 0);
    assert_string_equal(one.messages, "");
    assert_int_equal(one.nevents, 2000);
    assert_int_equal(records_read(&one), 2000);

    /* Two and four workers, each job one chunk. */
    for (unsigned threads = 2; threads <= 4; threads += 2) {
        ih_input_options opt = {NULL, threads, false, 65536, false};
        result many = read_opts(path, &opt);
        assert_int_equal(many.status, 0);
        assert_int_equal(many.nevents, 2000);
        assert_string_equal(many.events, one.events);
        result_free(&many);
    }

    /* The same file compressed is read as a stream, chunk by chunk. */
    path_in(gz, sizeof(gz), "many.evtx.gz");
    FILE *in = fopen(path, "rb");
    gzFile out = gzopen(gz, "wb");
    assert_non_null(in);
    assert_non_null(out);
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
        assert_int_equal(gzwrite(out, buf, (unsigned)n), (int)n);
    fclose(in);
    assert_int_equal(gzclose(out), Z_OK);
    result stream = read_file(gz);
    assert_int_equal(stream.status, 0);
    assert_string_equal(stream.messages, "");
    /* Only the file name differs. */
    assert_int_equal(stream.nevents, one.nevents);
    assert_int_equal(records_read(&stream), 2000);
    result_free(&stream);
    result_free(&one);
}

static void many_templates_in_one_chunk(void **state)
{
    (void)state;
    writer wr = start("templates.evtx", SIM_EVTX_NESTED, 0);
    sim_evtx_conn c = outbound(0);
    assert_int_equal(sim_evtx_write_conn(wr.w, &c), 0);
    /* More distinct templates than the reader caches per chunk: it must start over. */
    char names[120][16];
    for (unsigned i = 0; i < 120; i++) {
        snprintf(names[i], sizeof(names[i]), "Field%u", i);
        const sim_evtx_field f[] = {{names[i], "x"}};
        sim_evtx_event e = {"Microsoft-Windows-Sysmon", "Microsoft-Windows-Sysmon/Operational",
                            7, "ws01", c.time, f, 1};
        assert_int_equal(sim_evtx_write_event(wr.w, &e), 0);
    }
    /* Refers back to the first record's template. */
    c = outbound(1);
    assert_int_equal(sim_evtx_write_conn(wr.w, &c), 0);
    finish(&wr);

    result r = read_file(wr.path);
    assert_string_equal(r.messages, "");
    assert_int_equal(records_read(&r), 122);
    assert_int_equal(r.nevents, 2);
    assert_int_equal(skipped(&r, "sysmon-evtx", "not a Sysmon network event"), 120);
    result_free(&r);
}

/* --- Damage --- */

/* A file of three chunks of 10 records, for the damage tests; returns its path. */
static void three_chunks(const char *name, char *path, size_t cap)
{
    write_mixed(name, SIM_EVTX_FLAT, 30, 10);
    path_in(path, cap, name);
}

static void bad_chunk_signature(void **state)
{
    (void)state;
    char path[256];
    three_chunks("badchunk.evtx", path, sizeof(path));
    patch(path, CHUNK_OFFSET(1), "ElfJunk", 7);

    result r = read_file(path);
    assert_int_equal(r.status, 0);
    assert_int_equal(skipped(&r, "evtx", "invalid chunk signature"), 1);
    assert_int_equal(r.nevents, 20);
    char expected[128];
    snprintf(expected, sizeof(expected), "badchunk.evtx: byte %llu: invalid chunk signature",
             (unsigned long long)CHUNK_OFFSET(1));
    assert_non_null(strstr(r.messages, expected));
    result_free(&r);
}

static void checksums_only_when_asked(void **state)
{
    (void)state;
    char path[256];
    three_chunks("crc.evtx", path, sizeof(path));
    /* A byte of the first record's RuleName padding area: harmless to the values. */
    uint32_t size = read32(path, CHUNK_OFFSET(2) + 512 + 4);
    patch(path, CHUNK_OFFSET(2) + 512 + size - 5, "\x7f", 1);
    patch(path, 124, "\x01\x02\x03\x04", 4); /* the file header's checksum */

    result plain = read_file(path);
    assert_string_equal(plain.messages, "");
    assert_int_equal(plain.nevents, 30);
    result_free(&plain);

    ih_input_options opt = {NULL, 1, false, 0, true};
    result checked = read_opts(path, &opt);
    assert_int_equal(checked.status, 0);
    assert_int_equal(skipped(&checked, "evtx", "checksum mismatch"), 2);
    assert_non_null(strstr(checked.messages, "crc.evtx: byte 0: checksum mismatch: file header"));
    assert_non_null(strstr(checked.messages, "chunk 2 records CRC32"));
    assert_int_equal(checked.nevents, 20);
    result_free(&checked);
}

static void truncated_file(void **state)
{
    (void)state;
    char path[256], cut[256];
    three_chunks("whole.evtx", path, sizeof(path));
    path_in(cut, sizeof(cut), "cut.evtx");
    /* Cut inside the second chunk, after its first records. */
    copy_file(path, cut, (long)(CHUNK_OFFSET(1) + 6000));

    result r = read_file(cut);
    assert_int_equal(r.status, 0);
    assert_int_equal(skipped(&r, "evtx", "truncated chunk"), 1);
    assert_int_equal(skipped(&r, "evtx", "truncated file"), 1);
    assert_true(r.nevents > 10);
    assert_true(r.nevents < 20);
    result_free(&r);

    /* A file shorter than the fields of its header. */
    copy_file(path, cut, 100);
    r = read_file(cut);
    assert_int_equal(skipped(&r, "evtx", "truncated file header"), 1);
    assert_int_equal(r.nevents, 0);
    result_free(&r);
}

static void zero_size_record_is_skipped(void **state)
{
    (void)state;
    char path[256];
    three_chunks("zero.evtx", path, sizeof(path));
    patch32(path, CHUNK_OFFSET(0) + 512 + 4, 0);

    result r = read_file(path);
    assert_int_equal(r.status, 0);
    assert_int_equal(skipped(&r, "sysmon-evtx", "invalid record size"), 1);
    /* The first record is lost; the reader finds the next one. */
    assert_int_equal(r.nevents, 29);
    char expected[128];
    snprintf(expected, sizeof(expected), "zero.evtx: byte %llu: invalid record size",
             (unsigned long long)CHUNK_OFFSET(0) + 512);
    assert_non_null(strstr(r.messages, expected));
    result_free(&r);
}

static void record_size_past_chunk(void **state)
{
    (void)state;
    char path[256];
    three_chunks("past.evtx", path, sizeof(path));
    patch32(path, CHUNK_OFFSET(1) + 512 + 4, 70000);

    result r = read_file(path);
    assert_int_equal(skipped(&r, "sysmon-evtx", "record size past its chunk"), 1);
    assert_int_equal(r.nevents, 29);
    result_free(&r);
}

static void record_size_copy_mismatch(void **state)
{
    (void)state;
    char path[256];
    three_chunks("copy.evtx", path, sizeof(path));
    uint32_t size = read32(path, CHUNK_OFFSET(2) + 512 + 4);
    patch32(path, CHUNK_OFFSET(2) + 512 + size - 4, size + 8);

    result r = read_file(path);
    assert_int_equal(skipped(&r, "sysmon-evtx", "record size copy mismatch"), 1);
    assert_int_equal(r.nevents, 29);
    result_free(&r);
}

static void chunk_header_disagrees(void **state)
{
    (void)state;
    char path[256];
    three_chunks("ids.evtx", path, sizeof(path));
    patch32(path, CHUNK_OFFSET(0) + 32, 99);      /* last event record identifier */
    patch32(path, CHUNK_OFFSET(1) + 44, 1000);    /* last event record data offset */
    patch32(path, CHUNK_OFFSET(2) + 48, 0x20000); /* free space offset */

    result r = read_file(path);
    assert_int_equal(r.status, 0);
    assert_int_equal(skipped(&r, "evtx", "chunk record ids mismatch"), 1);
    assert_int_equal(skipped(&r, "evtx", "last record offset mismatch"), 1);
    assert_int_equal(skipped(&r, "evtx", "invalid free space offset"), 1);
    assert_non_null(strstr(r.messages, "header lists event records 1 to 99, its records are 1 "
                                       "to 10"));
    /* Every record is still read; the zeroed space after the last one ends the scan. */
    assert_int_equal(r.nevents, 30);
    result_free(&r);
}

static void bad_template_and_name_offsets(void **state)
{
    (void)state;
    char path[256];
    three_chunks("offsets.evtx", path, sizeof(path));
    /* The second record of chunk 0 refers to the template of the first: point it forward. */
    uint64_t first = CHUNK_OFFSET(0) + 512;
    uint32_t size = read32(path, first + 4);
    uint64_t second = first + size;
    patch32(path, second + 24 + 4 + 6, 60000);
    /* The first record of chunk 1 defines its template and the name of the root element;
       point that name's offset into the chunk header. */
    uint64_t c1 = CHUNK_OFFSET(1) + 512;
    uint32_t def = read32(path, c1 + 24 + 4 + 6);
    patch32(path, CHUNK_OFFSET(1) + def + 24 + 4 + 7, 40);

    result r = read_file(path);
    assert_int_equal(r.status, 0);
    assert_int_equal(skipped(&r, "sysmon-evtx", "invalid template offset"), 1);
    /* The 7 connections of chunk 1 use that template; its 3 DNS queries have their own. */
    assert_int_equal(skipped(&r, "sysmon-evtx", "invalid name offset"), 7);
    assert_int_equal(r.nevents, 22);
    result_free(&r);
}

static void dirty_file_is_reported(void **state)
{
    (void)state;
    char path[256];
    three_chunks("dirty.evtx", path, sizeof(path));
    patch32(path, 120, 1);

    result r = read_file(path);
    assert_int_equal(skipped(&r, "evtx", "dirty file"), 1);
    assert_non_null(strstr(r.messages, "dirty.evtx: byte 120: dirty file"));
    assert_int_equal(r.nevents, 30);
    result_free(&r);
}

static void strict_stops_at_first_problem(void **state)
{
    (void)state;
    char path[256];
    three_chunks("strict.evtx", path, sizeof(path));
    patch32(path, CHUNK_OFFSET(1) + 512 + 4, 0);

    ih_input_options opt = {NULL, 1, true, 0, false};
    result r = read_opts(path, &opt);
    assert_int_equal(r.status, -1);
    assert_true(r.diag.stop);
    assert_int_equal(r.nevents, 10);
    result_free(&r);
}

/* --- Values --- */

static void field_text_is(const evtx_part *parts, size_t n, const char *expected)
{
    evtx_field f = {.present = true, .nparts = (uint8_t)n};
    memcpy(f.parts, parts, n * sizeof(*parts));
    char buf[512];
    assert_true(evtx_field_text_max(&f) <= sizeof(buf));
    long len = evtx_field_text(&f, buf, sizeof(buf));
    assert_true(len >= 0);
    buf[len] = '\0';
    assert_string_equal(buf, expected);
}

static void value_formats(void **state)
{
    (void)state;
    static const uint8_t guid[16] = {0x5f, 0x38, 0x70, 0x57, 0x2a, 0xc2, 0xe0, 0x43,
                                     0xbf, 0x4c, 0x06, 0xf5, 0x69, 0x8f, 0xfb, 0xd9};
    static const uint8_t sid[12] = {1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0};
    static const uint8_t filetime[8] = {0xb4, 0x45, 0x9c, 0x6d, 0x36, 0xe6, 0xd7, 0x01};
    static const uint8_t yes[4] = {1, 0, 0, 0}, port[2] = {0xbb, 0x01};
    static const uint8_t hex[8] = {0, 0, 0, 0, 0, 0, 0, 0x80};
    static const uint8_t ansi[3] = {'a', 0x80, 0xe9};
    /* "a", U+1F600 as a surrogate pair, a lone high surrogate, then a NUL terminator. */
    static const uint8_t utf16[10] = {'a', 0, 0x3d, 0xd8, 0x00, 0xde, 0x3d, 0xd8, 0, 0};

    evtx_part p = {guid, 16, EVTX_TYPE_GUID};
    field_text_is(&p, 1, "{5770385F-C22A-43E0-BF4C-06F5698FFBD9}");
    p = (evtx_part){sid, 12, EVTX_TYPE_SID};
    field_text_is(&p, 1, "S-1-5-18");
    p = (evtx_part){filetime, 8, EVTX_TYPE_FILETIME};
    field_text_is(&p, 1, "2021-11-30T22:05:47.229944400Z");
    p = (evtx_part){yes, 4, EVTX_TYPE_BOOL};
    field_text_is(&p, 1, "true");
    p = (evtx_part){port, 2, EVTX_TYPE_UINT16};
    field_text_is(&p, 1, "443");
    p = (evtx_part){hex, 8, EVTX_TYPE_HEX64};
    field_text_is(&p, 1, "0x8000000000000000");
    p = (evtx_part){ansi, 3, EVTX_TYPE_ANSI_STRING};
    field_text_is(&p, 1, "a\xe2\x82\xac\xc3\xa9");
    p = (evtx_part){utf16, 10, EVTX_TYPE_STRING};
    field_text_is(&p, 1, "a\xf0\x9f\x98\x80\xef\xbf\xbd");
    evtx_part two[2] = {{port, 2, EVTX_TYPE_UINT16}, {NULL, '&', EVTX_TYPE_STRING}};
    field_text_is(two, 2, "443&");

    /* Arrays and binary XML have no text here. */
    evtx_field f = {.present = true, .nparts = 1};
    f.parts[0] = (evtx_part){port, 2, EVTX_TYPE_UINT16 | EVTX_TYPE_ARRAY};
    char buf[128];
    assert_int_equal(evtx_field_text(&f, buf, sizeof(buf)), -1);
    uint64_t v;
    f.parts[0] = (evtx_part){port, 2, EVTX_TYPE_UINT16};
    assert_true(evtx_field_uint(&f, &v));
    assert_int_equal(v, 443);
    f.parts[0] = (evtx_part){utf16, 2, EVTX_TYPE_STRING};
    assert_false(evtx_field_uint(&f, &v));
}

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/infrahunt-evtx-XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trip_flat),
        cmocka_unit_test(round_trip_nested),
        cmocka_unit_test(inbound_ipv6_and_empty_names),
        cmocka_unit_test(other_records_are_skipped),
        cmocka_unit_test(bad_values_are_reported),
        cmocka_unit_test(threads_and_streams_agree),
        cmocka_unit_test(many_templates_in_one_chunk),
        cmocka_unit_test(bad_chunk_signature),
        cmocka_unit_test(checksums_only_when_asked),
        cmocka_unit_test(truncated_file),
        cmocka_unit_test(zero_size_record_is_skipped),
        cmocka_unit_test(record_size_past_chunk),
        cmocka_unit_test(record_size_copy_mismatch),
        cmocka_unit_test(chunk_header_disagrees),
        cmocka_unit_test(bad_template_and_name_offsets),
        cmocka_unit_test(dirty_file_is_reported),
        cmocka_unit_test(strict_stops_at_first_problem),
        cmocka_unit_test(value_formats),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
