/*
 * Writes a synthetic Sysmon EVTX file with infrahunt's EVTX writer
 * (src/simulate/sim_evtx.c): network connections (event 3) and DNS queries
 * (event 22) of many hosts and processes, and, unless --other 0, other
 * Sysmon events (1, 5, 7, 11) and Security events (4624) that a reader must
 * skip.
 *
 * Usage: gen_evtx [options] OUT
 *   --records N    write N records (default 10000)
 *   --mb N         write records until the file has at least N MiB (overrides --records)
 *   --seed N       random seed (default 1)
 *   --layout L     flat or nested (default nested, the layout of exported logs)
 *   --other P      percent of records that are not events 3 or 22 (default 20)
 *   --per-chunk N  start a new chunk after N records (default: when full)
 * The same options always give the same bytes. A summary goes to standard error.
 * Build: cc -O2 -Isrc bench/gen_evtx.c build/libinfrahunt.a -lz
 */
#define _POSIX_C_SOURCE 200809L /* ftello */

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/simulate/sim_evtx.h"

#define START_NS (INT64_C(1717200000) * INT64_C(1000000000)) /* 2024-06-01T00:00:00Z */

/* splitmix64: small, fast, the same on every platform. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static unsigned pick(uint64_t *state, unsigned n)
{
    return (unsigned)(next_random(state) % n);
}

static const char *const images[] = {
    "C:\\Windows\\System32\\svchost.exe",
    "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
    "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe",
    "C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe",
    "C:\\Windows\\System32\\rundll32.exe",
    "C:\\Users\\alice\\AppData\\Local\\Temp\\updater.exe",
    "C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.2302.7-0\\MsMpEng.exe",
    "C:\\Windows\\System32\\mshta.exe",
};

static const char *const users[] = {
    "NT AUTHORITY\\SYSTEM", "NT AUTHORITY\\NETWORK SERVICE", "CORP\\alice", "CORP\\bob",
    "CORP\\svc_backup",
};

static const char *const names[] = {
    "www.example.com", "login.microsoftonline.com", "settings-win.data.microsoft.com",
    "update.googleapis.com", "cdn.jsdelivr.net", "files.example.org",
    "backup7.duckdns.org", "relay.ddns.net", "mail.hopto.org", "api.github.com",
};

/* Writes a random public or private IPv4 address, or now and then an IPv6 one. */
static bool random_address(uint64_t *state, char *out, size_t cap)
{
    unsigned kind = pick(state, 20);
    if (kind == 0) {
        snprintf(out, cap, "2001:db8:%x::%x", pick(state, 65536), pick(state, 65536));
        return true;
    }
    if (kind < 6)
        snprintf(out, cap, "10.%u.%u.%u", pick(state, 256), pick(state, 256), 1 + pick(state, 254));
    else
        snprintf(out, cap, "%u.%u.%u.%u", 11 + pick(state, 180), pick(state, 256), pick(state, 256),
                 1 + pick(state, 254));
    return false;
}

static int write_conn(sim_evtx *w, uint64_t *state, ih_time t, const char *computer)
{
    char local[64], remote[64], remote_name[80];
    sim_evtx_conn c = {0};
    bool inbound = pick(state, 10) == 0;

    bool v6 = random_address(state, remote, sizeof(remote));
    if (v6)
        snprintf(local, sizeof(local), "fe80::%x:%x", pick(state, 65536), pick(state, 65536));
    else
        snprintf(local, sizeof(local), "10.1.%u.%u", pick(state, 256), 1 + pick(state, 254));
    snprintf(remote_name, sizeof(remote_name), "%s", pick(state, 3) ? "" : names[pick(state, 10)]);

    c.time = t;
    c.computer = computer;
    c.rule_name = pick(state, 4) ? NULL : "technique_id=T1071,technique_name=Application Layer";
    c.process_id = 1000 + pick(state, 60000);
    c.image = images[pick(state, sizeof(images) / sizeof(images[0]))];
    c.user = users[pick(state, sizeof(users) / sizeof(users[0]))];
    c.protocol = pick(state, 8) ? "tcp" : "udp";
    c.initiated = !inbound;
    c.source_is_ipv6 = v6;
    c.destination_is_ipv6 = v6;
    c.source_ip = inbound ? remote : local;
    c.source_hostname = inbound ? remote_name : computer;
    c.source_port = (uint16_t)(inbound ? 49152 + pick(state, 16000) : 49152 + pick(state, 16000));
    c.source_port_name = "-";
    c.destination_ip = inbound ? local : remote;
    c.destination_hostname = inbound ? computer : remote_name;
    static const uint16_t ports[] = {443, 80, 8080, 53, 445, 3389, 4444, 8443};
    c.destination_port = inbound ? 3389 : ports[pick(state, sizeof(ports) / sizeof(ports[0]))];
    c.destination_port_name = c.destination_port == 443 ? "https" : "-";
    return sim_evtx_write_conn(w, &c);
}

