/*
 * Microsoft Defender for Endpoint DeviceNetworkEvents rows, as advanced
 * hunting JSON lines and as the portal's CSV export, with the table's
 * documented columns.
 *
 * Defender logs the outbound TCP connections of processes: established ones
 * as ConnectionSuccess and the others as ConnectionFailed. It has no DNS
 * table and no byte counts, so DNS lookups write no row and no byte column
 * is written. RemoteUrl carries the name the process looked up. The hash
 * columns are derived from the image path and version, so they are stable
 * per executable but are not the real files' hashes.
 */
#include <stdlib.h>
#include <string.h>

#include "sim_formats.h"
#include "sim_out.h"

typedef enum column_kind { TEXT, NUMBER, DYNAMIC } column_kind;

/* The columns, in the order of Microsoft's schema reference. */
enum column {
    COL_TIMESTAMP,
    COL_DEVICE_ID,
    COL_DEVICE_NAME,
    COL_ACTION_TYPE,
    COL_REMOTE_IP,
    COL_REMOTE_PORT,
    COL_REMOTE_URL,
    COL_LOCAL_IP,
    COL_LOCAL_PORT,
    COL_PROTOCOL,
    COL_LOCAL_IP_TYPE,
    COL_REMOTE_IP_TYPE,
    COL_PROC_SHA1,
    COL_PROC_SHA256,
    COL_PROC_MD5,
    COL_PROC_FILE_NAME,
    COL_PROC_FILE_SIZE,
    COL_PROC_VERSION_COMPANY_NAME,
    COL_PROC_VERSION_PRODUCT_NAME,
    COL_PROC_VERSION_PRODUCT_VERSION,
    COL_PROC_VERSION_INTERNAL_FILE_NAME,
    COL_PROC_VERSION_ORIGINAL_FILE_NAME,
    COL_PROC_VERSION_FILE_DESCRIPTION,
    COL_PROC_ID,
    COL_PROC_COMMAND_LINE,
    COL_PROC_CREATION_TIME,
    COL_PROC_FOLDER_PATH,
    COL_PROC_PARENT_FILE_NAME,
    COL_PROC_PARENT_ID,
    COL_PROC_PARENT_CREATION_TIME,
    COL_PROC_ACCOUNT_DOMAIN,
    COL_PROC_ACCOUNT_NAME,
    COL_PROC_ACCOUNT_SID,
    COL_PROC_ACCOUNT_UPN,
    COL_PROC_ACCOUNT_OBJECT_ID,
    COL_PROC_INTEGRITY_LEVEL,
    COL_PROC_TOKEN_ELEVATION,
    COL_REPORT_ID,
    COL_APP_GUARD_CONTAINER_ID,
    COL_ADDITIONAL_FIELDS,
    NCOLUMNS
};

