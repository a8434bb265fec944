/* report: writes an estimate as a terminal table, JSON or CSV. Each format
 * is one ops table; main picks one per output. Absent values print as n/a
 * (text, CSV) or null (JSON), never as 0. */
#ifndef GPU_PROFILER_REPORT_H
#define GPU_PROFILER_REPORT_H

#include <stdio.h>

#include "estimate.h"
#include "timeline.h"

enum report_mode { MODE_MIN = 1, MODE_AVG = 2, MODE_PEAK = 4, MODE_ALL = 7 };

/* What `-a --measure` measured without ncu, shown beside the estimate. */
#define REPORT_MAX_GPUS 16
struct report_measured_gpu {
    long long device;   /* the application's CUDA ordinal (its place among the GPUs it sees) */
    char id[48];        /* NVML index or UUID */
    char name[96];
    double energy_j, avg_w, min_w, peak_w; /* NVML over the run; min/peak NaN without samples */
    double run_avg_w;   /* as in report_measured, for this GPU */
    double busy_share;
    const struct device_result *estimate; /* the estimate of this GPU; NULL: no kernel profiled on it */
};
struct report_measured {
    /* all measured GPUs together */
    double duration_s, energy_j, avg_w, min_w, peak_w; /* NVML over the run; min/peak NaN without samples */
    double run_avg_w;  /* the estimate over the whole run: the kernels' energy plus the model's idle power
                          for the rest of the measured time; NaN when the profile did not cover the run */
    double busy_share; /* the kernels' GPU time / the measured duration (NaN as above, or several GPUs) */
    double rest_w;     /* the power run_avg_w puts on the time outside the profiled kernels */
    int skip_nccl;     /* --skip-nccl: NCCL's kernels were left unprofiled */
    int rest_comm;     /* rest_w is the model's communication term (skip_nccl and a model with one), else idle */
    size_t ngpus;
    struct report_measured_gpu gpu[REPORT_MAX_GPUS];
};

/* The estimate over a traced run (--timeline FILE), per GPU of the estimate. */
struct report_timeline {
    const char *path;
    double window_s;        /* the min/peak window */
    size_t ndevices;
    long long device[REPORT_MAX_GPUS];
    struct timeline_result r[REPORT_MAX_GPUS];
};

struct report_opts {
    unsigned mode;          /* MODE_* bits: which targets the text shows */
    int per_kernel;         /* text: every kernel with its component split */
    size_t top;             /* text: kernels listed when not per_kernel */
    int color;              /* text: ANSI colour (only on a terminal) */
    size_t width;           /* text: columns to fit ($COLUMNS, the terminal's), 0: no limit */
    int wide;               /* text: kernel names as they are (--wide), not shortened */
    const char *input;      /* the CSV's path as the user gave it */
    int tasks_only;         /* csv: task rows only (predictions.csv) */
    const struct report_measured *measured; /* text, JSON, SVG, HTML: -a --measure (NULL: none) */
    const struct report_timeline *timeline; /* text, JSON: --timeline (NULL: none) */
    int in_html;            /* svg: inside an HTML page (no signature line of its own) */
    const char *title;      /* svg, html: what the picture is of (its file name is shown: the application);
                             * NULL: the input */
};

struct report_ops {
    const char *name;
    /* Returns 0, or -1 when the stream reports an error. */
    int (*write)(FILE *out, const struct estimate *e, const struct report_opts *o);
};

extern const struct report_ops report_text;
extern const struct report_ops report_json;
extern const struct report_ops report_csv;
extern const struct report_ops report_svg;  /* report_svg.c */
extern const struct report_ops report_html; /* report_svg.c: the picture and the tables */

/* The version of the JSON documents (--json, measure --json): what
 * docs/schema/ describes. 2: "task" is always a list. */
#define REPORT_JSON_SCHEMA_VERSION 3

/* First line of the pictures the tool writes. */
#define REPORT_SVG_SIGNATURE "<!-- gpu_profiler_report"

/* First line of every CSV the tool writes; how it recognises its own files
 * before overwriting one. */
#define REPORT_CSV_SIGNATURE "gpu_profiler_row,"

#endif
