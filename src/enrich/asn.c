#include "asn.h"

#include <errno.h>
#include <maxminddb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "../event/addr.h"

/* IPv6 addresses as two 64-bit halves, compared as one 128-bit number. */
typedef struct u128 {
    uint64_t hi, lo;
} u128;

typedef struct range4 {
    uint32_t end;
    uint32_t asn;
    uint32_t org; /* offset in strings */
} range4;

typedef struct range6 {
    u128 start, end;
    uint32_t asn;
    uint32_t org;
} range6;

/* Organization names, stored once each; many ranges share one. */
typedef struct org_table {
    char *text;
    size_t len, cap;
    uint32_t *slots; /* offset + 1, 0 empty */
    size_t nslots, count;
} org_table;

struct asn_db {
    MMDB_s *mmdb;        /* set for MaxMind DB files */
    uint32_t *v4_start;  /* sorted, parallel to v4 */
    range4 *v4;
    size_t n4, cap4;
    range6 *v6;
    size_t n6, cap6;
    org_table orgs;
    size_t skipped;
};

static int cmp_u128(u128 a, u128 b)
{
    if (a.hi != b.hi)
        return a.hi < b.hi ? -1 : 1;
    return a.lo < b.lo ? -1 : a.lo > b.lo;
}

static u128 addr_u128(const ih_addr *a)
{
    u128 v = {0, 0};
    for (int i = 0; i < 8; i++) {
        v.hi = v.hi << 8 | a->bytes[i];
        v.lo = v.lo << 8 | a->bytes[8 + i];
    }
    return v;
}

static uint32_t addr_u32(const ih_addr *a)
{
    return (uint32_t)a->bytes[0] << 24 | (uint32_t)a->bytes[1] << 16 | (uint32_t)a->bytes[2] << 8 |
           a->bytes[3];
}

/* Organizations */

static uint64_t hash_text(const char *s, size_t len)
{
    uint64_t h = UINT64_C(14695981039346656037);
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= UINT64_C(1099511628211);
    }
    return h;
}

static int org_grow(org_table *t)
{
    size_t n = t->nslots ? t->nslots * 2 : 4096;
    uint32_t *slots = calloc(n, sizeof(*slots));
    if (!slots)
        return -1;
    for (size_t i = 0; i < t->nslots; i++) {
        if (!t->slots[i])
            continue;
        const char *s = t->text + t->slots[i] - 1;
        size_t j = (size_t)hash_text(s, strlen(s)) & (n - 1);
        while (slots[j])
            j = (j + 1) & (n - 1);
        slots[j] = t->slots[i];
    }
    free(t->slots);
    t->slots = slots;
    t->nslots = n;
    return 0;
}

/* Offset of the stored copy of s; UINT32_MAX when out of memory. */
static uint32_t org_add(org_table *t, const char *s, size_t len)
{
    if ((t->count + 1) * 2 > t->nslots && org_grow(t) < 0)
        return UINT32_MAX;
    size_t mask = t->nslots - 1, j = (size_t)hash_text(s, len) & mask;
    for (; t->slots[j]; j = (j + 1) & mask) {
        const char *have = t->text + t->slots[j] - 1;
        if (strncmp(have, s, len) == 0 && have[len] == '\0')
            return t->slots[j] - 1;
    }
    if (t->len + len + 1 > t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 65536;
        while (cap < t->len + len + 1)
            cap *= 2;
        char *text = realloc(t->text, cap);
        if (!text)
            return UINT32_MAX;
        t->text = text;
        t->cap = cap;
    }
    uint32_t off = (uint32_t)t->len;
    memcpy(t->text + off, s, len);
    t->text[off + len] = '\0';
    t->len += len + 1;
    t->slots[j] = off + 1;
    t->count++;
    return off;
}

/* CSV parsing */

/* Splits one CSV field at *p (quoted with "" escapes, or bare); unescapes into buf. */
static int next_field(const char **p, const char *end, char *buf, size_t cap, size_t *len)
{
    const char *s = *p;
    size_t n = 0;
    if (s < end && *s == '"') {
        s++;
        for (;;) {
            if (s >= end)
                return -1;
            if (*s == '"') {
                if (s + 1 < end && s[1] == '"') {
                    s++;
                } else {
                    s++;
                    break;
                }
            }
            if (n + 1 >= cap)
                return -1;
            buf[n++] = *s++;
        }
    } else {
        while (s < end && *s != ',') {
            if (n + 1 >= cap)
                return -1;
            buf[n++] = *s++;
        }
    }
    if (s < end && *s != ',')
        return -1;
    *p = s < end ? s + 1 : s;
    buf[n] = '\0';
    *len = n;
    return 0;
}