static const struct column_info {
    const char *name;
    column_kind kind;
} columns[NCOLUMNS] = {
    [COL_TIMESTAMP] = {"Timestamp", TEXT},
    [COL_DEVICE_ID] = {"DeviceId", TEXT},
    [COL_DEVICE_NAME] = {"DeviceName", TEXT},
    [COL_ACTION_TYPE] = {"ActionType", TEXT},
    [COL_REMOTE_IP] = {"RemoteIP", TEXT},
    [COL_REMOTE_PORT] = {"RemotePort", NUMBER},
    [COL_REMOTE_URL] = {"RemoteUrl", TEXT},
    [COL_LOCAL_IP] = {"LocalIP", TEXT},
    [COL_LOCAL_PORT] = {"LocalPort", NUMBER},
    [COL_PROTOCOL] = {"Protocol", TEXT},
    [COL_LOCAL_IP_TYPE] = {"LocalIPType", TEXT},
    [COL_REMOTE_IP_TYPE] = {"RemoteIPType", TEXT},
    [COL_PROC_SHA1] = {"InitiatingProcessSHA1", TEXT},
    [COL_PROC_SHA256] = {"InitiatingProcessSHA256", TEXT},
    [COL_PROC_MD5] = {"InitiatingProcessMD5", TEXT},
    [COL_PROC_FILE_NAME] = {"InitiatingProcessFileName", TEXT},
    [COL_PROC_FILE_SIZE] = {"InitiatingProcessFileSize", NUMBER},
    [COL_PROC_VERSION_COMPANY_NAME] = {"InitiatingProcessVersionInfoCompanyName", TEXT},
    [COL_PROC_VERSION_PRODUCT_NAME] = {"InitiatingProcessVersionInfoProductName", TEXT},
    [COL_PROC_VERSION_PRODUCT_VERSION] = {"InitiatingProcessVersionInfoProductVersion", TEXT},
    [COL_PROC_VERSION_INTERNAL_FILE_NAME] = {"InitiatingProcessVersionInfoInternalFileName", TEXT},
    [COL_PROC_VERSION_ORIGINAL_FILE_NAME] = {"InitiatingProcessVersionInfoOriginalFileName", TEXT},
    [COL_PROC_VERSION_FILE_DESCRIPTION] = {"InitiatingProcessVersionInfoFileDescription", TEXT},
    [COL_PROC_ID] = {"InitiatingProcessId", NUMBER},
    [COL_PROC_COMMAND_LINE] = {"InitiatingProcessCommandLine", TEXT},
    [COL_PROC_CREATION_TIME] = {"InitiatingProcessCreationTime", TEXT},
    [COL_PROC_FOLDER_PATH] = {"InitiatingProcessFolderPath", TEXT},
    [COL_PROC_PARENT_FILE_NAME] = {"InitiatingProcessParentFileName", TEXT},
    [COL_PROC_PARENT_ID] = {"InitiatingProcessParentId", NUMBER},
    [COL_PROC_PARENT_CREATION_TIME] = {"InitiatingProcessParentCreationTime", TEXT},
    [COL_PROC_ACCOUNT_DOMAIN] = {"InitiatingProcessAccountDomain", TEXT},
    [COL_PROC_ACCOUNT_NAME] = {"InitiatingProcessAccountName", TEXT},
    [COL_PROC_ACCOUNT_SID] = {"InitiatingProcessAccountSid", TEXT},
    [COL_PROC_ACCOUNT_UPN] = {"InitiatingProcessAccountUpn", TEXT},
    [COL_PROC_ACCOUNT_OBJECT_ID] = {"InitiatingProcessAccountObjectId", TEXT},
    [COL_PROC_INTEGRITY_LEVEL] = {"InitiatingProcessIntegrityLevel", TEXT},
    [COL_PROC_TOKEN_ELEVATION] = {"InitiatingProcessTokenElevation", TEXT},
    [COL_REPORT_ID] = {"ReportId", NUMBER},
    [COL_APP_GUARD_CONTAINER_ID] = {"AppGuardContainerId", TEXT},
    [COL_ADDITIONAL_FIELDS] = {"AdditionalFields", DYNAMIC},
};
#define VALUE_MAX 512

struct sim_writer {
    sim_out out;
    bool csv;
    uint64_t *report_ids; /* per host */
    size_t nreport_ids;
    char values[NCOLUMNS][VALUE_MAX];
};

static void lower(char *s)
{
    for (; *s; s++)
        if (*s >= 'A' && *s <= 'Z')
            *s = (char)(*s - 'A' + 'a');
}

static void hash_hex(const char *text, uint64_t salt, char *out, size_t digits)
{
    static const char hex[] = "0123456789abcdef";
    uint64_t x = 0;
    for (size_t i = 0; i < digits; i++) {
        if (i % 16 == 0)
            x = sim_hash(text, salt * 131 + i);
        out[i] = hex[x & 15];
        x >>= 4;
    }
    out[digits] = '\0';
}

/* A per-host ReportId that counts up, as Defender numbers a device's reports. */
static uint64_t next_report_id(sim_writer *w, const sim_host *h)
{
    if (h->index >= w->nreport_ids) {
        size_t n = (size_t)h->index + 64;
        uint64_t *ids = realloc(w->report_ids, n * sizeof(*ids));
        if (!ids)
            return 0;
        for (size_t i = w->nreport_ids; i < n; i++)
            ids[i] = 0;
        w->report_ids = ids;
        w->nreport_ids = n;
    }
    return 10000 + ++w->report_ids[h->index];
}

