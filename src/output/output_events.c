/*
 * The `events` writer: one JSON object per normalized event. The schema is
 * documented in docs/EVENTS.md; unknown values are written as null, never 0.
 */
#include "output.h"

#include <inttypes.h>
#include <string.h>

#include "../event/addr.h"
#include "../event/timeutil.h"

static void key(FILE *out, const char *name)
{
    fprintf(out, ",\"%s\":", name);
}

static void str_or_null(FILE *out, const char *name, ih_str s)
{
    key(out, name);
    if (s.ptr)
        output_json_string(out, s.ptr, s.len);
    else
        fputs("null", out);
}

static void addr_or_null(FILE *out, const char *name, const ih_addr *a)
{
    char buf[IH_ADDR_TEXT_MAX];
    key(out, name);
    if (a->family == IH_AF_NONE) {
        fputs("null", out);
        return;
    }
    ih_addr_format(a, buf);
    fprintf(out, "\"%s\"", buf);
}

static void int_or_null(FILE *out, const char *name, int64_t v, bool known)
{
    key(out, name);
    if (known)
        fprintf(out, "%" PRId64, v);
    else
        fputs("null", out);
}

static void head(FILE *out, const char *kind, ih_time t, const ih_origin *o)
{
    char buf[IH_TIME_TEXT_MAX];
    ih_time_format(t, buf);
    fprintf(out, "{\"kind\":\"%s\",\"time\":\"%s\",\"source\":\"%s\",\"file\":", kind, buf,
            o->format ? o->format : "");
    output_json_string(out, o->file ? o->file : "-", o->file ? strlen(o->file) : 1);
    int_or_null(out, "line", (int64_t)o->line, o->line != 0);
    fprintf(out, ",\"offset\":%" PRIu64, o->offset);
}

void output_conn_json(FILE *out, const ih_conn *c, const ih_origin *o)
{
    head(out, "conn", c->time, o);
    str_or_null(out, "device_id", c->device_id);
    str_or_null(out, "device_name", c->device_name);
    str_or_null(out, "process_name", c->process_name);
    str_or_null(out, "process_path", c->process_path);
    int_or_null(out, "process_id", c->process_id, c->process_id != IH_UNKNOWN_PID);
    str_or_null(out, "user", c->user);
    addr_or_null(out, "local_ip", &c->local_addr);
    int_or_null(out, "local_port", c->local_port, c->local_port != IH_UNKNOWN_PORT);
    addr_or_null(out, "remote_ip", &c->remote_addr);
    str_or_null(out, "remote_ip_text", c->remote_ip_text);
    int_or_null(out, "remote_port", c->remote_port, c->remote_port != IH_UNKNOWN_PORT);
    fprintf(out, ",\"protocol\":\"%s\",\"direction\":\"%s\",\"action\":\"%s\"",
            ih_protocol_name(c->protocol), ih_direction_name(c->direction),
            ih_action_name(c->action));
    str_or_null(out, "action_name", c->action_name);
    str_or_null(out, "remote_name", c->remote_name);
    int_or_null(out, "bytes_sent", (int64_t)c->bytes_sent, c->bytes_sent != IH_UNKNOWN_BYTES);
    int_or_null(out, "bytes_received", (int64_t)c->bytes_received,
                c->bytes_received != IH_UNKNOWN_BYTES);
    fputs("}\n", out);
}

void output_dns_json(FILE *out, const ih_dns *d, const ih_origin *o)
{
    head(out, "dns", d->time, o);
    str_or_null(out, "device_id", d->device_id);
    str_or_null(out, "device_name", d->device_name);
    str_or_null(out, "process_name", d->process_name);
    str_or_null(out, "process_path", d->process_path);
    int_or_null(out, "process_id", d->process_id, d->process_id != IH_UNKNOWN_PID);
    str_or_null(out, "user", d->user);
    addr_or_null(out, "client_ip", &d->client_addr);
    addr_or_null(out, "server_ip", &d->server_addr);
    str_or_null(out, "query_name", d->query_name);
    int_or_null(out, "query_type", d->query_type, d->query_type >= 0);
    str_or_null(out, "query_type_name", d->query_type_name);
    int_or_null(out, "rcode", d->rcode, d->rcode >= 0);
    str_or_null(out, "rcode_name", d->rcode_name);
    fputs(",\"answers\":[", out);
    for (size_t i = 0; i < d->answer_count; i++) {
        const ih_dns_answer *a = &d->answers[i];
        static const char *const kinds[] = {"", "addr", "cname", "other"};
        fprintf(out, "%s{\"type\":\"%s\",\"data\":", i ? "," : "",
                a->kind <= IH_ANSWER_OTHER ? kinds[a->kind] : "other");
        output_json_string(out, a->text.ptr ? a->text.ptr : "", a->text.len);
        int_or_null(out, "ttl", a->ttl_s, a->ttl_s >= 0);
        fputc('}', out);
    }
    fprintf(out, "],\"answers_dropped\":%zu}\n", d->answers_dropped);
}