static int push4(asn_db *db, uint32_t start, range4 r)
{
    if (db->n4 == db->cap4) {
        size_t cap = db->cap4 ? db->cap4 * 2 : 4096;
        uint32_t *s = realloc(db->v4_start, cap * sizeof(*s));
        if (s)
            db->v4_start = s;
        range4 *v = realloc(db->v4, cap * sizeof(*v));
        if (v)
            db->v4 = v;
        if (!s || !v)
            return -1;
        db->cap4 = cap;
    }
    db->v4_start[db->n4] = start;
    db->v4[db->n4++] = r;
    return 0;
}

static int push6(asn_db *db, range6 r)
{
    if (db->n6 == db->cap6) {
        size_t cap = db->cap6 ? db->cap6 * 2 : 4096;
        range6 *v = realloc(db->v6, cap * sizeof(*v));
        if (!v)
            return -1;
        db->v6 = v;
        db->cap6 = cap;
    }
    db->v6[db->n6++] = r;
    return 0;
}

/* Parses one line; 1 added, 0 skipped (malformed or a header), -1 out of memory. */
static int parse_line(asn_db *db, const char *s, const char *end)
{
    char f[4][256];
    size_t len[4];
    for (int i = 0; i < 4; i++) {
        if (i < 3 && s >= end)
            return 0;
        if (next_field(&s, end, f[i], sizeof(f[i]), &len[i]) < 0)
            return 0;
    }
    ih_addr a, b;
    char *asn_end;
    errno = 0;
    unsigned long long asn = strtoull(f[2], &asn_end, 10);
    if (ih_addr_parse(f[0], len[0], &a) < 0 || ih_addr_parse(f[1], len[1], &b) < 0 ||
        a.family != b.family || *asn_end || asn_end == f[2] || errno || asn > UINT32_MAX)
        return 0;
    uint32_t org = org_add(&db->orgs, f[3], len[3]);
    if (org == UINT32_MAX)
        return -1;
    if (a.family == IH_AF_INET) {
        if (addr_u32(&a) > addr_u32(&b))
            return 0;
        return push4(db, addr_u32(&a), (range4){addr_u32(&b), (uint32_t)asn, org}) < 0 ? -1 : 1;
    }
    range6 r = {addr_u128(&a), addr_u128(&b), (uint32_t)asn, org};
    if (cmp_u128(r.start, r.end) > 0)
        return 0;
    return push6(db, r) < 0 ? -1 : 1;
}

static int parse_text(asn_db *db, const char *text, size_t len)
{
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *line_end = nl ? nl : end;
        const char *e = line_end;
        if (e > p && e[-1] == '\r')
            e--;
        if (e > p && *p != '#') {
            int rc = parse_line(db, p, e);
            if (rc < 0)
                return -1;
            if (rc == 0)
                db->skipped++;
        }
        p = nl ? nl + 1 : end;
    }
    return 0;
}

/* Sorting and overlap removal */

/* An IPv4 range's start and its position before sorting. */
typedef struct start_index {
    uint32_t start;
    uint32_t index;
} start_index;

