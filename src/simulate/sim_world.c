/*
 * The simulated network: hosts of one Active Directory domain (ACME,
 * acme.local) on 10.20.0.0/16, and the processes that run on them. Every
 * identifier (device ids, process ids, GUIDs, start times) is a hash of the
 * seed and the host or image, so it does not depend on the order in which
 * actors create hosts and processes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_catalog.h"

#define DOMAIN_NETBIOS "ACME"
#define DOMAIN_DNS "acme.local"
/* The domain SID that user SIDs extend with a relative id. */
#define DOMAIN_SID "S-1-5-21-3623811015-3361044348-30300820"

typedef struct host_processes {
    sim_process **items;
    size_t count, cap;
} host_processes;

struct sim_world {
    sim_options options;
    sim_host_info **hosts;
    host_processes *processes; /* parallel to hosts */
    size_t nhosts, cap;
};

/* Hosts that the tests and the background name on purpose. */
static const struct named_host {
    const char *computer;
    const char *ip;
    const char *user;
    uint8_t role;
    uint8_t browser;
    bool laptop;
} named_hosts[SIM_NAMED_HOSTS] = {
    {"WS-FIN-07", "10.20.5.23", "m.lopez", SIM_ROLE_WORKSTATION, 0, false},
    {"WS-HR-02", "10.20.6.41", "j.okafor", SIM_ROLE_WORKSTATION, 1, true},
    {"WS-DEV-03", "10.20.7.12", "a.novak", SIM_ROLE_DEVELOPER, 2, true},
    {"SRV-APP-01", "10.20.1.10", NULL, SIM_ROLE_SERVER, 0, false},
    {"SRV-FILE-01", "10.20.1.11", NULL, SIM_ROLE_SERVER, 0, false},
};

static const char *const departments[] = {"FIN", "HR", "ENG", "OPS", "SAL", "MKT", "LEG", "IT"};
static const char *const server_kinds[] = {"APP", "DB", "WEB", "PRN"};
static const char *const surnames[] = {
    "smith",  "garcia", "muller", "rossi", "dubois", "kowalski", "silva",  "tanaka",
    "nguyen", "khan",   "ivanov", "brown", "jansen", "larsen",   "moreau", "fischer",
};

sim_world *sim_world_new(const sim_options *o)
{
    sim_world *w = calloc(1, sizeof(*w));
    if (w)
        w->options = *o;
    return w;
}

void sim_world_free(sim_world *w)
{
    if (!w)
        return;
    for (size_t i = 0; i < w->nhosts; i++) {
        for (size_t k = 0; k < w->processes[i].count; k++)
            free(w->processes[i].items[k]);
        free(w->processes[i].items);
        free(w->hosts[i]);
    }
    free(w->processes);
    free(w->hosts);
    free(w);
}

static void hex_digits(uint64_t seed_hash, char *out, size_t digits)
{
    static const char hex[] = "0123456789abcdef";
    uint64_t x = seed_hash;
    for (size_t i = 0; i < digits; i++) {
        if (i % 16 == 0)
            x = sim_hash("hex", seed_hash + i);
        out[i] = hex[x & 15];
        x >>= 4;
    }
    out[digits] = '\0';
}

static void lowercase(char *dst, const char *src, size_t cap)
{
    size_t i = 0;
    for (; src[i] && i + 1 < cap; i++)
        dst[i] = (char)(src[i] >= 'A' && src[i] <= 'Z' ? src[i] - 'A' + 'a' : src[i]);
    dst[i] = '\0';
}