/* Fills the account columns: Defender writes domain and name in lower case. */
static void fill_account(char (*v)[VALUE_MAX], const sim_process *p)
{
    const char *slash = strchr(p->user, '\\');
    size_t dlen = slash ? (size_t)(slash - p->user) : 0;
    snprintf(v[COL_PROC_ACCOUNT_DOMAIN], VALUE_MAX, "%.*s", (int)dlen, p->user);
    snprintf(v[COL_PROC_ACCOUNT_NAME], VALUE_MAX, "%s", slash ? slash + 1 : p->user);
    lower(v[COL_PROC_ACCOUNT_DOMAIN]);
    lower(v[COL_PROC_ACCOUNT_NAME]);
    snprintf(v[COL_PROC_ACCOUNT_SID], VALUE_MAX, "%s", p->user_sid);
    bool person = p->image->account == SIM_ACCOUNT_USER;
    if (person) {
        snprintf(v[COL_PROC_ACCOUNT_UPN], VALUE_MAX, "%s@%s", v[COL_PROC_ACCOUNT_NAME], "acme.local");
        char guid[33];
        hash_hex(p->user_sid, 7, guid, 32);
        snprintf(v[COL_PROC_ACCOUNT_OBJECT_ID], VALUE_MAX, "%.8s-%.4s-%.4s-%.4s-%.12s", guid, guid + 8, guid + 12,
                 guid + 16, guid + 20);
    }
    snprintf(v[COL_PROC_INTEGRITY_LEVEL], VALUE_MAX, "%s", person ? "Medium" : "System");
    snprintf(v[COL_PROC_TOKEN_ELEVATION], VALUE_MAX, "%s",
             person ? "TokenElevationTypeLimited" : "TokenElevationTypeDefault");
}

/* Renders every column of the row for e into w->values. */
static void fill_row(sim_writer *w, const sim_event *e)
{
    char (*v)[VALUE_MAX] = w->values;
    const sim_process *p = e->process;
    const sim_image *img = p->image;
    memset(v, 0, sizeof(w->values));

    sim_time_text(e->time, SIM_TIME_ISO_7, v[COL_TIMESTAMP]);
    snprintf(v[COL_DEVICE_ID], VALUE_MAX, "%s", p->host->device_id);
    snprintf(v[COL_DEVICE_NAME], VALUE_MAX, "%s", p->host->device_name);
    snprintf(v[COL_ACTION_TYPE], VALUE_MAX, "%s",
             e->outcome == SIM_ESTABLISHED ? "ConnectionSuccess" : "ConnectionFailed");
    snprintf(v[COL_REMOTE_IP], VALUE_MAX, "%s", e->remote_ip);
    snprintf(v[COL_REMOTE_PORT], VALUE_MAX, "%u", e->remote_port);
    snprintf(v[COL_REMOTE_URL], VALUE_MAX, "%s", e->remote_name);
    snprintf(v[COL_LOCAL_IP], VALUE_MAX, "%s", p->host->ip);
    snprintf(v[COL_LOCAL_PORT], VALUE_MAX, "%u", e->local_port);
    snprintf(v[COL_PROTOCOL], VALUE_MAX, "%s", e->protocol == SIM_UDP ? "Udp" : "Tcp");
    snprintf(v[COL_LOCAL_IP_TYPE], VALUE_MAX, "Private");
    snprintf(v[COL_REMOTE_IP_TYPE], VALUE_MAX, "Public");
    hash_hex(img->path, sim_hash(img->version, 1), v[COL_PROC_SHA1], 40);
    hash_hex(img->path, sim_hash(img->version, 2), v[COL_PROC_SHA256], 64);
    hash_hex(img->path, sim_hash(img->version, 3), v[COL_PROC_MD5], 32);
    snprintf(v[COL_PROC_FILE_NAME], VALUE_MAX, "%s", p->name);
    snprintf(v[COL_PROC_FILE_SIZE], VALUE_MAX, "%llu", (unsigned long long)img->file_size);
    snprintf(v[COL_PROC_VERSION_COMPANY_NAME], VALUE_MAX, "%s", img->company);
    snprintf(v[COL_PROC_VERSION_PRODUCT_NAME], VALUE_MAX, "%s", img->product);
    snprintf(v[COL_PROC_VERSION_PRODUCT_VERSION], VALUE_MAX, "%s", img->version);
    snprintf(v[COL_PROC_VERSION_INTERNAL_FILE_NAME], VALUE_MAX, "%s", img->original_name);
    snprintf(v[COL_PROC_VERSION_ORIGINAL_FILE_NAME], VALUE_MAX, "%s", img->original_name);
    snprintf(v[COL_PROC_VERSION_FILE_DESCRIPTION], VALUE_MAX, "%s", img->description);
    snprintf(v[COL_PROC_ID], VALUE_MAX, "%u", p->pid);
    snprintf(v[COL_PROC_COMMAND_LINE], VALUE_MAX, "\"%s\"%s%s", p->name, img->arguments[0] ? " " : "", img->arguments);
    sim_time_text(p->created, SIM_TIME_ISO_7, v[COL_PROC_CREATION_TIME]);
    snprintf(v[COL_PROC_FOLDER_PATH], VALUE_MAX, "%s", img->path);
    lower(v[COL_PROC_FOLDER_PATH]);
    snprintf(v[COL_PROC_PARENT_FILE_NAME], VALUE_MAX, "%s", img->parent);
    snprintf(v[COL_PROC_PARENT_ID], VALUE_MAX, "%u", p->parent_pid);
    sim_time_text(p->parent_created, SIM_TIME_ISO_7, v[COL_PROC_PARENT_CREATION_TIME]);
    fill_account(v, p);
    snprintf(v[COL_REPORT_ID], VALUE_MAX, "%llu", (unsigned long long)next_report_id(w, p->host));
}