static int cmp_start_index(const void *pa, const void *pb)
{
    const start_index *a = pa, *b = pb;
    if (a->start != b->start)
        return a->start < b->start ? -1 : 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

static int cmp_range6(const void *pa, const void *pb)
{
    const range6 *a = pa, *b = pb;
    int c = cmp_u128(a->start, b->start);
    return c ? c : cmp_u128(a->end, b->end);
}

/* Sorts the IPv4 ranges by start, then drops those that overlap an earlier one. */
static int finish_v4(asn_db *db)
{
    if (db->n4 == 0)
        return 0;
    start_index *order = malloc(db->n4 * sizeof(*order));
    uint32_t *starts = malloc(db->n4 * sizeof(*starts));
    range4 *v = malloc(db->n4 * sizeof(*v));
    if (!order || !starts || !v) {
        free(order);
        free(starts);
        free(v);
        return -1;
    }
    for (size_t i = 0; i < db->n4; i++)
        order[i] = (start_index){db->v4_start[i], (uint32_t)i};
    qsort(order, db->n4, sizeof(*order), cmp_start_index);
    size_t n = 0;
    for (size_t i = 0; i < db->n4; i++) {
        if (n > 0 && order[i].start <= v[n - 1].end) {
            db->skipped++;
            continue;
        }
        starts[n] = order[i].start;
        v[n++] = db->v4[order[i].index];
    }
    free(order);
    free(db->v4_start);
    free(db->v4);
    db->v4_start = starts;
    db->v4 = v;
    db->n4 = db->cap4 = n;
    return 0;
}

static void finish_v6(asn_db *db)
{
    if (db->n6 == 0)
        return;
    qsort(db->v6, db->n6, sizeof(*db->v6), cmp_range6);
    size_t n = 0;
    for (size_t i = 0; i < db->n6; i++) {
        if (n > 0 && cmp_u128(db->v6[i].start, db->v6[n - 1].end) <= 0) {
            db->skipped++;
            continue;
        }
        db->v6[n++] = db->v6[i];
    }
    db->n6 = n;
}

int asn_db_from_csv(const char *text, size_t len, asn_db **out)
{
    asn_db *db = calloc(1, sizeof(*db));
    if (!db)
        return -1;
    if (parse_text(db, text, len) < 0 || finish_v4(db) < 0) {
        asn_db_close(db);
        return -1;
    }
    finish_v6(db);
    *out = db;
    return 0;
}

/* Reads a whole file, decompressing gzip (zlib reads plain files as they are). */
static char *read_file(const char *path, size_t *len, char *err, size_t errlen)
{
    gzFile f = gzopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "cannot open ASN database %s: %s", path, strerror(errno ? errno : ENOENT));
        return NULL;
    }
    gzbuffer(f, 1 << 17);
    size_t cap = 1 << 22, n = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (!buf)
            break;
        if (cap - n < (1 << 20)) {
            char *b = realloc(buf, cap * 2);
            if (!b) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = b;
            cap *= 2;
        }
        int r = gzread(f, buf + n, (unsigned)(cap - n));
        if (r < 0) {
            int code;
            snprintf(err, errlen, "cannot read ASN database %s: %s", path, gzerror(f, &code));
            free(buf);
            gzclose(f);
            return NULL;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    gzclose(f);
    if (!buf)
        snprintf(err, errlen, "reading ASN database %s: out of memory", path);
    *len = n;
    return buf;
}

static int load_csv_file(asn_db *db, const char *path, char *err, size_t errlen)
{
    size_t len;
    char *text = read_file(path, &len, err, errlen);
    if (!text)
        return -1;
    int rc = parse_text(db, text, len);
    free(text);
    if (rc < 0)
        snprintf(err, errlen, "reading ASN database %s: out of memory", path);
    return rc;
}

static bool file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Loads asn-ipv4 and asn-ipv6 from a folder, each .csv.gz or .csv; at least one must exist. */
static int load_folder(asn_db *db, const char *dir, char *err, size_t errlen)
{
    static const char *const names[] = {"asn-ipv4.csv.gz", "asn-ipv4.csv", "asn-ipv6.csv.gz",
                                        "asn-ipv6.csv"};
    int found = 0;
    for (size_t i = 0; i < 4; i += 2) {
        char path[4096];
        for (size_t k = i; k < i + 2; k++) {
            snprintf(path, sizeof(path), "%s/%s", dir, names[k]);
            if (file_exists(path))
                break;
            path[0] = '\0';
        }
        if (!path[0])
            continue;
        if (load_csv_file(db, path, err, errlen) < 0)
            return -1;
        found++;
    }
    if (!found) {
        snprintf(err, errlen, "ASN database folder %s has no asn-ipv4.csv[.gz] or asn-ipv6.csv[.gz]",
                 dir);
        return -1;
    }
    return 0;
}

static bool has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

int asn_db_open(const char *path, asn_db **out, char *err, size_t errlen)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        snprintf(err, errlen, "ASN database %s not found: %s", path, strerror(errno));
        return -1;
    }
    asn_db *db = calloc(1, sizeof(*db));
    if (!db) {
        snprintf(err, errlen, "opening ASN database %s: out of memory", path);
        return -1;
    }
    int rc;
    if (S_ISDIR(st.st_mode)) {
        rc = load_folder(db, path, err, errlen);
    } else if (has_suffix(path, ".mmdb")) {
        db->mmdb = calloc(1, sizeof(*db->mmdb));
        rc = db->mmdb ? MMDB_open(path, MMDB_MODE_MMAP, db->mmdb) : MMDB_OUT_OF_MEMORY_ERROR;
        if (rc != MMDB_SUCCESS) {
            snprintf(err, errlen, "cannot open MaxMind DB %s: %s", path, MMDB_strerror(rc));
            free(db->mmdb);
            db->mmdb = NULL;
            rc = -1;
        }
    } else {
        rc = load_csv_file(db, path, err, errlen);
    }
    if (rc == 0 && !db->mmdb) {
        if (finish_v4(db) < 0) {
            snprintf(err, errlen, "indexing ASN database %s: out of memory", path);
            rc = -1;
        } else {
            finish_v6(db);
            if (db->n4 + db->n6 == 0) {
                snprintf(err, errlen, "ASN database %s holds no 'start,end,asn,org' range", path);
                rc = -1;
            }
        }
    }
    if (rc != 0) {
        asn_db_close(db);
        return -1;
    }
    *out = db;
    return 0;
}

