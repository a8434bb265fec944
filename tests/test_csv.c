/* Unit tests for csv.c: quoting, line ends, ncu's own lines, NUL bytes,
 * limits, and that any chunking of the input gives the same records. */
#include "csv.h"
#include "testlib.h"

/* Records are serialised as "f1|f2|...\n" (text lines as "T:text\n") so a
 * whole parse compares as one string. */
struct sink {
    char out[16384];
    size_t len;
};

static void put(struct sink *s, const char *t)
{
    size_t n = strlen(t);
    if (s->len + n < sizeof s->out) {
        memcpy(s->out + s->len, t, n + 1);
        s->len += n;
    }
}

static int on_rec(void *ctx, char **f, size_t n, unsigned flags, unsigned long line)
{
    struct sink *s = ctx;
    size_t i;
    char buf[32];
    snprintf(buf, sizeof buf, "%lu%s:", line, (flags & CSV_FIRST_QUOTED) ? "q" : "");
    put(s, buf);
    for (i = 0; i < n; i++) {
        if (i)
            put(s, "|");
        put(s, f[i]);
    }
    put(s, "\n");
    return 0;
}

static int on_text(void *ctx, const char *text, unsigned long line)
{
    struct sink *s = ctx;
    char buf[32];
    snprintf(buf, sizeof buf, "%luT:", line);
    put(s, buf);
    put(s, text);
    put(s, "\n");
    return 0;
}

/* Parses in chunks of `chunk` bytes; returns the rc. */
static int parse(const char *in, size_t len, size_t chunk, struct sink *s)
{
    struct csv_parser *p = csv_new(on_rec, on_text, s);
    size_t i;
    int rc = 0;
    s->len = 0;
    s->out[0] = '\0';
    for (i = 0; i < len && rc == 0; i += chunk)
        rc = csv_feed(p, in + i, len - i < chunk ? len - i : chunk);
    if (rc == 0)
        rc = csv_finish(p);
    csv_free(p);
    return rc;
}

static void case_ok(const char *in, const char *want)
{
    struct sink whole, bytes;
    size_t len = strlen(in);
    CHECK(parse(in, len, len ? len : 1, &whole) == 0);
    CHECK_STR(whole.out, want);
    CHECK(parse(in, len, 1, &bytes) == 0);
    CHECK_STR(bytes.out, want);
}

/* Rows of quoted fields of 0 to 80 bytes, now and then holding a comma, a
 * doubled quote, a newline, a CR or a NUL, or left unquoted: the 64-byte
 * window path (csv.c) must give what the byte-at-a-time parse gives, at
 * every place a field can start, end or stop it. */
static void window_differential(void)
{
    static char in[2600];
    struct sink whole, bytes, odd;
    unsigned seed = 12345;
    int t;
    for (t = 0; t < 400; t++) {
        size_t len = 0;
        int rw, rb, ro;
        while (len < sizeof in - 100) {
            unsigned r, flen, j;
            seed = seed * 1103515245u + 12345u;
            r = seed >> 8;
            flen = r % 81;
            if (r % 13 == 0) { /* an unquoted field */
                for (j = 0; j < flen % 9; j++)
                    in[len++] = (char)('a' + j);
            } else {
                in[len++] = '"';
                for (j = 0; j < flen; j++) {
                    seed = seed * 1103515245u + 12345u;
                    switch ((seed >> 16) % 97) {
                    case 0: in[len++] = ','; break;
                    case 1: in[len++] = '"'; in[len++] = '"'; break;
                    case 2: in[len++] = '\n'; break;
                    case 3: in[len++] = '\r'; break;
                    case 4: if (t % 5 == 0) { in[len++] = '\0'; break; } /* fall through */
                    default: in[len++] = (char)('0' + (seed >> 20) % 10); break;
                    }
                }
                in[len++] = '"';
            }
            seed = seed * 1103515245u + 12345u;
            if ((seed >> 12) % 23 == 0) {
                if ((seed >> 20) % 3 == 0)
                    in[len++] = '\r';
                in[len++] = '\n';
            } else {
                in[len++] = ',';
            }
        }
        in[len++] = '\n';
        rw = parse(in, len, len, &whole);
        rb = parse(in, len, 1, &bytes);
        ro = parse(in, len, 65 + (size_t)t % 60, &odd);
        CHECK(rw == rb && rw == ro);
        CHECK(whole.len == bytes.len && memcmp(whole.out, bytes.out, whole.len) == 0);
        CHECK(whole.len == odd.len && memcmp(whole.out, odd.out, whole.len) == 0);
    }
}