static void write_json(sim_writer *w)
{
    sim_out *o = &w->out;
    for (size_t i = 0; i < NCOLUMNS; i++) {
        sim_out_write(o, i ? ",\"" : "{\"", 2);
        sim_out_puts(o, columns[i].name);
        sim_out_write(o, "\":", 2);
        if (columns[i].kind == NUMBER)
            sim_out_puts(o, w->values[i]);
        else if (columns[i].kind == DYNAMIC && !w->values[i][0])
            sim_out_puts(o, "null");
        else
            sim_out_json(o, w->values[i]);
    }
    sim_out_write(o, "}\n", 2);
}

static void write_csv(sim_writer *w)
{
    for (size_t i = 0; i < NCOLUMNS; i++) {
        if (i)
            sim_out_write(&w->out, ",", 1);
        sim_out_csv(&w->out, w->values[i]);
    }
    sim_out_write(&w->out, "\r\n", 2);
}

static int open_writer(sim_writer **out, const char *path, bool csv, char *err, size_t errlen)
{
    sim_writer *w = calloc(1, sizeof(*w));
    if (!w) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (sim_out_open(&w->out, path, err, errlen) < 0) {
        free(w);
        return -1;
    }
    w->csv = csv;
    if (csv) {
        for (size_t i = 0; i < NCOLUMNS; i++) {
            if (i)
                sim_out_write(&w->out, ",", 1);
            sim_out_puts(&w->out, columns[i].name);
        }
        sim_out_write(&w->out, "\r\n", 2);
    }
    *out = w;
    return 0;
}

int sim_defender_json_open(sim_writer **w, const char *path, const sim_layout *layout, char *err,
                           size_t errlen)
{
    (void)layout;
    return open_writer(w, path, false, err, errlen);
}

int sim_defender_csv_open(sim_writer **w, const char *path, const sim_layout *layout, char *err,
                          size_t errlen)
{
    (void)layout;
    return open_writer(w, path, true, err, errlen);
}

void sim_defender_write(sim_writer *w, const sim_event *e)
{
    if (e->kind != SIM_EVENT_CONN)
        return;
    fill_row(w, e);
    if (w->csv)
        write_csv(w);
    else
        write_json(w);
}

int sim_defender_close(sim_writer *w, uint64_t *bytes, char *err, size_t errlen)
{
    if (bytes)
        *bytes = w->out.bytes;
    int rc = sim_out_close(&w->out, err, errlen);
    free(w->report_ids);
    free(w);
    return rc;
}