static int write_dns(sim_evtx *w, uint64_t *state, ih_time t, const char *computer)
{
    char results[256];
    sim_evtx_dns d = {0};
    const char *name = names[pick(state, sizeof(names) / sizeof(names[0]))];

    if (pick(state, 10) == 0)
        snprintf(results, sizeof(results), "-");
    else
        snprintf(results, sizeof(results), "type:  5 edge-%u.example.net;::ffff:%u.%u.%u.%u;",
                 pick(state, 100), 11 + pick(state, 180), pick(state, 256), pick(state, 256),
                 1 + pick(state, 254));
    d.time = t;
    d.computer = computer;
    d.process_id = 1000 + pick(state, 60000);
    d.query_name = name;
    d.query_status = pick(state, 10) ? "0" : "9003";
    d.query_results = results;
    d.image = images[pick(state, sizeof(images) / sizeof(images[0]))];
    d.user = users[pick(state, sizeof(users) / sizeof(users[0]))];
    return sim_evtx_write_dns(w, &d);
}

/* A record a Sysmon network reader skips: another Sysmon event, or a Security event. */
static int write_other(sim_evtx *w, uint64_t *state, ih_time t, const char *computer)
{
    char pid[16], utc[32], line[200];
    snprintf(pid, sizeof(pid), "%u", 1000 + pick(state, 60000));
    snprintf(utc, sizeof(utc), "2024-06-01 00:00:%02u.%03u", pick(state, 60), pick(state, 1000));
    snprintf(line, sizeof(line), "\"C:\\Windows\\System32\\cmd.exe\" /c whoami /all > %u.txt",
             pick(state, 100000));
    sim_evtx_event e = {"Microsoft-Windows-Sysmon", "Microsoft-Windows-Sysmon/Operational", 1,
                        computer, t, NULL, 0};

    switch (pick(state, 5)) {
    case 0: {
        const sim_evtx_field f[] = {{"RuleName", "-"},     {"UtcTime", utc},
                                    {"ProcessId", pid},    {"Image", images[4]},
                                    {"CommandLine", line}, {"User", users[2]}};
        e.fields = f;
        e.nfields = sizeof(f) / sizeof(f[0]);
        return sim_evtx_write_event(w, &e);
    }
    case 1: {
        const sim_evtx_field f[] = {{"UtcTime", utc}, {"ProcessId", pid}, {"Image", images[7]}};
        e.event_id = 5;
        e.fields = f;
        e.nfields = 3;
        return sim_evtx_write_event(w, &e);
    }
    case 2: {
        const sim_evtx_field f[] = {{"UtcTime", utc},
                                    {"ProcessId", pid},
                                    {"Image", images[1]},
                                    {"ImageLoaded", "C:\\Windows\\System32\\wininet.dll"},
                                    {"Signed", "true"}};
        e.event_id = 7;
        e.fields = f;
        e.nfields = 5;
        return sim_evtx_write_event(w, &e);
    }
    case 3: {
        const sim_evtx_field f[] = {{"UtcTime", utc},
                                    {"ProcessId", pid},
                                    {"Image", images[5]},
                                    {"TargetFilename", "C:\\Users\\alice\\AppData\\Roaming\\a.ps1"}};
        e.event_id = 11;
        e.fields = f;
        e.nfields = 4;
        return sim_evtx_write_event(w, &e);
    }
    default: {
        const sim_evtx_field f[] = {{"TargetUserName", "alice"},
                                    {"TargetDomainName", "CORP"},
                                    {"LogonType", "3"},
                                    {"IpAddress", "10.1.2.3"}};
        e.provider = "Microsoft-Windows-Security-Auditing";
        e.channel = "Security";
        e.event_id = 4624;
        e.fields = f;
        e.nfields = 4;
        return sim_evtx_write_event(w, &e);
    }
    }
}