static int stop_cb(void *ctx, char **f, size_t n, unsigned flags, unsigned long line)
{
    (void)ctx; (void)f; (void)n; (void)flags;
    return line == 2 ? 7 : 0;
}

int main(void)
{
    struct sink s;
    struct csv_parser *p;
    char *big;
    size_t i;

    window_differential();
    case_ok("", "");
    case_ok("a,b,c\n", "1:a|b|c\n");
    case_ok("a,b,c", "1:a|b|c\n");
    case_ok("\"a\",\"b,c\",\"\"\n", "1q:a|b,c|\n");
    case_ok("\"say \"\"hi\"\"\",x\n", "1q:say \"hi\"|x\n");
    case_ok("a,b\r\nc,d\r\n", "1:a|b\n2:c|d\n");
    case_ok("\"a\",\"b\"\r\n", "1q:a|b\n");
    case_ok("\"multi\nline\",x\ny\n", "1q:multi\nline|x\n3:y\n");
    case_ok("a,,\n", "1:a||\n");
    case_ok("\n\n\"a\"\n", "3q:a\n");
    case_ok("==PROF== Connected to process 809\n\"ID\",\"x\"\n", "1T:==PROF== Connected to process 809\n2q:ID|x\n");
    case_ok("==WARNING== a, \"b\n\"c\"\n", "1T:==WARNING== a, \"b\n2q:c\n");
    case_ok("=x,y\n", "1:=x|y\n");
    case_ok("done all x1\n", "1:done all x1\n");
    case_ok("\"a\"b,c\n", "1q:ab|c\n");
    case_ok("==ERROR== at end", "1T:==ERROR== at end\n");
    case_ok("=", "1:=\n");

    /* NUL bytes make a record text, not fields */
    {
        static const char in[] = "a,b\0c,d\n\"x\"\n";
        CHECK(parse(in, sizeof in - 1, sizeof in - 1, &s) == 0);
        CHECK_STR(s.out, "1T:a,b\n2q:x\n");
    }

    /* unclosed quote at the end */
    {
        p = csv_new(on_rec, on_text, &s);
        CHECK(csv_feed(p, "\"a,b\n", 5) == 0);
        CHECK(csv_finish(p) == CSV_ERR_UNCLOSED_QUOTE);
        CHECK_CONTAINS(csv_error(p), "not closed");
        CHECK(csv_error_line(p) == 1);
        csv_free(p);
    }

    /* a record over the limit is an error, not an allocation */
    big = malloc(CSV_MAX_RECORD_BYTES + 16);
    memset(big, 'x', CSV_MAX_RECORD_BYTES + 16);
    p = csv_new(on_rec, on_text, &s);
    CHECK(csv_feed(p, big, CSV_MAX_RECORD_BYTES + 16) == CSV_ERR_TOO_LONG);
    CHECK_CONTAINS(csv_error(p), "16 MiB");
    csv_free(p);
    /* too many fields */
    for (i = 0; i < CSV_MAX_RECORD_BYTES / 2; i++)
        big[i] = ',';
    p = csv_new(on_rec, on_text, &s);
    CHECK(csv_feed(p, big, CSV_MAX_RECORD_BYTES / 2) == CSV_ERR_TOO_MANY_FIELDS);
    csv_free(p);
    free(big);

    /* a callback's nonzero value stops the parse and comes back */
    p = csv_new(stop_cb, NULL, NULL);
    CHECK(csv_feed(p, "a\nb\nc\n", 6) == 7);
    csv_free(p);
    csv_free(NULL);
    return tl_done();
}
