/* report_format: the helpers every report writer shares (report.c's text,
 * JSON and CSV; report_svg.c's SVG and HTML), so that the writers depend on
 * this module and not on each other. */
#ifndef GPU_PROFILER_REPORT_FORMAT_H
#define GPU_PROFILER_REPORT_FORMAT_H

#include "plat.h"
#include <stddef.h>
#include <stdio.h>

#include "report.h"

/* Shared by the writers: a duration as "1.705 ms" (3 decimals) or, with
 * sig3, "1.71 ms" (3 significant digits); and the kernels, most energy
 * first (a malloc'd array the caller frees), or NULL out of memory. */
void report_fmt_time(char *buf, size_t n, double s, int sig3);
/* An energy as the table prints it: "1.442 J", "868.195 mJ", "424.850 uJ". */
void report_fmt_energy(char *buf, size_t n, double j);
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

/* s for a terminal, into buf (n bytes, cut where it does not fit): control
 * characters (C0, DEL, C1) and invalid UTF-8 as '?', so text from an input
 * (a host, GPU or file name) cannot move the cursor or change colours.
 * Returns buf. */
const char *report_clean(char *buf, size_t n, const char *s);

/* s as SVG/HTML text: the markup characters escaped, control characters
 * and bytes above 0x7f as '?', cut after max characters with "...". */
void report_xml_text(FILE *out, const char *s, size_t max);

/* The measured GPU that an estimate's device ran on, or NULL. */
const struct report_measured_gpu *report_measured_of(const struct report_measured *ms,
                                                     const struct device_result *dv);

/* The kernels grouped by name (the estimate interns names: one pointer a
 * name), most energy first; a malloc'd array the caller frees, *n_out of
 * them, or NULL out of memory. */
struct estimate_name *report_by_name(const struct estimate *e, size_t *n_out);
/* The first k of report_by_name's order without a copy of every name (the
 * text table of a run of a million names shows its --top): *n_all is the
 * number of names, *energy_j their energy; *n_out (at most k) are returned,
 * owned by the caller. NULL out of memory. */
struct estimate_name *report_top_names(const struct estimate *e, size_t k, size_t *n_out, size_t *n_all,
                                       double *energy_j);

/* A line of prose for the terminal, wrapped at a width: built piece by
 * piece with text_line_add, then written by text_line_end, which breaks it at
 * spaces so that no line is wider than width columns (ANSI colour escapes
 * take none), continuation lines indented by indent spaces; width 0: one
 * line as it is. A word wider than the width (a long path) is not cut. */
struct text_line {
    char buf[4096];
    size_t len;
};
void text_line_add(struct text_line *l, const char *fmt, ...)
#if defined(__GNUC__)
    PLAT_PRINTF(2, 3)
#endif
    ;
void text_line_end(FILE *out, struct text_line *l, size_t width, size_t indent);

/* A kernel's name shortened for a table: without a leading "void ", template
 * arguments and the parameter list ("void f<int>(float *)" is "f"); the name
 * as it is when nothing is left. Writes at most n - 1 bytes. */
void report_short_name(const char *name, char *buf, size_t n);

/* Short names that tell kernels apart: where several names shorten alike
 * (three at::vectorized_elementwise_kernel<...> of different functors),
 * each shows the template arguments (else the parameters) in which they
 * differ, "..." for those they share
 * ("at::vectorized_elementwise_kernel<..., MulFunctor<float>, ...>"), else
 * the name in full. Built once per report over the estimate's names; a
 * name is found by its interned pointer. */
struct report_short {
    const char *name;       /* the estimate's interned name */
    char label[300];        /* what the tables and pictures show */
    int disambiguated;      /* longer than report_short_name's: cut it in the middle (report_cut_middle) */
};
struct report_namer {
    struct report_short *v; /* owned, sorted by name pointer */
    size_t n;
};
/* 0, or -1 out of memory (nm is then empty: callers fall back to
 * report_short_name). */
int report_namer_init(struct report_namer *nm, const struct estimate *e);
/* The same for the names a table shows (nshown of them, repeats allowed)
 * and the names that shorten alike with one of them: what tells the shown
 * ones apart is what report_namer_init gives them, in memory by the names
 * shown, not by every name of the run. */
int report_namer_init_for(struct report_namer *nm, const struct estimate *e, const char *const *shown,
                          size_t nshown);
/* The entry of name, or NULL (nm NULL or empty, or a name not in it). */
const struct report_short *report_namer_find(const struct report_namer *nm, const char *name);
void report_namer_free(struct report_namer *nm);
/* s in at most max bytes: its start and end around "..." where longer. */
void report_cut_middle(const char *s, size_t max, char *buf, size_t n);


#endif
