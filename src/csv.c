/* csv: streaming CSV tokenizer; see csv.h. */
#include "csv.h"

#include <stdint.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum state {
    ST_LINE_START,   /* nothing of the record read yet */
    ST_FIELD_START,  /* after a comma */
    ST_UNQUOTED,
    ST_QUOTED,
    ST_QUOTE_IN_QUOTED, /* a quote inside a quoted field: end or escape */
    ST_TEXT          /* a non-CSV line, read to its end */
};

struct csv_parser {
    csv_record_fn on_record;
    csv_text_fn on_text;
    void *ctx;
    enum state st;
    char *buf;            /* the record's fields, each NUL-terminated */
    size_t len, cap;
    size_t *starts;       /* offset of each field in buf */
    size_t nfields, fields_cap;
    char **fields;        /* pointers handed to on_record, rebuilt per record */
    size_t fields_ptr_cap;
    int has_nul;          /* the record held a NUL byte: hand it over as text */
    int first_quoted;
    int lead_eq;          /* count of leading '=' on a line (0..2) */
    unsigned long line;   /* current line, 1-based */
    unsigned long rec_line;
    unsigned long err_line;
    char err[160];
};

struct csv_parser *csv_new(csv_record_fn on_record, csv_text_fn on_text, void *ctx)
{
    struct csv_parser *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->on_record = on_record;
    p->on_text = on_text;
    p->ctx = ctx;
    p->st = ST_LINE_START;
    p->line = 1;
    p->rec_line = 1;
    return p;
}

void csv_free(struct csv_parser *p)
{
    if (!p)
        return;
    free(p->buf);
    free(p->starts);
    free(p->fields);
    free(p);
}

const char *csv_error(const struct csv_parser *p) { return p->err; }
unsigned long csv_error_line(const struct csv_parser *p) { return p->err_line; }

static int fail(struct csv_parser *p, int code, const char *msg)
{
    p->err_line = p->rec_line;
    snprintf(p->err, sizeof p->err, "%s", msg);
    return code;
}

static int push_byte(struct csv_parser *p, char c)
{
    if (p->len + 1 >= p->cap) {
        size_t ncap = p->cap ? p->cap * 2 : 4096;
        char *nb;
        if (ncap > CSV_MAX_RECORD_BYTES + 2)
            ncap = CSV_MAX_RECORD_BYTES + 2;
        if (p->len + 1 >= ncap)
            return fail(p, CSV_ERR_TOO_LONG, "record longer than 16 MiB");
        nb = realloc(p->buf, ncap);
        if (!nb)
            return fail(p, CSV_ERR_NOMEM, "out of memory");
        p->buf = nb;
        p->cap = ncap;
    }
    p->buf[p->len++] = c;
    return 0;
}

/* Room for extra more bytes (and the NUL that ends the field) in buf. */
static int grow(struct csv_parser *p, size_t need);
static inline int reserve(struct csv_parser *p, size_t extra)
{
    return p->len + extra + 1 <= p->cap ? 0 : grow(p, p->len + extra + 1);
}

static int grow(struct csv_parser *p, size_t need)
{
    size_t ncap = p->cap ? p->cap : 4096;
    char *nb;
    if (need > CSV_MAX_RECORD_BYTES + 1)
        return fail(p, CSV_ERR_TOO_LONG, "record longer than 16 MiB");
    while (ncap < need)
        ncap *= 2;
    if (ncap > CSV_MAX_RECORD_BYTES + 2)
        ncap = CSV_MAX_RECORD_BYTES + 2;
    nb = realloc(p->buf, ncap);
    if (!nb)
        return fail(p, CSV_ERR_NOMEM, "out of memory");
    p->buf = nb;
    p->cap = ncap;
    return 0;
}

/* The bytes that end a run of ordinary field bytes, per state: a quoted
 * field ends at a quote; an unquoted one at a comma; both stop at a newline
 * (line count, record end) and a NUL (not ncu's). Runs between them are
 * copied whole, which is where the time goes on a raw page of 3,000
 * columns (bench/ingest.sh). */