/* Fills the name, address, role and user of host i. */
static void describe_host(const sim_world *w, size_t i, sim_host_info *h)
{
    char short_name[24];
    const char *user = NULL;
    char user_buf[32];
    uint64_t hh = sim_hash("host", w->options.seed ^ (i * 7919));

    if (i < SIM_NAMED_HOSTS) {
        const struct named_host *n = &named_hosts[i];
        snprintf(short_name, sizeof(short_name), "%s", n->computer);
        snprintf(h->host.ip, sizeof(h->host.ip), "%s", n->ip);
        h->role = n->role;
        h->browser = n->browser;
        h->laptop = n->laptop;
        user = n->user;
    } else {
        size_t k = i - SIM_NAMED_HOSTS;
        size_t third = 8 + k / 250;
        snprintf(h->host.ip, sizeof(h->host.ip), "10.%u.%u.%u", (unsigned)(20 + third / 256),
                 (unsigned)(third % 256), (unsigned)(2 + k % 250));
        h->role = SIM_ROLE_WORKSTATION;
        if (k % 25 == 24)
            h->role = SIM_ROLE_SERVER;
        else if (k % 40 == 7)
            h->role = SIM_ROLE_DEVELOPER;
        if (h->role == SIM_ROLE_SERVER)
            snprintf(short_name, sizeof(short_name), "SRV-%s-%02u", server_kinds[(k / 25) % 4],
                     (unsigned)(k / 100 + 2));
        else
            snprintf(short_name, sizeof(short_name), "WS-%s-%03u", departments[k % 8],
                     (unsigned)(k / 8 + 10));
        /* Edge on half the desktops, Chrome on four in ten, Firefox on the rest. */
        unsigned b = (unsigned)(hh % 10);
        h->browser = 2;
        if (b < 5)
            h->browser = 0;
        else if (b < 9)
            h->browser = 1;
        h->laptop = (hh >> 8) % 10 < 3;
        snprintf(user_buf, sizeof(user_buf), "%c.%s", (char)('a' + (hh >> 16) % 26),
                 surnames[(hh >> 24) % 16]);
        user = h->role == SIM_ROLE_SERVER ? NULL : user_buf;
    }

    snprintf(h->host.computer, sizeof(h->host.computer), "%s.%s", short_name, DOMAIN_DNS);
    lowercase(h->host.device_name, h->host.computer, sizeof(h->host.device_name));
    if (user) {
        snprintf(h->user, sizeof(h->user), "%s\\%s", DOMAIN_NETBIOS, user);
        snprintf(h->user_sid, sizeof(h->user_sid), "%s-%u", DOMAIN_SID, (unsigned)(1104 + i));
    } else {
        snprintf(h->user, sizeof(h->user), "NT AUTHORITY\\SYSTEM");
        snprintf(h->user_sid, sizeof(h->user_sid), "S-1-5-18");
    }
}

static sim_host_info *make_host(const sim_world *w, size_t i)
{
    sim_host_info *h = calloc(1, sizeof(*h));
    if (!h)
        return NULL;
    describe_host(w, i, h);
    uint64_t hh = sim_hash(h->host.computer, w->options.seed);
    h->host.index = (uint32_t)i;
    hex_digits(hh, h->host.device_id, 40);
    hex_digits(hh ^ 0x5eed, h->host.guid_prefix, 8);
    h->host.sysmon_pid = (uint32_t)(4 * (500 + hh % 1500));
    h->host.sysmon_tid = (uint32_t)(4 * (1000 + (hh >> 20) % 3000));
    return h;
}

sim_host_info *sim_world_host(sim_world *w, size_t i)
{
    while (w->nhosts <= i) {
        if (w->nhosts == w->cap) {
            size_t cap = w->cap ? w->cap * 2 : 16;
            sim_host_info **hosts = realloc(w->hosts, cap * sizeof(*hosts));
            if (!hosts)
                return NULL;
            w->hosts = hosts;
            host_processes *procs = realloc(w->processes, cap * sizeof(*procs));
            if (!procs)
                return NULL;
            w->processes = procs;
            w->cap = cap;
        }
        sim_host_info *h = make_host(w, w->nhosts);
        if (!h)
            return NULL;
        w->hosts[w->nhosts] = h;
        w->processes[w->nhosts] = (host_processes){0};
        w->nhosts++;
    }
    return w->hosts[i];
}

/* The file name part of a Windows path. */
static const char *file_name(const char *path)
{
    const char *slash = strrchr(path, '\\');
    return slash ? slash + 1 : path;
}

