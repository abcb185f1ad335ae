/*
 * Writes synthetic Defender DeviceNetworkEvents as JSON lines for benchmarks:
 * background traffic of many devices, processes and destinations, mixed with
 * beacons and fast-flux bursts so that every part of the reference rule has
 * groups to keep and groups to reject.
 *
 * Usage: gen_events ROWS OUT [SEED]
 * OUT may be - for standard output. Rows span the 10 days before
 * 2024-06-01T00:00:00Z, in no time order. The same ROWS and SEED always give
 * the same bytes. A summary goes to standard error.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOW_SECONDS INT64_C(1717200000) /* 2024-06-01T00:00:00Z */
#define NS_PER_SECOND INT64_C(1000000000)
#define NS_PER_MINUTE (60 * NS_PER_SECOND)
#define NS_PER_HOUR (60 * NS_PER_MINUTE)
#define SPAN_NS (10 * 24 * NS_PER_HOUR)

#define DEVICE_COUNT 5000
#define PUBLIC_IP_COUNT 200000
#define URL_COUNT 20000
#define DYNDNS_COUNT 600
#define ACTIVE_SERIES 2000
#define FLUX_MAX_IPS 8
#define OUT_BUFFER_SIZE (8u << 20)

/* xoshiro256** seeded through splitmix64: fast, and the same on every platform. */
typedef struct rng {
    uint64_t s[4];
} rng;

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static void rng_seed(rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(rng *r)
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

/* Returns an integer in [0, n); the modulo bias is negligible for these n. */
static uint64_t rng_below(rng *r, uint64_t n)
{
    return rng_next(r) % n;
}

/* Returns true with probability percent / 100. */
static bool rng_percent(rng *r, unsigned percent)
{
    return rng_below(r, 100) < percent;
}

/* A value with a relative weight, for weighted choices. */
typedef struct weighted {
    int value;
    unsigned weight;
} weighted;

static int rng_weighted(rng *r, const weighted *table, size_t n)
{
    unsigned total = 0;
    for (size_t i = 0; i < n; i++)
        total += table[i].weight;
    unsigned roll = (unsigned)rng_below(r, total);
    for (size_t i = 0; i < n; i++) {
        if (roll < table[i].weight)
            return table[i].value;
        roll -= table[i].weight;
    }
    return table[n - 1].value;
}

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

static const char *const ACTIONS[] = {
    "ConnectionSuccess", "ConnectionAttempt", "ConnectionFailed", "InboundConnectionAccepted",
    "ListeningConnectionCreated", "connectionsuccess",
};
static const weighted ACTION_WEIGHTS[] = {{0, 55}, {1, 12}, {2, 15}, {3, 12}, {4, 5}, {5, 1}};

/* Port 0 in this table stands for a random ephemeral port. */
static const weighted PORT_WEIGHTS[] = {
    {443, 500}, {80, 120}, {8080, 20}, {8443, 20}, {4443, 5}, {4444, 5}, {1080, 5},
    {3128, 5},  {53, 80},  {22, 20},   {3389, 30}, {445, 50}, {135, 20}, {0, 120},
};

/* A process as Defender records it: file name and full path, JSON-escaped. */
typedef struct process {
    const char *name;
    const char *path;
} process;

static const process PROCESSES[] = {
    {"chrome.exe", "c:\\\\program files\\\\google\\\\chrome\\\\application\\\\chrome.exe"},
    {"msedge.exe", "c:\\\\program files (x86)\\\\microsoft\\\\edge\\\\application\\\\msedge.exe"},
    {"firefox.exe", "c:\\\\program files\\\\mozilla firefox\\\\firefox.exe"},
    {"svchost.exe", "c:\\\\windows\\\\system32\\\\svchost.exe"},
    {"MsMpEng.exe", "c:\\\\programdata\\\\microsoft\\\\windows defender\\\\msmpeng.exe"},
    {"MsSense.exe", "c:\\\\program files\\\\windows defender atp\\\\mssense.exe"},
    {"SenseCncProxy.exe", "c:\\\\program files\\\\windows defender atp\\\\sensecncproxy.exe"},
    {"Teams.exe", "c:\\\\users\\\\user\\\\appdata\\\\local\\\\teams\\\\teams.exe"},
    {"OUTLOOK.EXE", "c:\\\\program files\\\\microsoft office\\\\root\\\\office16\\\\outlook.exe"},
    {"OneDrive.exe", "c:\\\\program files\\\\microsoft onedrive\\\\onedrive.exe"},
    {"powershell.exe", "c:\\\\windows\\\\system32\\\\windowspowershell\\\\v1.0\\\\powershell.exe"},
    {"rundll32.exe", "c:\\\\windows\\\\system32\\\\rundll32.exe"},
    {"python.exe", "c:\\\\python311\\\\python.exe"},
    {"curl.exe", "c:\\\\windows\\\\system32\\\\curl.exe"},
    {"java.exe", "c:\\\\program files\\\\java\\\\jre\\\\bin\\\\java.exe"},
    {"slack.exe", "c:\\\\users\\\\user\\\\appdata\\\\local\\\\slack\\\\slack.exe"},
    {"Zoom.exe", "c:\\\\users\\\\user\\\\appdata\\\\roaming\\\\zoom\\\\bin\\\\zoom.exe"},
    {"AnyDesk.exe", "c:\\\\program files (x86)\\\\anydesk\\\\anydesk.exe"},
    {"CHROME.EXE", "c:\\\\program files\\\\google\\\\chrome\\\\application\\\\chrome.exe"},
    {"safari", "c:\\\\program files\\\\safari\\\\safari"},
    {"updater.exe", "c:\\\\program files\\\\vendor\\\\updater.exe"},
    {"lsass.exe", "c:\\\\windows\\\\system32\\\\lsass.exe"},
    {"System", "c:\\\\windows\\\\system32\\\\ntoskrnl.exe"},
    {"dns.exe", "c:\\\\windows\\\\system32\\\\dns.exe"},
};

/* Indexes into PROCESSES of the names beacons and bursts use. */
static const int IMPLANT_PROCESSES[] = {10, 11, 12, 13, 14, 20};

static const char *const URL_PREFIXES[] = {"api", "cdn", "login", "update", "telemetry", "static", "www", "mail"};
static const char *const URL_DOMAINS[] = {
    "contoso.com", "fabrikam.net", "example.org", "northwind.io", "adatum.com", "tailspin.dev",
};
static const char *const DYNDNS_SUFFIXES[] = {
    "duckdns.org", "no-ip.com", "hopto.org", "ddns.net", "servebeer.com", "myftp.biz",
    "redirectme.net", "serveftp.com", "zapto.org", "sytes.net", "myddns.me", "dynalias.com",
};

typedef struct device {
    char id[41];
    char name[40];
    char local_ip[16];
} device;

/* The fixed pools that rows draw from. */
typedef struct pools {
    device devices[DEVICE_COUNT];
    uint32_t public_ips[PUBLIC_IP_COUNT];
    char urls[URL_COUNT][40];
    char dyndns[DYNDNS_COUNT][40];
} pools;

static bool is_private(uint32_t a, uint32_t b)
{
    return a == 10 || (a == 172 && b >= 16 && b <= 31) || (a == 192 && b == 168);
}

static uint32_t random_public_ip(rng *r)
{
    for (;;) {
        uint32_t ip = (uint32_t)rng_next(r);
        uint32_t a = ip >> 24, b = (ip >> 16) & 255;
        if (a >= 1 && a <= 223 && a != 127 && !is_private(a, b))
            return ip;
    }
}

static void fill_pools(pools *p, rng *r)
{
    for (int i = 0; i < DEVICE_COUNT; i++) {
        device *d = &p->devices[i];
        snprintf(d->id, sizeof(d->id), "%016" PRIx64 "%016" PRIx64 "%08" PRIx32, rng_next(r), rng_next(r),
                 (uint32_t)rng_next(r));
        snprintf(d->name, sizeof(d->name), "%s-%05d.contoso.com", i % 7 == 0 ? "srv" : "pc", i);
        snprintf(d->local_ip, sizeof(d->local_ip), "10.%u.%u.%u", (unsigned)rng_below(r, 256),
                 (unsigned)rng_below(r, 256), 1 + (unsigned)rng_below(r, 254));
    }
    for (int i = 0; i < PUBLIC_IP_COUNT; i++)
        p->public_ips[i] = random_public_ip(r);
    for (int i = 0; i < URL_COUNT; i++)
        snprintf(p->urls[i], sizeof(p->urls[i]), "%s%d.%s", URL_PREFIXES[rng_below(r, COUNT_OF(URL_PREFIXES))], i,
                 URL_DOMAINS[rng_below(r, COUNT_OF(URL_DOMAINS))]);
    for (int i = 0; i < DYNDNS_COUNT; i++) {
        snprintf(p->dyndns[i], sizeof(p->dyndns[i]), "h%d.%s", i, DYNDNS_SUFFIXES[i % COUNT_OF(DYNDNS_SUFFIXES)]);
        if (i % 5 == 0) /* some names in capitals: the rule matches without regard to case */
            for (char *c = p->dyndns[i]; *c; c++)
                if (*c >= 'a' && *c <= 'z')
                    *c = (char)(*c - 'a' + 'A');
    }
}

/* One row before formatting. Byte counts below 0 are unknown (left out). */
typedef struct row {
    int64_t time_ns;
    const device *dev;
    const char *action;
    char remote_ip[48];
    int remote_port;
    const char *url;
    int local_port;
    const process *proc;
    int64_t process_id;
    int64_t sent;
    int64_t received;
} row;

static void format_ipv4(char *out, size_t size, uint32_t ip)
{
    snprintf(out, size, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255);
}

/* Fills remote_ip: mostly public IPv4, some private IPv4, IPv6 and loopback. */
static void random_remote_ip(row *out, const pools *p, rng *r)
{
    unsigned roll = (unsigned)rng_below(r, 100);
    if (roll < 75)
        format_ipv4(out->remote_ip, sizeof(out->remote_ip), p->public_ips[rng_below(r, PUBLIC_IP_COUNT)]);
    else if (roll < 95)
        snprintf(out->remote_ip, sizeof(out->remote_ip), "%s.%u.%u.%u", roll < 85 ? "10" : "192.168",
                 (unsigned)rng_below(r, 256), (unsigned)rng_below(r, 256), 1 + (unsigned)rng_below(r, 254));
    else if (roll < 99)
        snprintf(out->remote_ip, sizeof(out->remote_ip), "2001:db8:%x::%x", (unsigned)rng_below(r, 65536),
                 1 + (unsigned)rng_below(r, 4095));
    else
        snprintf(out->remote_ip, sizeof(out->remote_ip), "127.0.0.1");
}

static void random_bytes(row *out, rng *r)
{
    bool known = rng_percent(r, 20);
    out->sent = known ? (int64_t)rng_below(r, 20000) : -1;
    out->received = known ? (int64_t)rng_below(r, 200000) : -1;
}

/* Rounds a time to Defender's 100 ns tick, or to a whole second for a third of rows. */
static int64_t tick(int64_t ns, rng *r)
{
    return rng_percent(r, 33) ? ns - ns % NS_PER_SECOND : ns - ns % 100;
}

static void background_row(row *out, const pools *p, rng *r)
{
    int port = rng_weighted(r, PORT_WEIGHTS, COUNT_OF(PORT_WEIGHTS));
    unsigned url_roll = (unsigned)rng_below(r, 100);

    out->time_ns = tick(NOW_SECONDS * NS_PER_SECOND - (int64_t)rng_below(r, (uint64_t)SPAN_NS), r);
    out->dev = &p->devices[rng_below(r, DEVICE_COUNT)];
    out->action = ACTIONS[rng_weighted(r, ACTION_WEIGHTS, COUNT_OF(ACTION_WEIGHTS))];
    random_remote_ip(out, p, r);
    out->remote_port = port != 0 ? port : 49152 + (int)rng_below(r, 16384);
    if (url_roll < 65)
        out->url = "";
    else if (url_roll < 67)
        out->url = p->dyndns[rng_below(r, DYNDNS_COUNT)];
    else
        out->url = p->urls[rng_below(r, URL_COUNT)];
    out->local_port = 49152 + (int)rng_below(r, 16384);
    out->proc = &PROCESSES[rng_below(r, COUNT_OF(PROCESSES))];
    out->process_id = 4 + (int64_t)rng_below(r, 60000);
    random_bytes(out, r);
}

enum series_kind { SERIES_BEACON, SERIES_FLUX };

/* An injected pattern that emits its rows one at a time. */
typedef struct series {
    int kind; /* enum series_kind */
    int remaining;
    int index;
    int64_t start_ns;
    int64_t period_ns;
    const device *dev;
    const process *proc;
    const char *url;
    const char *action;
    int port;
    int ip_count;
    uint32_t ips[FLUX_MAX_IPS];
    int64_t sent; /* per row, -1 when unknown */
} series;

static const int BEACON_COUNTS[] = {15, 19, 20, 21, 25, 40, 80, 150, 400, 401, 402};
static const int BEACON_PERIOD_MINUTES[] = {1, 2, 5, 10, 15, 30, 60, 90, 120, 180};
static const int BEACON_PORTS[] = {443, 443, 80, 8080, 8443, 4444, 22};
static const int64_t BEACON_SENT[] = {-1, 1, 40, 50, 51, 60, 200};

static void start_series(series *s, const pools *p, rng *r)
{
    memset(s, 0, sizeof(*s));
    s->dev = &p->devices[rng_below(r, DEVICE_COUNT)];
    s->proc = &PROCESSES[IMPLANT_PROCESSES[rng_below(r, COUNT_OF(IMPLANT_PROCESSES))]];
    s->kind = rng_percent(r, 50) ? SERIES_BEACON : SERIES_FLUX;
    if (s->kind == SERIES_BEACON) {
        s->remaining = BEACON_COUNTS[rng_below(r, COUNT_OF(BEACON_COUNTS))];
        s->period_ns = BEACON_PERIOD_MINUTES[rng_below(r, COUNT_OF(BEACON_PERIOD_MINUTES))] * NS_PER_MINUTE;
        s->start_ns = NOW_SECONDS * NS_PER_SECOND - (int64_t)rng_below(r, (uint64_t)SPAN_NS);
        s->ip_count = 1;
        s->ips[0] = p->public_ips[rng_below(r, PUBLIC_IP_COUNT)];
        s->port = BEACON_PORTS[rng_below(r, COUNT_OF(BEACON_PORTS))];
        s->url = rng_percent(r, 20) ? p->dyndns[rng_below(r, DYNDNS_COUNT)] : p->urls[rng_below(r, URL_COUNT)];
        s->action = rng_percent(r, 70) ? "ConnectionSuccess" : "ConnectionAttempt";
        s->sent = BEACON_SENT[rng_below(r, COUNT_OF(BEACON_SENT))];
    } else {
        s->remaining = 7 + (int)rng_below(r, 10);
        s->start_ns = NOW_SECONDS * NS_PER_SECOND - (int64_t)rng_below(r, (uint64_t)SPAN_NS);
        s->ip_count = 3 + (int)rng_below(r, FLUX_MAX_IPS - 2);
        for (int i = 0; i < s->ip_count; i++)
            s->ips[i] = p->public_ips[rng_below(r, PUBLIC_IP_COUNT)];
        s->port = 443;
        s->action = "ConnectionSuccess";
        s->sent = -1;
    }
}

/* Fills `out` with the next row of `s`. Returns false when `s` is used up. */
static bool series_row(series *s, row *out, const pools *p, rng *r)
{
    if (s->remaining == 0)
        return false;
    int64_t t;
    if (s->kind == SERIES_BEACON)
        t = s->start_ns + s->index * s->period_ns + (int64_t)rng_below(r, (uint64_t)(20 * NS_PER_SECOND));
    else
        t = s->start_ns + (int64_t)rng_below(r, (uint64_t)NS_PER_HOUR);
    if (t > NOW_SECONDS * NS_PER_SECOND)
        return false;

    out->time_ns = tick(t, r);
    out->dev = s->dev;
    out->action = s->action;
    format_ipv4(out->remote_ip, sizeof(out->remote_ip), s->ips[s->index % s->ip_count]);
    out->remote_port = s->port;
    if (s->kind == SERIES_BEACON)
        out->url = s->url;
    else
        out->url = rng_percent(r, 30) ? "" : p->urls[rng_below(r, URL_COUNT)];
    out->local_port = 49152 + (int)rng_below(r, 16384);
    out->proc = s->proc;
    out->process_id = 4 + (int64_t)rng_below(r, 60000);
    out->sent = s->sent;
    out->received = s->sent >= 0 ? (int64_t)rng_below(r, 900) : -1;
    s->index++;
    s->remaining--;
    return true;
}

/* An output buffer flushed to a FILE when full. */
typedef struct outbuf {
    FILE *file;
    char *data;
    size_t len;
    uint64_t total;
} outbuf;

static int outbuf_flush(outbuf *o)
{
    if (o->len > 0 && fwrite(o->data, 1, o->len, o->file) != o->len)
        return -1;
    o->total += o->len;
    o->len = 0;
    return 0;
}

static void put(outbuf *o, const char *s)
{
    size_t n = strlen(s);
    memcpy(o->data + o->len, s, n);
    o->len += n;
}

static void put_int(outbuf *o, int64_t v)
{
    char digits[24];
    int n = 0;
    uint64_t u = v < 0 ? (uint64_t)(-(v + 1)) + 1 : (uint64_t)v;
    do {
        digits[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u > 0);
    if (v < 0)
        o->data[o->len++] = '-';
    while (n > 0)
        o->data[o->len++] = digits[--n];
}

static void put_padded(outbuf *o, int64_t v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        o->data[o->len + (size_t)i] = (char)('0' + v % 10);
        v /= 10;
    }
    o->len += (size_t)width;
}

/*
 * Converts days since 1970-01-01 to a proleptic Gregorian date, counting in
 * 400-year eras of 146097 days that start on 0000-03-01.
 */
static void civil_from_days(int64_t days, int64_t *year, int *month, int *day)
{
    days += 719468; /* days from 0000-03-01 to 1970-01-01 */
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    int64_t day_of_era = days - era * 146097;
    int64_t year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    int64_t month_from_march = (5 * day_of_year + 2) / 153;
    *day = (int)(day_of_year - (153 * month_from_march + 2) / 5 + 1);
    *month = (int)(month_from_march < 10 ? month_from_march + 3 : month_from_march - 9);
    *year = year_of_era + era * 400 + (*month <= 2);
}

/* Writes a time as Defender exports it: RFC 3339 with 7 fraction digits and Z. */
static void put_time(outbuf *o, int64_t ns)
{
    int64_t seconds = ns / NS_PER_SECOND;
    int64_t days = seconds / 86400, second_of_day = seconds % 86400;
    int64_t year;
    int month, day;
    civil_from_days(days, &year, &month, &day);
    put_padded(o, year, 4);
    put(o, "-");
    put_padded(o, month, 2);
    put(o, "-");
    put_padded(o, day, 2);
    put(o, "T");
    put_padded(o, second_of_day / 3600, 2);
    put(o, ":");
    put_padded(o, second_of_day / 60 % 60, 2);
    put(o, ":");
    put_padded(o, second_of_day % 60, 2);
    put(o, ".");
    put_padded(o, ns % NS_PER_SECOND / 100, 7);
    put(o, "Z");
}

static void write_row(outbuf *o, const row *w)
{
    put(o, "{\"Timestamp\":\"");
    put_time(o, w->time_ns);
    put(o, "\",\"DeviceId\":\"");
    put(o, w->dev->id);
    put(o, "\",\"DeviceName\":\"");
    put(o, w->dev->name);
    put(o, "\",\"ActionType\":\"");
    put(o, w->action);
    put(o, "\",\"RemoteIP\":\"");
    put(o, w->remote_ip);
    put(o, "\",\"RemotePort\":");
    put_int(o, w->remote_port);
    put(o, ",\"RemoteUrl\":\"");
    put(o, w->url);
    put(o, "\",\"LocalIP\":\"");
    put(o, w->dev->local_ip);
    put(o, "\",\"LocalPort\":");
    put_int(o, w->local_port);
    put(o, ",\"Protocol\":\"Tcp\",\"InitiatingProcessFileName\":\"");
    put(o, w->proc->name);
    put(o, "\",\"InitiatingProcessFolderPath\":\"");
    put(o, w->proc->path);
    put(o, "\",\"InitiatingProcessId\":");
    put_int(o, w->process_id);
    if (w->sent >= 0) {
        put(o, ",\"SentBytes\":");
        put_int(o, w->sent);
    }
    if (w->received >= 0) {
        put(o, ",\"ReceivedBytes\":");
        put_int(o, w->received);
    }
    put(o, "}\n");
}

/* Row share, in percent, that comes from injected beacons and bursts. */
#define SERIES_PERCENT 12

static int generate(uint64_t rows, uint64_t seed, outbuf *o)
{
    static pools p;
    static series active[ACTIVE_SERIES];
    rng r;
    rng_seed(&r, seed);
    fill_pools(&p, &r);
    for (int i = 0; i < ACTIVE_SERIES; i++)
        start_series(&active[i], &p, &r);

    for (uint64_t n = 0; n < rows; n++) {
        row w;
        if (rng_percent(&r, SERIES_PERCENT)) {
            series *s = &active[rng_below(&r, ACTIVE_SERIES)];
            while (!series_row(s, &w, &p, &r))
                start_series(s, &p, &r);
        } else {
            background_row(&w, &p, &r);
        }
        write_row(o, &w);
        /* A row is well under 1 KiB, so flush while 1 KiB is still free. */
        if (o->len > OUT_BUFFER_SIZE - 1024 && outbuf_flush(o) != 0)
            return -1;
    }
    return outbuf_flush(o);
}

static int parse_u64(const char *text, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || text[0] == '-')
        return -1;
    *out = v;
    return 0;
}

