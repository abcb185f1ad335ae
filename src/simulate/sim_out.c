/* Buffered, counted output and the text formats of the simulated tools. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "sim_out.h"

#define BUFFER_SIZE (1 << 20)

int sim_out_open(sim_out *o, const char *path, char *err, size_t errlen)
{
    memset(o, 0, sizeof(*o));
    if (!path)
        return 0;
    snprintf(o->path, sizeof(o->path), "%s", path);
    if (strcmp(path, "-") == 0) {
        o->file = stdout;
        return 0;
    }
    o->file = fopen(path, "w");
    if (!o->file) {
        snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
        return -1;
    }
    o->owned = true;
    setvbuf(o->file, NULL, _IOFBF, BUFFER_SIZE);
    return 0;
}

int sim_out_close(sim_out *o, char *err, size_t errlen)
{
    if (!o->file)
        return 0;
    if (fflush(o->file) != 0 && !o->error)
        o->error = errno ? errno : EIO;
    if (o->owned && fclose(o->file) != 0 && !o->error)
        o->error = errno ? errno : EIO;
    o->file = NULL;
    if (o->error) {
        snprintf(err, errlen, "writing %s failed: %s", o->path, strerror(o->error));
        return -1;
    }
    return 0;
}

void sim_out_write(sim_out *o, const char *s, size_t n)
{
    o->bytes += n;
    if (o->file && !o->error && fwrite(s, 1, n, o->file) != n)
        o->error = errno ? errno : EIO;
}

void sim_out_puts(sim_out *o, const char *s)
{
    sim_out_write(o, s, strlen(s));
}

void sim_out_printf(sim_out *o, const char *fmt, ...)
{
    char buf[4096];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof(buf)) {
        sim_out_write(o, buf, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big) {
        o->error = ENOMEM;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sim_out_write(o, big, (size_t)n);
    free(big);
}

void sim_out_json(sim_out *o, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    char buf[512];
    size_t n = 0;
    buf[n++] = '"';
    for (; *s; s++) {
        if (n + 8 > sizeof(buf)) {
            sim_out_write(o, buf, n);
            n = 0;
        }
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            buf[n++] = '\\';
            buf[n++] = (char)c;
        } else if (c == '\n') {
            buf[n++] = '\\';
            buf[n++] = 'n';
        } else if (c == '\r') {
            buf[n++] = '\\';
            buf[n++] = 'r';
        } else if (c == '\t') {
            buf[n++] = '\\';
            buf[n++] = 't';
        } else if (c < 0x20) {
            memcpy(buf + n, "\\u00", 4);
            n += 4;
            buf[n++] = hex[c >> 4];
            buf[n++] = hex[c & 15];
        } else {
            buf[n++] = (char)c;
        }
    }
    buf[n++] = '"';
    sim_out_write(o, buf, n);
}

void sim_out_csv(sim_out *o, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        sim_out_puts(o, s);
        return;
    }
    sim_out_write(o, "\"", 1);
    for (const char *q; (q = strchr(s, '"')); s = q + 1) {
        sim_out_write(o, s, (size_t)(q - s) + 1);
        sim_out_write(o, "\"", 1);
    }
    sim_out_puts(o, s);
    sim_out_write(o, "\"", 1);
}

int sim_make_folder(const char *path, char *err, size_t errlen)
{
    struct stat st;
    if (mkdir(path, 0777) == 0)
        return 0;
    if (errno == EEXIST && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return 0;
    snprintf(err, errlen, "cannot create folder %s: %s", path,
             errno == EEXIST ? "a file of that name exists" : strerror(errno));
    return -1;
}

int sim_path_join(char *out, size_t cap, const char *folder, const char *name)
{
    int n = snprintf(out, cap, "%s/%s", folder, name);
    return n < 0 || (size_t)n >= cap ? -1 : 0;
}

void sim_time_text(ih_time t, enum sim_time_style style, char *out)
{
    int64_t secs = t / IH_NS_PER_SEC, ns = t % IH_NS_PER_SEC;
    if (ns < 0) {
        ns += IH_NS_PER_SEC;
        secs--;
    }
    time_t tt = (time_t)secs;
    struct tm tm;
    gmtime_r(&tt, &tm);
    char date[48], clock[40];
    snprintf(date, sizeof(date), "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
    snprintf(clock, sizeof(clock), "%02d:%02d:%02d", tm.tm_hour, tm.tm_min, tm.tm_sec);

    switch (style) {
    case SIM_TIME_SYSMON:
        sprintf(out, "%s %s.%03d", date, clock, (int)(ns / 1000000));
        break;
    case SIM_TIME_SECONDS:
        sprintf(out, "%s %s", date, clock);
        break;
    case SIM_TIME_ISO_MS:
        sprintf(out, "%sT%s.%03dZ", date, clock, (int)(ns / 1000000));
        break;
    case SIM_TIME_ISO_US:
        sprintf(out, "%sT%s.%06dZ", date, clock, (int)(ns / 1000));
        break;
    case SIM_TIME_ISO_7:
        sprintf(out, "%sT%s.%07dZ", date, clock, (int)(ns / 100));
        break;
    case SIM_TIME_EPOCH_US:
        sprintf(out, "%lld.%06d", (long long)secs, (int)(ns / 1000));
        break;
    case SIM_TIME_ZEEK_OPEN:
        sprintf(out, "%04d-%02d-%02d-%02d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec);
        break;
    }
}