static void fill_account(const sim_host_info *h, const sim_image *image, sim_process *p)
{
    switch (image->account) {
    case SIM_ACCOUNT_USER:
        snprintf(p->user, sizeof(p->user), "%s", h->user);
        snprintf(p->user_sid, sizeof(p->user_sid), "%s", h->user_sid);
        break;
    case SIM_ACCOUNT_NETWORK_SERVICE:
        snprintf(p->user, sizeof(p->user), "NT AUTHORITY\\NETWORK SERVICE");
        snprintf(p->user_sid, sizeof(p->user_sid), "S-1-5-20");
        break;
    case SIM_ACCOUNT_LOCAL_SERVICE:
        snprintf(p->user, sizeof(p->user), "NT AUTHORITY\\LOCAL SERVICE");
        snprintf(p->user_sid, sizeof(p->user_sid), "S-1-5-19");
        break;
    default:
        snprintf(p->user, sizeof(p->user), "NT AUTHORITY\\SYSTEM");
        snprintf(p->user_sid, sizeof(p->user_sid), "S-1-5-18");
        break;
    }
}

const sim_process *sim_world_process_at(sim_world *w, sim_host_info *h, const sim_image *image,
                                        ih_time created)
{
    host_processes *list = &w->processes[h->host.index];
    for (size_t i = 0; i < list->count; i++)
        if (list->items[i]->image == image)
            return list->items[i];

    sim_process *p = calloc(1, sizeof(*p));
    if (!p)
        return NULL;
    uint64_t ph = sim_hash(image->path, sim_hash(image->arguments, w->options.seed) ^ h->host.index);
    uint64_t parent_hash = sim_hash(image->parent, w->options.seed ^ h->host.index);
    p->host = &h->host;
    p->image = image;
    p->name = file_name(image->path);
    p->pid = (uint32_t)(4 * (300 + ph % 5000));
    p->parent_pid = (uint32_t)(4 * (200 + parent_hash % 2000));
    p->created = created;
    p->parent_created = created - (ih_time)(1 + parent_hash % 600) * IH_NS_PER_SEC;
    fill_account(h, image, p);

    /* Sysmon ProcessGuid: a per-machine prefix, the creation time in seconds split in
       two 16-bit halves (low half first), a counter, and a constant per Windows build. */
    uint32_t secs = (uint32_t)(created / IH_NS_PER_SEC);
    snprintf(p->guid, sizeof(p->guid), "{%s-%04x-%04x-%04x-000000000400}", h->host.guid_prefix,
             secs & 0xffff, secs >> 16, (unsigned)((ph >> 32) & 0xffff));

    if (list->count == list->cap) {
        size_t cap = list->cap ? list->cap * 2 : 8;
        sim_process **items = realloc(list->items, cap * sizeof(*items));
        if (!items) {
            free(p);
            return NULL;
        }
        list->items = items;
        list->cap = cap;
    }
    list->items[list->count++] = p;
    return p;
}

const sim_process *sim_world_process(sim_world *w, sim_host_info *h, const sim_image *image)
{
    uint64_t hh = sim_hash(h->host.computer, w->options.seed);
    ih_time created;
    if (image->account == SIM_ACCOUNT_USER) {
        /* Started at logon, 10 to 70 minutes before the scenario starts. */
        created = w->options.start - (ih_time)(600 + (hh >> 8) % 3600) * IH_NS_PER_SEC;
    } else {
        /* Started at boot, one to four days before. */
        created = w->options.start - (ih_time)(86400 * (1 + hh % 4) + (hh >> 12) % 86400) *
                                         IH_NS_PER_SEC;
        created -= (ih_time)(sim_hash(image->path, hh) % 90) * IH_NS_PER_SEC / 10;
    }
    /* Whole milliseconds, as Windows reports process creation times. */
    created -= created % (IH_NS_PER_SEC / 1000);
    return sim_world_process_at(w, h, image, created);
}