static const unsigned char stop_quoted[256] = { ['"'] = 1, ['\n'] = 1, ['\0'] = 1 };
static const unsigned char stop_unquoted[256] = { [','] = 1, ['\n'] = 1, ['\0'] = 1 };

/* Copies the run of data[*i..n) up to the next stop byte into the field
 * and leaves *i at the stop byte (n when the chunk ends first). Returns 0
 * or CSV_ERR_TOO_LONG / CSV_ERR_NOMEM. */
#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull
/* Nonzero when one of the 8 bytes of w equals b (the classic SWAR test). */
static inline uint64_t has_byte(uint64_t w, unsigned char b)
{
    uint64_t x = w ^ (ONES * b);
    return (x - ONES) & ~x & HIGHS;
}

static int copy_run(struct csv_parser *p, const unsigned char *stop, const char *data, size_t *i, size_t n)
{
    size_t j = *i;
    unsigned char delim = stop == stop_quoted ? '"' : ',';
    int rc;
    /* 8 bytes at a time while none of them is a stop byte */
    while (j + 8 <= n) {
        uint64_t w;
        memcpy(&w, data + j, 8);
        if (has_byte(w, delim) | has_byte(w, '\n') | has_byte(w, 0))
            break;
        j += 8;
    }
    while (j < n && !stop[(unsigned char)data[j]])
        j++;
    if (j > *i) {
        if ((rc = reserve(p, j - *i)) != 0)
            return rc;
        memcpy(p->buf + p->len, data + *i, j - *i);
        p->len += j - *i;
    }
    *i = j;
    return 0;
}

static int grow_fields(struct csv_parser *p);
static inline int start_field(struct csv_parser *p)
{
    if (p->nfields == p->fields_cap)
        return grow_fields(p);
    p->starts[p->nfields++] = p->len;
    return 0;
}

static int grow_fields(struct csv_parser *p)
{
    size_t ncap = p->fields_cap ? p->fields_cap * 2 : 64;
    size_t *ns;
    if (p->nfields >= CSV_MAX_FIELDS)
        return fail(p, CSV_ERR_TOO_MANY_FIELDS, "record with more than 1,048,576 fields");
    ns = realloc(p->starts, ncap * sizeof *ns);
    if (!ns)
        return fail(p, CSV_ERR_NOMEM, "out of memory");
    p->starts = ns;
    p->fields_cap = ncap;
    p->starts[p->nfields++] = p->len;
    return 0;
}

static int end_field(struct csv_parser *p) { return push_byte(p, '\0'); }

static void reset_record(struct csv_parser *p)
{
    p->len = 0;
    p->nfields = 0;
    p->has_nul = 0;
    p->first_quoted = 0;
    p->lead_eq = 0;
    p->st = ST_LINE_START;
    p->rec_line = p->line;
}

/* A record with NUL bytes is not ncu's: give it to on_text with the fields
 * joined back by commas (NULs inside fields cut the text short, which is all a
 * skip count needs). */
static int emit_text(struct csv_parser *p)
{
    int rc = 0;
    size_t i;
    if (p->len == 0 || p->buf[p->len - 1] != '\0')
        if ((rc = push_byte(p, '\0')) != 0)
            return rc;
    for (i = 1; i < p->nfields; i++)
        if (p->starts[i] > 0)
            p->buf[p->starts[i] - 1] = ',';
    if (p->on_text)
        rc = p->on_text(p->ctx, p->buf, p->rec_line);
    reset_record(p);
    return rc;
}

static int emit_record(struct csv_parser *p)
{
    size_t i;
    int rc;
    if (p->has_nul)
        return emit_text(p);
    if (p->fields_ptr_cap < p->nfields) {
        char **nf = realloc(p->fields, p->nfields * sizeof *nf);
        if (!nf)
            return fail(p, CSV_ERR_NOMEM, "out of memory");
        p->fields = nf;
        p->fields_ptr_cap = p->nfields;
    }
    for (i = 0; i < p->nfields; i++)
        p->fields[i] = p->buf + p->starts[i];
    rc = p->on_record ? p->on_record(p->ctx, p->fields, p->nfields,
                                    p->first_quoted ? CSV_FIRST_QUOTED : 0u, p->rec_line)
                     : 0;
    reset_record(p);
    return rc;
}

