/* testlib: a tiny assertion library for the unit tests. Each test program
 * ends with the line "N passed, N failed" and exits nonzero on a failure. */
#ifndef GPU_PROFILER_TESTLIB_H
#define GPU_PROFILER_TESTLIB_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plat.h"

static int tl_passed, tl_failed;

#define CHECK(cond)                                                                  \
    do {                                                                             \
        if (cond)                                                                    \
            tl_passed++;                                                             \
        else {                                                                       \
            tl_failed++;                                                             \
            fprintf(stderr, "%s:%d: FAILED: %s\n", __FILE__, __LINE__, #cond);       \
        }                                                                            \
    } while (0)

/* relative tolerance, with an absolute floor for values near zero */
#define CHECK_NEAR(a, b, rel)                                                        \
    do {                                                                             \
        double tl_a = (a), tl_b = (b);                                               \
        if (fabs(tl_a - tl_b) <= (rel) * fmax(fabs(tl_b), 1e-12))                    \
            tl_passed++;                                                             \
        else {                                                                       \
            tl_failed++;                                                             \
            fprintf(stderr, "%s:%d: FAILED: %s = %.9g, expected %s = %.9g (rel %g)\n", \
                    __FILE__, __LINE__, #a, tl_a, #b, tl_b, (double)(rel));          \
        }                                                                            \
    } while (0)

#define CHECK_STR(a, b)                                                              \
    do {                                                                             \
        const char *tl_sa = (a), *tl_sb = (b);                                       \
        if (tl_sa && tl_sb && strcmp(tl_sa, tl_sb) == 0)                             \
            tl_passed++;                                                             \
        else {                                                                       \
            tl_failed++;                                                             \
            fprintf(stderr, "%s:%d: FAILED: %s = \"%s\", expected \"%s\"\n",         \
                    __FILE__, __LINE__, #a, tl_sa ? tl_sa : "(null)", tl_sb);        \
        }                                                                            \
    } while (0)

#define CHECK_CONTAINS(hay, needle)                                                  \
    do {                                                                             \
        const char *tl_h = (hay), *tl_n = (needle);                                  \
        if (tl_h && strstr(tl_h, tl_n))                                              \
            tl_passed++;                                                             \
        else {                                                                       \
            tl_failed++;                                                             \
            fprintf(stderr, "%s:%d: FAILED: \"%s\" does not contain \"%s\"\n",       \
                    __FILE__, __LINE__, tl_h ? tl_h : "(null)", tl_n);               \
        }                                                                            \
    } while (0)

static int tl_done(void)
{
    printf("%d passed, %d failed\n", tl_passed, tl_failed);
    return tl_failed ? 1 : 0;
}

/* Reads a whole file; NULL on failure. *len gets its size. */
static inline char *tl_slurp(const char *path, size_t *len)
{
    FILE *f = plat_fopen(path, "rb");
    char *buf;
    long n;
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    if (buf)
        buf[n] = '\0';
    fclose(f);
    if (len)
        *len = (size_t)n;
    return buf;
}

/* A name for a temporary file or folder in the platform's temporary
 * folder: stem ends in XXXXXX, for plat_create_temp or plat_make_temp_dir. */
static inline char *tl_temp_name(char *buf, size_t n, const char *stem)
{
    snprintf(buf, n, "%s/%s", plat_temp_root(), stem);
    return buf;
}

#endif
