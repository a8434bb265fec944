/* encoding: byte-order marks and UTF-16 to UTF-8; see encoding.h. */
#include "encoding.h"

#include <string.h>

void enc_init(struct enc_decoder *d)
{
    memset(d, 0, sizeof *d);
}

/* The kind the first bytes say, ENC_UNDECIDED while they could still be a
 * mark, and how many bytes the mark takes. */
static enum enc_kind mark_of(const unsigned char *b, size_t n, size_t *mark_len)
{
    static const unsigned char utf8[3] = { 0xEF, 0xBB, 0xBF };
    *mark_len = 0;
    if (n >= 2 && b[0] == 0xFF && b[1] == 0xFE) {
        *mark_len = 2;
        return ENC_UTF16LE;
    }
    if (n >= 2 && b[0] == 0xFE && b[1] == 0xFF) {
        *mark_len = 2;
        return ENC_UTF16BE;
    }
    if (n >= 3 && memcmp(b, utf8, 3) == 0) {
        *mark_len = 3;
        return ENC_UTF8;
    }
    if (n < 3 && (memcmp(b, utf8, n) == 0 || (n == 1 && (b[0] == 0xFF || b[0] == 0xFE))))
        return ENC_UNDECIDED;
    return ENC_UTF8;
}

/* Appends code point c as UTF-8 to out; returns the bytes written. */
static size_t put_utf8(unsigned c, char *out)
{
    if (c < 0x80) {
        out[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        out[0] = (char)(0xC0 | (c >> 6));
        out[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        out[0] = (char)(0xE0 | (c >> 12));
        out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        out[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (c >> 18));
    out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    out[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

/* One UTF-16 unit into out (surrogate pairs joined, a lone half U+FFFD). */
static size_t put_unit(struct enc_decoder *d, unsigned u, char *out)
{
    size_t n = 0;
    if (u >= 0xDC00 && u <= 0xDFFF && d->high) {
        n = put_utf8(0x10000 + ((d->high - 0xD800) << 10) + (u - 0xDC00), out);
        d->high = 0;
        return n;
    }
    if (d->high) {
        n = put_utf8(0xFFFD, out);
        d->high = 0;
    }
    if (u >= 0xD800 && u <= 0xDBFF)
        d->high = u;
    else
        n += put_utf8(u >= 0xDC00 && u <= 0xDFFF ? 0xFFFD : u, out + n);
    return n;
}

static int utf16_feed(struct enc_decoder *d, const unsigned char *b, size_t len, enc_out_fn out, void *ctx)
{
    char buf[4096 + 16];
    size_t i = 0, n = 0;
    int rc;
    while (i < len) {
        unsigned char lo, hi;
        if (d->npend) { /* the odd byte of the previous chunk */
            lo = d->pend[0];
            hi = b[i++];
            d->npend = 0;
        } else if (i + 1 < len) {
            lo = b[i];
            hi = b[i + 1];
            i += 2;
        } else {
            d->pend[0] = b[i++];
            d->npend = 1;
            break;
        }
        n += put_unit(d, d->kind == ENC_UTF16LE ? (unsigned)lo | (unsigned)hi << 8 : (unsigned)hi | (unsigned)lo << 8,
                      buf + n);
        if (n >= 4096) {
            if ((rc = out(ctx, buf, n)) != 0)
                return rc;
            n = 0;
        }
    }
    return n ? out(ctx, buf, n) : 0;
}

/* Takes the first bytes until the mark is known, then hands on what
 * follows it. */
static int decide(struct enc_decoder *d, const unsigned char **b, size_t *len, int at_end, enc_out_fn out, void *ctx)
{
    size_t take = 3 - d->npend < *len ? 3 - d->npend : *len, mark_len;
    enum enc_kind k;
    memcpy(d->pend + d->npend, *b, take);
    d->npend += take;
    *b += take;
    *len -= take;
    k = mark_of(d->pend, d->npend, &mark_len);
    if (k == ENC_UNDECIDED && !at_end)
        return 0;
    d->kind = k == ENC_UNDECIDED ? ENC_UTF8 : k;
    {
        unsigned char rest[3];
        size_t nrest = d->npend - mark_len;
        memcpy(rest, d->pend + mark_len, nrest);
        d->npend = 0;
        if (nrest == 0)
            return 0;
        if (d->kind == ENC_UTF8)
            return out(ctx, (const char *)rest, nrest);
        return utf16_feed(d, rest, nrest, out, ctx);
    }
}

int enc_feed(struct enc_decoder *d, const char *buf, size_t len, enc_out_fn out, void *ctx)
{
    const unsigned char *b = (const unsigned char *)buf;
    int rc;
    if (d->kind == ENC_UNDECIDED && (rc = decide(d, &b, &len, 0, out, ctx)) != 0)
        return rc;
    if (len == 0 || d->kind == ENC_UNDECIDED)
        return 0;
    if (d->kind == ENC_UTF8)
        return out(ctx, (const char *)b, len);
    return utf16_feed(d, b, len, out, ctx);
}

int enc_finish(struct enc_decoder *d, enc_out_fn out, void *ctx)
{
    char buf[8];
    size_t n = 0;
    int rc;
    if (d->kind == ENC_UNDECIDED) {
        const unsigned char *b = (const unsigned char *)"";
        size_t len = 0;
        return decide(d, &b, &len, 1, out, ctx);
    }
    if (d->kind == ENC_UTF8)
        return 0;
    if (d->high) {
        n = put_utf8(0xFFFD, buf);
        d->high = 0;
    }
    if (d->npend) {
        n += put_utf8(0xFFFD, buf + n);
        d->npend = 0;
    }
    return n && (rc = out(ctx, buf, n)) != 0 ? rc : 0;
}
