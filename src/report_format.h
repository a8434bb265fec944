/* report_format: the helpers every report writer shares (report.c's text,
 * JSON and CSV; report_svg.c's SVG and HTML), so that the writers depend on
 * this module and not on each other. */
#ifndef GPU_PROFILER_REPORT_FORMAT_H
#define GPU_PROFILER_REPORT_FORMAT_H

#include <stddef.h>
#include <stdio.h>

#include "report.h"

/* Shared by the writers: a duration as "1.705 ms" (3 decimals) or, with
 * sig3, "1.71 ms" (3 significant digits); and the kernels, most energy
 * first (a malloc'd array the caller frees), or NULL out of memory. */
void report_fmt_time(char *buf, size_t n, double s, int sig3);
const struct kernel_result **report_kernels_by_energy(const struct estimate *e);

/* The colour of model component i in the pictures ("#1f77b4"); the
 * terminal table uses the nearest of the 256 xterm colours. */
const char *report_component_colour(size_t component);

/* The length of the valid UTF-8 sequence at p (1 to 4), or 0 for an
 * invalid one (a stray continuation, overlong form, surrogate, code point
 * above U+10FFFF, or a byte F5-FF). */
size_t report_utf8_len(const unsigned char *p);

/* s as a JSON string, quoted and escaped; each invalid UTF-8 byte becomes
 * U+FFFD. */
void report_json_string(FILE *out, const char *s);

/* The measured GPU that an estimate's device ran on, or NULL. */
const struct report_measured_gpu *report_measured_of(const struct report_measured *ms,
                                                     const struct device_result *dv);

/* The kernels grouped by name (the estimate interns names: one pointer a
 * name), most energy first; a malloc'd array the caller frees, *n_out of
 * them, or NULL out of memory. */
struct report_name {
    const char *name;
    size_t launches;
    double time_s, energy_j;
};
struct report_name *report_by_name(const struct estimate *e, size_t *n_out);

#endif