/* The index of the first quote, newline or NUL in data[j..n), or n. With
 * SSE2 (every x86-64), 16 bytes per step without a branch per byte: a raw
 * page's fields average 5 bytes, and a byte loop's exit branch, taken at a
 * different place in every field, is mispredicted about once per field. */
static size_t next_quoted_stop(const char *data, size_t j, size_t n)
{
#ifdef __SSE2__
    const __m128i quote = _mm_set1_epi8('"'), nl = _mm_set1_epi8('\n'), zero = _mm_setzero_si128();
    while (j + 16 <= n) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(data + j));
        unsigned mask = (unsigned)_mm_movemask_epi8(
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, nl)), _mm_cmpeq_epi8(v, zero)));
        if (mask)
            return j + (size_t)__builtin_ctz(mask);
        j += 16;
    }
#else
    while (j + 8 <= n) { /* 8 bytes at a time while none is a stop byte */
        uint64_t w;
        memcpy(&w, data + j, 8);
        if (has_byte(w, '"') | has_byte(w, '\n') | has_byte(w, 0))
            break;
        j += 8;
    }
#endif
    while (j < n && !stop_quoted[(unsigned char)data[j]])
        j++;
    return j;
}

/* The common case of ncu's CSV, taken whole: after a comma (the field is
 * started), fields of the form "text", each followed by a comma or by the
 * newline that ends the record. Handles as many as lie complete in data[*i..n) and returns with
 * *i at the first byte it leaves to the general state machine (anything
 * else: escaped quotes, CR, NUL, newlines inside quotes, a chunk's end). */
/* Copies a field's len bytes at src (avail bytes readable there) to the
 * record and ends it: one 16-byte copy where it fits, the bytes past len
 * being overwritten later. */
static inline int put_field(struct csv_parser *p, const char *src, size_t len, size_t avail)
{
    int rc;
    if ((rc = reserve(p, len)) != 0)
        return rc;
#ifdef __SSE2__
    if (len <= 16 && avail >= 16 && p->len + 16 <= p->cap)
        _mm_storeu_si128((__m128i *)(void *)(p->buf + p->len), _mm_loadu_si128((const __m128i *)(const void *)src));
    else
#else
    (void)avail;
#endif
        memcpy(p->buf + p->len, src, len);
    p->len += len;
    p->buf[p->len++] = '\0';
    return 0;
}

#ifdef __SSE2__
/* Bit b set where data[b] is a quote (*q), or a newline or NUL (*s), for
 * the 64 bytes at data. */
static inline void masks64(const char *data, uint64_t *q, uint64_t *s)
{
    const __m128i quote = _mm_set1_epi8('"'), nl = _mm_set1_epi8('\n'), zero = _mm_setzero_si128();
    uint64_t mq = 0, ms = 0;
    int b;
    for (b = 0; b < 64; b += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(data + b));
        mq |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, quote)) << b;
        ms |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, nl), _mm_cmpeq_epi8(v, zero)))
              << b;
    }
    *q = mq;
    *s = ms;
}

/* fast_quoted_fields over 64-byte windows: the quotes of a window are found
 * at once and its fields taken from the bit mask, instead of a vector scan
 * per field (a raw page's fields average 5 bytes). Same cases as the loop
 * below; stops, leaving *i at a field's opening quote, wherever that loop
 * would, and where a window ends. */
