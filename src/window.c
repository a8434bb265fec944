/* window: min and peak over a window sliding along streamed kernels; see
 * window.h. The figures match estimate_window_extremes bit for bit: the same
 * running sums, the same windows, the same arithmetic on each. */
#include "window.h"

#include <stdlib.h>
#include <string.h>

void window_init(struct window_stream *w, double window_s)
{
    memset(w, 0, sizeof *w);
    w->window_s = window_s;
    w->lo_w = w->hi_w = -1;
}

void window_free(struct window_stream *w)
{
    free(w->ring);
    free(w->ending.start);
    free(w->ending.end);
    free(w->starting.start);
    free(w->starting.end);
    memset(w, 0, sizeof *w);
}

/* Appends the window [s, e] to q. Returns 0, or -1 out of memory. */
static int enqueue(struct window_queue *q, double s, double e)
{
    if (q->head > 0 && q->head + q->count == q->cap) { /* move the live part to the front */
        memmove(q->start, q->start + q->head, q->count * sizeof *q->start);
        memmove(q->end, q->end + q->head, q->count * sizeof *q->end);
        q->head = 0;
    }
    if (q->head + q->count == q->cap) {
        size_t ncap = q->cap ? q->cap * 2 : 64;
        double *ns = realloc(q->start, ncap * sizeof *ns), *ne;
        if (!ns)
            return -1;
        q->start = ns;
        ne = realloc(q->end, ncap * sizeof *ne);
        if (!ne)
            return -1;
        q->end = ne;
        q->cap = ncap;
    }
    q->start[q->head + q->count] = s;
    q->end[q->head + q->count] = e;
    q->count++;
    return 0;
}

/* The integral of one head's power from 0 to x, from the kernels held: the
 * last one starting at or before x, its running sum and its power. */
static double integral_to(const struct window_stream *w, double x, int peak)
{
    const struct window_entry *r = w->ring + w->head;
    size_t lo = 0, hi = w->count;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (r[mid].start <= x)
            lo = mid;
        else
            hi = mid;
    }
    return peak ? r[lo].cum_peak + (x - r[lo].start) * r[lo].peak_w : r[lo].cum_min + (x - r[lo].start) * r[lo].min_w;
}

static void evaluate(struct window_stream *w, double s, double e)
{
    double vmin = (integral_to(w, e, 0) - integral_to(w, s, 0)) / w->window_s;
    double vpeak = (integral_to(w, e, 1) - integral_to(w, s, 1)) / w->window_s;
    if (w->lo_w < 0 || vmin < w->lo_w)
        w->lo_w = vmin;
    if (vpeak > w->hi_w)
        w->hi_w = vpeak;
}

/* Evaluates the windows of q that end at or before upto. */
static void evaluate_ready(struct window_stream *w, struct window_queue *q, double upto)
{
    while (q->count && q->end[q->head] <= upto) {
        evaluate(w, q->start[q->head], q->end[q->head]);
        q->head++;
        q->count--;
    }
}

/* Drops the kernels that no window to come needs: each needs the last
 * kernel starting at or before its start. */
static void prune(struct window_stream *w)
{
    double need = w->total_s - w->window_s; /* windows still to come start there or later */
    if (w->ending.count && w->ending.start[w->ending.head] < need)
        need = w->ending.start[w->ending.head];
    if (w->starting.count && w->starting.start[w->starting.head] < need)
        need = w->starting.start[w->starting.head];
    while (w->count >= 2 && w->ring[w->head + 1].start <= need) {
        w->head++;
        w->count--;
    }
}

static int hold(struct window_stream *w, const struct window_entry *en)
{
    if (w->head > 0 && w->head + w->count == w->cap) {
        memmove(w->ring, w->ring + w->head, w->count * sizeof *w->ring);
        w->head = 0;
    }
    if (w->head + w->count == w->cap) {
        size_t ncap = w->cap ? w->cap * 2 : 256;
        struct window_entry *nr = realloc(w->ring, ncap * sizeof *nr);
        if (!nr)
            return -1;
        w->ring = nr;
        w->cap = ncap;
    }
    w->ring[w->head + w->count++] = *en;
    if (w->count > w->most_held)
        w->most_held = w->count;
    return 0;
}

int window_push(struct window_stream *w, double dur_s, double min_w, double peak_w)
{
    double t = dur_s > 0 ? dur_s : 0, b = w->total_s, s1 = b - w->window_s;
    struct window_entry en = { b, w->cum_min, w->cum_peak, min_w, peak_w };
    /* the windows that start and that end where this kernel starts */
    if (enqueue(&w->starting, b, b + w->window_s) != 0 || (s1 >= 0 && enqueue(&w->ending, s1, s1 + w->window_s)) ||
        hold(w, &en) != 0)
        return -1;
    w->total_s = b + t;
    w->cum_min = w->cum_min + t * min_w;
    w->cum_peak = w->cum_peak + t * peak_w;
    w->kernels++;
    evaluate_ready(w, &w->ending, b);
    evaluate_ready(w, &w->starting, b);
    prune(w);
    return 0;
}

int window_finish(struct window_stream *w, double *lo_w, double *hi_w)
{
    double total = w->total_s, s1;
    *lo_w = *hi_w = 0;
    if (w->kernels == 0 || !(total > 0))
        return 0;
    if (!(w->window_s > 0) || total <= w->window_s) {
        *lo_w = w->cum_min / total;
        *hi_w = w->cum_peak / total;
        return 0;
    }
    s1 = total - w->window_s; /* the window that ends where the timeline does */
    if (s1 >= 0 && enqueue(&w->ending, s1, s1 + w->window_s) != 0)
        return -1;
    evaluate_ready(w, &w->ending, total);
    evaluate_ready(w, &w->starting, total);
    *lo_w = w->lo_w;
    *hi_w = w->hi_w;
    return 0;
}