int main(int argc, char **argv)
{
    uint64_t rows, seed = 1;
    if (argc < 3 || argc > 4 || parse_u64(argv[1], &rows) != 0 || (argc == 4 && parse_u64(argv[3], &seed) != 0)) {
        fprintf(stderr, "usage: gen_events ROWS OUT [SEED]\n"
                        "writes ROWS Defender DeviceNetworkEvents JSON lines to OUT (- for stdout)\n");
        return 2;
    }
    bool to_stdout = strcmp(argv[2], "-") == 0;
    FILE *file = to_stdout ? stdout : fopen(argv[2], "wb");
    if (!file) {
        fprintf(stderr, "gen_events: failed to open %s: %s\n", argv[2], strerror(errno));
        return 1;
    }
    outbuf o = {file, malloc(OUT_BUFFER_SIZE), 0, 0};
    if (!o.data) {
        fprintf(stderr, "gen_events: out of memory\n");
        return 1;
    }
    int rc = generate(rows, seed, &o);
    if (rc == 0 && !to_stdout && fclose(file) != 0)
        rc = -1;
    if (rc != 0) {
        fprintf(stderr, "gen_events: writing %s failed: %s\n", argv[2], strerror(errno));
        return 1;
    }
    fprintf(stderr, "gen_events: %" PRIu64 " rows, %" PRIu64 " bytes, %.0f bytes a row\n", rows, o.total,
            rows ? (double)o.total / (double)rows : 0.0);
    free(o.data);
    return 0;
}
