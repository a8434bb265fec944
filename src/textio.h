/* textio: bounded line reading for the tool's own text files (datasets,
 * timelines, the tracer's parts), so one endless line (a file of zeros,
 * /dev/zero) cannot grow memory without limit. */
#ifndef GPU_PROFILER_TEXTIO_H
#define GPU_PROFILER_TEXTIO_H

#include <stdio.h>

/* The longest line these files have a use for (a timeline's kernel names
 * are the longest: templates of a few KB). */
#define TEXTIO_MAX_LINE (1u << 20)

/* Reads one line, its '\n' kept, into *buf (grown as needed, at most
 * max + 1 bytes; the caller frees it). *len receives its length, NUL bytes
 * included. Returns 1 for a line, 0 at the end of the file, -1 for a line
 * longer than max bytes, -2 out of memory. */
int textio_getline(FILE *f, char **buf, size_t *cap, size_t max, size_t *len);

/* Everything written so far to a read-write stream (plat_memstream_open),
 * as a malloc'd NUL-terminated copy with its length in *len; NULL on an
 * error. The stream stays open, its position at the end. */
char *textio_take(FILE *f, size_t *len);

/* Compares version-like names numerically ("2025.3.1" > "2024.10.0"):
 * <0, 0 or >0 as strcmp. */
int text_version_cmp(const char *a, const char *b);

#endif
