/* Escaping shared by the writers: JSON strings, terminal text and HTML text. */
#include "output.h"

#include <stdint.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at s, or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t len;
    uint32_t cp;

    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

void output_json_string(FILE *out, const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;

    fputc('"', out);
    for (size_t i = 0; i < len;) {
        unsigned char c = s[i];
        if (c == '"' || c == '\\') {
            fputc('\\', out);
            fputc(c, out);
            i++;
        } else if (c < 0x20 || c == 0x7F) {
            switch (c) {
            case '\n': fputs("\\n", out); break;
            case '\r': fputs("\\r", out); break;
            case '\t': fputs("\\t", out); break;
            default: fprintf(out, "\\u%04x", c); break;
            }
            i++;
        } else if (c < 0x80) {
            fputc(c, out);
            i++;
        } else {
            size_t n = utf8_len(s + i, len - i);
            if (n == 0) {
                fputs("\\ufffd", out);
                i++;
            } else {
                fwrite(s + i, 1, n, out);
                i += n;
            }
        }
    }
    fputc('"', out);
}

/* Decodes the valid UTF-8 sequence at s; returns its length, or 0 when invalid. */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    size_t len = utf8_len(s, n);
    if (len == 1)
        *cp = s[0];
    else if (len == 2)
        *cp = (uint32_t)(s[0] & 0x1F) << 6 | (s[1] & 0x3F);
    else if (len == 3)
        *cp = (uint32_t)(s[0] & 0x0F) << 12 | (uint32_t)(s[1] & 0x3F) << 6 | (s[2] & 0x3F);
    else if (len == 4)
        *cp = (uint32_t)(s[0] & 0x07) << 18 | (uint32_t)(s[1] & 0x3F) << 12 |
              (uint32_t)(s[2] & 0x3F) << 6 | (s[3] & 0x3F);
    return len;
}

/*
 * True for code points shown escaped: C0 and C1 controls, DEL, and the
 * invisible marks that reorder text (bidirectional embeddings, overrides,
 * isolates and marks, as in the "Trojan Source" attacks), and the line and
 * paragraph separators.
 */
static bool must_escape(uint32_t cp)
{
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x061C || cp == 0x200E ||
           cp == 0x200F || (cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

/*
 * Writes the character at s[0..n) as an escape when it must not reach the
 * output as it is, and returns the bytes consumed; *cols gets the columns
 * written. Returns 0 for a character that is safe to copy, with *len its length.
 */
static size_t write_escape(FILE *out, const unsigned char *s, size_t n, size_t *len, size_t *cols)
{
    uint32_t cp = 0;
    *len = utf8_decode(s, n, &cp);
    if (*len == 0) {
        fprintf(out, "\\x%02x", s[0]);
        *cols = 4;
        return 1;
    }
    if (!must_escape(cp))
        return 0;
    if (cp < 0x80)
        fprintf(out, "\\x%02x", (unsigned)cp);
    else
        fprintf(out, "\\u%04x", (unsigned)cp);
    *cols = cp < 0x80 ? 4 : 6;
    return *len;
}

void output_term_text(FILE *out, const char *str, size_t width)
{
    const unsigned char *s = (const unsigned char *)(str ? str : "");
    size_t n = strlen((const char *)s), i = 0, shown = 0;

    while (i < n && shown < width) {
        size_t len, cols;
        size_t used = write_escape(out, s + i, n - i, &len, &cols);
        if (used) {
            i += used;
            shown += cols;
        } else {
            fwrite(s + i, 1, len, out);
            i += len;
            shown++;
        }
    }
    if (i < n)
        fputs("…", out);
    else if (width != SIZE_MAX)
        for (; shown < width; shown++)
            fputc(' ', out);
}

void output_html_text(FILE *out, const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;

    for (size_t i = 0; i < len;) {
        size_t clen, cols;
        size_t used = write_escape(out, s + i, len - i, &clen, &cols);
        if (used) {
            i += used;
            continue;
        }
        switch (s[i]) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&#39;", out); break;
        default: fwrite(s + i, 1, clen, out); break;
        }
        i += clen;
    }
}