void asn_db_close(asn_db *db)
{
    if (!db)
        return;
    if (db->mmdb) {
        MMDB_close(db->mmdb);
        free(db->mmdb);
    }
    free(db->v4_start);
    free(db->v4);
    free(db->v6);
    free(db->orgs.text);
    free(db->orgs.slots);
    free(db);
}

static ih_str org_text(const asn_db *db, uint32_t off)
{
    const char *s = db->orgs.text + off;
    return (ih_str){s, strlen(s)};
}

static bool mmdb_lookup(const asn_db *db, const ih_addr *a, asn_info *out)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof(ss));
    if (a->family == IH_AF_INET) {
        struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
        sin->sin_family = AF_INET;
        memcpy(&sin->sin_addr, a->bytes, 4);
    } else {
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
        sin6->sin6_family = AF_INET6;
        memcpy(&sin6->sin6_addr, a->bytes, 16);
    }
    int mmdb_error;
    MMDB_lookup_result_s r = MMDB_lookup_sockaddr(db->mmdb, (struct sockaddr *)&ss, &mmdb_error);
    if (mmdb_error != MMDB_SUCCESS || !r.found_entry)
        return false;
    MMDB_entry_data_s d;
    if (MMDB_get_value(&r.entry, &d, "autonomous_system_number", NULL) == MMDB_SUCCESS &&
        d.has_data && d.type == MMDB_DATA_TYPE_UINT32)
        out->asn = d.uint32;
    if (MMDB_get_value(&r.entry, &d, "autonomous_system_organization", NULL) == MMDB_SUCCESS &&
        d.has_data && d.type == MMDB_DATA_TYPE_UTF8_STRING)
        out->org = (ih_str){d.utf8_string, d.data_size};
    if (MMDB_get_value(&r.entry, &d, "country", "iso_code", NULL) == MMDB_SUCCESS && d.has_data &&
        d.type == MMDB_DATA_TYPE_UTF8_STRING)
        out->country = (ih_str){d.utf8_string, d.data_size};
    return out->asn != 0 || out->org.ptr != NULL;
}

bool asn_db_lookup(const asn_db *db, const ih_addr *a, asn_info *out)
{
    out->asn = 0;
    out->org = IH_STR_LIT("");
    out->country = IH_STR_NONE;
    if (!db || (a->family != IH_AF_INET && a->family != IH_AF_INET6))
        return false;
    if (db->mmdb)
        return mmdb_lookup(db, a, out);

    if (a->family == IH_AF_INET) {
        /* The last range starting at or below the address, if it reaches the address. */
        uint32_t v = addr_u32(a);
        size_t lo = 0, hi = db->n4;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (db->v4_start[mid] <= v)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo == 0 || db->v4[lo - 1].end < v)
            return false;
        out->asn = db->v4[lo - 1].asn;
        out->org = org_text(db, db->v4[lo - 1].org);
        return true;
    }
    u128 v = addr_u128(a);
    size_t lo = 0, hi = db->n6;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cmp_u128(db->v6[mid].start, v) <= 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0 || cmp_u128(db->v6[lo - 1].end, v) < 0)
        return false;
    out->asn = db->v6[lo - 1].asn;
    out->org = org_text(db, db->v6[lo - 1].org);
    return true;
}

void asn_db_get_stats(const asn_db *db, asn_db_stats *out)
{
    memset(out, 0, sizeof(*out));
    out->kind = db->mmdb ? "mmdb" : "csv";
    if (db->mmdb) {
        out->index_bytes = (size_t)db->mmdb->file_size;
        return;
    }
    out->ipv4_ranges = db->n4;
    out->ipv6_ranges = db->n6;
    out->skipped_lines = db->skipped;
    out->index_bytes = db->n4 * (sizeof(uint32_t) + sizeof(range4)) + db->n6 * sizeof(range6) +
                       db->orgs.len + db->orgs.nslots * sizeof(uint32_t);
}
