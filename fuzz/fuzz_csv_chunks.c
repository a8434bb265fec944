/* libFuzzer entry: the CSV tokenizer must give the same records and text
 * lines whatever the chunks it is fed: the whole input at once, in chunks
 * of sizes taken from the input, and a byte at a time. Its fast paths (whole
 * quoted fields, 16-byte scans) stop at a chunk's end and hand over to the
 * byte-wise state machine; any difference aborts. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"

struct sink {
    char *buf;
    size_t len, cap;
};

static void put(struct sink *s, const char *t, size_t n)
{
    if (s->len + n + 1 > s->cap) {
        size_t cap = (s->len + n + 1) * 2;
        char *b = realloc(s->buf, cap);
        if (!b)
            abort();
        s->buf = b;
        s->cap = cap;
    }
    memcpy(s->buf + s->len, t, n);
    s->len += n;
}

static int on_rec(void *ctx, char **f, size_t n, unsigned flags, unsigned long line)
{
    struct sink *s = ctx;
    char head[64];
    size_t i;
    put(s, head, (size_t)snprintf(head, sizeof head, "R%lu/%u/%zu:", line, flags, n));
    for (i = 0; i < n; i++) {
        put(s, f[i], strlen(f[i]));
        put(s, "\x1f", 1);
    }
    put(s, "\n", 1);
    return 0;
}

static int on_text(void *ctx, const char *text, unsigned long line)
{
    struct sink *s = ctx;
    char head[32];
    put(s, head, (size_t)snprintf(head, sizeof head, "T%lu:", line));
    put(s, text, strlen(text));
    put(s, "\n", 1);
    return 0;
}

/* Feeds data in chunks: step(k) gives the k-th chunk's size (0: the rest). */
static void run(const uint8_t *data, size_t size, const uint8_t *sizes, size_t nsizes, struct sink *s)
{
    struct csv_parser *p = csv_new(on_rec, on_text, s);
    size_t pos = 0, k = 0;
    int rc = 0;
    char tail[32];
    if (!p)
        abort();
    while (pos < size && rc == 0) {
        size_t c = nsizes ? (size_t)sizes[k++ % nsizes] % 37 + 1 : size - pos;
        if (c > size - pos)
            c = size - pos;
        rc = csv_feed(p, (const char *)data + pos, c);
        pos += c;
    }
    if (rc == 0)
        rc = csv_finish(p);
    put(s, tail, (size_t)snprintf(tail, sizeof tail, "rc=%d", rc));
    csv_free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sink whole = { 0 }, chunked = { 0 }, bytes = { 0 };
    static const uint8_t one = 0;
    run(data, size, NULL, 0, &whole);
    run(data, size, data, size < 16 ? size : 16, &chunked);
    run(data, size, &one, 1, &bytes);
    if (whole.len != chunked.len || memcmp(whole.buf, chunked.buf, whole.len) != 0 ||
        whole.len != bytes.len || memcmp(whole.buf, bytes.buf, whole.len) != 0)
        abort();
    free(whole.buf);
    free(chunked.buf);
    free(bytes.buf);
    return 0;
}
