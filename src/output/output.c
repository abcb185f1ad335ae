/* Alert writers: table, JSON lines and CSV; the HTML report is in output_html.c. */
#include "output.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../event/timeutil.h"

int output_format_parse(const char *name, output_format *out)
{
    if (strcmp(name, "table") == 0)
        *out = OUTPUT_TABLE;
    else if (strcmp(name, "jsonl") == 0 || strcmp(name, "json") == 0)
        *out = OUTPUT_JSONL;
    else if (strcmp(name, "csv") == 0)
        *out = OUTPUT_CSV;
    else if (strcmp(name, "html") == 0)
        *out = OUTPUT_HTML;
    else
        return -1;
    return 0;
}

static void json_text(FILE *out, const char *s)
{
    output_json_string(out, s ? s : "", s ? strlen(s) : 0);
}

static void json_texts(FILE *out, char *const *v, size_t n)
{
    fputc('[', out);
    for (size_t i = 0; i < n; i++) {
        if (i)
            fputc(',', out);
        json_text(out, v[i]);
    }
    fputc(']', out);
}

static void json_time(FILE *out, ih_time t)
{
    char buf[IH_TIME_TEXT_MAX];
    ih_time_format(t, buf);
    fprintf(out, "\"%s\"", buf);
}

static void json_bytes(FILE *out, int64_t v)
{
    if (v == ALERT_BYTES_NULL)
        fputs("null", out);
    else
        fprintf(out, "%" PRId64, v);
}