static int quoted_fields_64(struct csv_parser *p, const char *data, size_t *i, size_t n, int *emitted)
{
    size_t k = *i;
    int rc;
    while (k + 64 <= n && data[k] == '"') {
        uint64_t q, sp;
        unsigned o = 0;
        int took = 0;
        masks64(data + k, &q, &sp);
        for (;;) {
            /* the opening quote is at bit o */
            uint64_t after = o < 63 ? q & (~0ull << (o + 1)) : 0, between;
            unsigned c;
            char next;
            if (!after)
                break; /* closes in a later window */
            c = (unsigned)__builtin_ctzll(after);
            between = (c - o - 1 ? (~0ull >> (64 - (c - o - 1))) << (o + 1) : 0);
            if ((sp & between) || c == 63) {
                if (c == 63 && !(sp & between))
                    break; /* the byte after it is in the next window */
                *i = k + o;
                return 0;
            }
            next = data[k + c + 1];
            if (next != ',' && next != '\n') {
                *i = k + o;
                return 0;
            }
            if ((rc = put_field(p, data + k + o + 1, c - o - 1, n - (k + o + 1))) != 0)
                return rc;
            if (next == '\n') {
                p->line++;
                *i = k + c + 2;
                *emitted = 1;
                return emit_record(p);
            }
            if ((rc = start_field(p)) != 0)
                return rc;
            took = 1;
            o = c + 2;
            if (o >= 64 || !(q & (1ull << o))) {
                k += o;
                if (o < 64 || k >= n || data[k] != '"') {
                    *i = k;
                    return 0;
                }
                o = 0;
                break;
            }
        }
        if (!took)
            break; /* a field longer than the window: the loop below takes it */
        k += o;
    }
    *i = k;
    return 0;
}
#endif

static int fast_quoted_fields(struct csv_parser *p, const char *data, size_t *i, size_t n)
{
    size_t k;
    int rc;
#ifdef __SSE2__
    {
        int emitted = 0;
        if ((rc = quoted_fields_64(p, data, i, n, &emitted)) != 0 || emitted)
            return rc;
    }
#endif
    k = *i;
    while (k < n && data[k] == '"') {
        size_t j = next_quoted_stop(data, k + 1, n), len;
        if (j + 1 >= n || data[j] != '"' || (data[j + 1] != ',' && data[j + 1] != '\n'))
            break;
        len = j - (k + 1);
        if ((rc = put_field(p, data + k + 1, len, n - (k + 1))) != 0)
            return rc;
        k = j + 2;
        if (data[j + 1] == '\n') {
            p->line++;
            *i = k;
            return emit_record(p);
        }
        if ((rc = start_field(p)) != 0)
            return rc;
    }
    *i = k;
    return 0;
}

/* The state machine, one byte at a time where the fast paths above do not
 * take the bytes: one function per state. */
static int end_of_record(struct csv_parser *p)
{
    int rc;
    if ((rc = end_field(p)) != 0)
        return rc;
    p->line++;
    return emit_record(p);
}

static int next_field(struct csv_parser *p)
{
    int rc;
    if ((rc = end_field(p)) || (rc = start_field(p)))
        return rc;
    p->st = ST_FIELD_START;
    return 0;
}

static int step_unquoted(struct csv_parser *p, char c)
{
    if (c == ',')
        return next_field(p);
    if (c == '\n') {
        if (p->len && p->buf[p->len - 1] == '\r' && p->st == ST_UNQUOTED)
            p->len--;
        return end_of_record(p);
    }
    return push_byte(p, c);
}

static int step_field_start(struct csv_parser *p, char c)
{
    if (c == '"') {
        if (p->nfields == 1)
            p->first_quoted = 1;
        p->st = ST_QUOTED;
        return 0;
    }
    p->st = ST_UNQUOTED;
    return step_unquoted(p, c);
}

static int step_line_start(struct csv_parser *p, char c)
{
    int rc;
    if (c == '\n') { /* blank line: nothing to hand over */
        p->line++;
        reset_record(p);
        return 0;
    }
    if (c == '\r')
        return 0;
    if (c == '=') {
        /* "==PROF==" and friends are ncu's own lines, never CSV */
        if (++p->lead_eq == 2) {
            p->st = ST_TEXT;
            if ((rc = start_field(p)) || (rc = push_byte(p, '=')) || (rc = push_byte(p, '=')))
                return rc;
        }
        return 0;
    }
    if ((rc = start_field(p)) != 0)
        return rc;
    if (p->lead_eq) {
        p->lead_eq = 0;
        if ((rc = push_byte(p, '=')) != 0)
            return rc;
    }
    return step_field_start(p, c);
}

/* A line that is a lone quote (program output; a quoted field never starts
 * with its line's end): skipped as text, not the start of a field that
 * would swallow the lines after it. */
