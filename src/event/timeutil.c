#include "timeutil.h"

#include <stdbool.h>
#include <stdio.h>

/* Howard Hinnant's days_from_civil algorithm (public domain), for any year. */
int64_t ih_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static bool digits(const char *s, size_t n, unsigned *out)
{
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    *out = v;
    return true;
}

static unsigned days_in_month(unsigned y, unsigned m)
{
    static const unsigned char dim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dim[m - 1];
}

int ih_time_parse_iso(const char *s, size_t len, ih_time *out)
{
    unsigned y, mo, d, h, mi, sec;

    if (len < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ' && s[10] != 't') ||
        s[13] != ':' || s[16] != ':')
        return -1;
    if (!digits(s, 4, &y) || !digits(s + 5, 2, &mo) || !digits(s + 8, 2, &d) ||
        !digits(s + 11, 2, &h) || !digits(s + 14, 2, &mi) || !digits(s + 17, 2, &sec))
        return -1;
    /* A leap second (:60) is accepted and folded into the next second, as POSIX time does. */
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || sec > 60)
        return -1;
    /* 64-bit nanoseconds span 1677-09-21 to 2262-04-11; stay safely inside. */
    if (y < 1678 || y > 2261)
        return -1;

    size_t i = 19;
    int64_t frac = 0;
    if (i < len && s[i] == '.') {
        i++;
        size_t start = i;
        int64_t scale = 100000000;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            frac += (s[i] - '0') * scale;
            scale /= 10;
            i++;
        }
        if (i == start)
            return -1;
    }

    int64_t offset_s = 0;
    if (i < len && (s[i] == 'Z' || s[i] == 'z')) {
        i++;
    } else if (i < len && (s[i] == '+' || s[i] == '-')) {
        unsigned oh, om;
        if (len - i < 6 || !digits(s + i + 1, 2, &oh) || s[i + 3] != ':' ||
            !digits(s + i + 4, 2, &om) || oh > 23 || om > 59)
            return -1;
        offset_s = (int64_t)(oh * 3600 + om * 60) * (s[i] == '-' ? -1 : 1);
        i += 6;
    }
    if (i != len)
        return -1;

    int64_t days = ih_days_from_civil(y, mo, d);
    int64_t secs = days * 86400 + h * 3600 + mi * 60 + sec - offset_s;
    *out = secs * IH_NS_PER_SEC + frac;
    return 0;
}

int ih_time_parse_epoch(const char *s, size_t len, ih_time *out)
{
    size_t i = 0;
    int64_t secs = 0, frac = 0;
    bool neg = false;

    if (i < len && s[i] == '-') {
        neg = true;
        i++;
    }
    size_t start = i;
    while (i < len && s[i] >= '0' && s[i] <= '9') {
        secs = secs * 10 + (s[i] - '0');
        if (secs > INT64_MAX / IH_NS_PER_SEC - 1)
            return -1; /* beyond 2262, where 64-bit nanoseconds overflow */
        i++;
    }
    if (i == start)
        return -1;
    if (i < len && s[i] == '.') {
        i++;
        size_t fstart = i;
        int64_t scale = 100000000;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            frac += (s[i] - '0') * scale;
            scale /= 10;
            i++;
        }
        if (i == fstart)
            return -1;
    }
    if (i != len)
        return -1;
    /* The same range as the RFC 3339 parser: years 1678 to 2261. */
    int64_t signed_secs = neg ? -secs : secs;
    if (signed_secs < ih_days_from_civil(1678, 1, 1) * 86400 ||
        signed_secs >= ih_days_from_civil(2262, 1, 1) * 86400)
        return -1;
    int64_t t = secs * IH_NS_PER_SEC + frac;
    *out = neg ? -t : t;
    return 0;
}

int ih_time_parse(const char *s, size_t len, ih_time *out)
{
    if (len >= 19 && s[4] == '-')
        return ih_time_parse_iso(s, len, out);
    return ih_time_parse_epoch(s, len, out);
}

static void split(ih_time t, int64_t *days, int64_t *sod, int64_t *ns)
{
    int64_t secs = t / IH_NS_PER_SEC;
    *ns = t % IH_NS_PER_SEC;
    if (*ns < 0) {
        *ns += IH_NS_PER_SEC;
        secs--;
    }
    *days = secs / 86400;
    *sod = secs % 86400;
    if (*sod < 0) {
        *sod += 86400;
        (*days)--;
    }
}

static int format_base(ih_time t, char *out, int64_t *ns)
{
    int64_t days, sod, y;
    unsigned m, d;

    split(t, &days, &sod, ns);
    civil_from_days(days, &y, &m, &d);
    return snprintf(out, IH_TIME_TEXT_MAX, "%04lld-%02u-%02uT%02d:%02d:%02d", (long long)y, m, d,
                    (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60));
}

void ih_time_format(ih_time t, char out[IH_TIME_TEXT_MAX])
{
    int64_t ns;
    int n = format_base(t, out, &ns);

    if (ns == 0)
        snprintf(out + n, (size_t)(IH_TIME_TEXT_MAX - n), "Z");
    else if (ns % 1000000 == 0)
        snprintf(out + n, (size_t)(IH_TIME_TEXT_MAX - n), ".%03dZ", (int)(ns / 1000000));
    else if (ns % 1000 == 0)
        snprintf(out + n, (size_t)(IH_TIME_TEXT_MAX - n), ".%06dZ", (int)(ns / 1000));
    else
        snprintf(out + n, (size_t)(IH_TIME_TEXT_MAX - n), ".%09dZ", (int)ns);
}

void ih_time_format_7(ih_time t, char out[IH_TIME_TEXT_MAX])
{
    int64_t ns;
    int n = format_base(t, out, &ns);
    snprintf(out + n, (size_t)(IH_TIME_TEXT_MAX - n), ".%07dZ", (int)(ns / 100));
}