/* Writes the shortest decimal text that reads back as the same double. */
static void json_double(FILE *out, double v)
{
    char buf[32];
    for (int digits = 15; digits <= 17; digits++) {
        snprintf(buf, sizeof(buf), "%.*g", digits, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    fputs(buf, out);
}

static void write_jsonl(FILE *out, const ih_alert *a)
{
    fputs("{\"Timestamp\":", out);
    json_time(out, a->timestamp);
    fputs(",\"DeviceName\":", out);
    json_text(out, a->device_name);
    fputs(",\"RemoteIP\":", out);
    json_text(out, a->remote_ip);
    fputs(",\"RemoteUrl\":", out);
    json_text(out, a->remote_url);
    fputs(",\"AlertType\":", out);
    json_text(out, a->alert_type);
    fprintf(out, ",\"ConnectionCount\":%" PRIu64 ",\"BytesSent\":", a->connection_count);
    json_bytes(out, a->bytes_sent);
    fputs(",\"BytesReceived\":", out);
    json_bytes(out, a->bytes_received);
    fputs(",\"SampleProcesses\":", out);
    json_texts(out, a->sample_processes, a->nsample_processes);
    if (a->score != ALERT_NO_SCORE) {
        fprintf(out, ",\"Score\":%d,\"Severity\":", a->score);
        json_text(out, a->severity);
        fputs(",\"Confidence\":", out);
        json_text(out, a->confidence);
        fputs(",\"Techniques\":", out);
        json_texts(out, a->techniques, a->ntechniques);
        fputs(",\"Explanation\":", out);
        json_text(out, a->explanation);
    }
    for (size_t i = 0; i < a->nfields; i++) {
        const alert_field *f = &a->fields[i];
        fprintf(out, ",\"%s\":", f->name);
        switch (f->kind) {
        case ALERT_INT: fprintf(out, "%" PRId64, f->i); break;
        case ALERT_DOUBLE: json_double(out, f->d); break;
        case ALERT_TEXT: json_text(out, f->text); break;
        case ALERT_TIME: json_time(out, f->i); break;
        case ALERT_TEXTS: json_texts(out, f->texts, f->ntexts); break;
        }
    }
    fputs("}\n", out);
}

/* A CSV cell; a leading = + - @ tab or CR is prefixed with ' so spreadsheets show text. */
static void csv_cell(FILE *out, const char *s)
{
    s = s ? s : "";
    bool formula = s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' ||
                   s[0] == '\r';
    fputc('"', out);
    if (formula)
        fputc('\'', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

static void csv_texts(FILE *out, char *const *v, size_t n)
{
    /* The list is written as a JSON array inside one cell, as Defender's portal exports arrays. */
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    if (!mem)
        return;
    json_texts(mem, v, n);
    fclose(mem);
    csv_cell(out, buf);
    free(buf);
}

static bool any_scored(const ih_alert_list *alerts)
{
    for (size_t i = 0; i < alerts->count; i++)
        if (alerts->items[i].score != ALERT_NO_SCORE)
            return true;
    return false;
}

/* The assessment columns appear only when some alert is scored, so the
   reference rule's CSV keeps its exact columns. */
static void write_csv_header(FILE *out, bool scored)
{
    fputs("Timestamp,DeviceName,RemoteIP,RemoteUrl,AlertType,ConnectionCount,BytesSent,"
          "BytesReceived,SampleProcesses,",
          out);
    if (scored)
        fputs("Score,Severity,Confidence,Techniques,Explanation,", out);
    fputs("Details\n", out);
}

static void write_csv(FILE *out, const ih_alert *a, bool scored)
{
    char t[IH_TIME_TEXT_MAX];
    ih_time_format(a->timestamp, t);
    fprintf(out, "%s,", t);
    csv_cell(out, a->device_name);
    fputc(',', out);
    csv_cell(out, a->remote_ip);
    fputc(',', out);
    csv_cell(out, a->remote_url);
    fprintf(out, ",%s,%" PRIu64 ",", a->alert_type, a->connection_count);
    if (a->bytes_sent != ALERT_BYTES_NULL)
        fprintf(out, "%" PRId64, a->bytes_sent);
    fputc(',', out);
    if (a->bytes_received != ALERT_BYTES_NULL)
        fprintf(out, "%" PRId64, a->bytes_received);
    fputc(',', out);
    csv_texts(out, a->sample_processes, a->nsample_processes);
    fputc(',', out);
    if (scored) {
        if (a->score != ALERT_NO_SCORE)
            fprintf(out, "%d", a->score);
        fputc(',', out);
        csv_cell(out, a->severity);
        fputc(',', out);
        csv_cell(out, a->confidence);
        fputc(',', out);
        csv_texts(out, a->techniques, a->ntechniques);
        fputc(',', out);
        csv_cell(out, a->explanation);
        fputc(',', out);
    }

    /* The extra fields go into one JSON object cell, so the column set stays fixed. */
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    if (mem) {
        fputc('{', mem);
        for (size_t i = 0; i < a->nfields; i++) {
            const alert_field *f = &a->fields[i];
            fprintf(mem, "%s\"%s\":", i ? "," : "", f->name);
            switch (f->kind) {
            case ALERT_INT: fprintf(mem, "%" PRId64, f->i); break;
            case ALERT_DOUBLE: json_double(mem, f->d); break;
            case ALERT_TEXT: json_text(mem, f->text); break;
            case ALERT_TIME: json_time(mem, f->i); break;
            case ALERT_TEXTS: json_texts(mem, f->texts, f->ntexts); break;
            }
        }
        fputc('}', mem);
        fclose(mem);
        csv_cell(out, buf);
        free(buf);
    }
    fputc('\n', out);
}

static void write_table(FILE *out, const ih_alert_list *alerts)
{
    bool scored = any_scored(alerts);
    if (scored)
        fprintf(out, "%5s  %-8s  ", "Score", "Severity");
    fprintf(out, "%-30s  %-26s  %-20s  %-15s  %-30s  %7s  %10s  %s\n", "Timestamp", "AlertType",
            "DeviceName", "RemoteIP", "RemoteUrl", "Count", "BytesSent", "SampleProcesses");
    for (size_t i = 0; i < alerts->count; i++) {
        const ih_alert *a = &alerts->items[i];
        char t[IH_TIME_TEXT_MAX];
        ih_time_format(a->timestamp, t);
        if (scored && a->score != ALERT_NO_SCORE)
            fprintf(out, "%5d  %-8s  ", a->score, a->severity);
        else if (scored)
            fprintf(out, "%5s  %-8s  ", "", "");
        fprintf(out, "%-30s  %-26s  ", t, a->alert_type);
        output_term_text(out, a->device_name, 20);
        fputs("  ", out);
        output_term_text(out, a->remote_ip, 15);
        fputs("  ", out);
        output_term_text(out, a->remote_url, 30);
        fprintf(out, "  %7" PRIu64 "  ", a->connection_count);
        if (a->bytes_sent == ALERT_BYTES_NULL)
            fprintf(out, "%10s  ", "unknown");
        else
            fprintf(out, "%10" PRId64 "  ", a->bytes_sent);
        for (size_t p = 0; p < a->nsample_processes; p++) {
            if (p)
                fputs(", ", out);
            output_term_text(out, a->sample_processes[p], SIZE_MAX);
        }
        fputc('\n', out);
        if (a->explanation) {
            /* The explanation goes on its own indented line, unabridged. */
            fputs("       ", out);
            output_term_text(out, a->explanation, SIZE_MAX);
            fputc('\n', out);
        }
    }
    fprintf(out, "%zu alert%s\n", alerts->count, alerts->count == 1 ? "" : "s");
}

int output_alerts(FILE *out, output_format format, const ih_alert_list *alerts)
{
    if (format == OUTPUT_HTML)
        return output_html(out, alerts, NULL);
    if (format == OUTPUT_TABLE) {
        write_table(out, alerts);
    } else if (format == OUTPUT_CSV) {
        bool scored = any_scored(alerts);
        write_csv_header(out, scored);
        for (size_t i = 0; i < alerts->count; i++)
            write_csv(out, &alerts->items[i], scored);
    } else {
        for (size_t i = 0; i < alerts->count; i++)
            write_jsonl(out, &alerts->items[i]);
    }
    return fflush(out) == 0 && !ferror(out) ? 0 : -1;
}
