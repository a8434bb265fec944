/* window: the lowest and highest power averaged over a window sliding along
 * kernels laid end to end (estimate.h's min and peak), as the kernels stream
 * by: what estimate_window_extremes finds from the whole list, to the same
 * bits, holding only the kernels of the last window or two. The average over
 * a sliding window is piecewise linear in its start, so its extremes are at
 * windows that start or end where a kernel starts (or the timeline ends);
 * each such window is evaluated once every kernel that starts inside it has
 * come, from the same running sums as the whole-list algorithm. */
#ifndef GPU_PROFILER_WINDOW_H
#define GPU_PROFILER_WINDOW_H

#include <stddef.h>

struct window_entry {
    double start, cum_min, cum_peak, min_w, peak_w;
};

/* Windows waiting for their kernels, in order of their end. */
struct window_queue {
    double *start, *end;
    size_t head, count, cap;
};

struct window_stream {
    double window_s;
    double total_s, cum_min, cum_peak;  /* the running sums, as the whole-list algorithm keeps them */
    double lo_w, hi_w;                   /* the extremes so far (-1: none yet) */
    struct window_entry *ring;           /* the kernels still needed, from ring[head] */
    size_t head, count, cap;
    struct window_queue ending;          /* the windows that end where a kernel starts */
    struct window_queue starting;        /* those that start there (their end comes later) */
    size_t kernels, most_held;           /* kernels pushed; the most held at once (memory) */
};

void window_init(struct window_stream *w, double window_s);
void window_free(struct window_stream *w);
/* One kernel, in launch order: its duration (negative counts as 0) and its
 * min and peak heads. Returns 0, or -1 out of memory. */
int window_push(struct window_stream *w, double dur_s, double min_w, double peak_w);
/* The extremes over everything pushed (estimate_window_extremes's figures).
 * Returns 0, or -1 out of memory. */
int window_finish(struct window_stream *w, double *lo_w, double *hi_w);

#endif