static void usage(void)
{
    fprintf(stderr, "usage: gen_evtx [--records N | --mb N] [--seed N] [--layout flat|nested] "
                    "[--other PERCENT] [--per-chunk N] OUT\n");
}

int main(int argc, char **argv)
{
    uint64_t records = 10000, mb = 0, seed = 1, other = 20, per_chunk = 0;
    sim_evtx_options opt = {SIM_EVTX_NESTED, 0, false};
    const char *out_path = NULL;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has_value = i + 1 < argc;
        if (strcmp(a, "--records") == 0 && has_value)
            records = strtoull(argv[++i], NULL, 10);
        else if (strcmp(a, "--mb") == 0 && has_value)
            mb = strtoull(argv[++i], NULL, 10);
        else if (strcmp(a, "--seed") == 0 && has_value)
            seed = strtoull(argv[++i], NULL, 10);
        else if (strcmp(a, "--other") == 0 && has_value)
            other = strtoull(argv[++i], NULL, 10);
        else if (strcmp(a, "--per-chunk") == 0 && has_value)
            per_chunk = strtoull(argv[++i], NULL, 10);
        else if (strcmp(a, "--layout") == 0 && has_value && strcmp(argv[i + 1], "flat") == 0) {
            opt.layout = SIM_EVTX_FLAT;
            i++;
        } else if (strcmp(a, "--layout") == 0 && has_value && strcmp(argv[i + 1], "nested") == 0) {
            opt.layout = SIM_EVTX_NESTED;
            i++;
        } else if (a[0] != '-' && !out_path)
            out_path = a;
        else {
            usage();
            return 2;
        }
    }
    if (!out_path || other > 100) {
        usage();
        return 2;
    }
    opt.records_per_chunk = (unsigned)per_chunk;

    FILE *out = fopen(out_path, "wb");
    if (!out) {
        perror(out_path);
        return 1;
    }
    sim_evtx *w = sim_evtx_open(out, &opt);
    if (!w) {
        fprintf(stderr, "gen_evtx: cannot start %s\n", out_path);
        return 1;
    }
    uint64_t state = seed, conns = 0, dnss = 0, others = 0;
    ih_time t = START_NS;
    char computer[32];
    for (uint64_t n = 0; mb ? (uint64_t)ftello(out) < (mb << 20) : n < records; n++) {
        snprintf(computer, sizeof(computer), "WS%03u.corp.example", pick(&state, 40));
        t += (ih_time)(1 + pick(&state, 2000)) * 1000000; /* 1 ms to 2 s apart */
        unsigned roll = pick(&state, 100);
        int rc;
        if (roll < other) {
            rc = write_other(w, &state, t, computer);
            others++;
        } else if (roll < other + (100 - other) * 3 / 4) {
            rc = write_conn(w, &state, t, computer);
            conns++;
        } else {
            rc = write_dns(w, &state, t, computer);
            dnss++;
        }
        if (rc < 0) {
            fprintf(stderr, "gen_evtx: writing record %" PRIu64 " failed\n", n + 1);
            sim_evtx_close(w);
            fclose(out);
            return 1;
        }
    }
    if (sim_evtx_close(w) < 0 || fclose(out) != 0) {
        fprintf(stderr, "gen_evtx: writing %s failed\n", out_path);
        return 1;
    }
    fprintf(stderr, "gen_evtx: %" PRIu64 " records (%" PRIu64 " event 3, %" PRIu64
                    " event 22, %" PRIu64 " other) in %s\n",
            conns + dnss + others, conns, dnss, others, out_path);
    return 0;
}
