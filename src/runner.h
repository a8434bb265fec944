/* runner: profiles an application under Nsight Compute. Finds ncu, runs the
 * application under it with exactly the metrics the model needs and
 * --clock-control none (locked clocks would change the power being
 * estimated), then exports the report's raw page to CSV. No shell: argv is
 * passed as given, so paths with spaces and quotes work. */
#ifndef GPU_PROFILER_RUNNER_H
#define GPU_PROFILER_RUNNER_H

#include <stddef.h>

/* The files a profiling run leaves in the output folder; with neither -a
 * nor -c, the estimate reads RUNNER_CSV_NAME from the current folder. */
#define RUNNER_REPORT_BASE "gpu_profiler_ncu"
/* The longest --output-dir the runner takes (its report's path holds 1024 bytes). */
#define RUNNER_REPORT_PATH_MAX 1024
#define RUNNER_DIR_MAX (RUNNER_REPORT_PATH_MAX - sizeof "/" RUNNER_REPORT_BASE)
#define RUNNER_CSV_NAME "gpu_profiler_ncu.csv"
/* First line of the CSV the runner writes: ncu's reader skips '==' lines,
 * and outfile recognises the file as the tool's own. */
#define RUNNER_CSV_SIGNATURE "==gpu_profiler=="

struct runner_opts {
    const char *ncu;          /* --ncu, or NULL to search */
    const char *app;
    char *const *args;        /* application arguments */
    size_t nargs;
    const char *out_dir;      /* "." by default */
    int force;
    int quiet;
    char *metrics;            /* comma-separated raw metric names */
    const char *ncu_log;      /* if set, ncu's own output goes to this file */
    int keep_signals_held;    /* after the export, SIGINT and SIGTERM stay held (runner_held_signal):
                                 the caller goes on to estimate */
    int output_to_stderr;     /* ncu's and the application's output to our stderr, not stdout (which
                                 then holds JSON or CSV alone) */
    long skip_kernels;        /* ncu --launch-skip (0: none) */
    long max_kernels;         /* ncu --launch-count (0: all) */
    const char *nvtx_range;   /* profile only inside this NVTX push/pop range */
    double duration_s;        /* > 0: stop profiling after this long, estimate from what was collected */
    char *const *ncu_args;    /* --ncu-arg: passed to ncu as they are, before the application */
    size_t n_ncu_args;
    const char *kernel_id;    /* ncu --kernel-id (runner_sample_kernel_id), or NULL */
    int interrupted;          /* out: SIGINT/SIGTERM that stopped the run, or 0 */
    int stopped_by_duration;  /* out: duration_s ended the run */
    int last_kernel_nccl;     /* out: the kernel ncu was profiling last is NCCL's */
    int app_failed;           /* out: ncu (the application under it) ended with a non-zero status or a
                                 signal, neither --duration nor a signal of ours having stopped it */
};

enum { RUNNER_OK = 0, RUNNER_NO_NCU, RUNNER_NO_APP, RUNNER_NCU_FAILED, RUNNER_APP_FAILED, RUNNER_OUTPUT };

/* Finds ncu: explicit path, $NCU, PATH, $CUDA_HOME/bin, /usr/local/cuda/bin,
 * /opt/nvidia/nsight-compute/<newest>/. Returns 0 and the path, or -1 with
 * the places searched in err. */
int runner_find_ncu(const char *explicit_path, char *out, size_t outlen, char *err, size_t errlen);
/* Whether dir, the --output-dir, is a folder: 0, or -1 with err ("make it first"). */
int runner_check_dir(const char *dir, char *err, size_t errlen);

/* The ncu --kernel-id for --sample: about 1 in every invocations of each
 * kernel, the same ones in every run. ncu numbers each kernel name's
 * invocations from 1 (across contexts and streams when those are left empty)
 * and matches the number with a regular expression: here, the invocations
 * whose last k digits are one of n fixed endings out of the 10^k (10^k the
 * smallest power of ten at least 100 times every; n = 10^k / every rounded,
 * 100 to 1000 of them), spread over the endings by a step coprime with ten.
 * Unlike every N-th invocation, this does not alias with a loop that runs
 * one kernel a few times per step on different work (2 or 4 times, say: the
 * endings chosen are spread over the residues of any such period). weight
 * receives 10^k / n, within 0.5% of every: what each profiled kernel
 * stands for. Returns 0, or -1 (every out of 2..10000, or out too small). */
#define RUNNER_SAMPLE_MAX 10000
int runner_sample_kernel_id(long every, char *out, size_t outlen, double *weight);

/* ncu's version ("2025.3.1.0") into out; 0, or -1 with out = "unknown". */
int runner_ncu_version(const char *ncu, char *out, size_t outlen);

/* Once profiling is over: SIGINT and SIGTERM are remembered instead of
 * ending gpu_profiler, so the export and the estimate still finish; the
 * caller ends with 128 + runner_held_signal() (0: none came). */
void runner_hold_signals(void);
int runner_held_signal(void);

/* Resolves an application: a path with a folder part, else searched in PATH. */
int runner_find_app(const char *app, char *out, size_t outlen);

/* Exports REPORT's raw page (ncu --import REPORT --csv --page raw
 * --print-units base) to csv_path, whole or not at all, never over a file
 * gpu_profiler did not write unless force. Returns RUNNER_OK, or
 * RUNNER_NCU_FAILED / RUNNER_OUTPUT with err. */
int runner_export(const char *ncu, const char *rep_file, const char *csv_path, int force, char *err, size_t errlen);

/* Profiles and exports; on success csv_path holds the CSV written. A signal
 * during the export is held (runner_held_signal), not lost with the profile;
 * see keep_signals_held for after it. */
int runner_profile(struct runner_opts *o, char *csv_path, size_t csv_len, char *err, size_t errlen);

#endif
