/* encoding: the byte-order marks and UTF-16 that Windows tools write in
 * place of plain UTF-8 (Windows PowerShell 5.1's '>' writes UTF-16LE with a
 * byte-order mark; Notepad and PowerShell 7's Out-File may add a UTF-8
 * one), turned into the UTF-8 the CSV reader takes. A push decoder: the
 * caller feeds chunks of any size, the decoder hands on UTF-8 chunks. */
#ifndef GPU_PROFILER_ENCODING_H
#define GPU_PROFILER_ENCODING_H

#include <stddef.h>

enum enc_kind { ENC_UNDECIDED = 0, ENC_UTF8, ENC_UTF16LE, ENC_UTF16BE };

/* Caller-owned; enc_init before the first feed. */
struct enc_decoder {
    enum enc_kind kind;     /* from the byte-order mark; UTF-8 (as it is) without one */
    unsigned char pend[3];  /* the first bytes, until the mark is known; then an odd UTF-16 byte */
    size_t npend;
    unsigned high;          /* UTF-16: a high surrogate waiting for its low half, or 0 */
};

/* Receives decoded UTF-8; a nonzero return stops the decoder and is returned. */
typedef int (*enc_out_fn)(void *ctx, const char *buf, size_t len);

void enc_init(struct enc_decoder *d);
int enc_feed(struct enc_decoder *d, const char *buf, size_t len, enc_out_fn out, void *ctx);
/* The end of the input: what is still held back (an unpaired half becomes U+FFFD). */
int enc_finish(struct enc_decoder *d, enc_out_fn out, void *ctx);

#endif
