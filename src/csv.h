/* csv: a streaming push tokenizer for the CSV that ncu writes. The caller
 * feeds chunks of any size; each complete record is handed to a callback as
 * an array of NUL-terminated fields. Memory is bounded by the longest record,
 * never by the file. Lines that ncu itself prints among the CSV (==PROF==,
 * ==WARNING==, ==ERROR==) and records holding NUL bytes are handed to a second
 * callback as text, so a report captured from stdout reads like a clean one. */
#ifndef GPU_PROFILER_CSV_H
#define GPU_PROFILER_CSV_H

#include <stddef.h>

/* Longest record accepted, in bytes (a raw-page header of 2,200 metrics is
 * about 200 KB); longer records are an error, not an allocation. */
#define CSV_MAX_RECORD_BYTES (16u << 20)
#define CSV_MAX_FIELDS (1u << 20)

/* fields[i] and text are borrowed: valid only during the call. line is the
 * 1-based line where the record starts. A nonzero return stops the parse and
 * is returned by csv_feed/csv_finish. */
/* flags: CSV_FIRST_QUOTED when the record's first field was quoted, as every
 * field of ncu's CSV is; a line of program output usually is not. */
enum { CSV_FIRST_QUOTED = 1 };
typedef int (*csv_record_fn)(void *ctx, char **fields, size_t nfields, unsigned flags,
                             unsigned long line);
typedef int (*csv_text_fn)(void *ctx, const char *text, unsigned long line);

struct csv_parser;

/* Returns NULL when out of memory. csv_free(NULL) is a no-op. */
struct csv_parser *csv_new(csv_record_fn on_record, csv_text_fn on_text, void *ctx);
void csv_free(struct csv_parser *p);

/* Return 0, a callback's nonzero value, or CSV_ERR_* (see csv_error). */
enum { CSV_ERR_TOO_LONG = -100, CSV_ERR_TOO_MANY_FIELDS, CSV_ERR_UNCLOSED_QUOTE, CSV_ERR_NOMEM };
int csv_feed(struct csv_parser *p, const char *buf, size_t len);
int csv_finish(struct csv_parser *p);

/* Message for the last CSV_ERR_* (static storage in p), with its line. */
const char *csv_error(const struct csv_parser *p);
unsigned long csv_error_line(const struct csv_parser *p);

#endif