static int lone_quote_line(struct csv_parser *p)
{
    size_t flen = p->len - p->starts[0];
    int rc;
    if (p->nfields != 1 || !(flen == 0 || (flen == 1 && p->buf[p->starts[0]] == '\r')))
        return 0;
    p->len = p->starts[0];
    if ((rc = push_byte(p, '"')) != 0)
        return rc;
    p->line++;
    p->has_nul = 0;
    if ((rc = emit_text(p)) != 0)
        return rc;
    return 1;
}

static int step_quoted(struct csv_parser *p, char c)
{
    int rc;
    if (c == '"') {
        p->st = ST_QUOTE_IN_QUOTED;
        return 0;
    }
    if (c == '\n' && (rc = lone_quote_line(p)) != 0)
        return rc > 0 ? 0 : rc;
    if (c == '\n')
        p->line++;
    return push_byte(p, c);
}

static int step_quote_in_quoted(struct csv_parser *p, char c)
{
    int rc;
    if (c == '"') { /* "" is a literal quote */
        if ((rc = push_byte(p, '"')) != 0)
            return rc;
        p->st = ST_QUOTED;
        return 0;
    }
    if (c == ',')
        return next_field(p);
    if (c == '\n')
        return end_of_record(p);
    if (c == '\r')
        return 0; /* CRLF after a closing quote */
    /* text after a closing quote: keep it, as spreadsheets do */
    if ((rc = push_byte(p, c)) != 0)
        return rc;
    p->st = ST_UNQUOTED;
    return 0;
}

static int step_text(struct csv_parser *p, char c)
{
    if (c == '\n') {
        if (p->len && p->buf[p->len - 1] == '\r')
            p->len--;
        p->line++;
        p->has_nul = 0;
        return emit_text(p);
    }
    if (p->len < 4096) /* a skipped line needs no more */
        return push_byte(p, c);
    return 0;
}

static int step(struct csv_parser *p, char c)
{
    switch (p->st) {
    case ST_LINE_START: return step_line_start(p, c);
    case ST_FIELD_START: return step_field_start(p, c);
    case ST_UNQUOTED: return step_unquoted(p, c);
    case ST_QUOTED: return step_quoted(p, c);
    case ST_QUOTE_IN_QUOTED: return step_quote_in_quoted(p, c);
    default: return step_text(p, c);
    }
}

int csv_feed(struct csv_parser *p, const char *data, size_t n)
{
    size_t i;
    int rc;
    for (i = 0; i < n; i++) {
        if (p->st == ST_LINE_START && data[i] == '"' && !p->lead_eq) {
            /* a record's first field, quoted: what the state machine would
             * do with its opening quote, then the fast path takes it */
            if ((rc = start_field(p)) != 0)
                return rc;
            p->first_quoted = 1;
            p->st = ST_FIELD_START;
        }
        if (p->st == ST_FIELD_START && !p->has_nul) {
            if ((rc = fast_quoted_fields(p, data, &i, n)) != 0)
                return rc;
            if (i >= n)
                break;
        }
        if (p->st == ST_QUOTED || p->st == ST_UNQUOTED) {
            if ((rc = copy_run(p, p->st == ST_QUOTED ? stop_quoted : stop_unquoted, data, &i, n)) != 0)
                return rc;
            if (i == n)
                break;
        }
        if (data[i] == '\0')
            p->has_nul = 1;
        if ((rc = step(p, data[i])) != 0)
            return rc;
    }
    return 0;
}

int csv_finish(struct csv_parser *p)
{
    int rc;
    switch (p->st) {
    case ST_LINE_START:
        if (p->lead_eq == 0)
            return 0;
        if ((rc = start_field(p)) || (rc = push_byte(p, '=')) || (rc = end_field(p)))
            return rc;
        return emit_record(p);
    case ST_QUOTED:
        return fail(p, CSV_ERR_UNCLOSED_QUOTE, "quoted field not closed at end of input");
    case ST_TEXT:
        p->has_nul = 0;
        return emit_text(p);
    default:
        if (p->len && p->buf[p->len - 1] == '\r' && p->st == ST_UNQUOTED)
            p->len--;
        if ((rc = end_field(p)) != 0)
            return rc;
        return emit_record(p);
    }
}
