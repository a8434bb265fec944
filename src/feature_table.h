/* feature_table: the one table that ties the power model to ncu. Each metric the
 * tool reads has its raw-page name and, where the details page prints the
 * same quantity, its (section, metric) there, so one model can be fed from
 * either page. Each model feature is a formula over those metrics, scaled to
 * a fraction of the unit's peak (0..1) or another dimensionless number. */
#ifndef GPU_PROFILER_FEATURE_TABLE_H
#define GPU_PROFILER_FEATURE_TABLE_H

#include <stddef.h>

enum metric_id {
    M_DURATION,        /* gpu__time_duration.sum, s */
    M_SM_CLOCK,        /* SM clock during the kernel, hz */
    M_SM_ACTIVE_CYC,   /* sm__cycles_active.avg */
    M_SM_ELAPSED_CYC,  /* gpc__cycles_elapsed.max (the details page's Elapsed Cycles) */
    M_IPC_ELAPSED,     /* sm__inst_executed.avg.per_cycle_elapsed */
    M_SM_THROUGHPUT,   /* sm__throughput, % */
    M_PIPE_FMA,        /* FP32 (and IMAD) pipe, % of peak */
    M_PIPE_ALU,
    M_PIPE_FP16,
    M_PIPE_FP64,
    M_PIPE_XU,         /* special functions */
    M_PIPE_LSU,
    M_PIPE_TENSOR,     /* tensor pipe busy (on the H100 also FP16 FMA), % of peak */
    M_PIPE_GMMA,       /* Hopper warpgroup mma (wgmma) */
    M_L1_THROUGHPUT,
    M_SHARED_WAVEFRONTS, /* shared-memory wavefronts, % of peak */
    M_L2_THROUGHPUT,
    M_L2_ATOM,         /* L2 atomic unit busy, % of peak */
    M_DRAM_THROUGHPUT,
    M_DRAM_READ,
    M_DRAM_WRITE,
    M_OCCUPANCY,       /* achieved occupancy, % */
    M_L1_WAVEFRONTS,   /* L1 data-pipe wavefronts (global, local, shared), % of peak */
    M_L2_SECTORS,      /* L2 tag lookups (sectors), % of peak */
    M_MEM_THROUGHPUT,  /* gpu__compute_memory_throughput: busiest memory unit, % (the details page's Memory Throughput) */
    M_L1_THROUGHPUT_ACTIVE, /* l1tex__throughput over active cycles, % (the details page's L1/TEX Cache Throughput) */
    /* what the details page of --set full prints beyond --set detailed */
    M_SM_BUSY,         /* sm__instruction_throughput, % (SM Busy) */
    M_ISSUE_SLOTS,     /* sm__inst_issued, % of peak (Issue Slots Busy) */
    M_MEM_BUSY,        /* gpu__compute_memory_access_throughput, % (Mem Busy) */
    M_MAX_BANDWIDTH,   /* gpu__compute_memory_request_throughput, % (Max Bandwidth) */
    M_MEM_PIPES,       /* sm__memory_throughput, % (Mem Pipes Busy) */
    M_THREADS_PRED_ON, /* threads not predicated off per executed instruction, 0-32 */
    M_DRAM_CLOCK,      /* dram__cycles_elapsed.avg.per_second, hz (tells an H200 from an H100 on the details page) */
    /* what ncu's rules on the details page are computed from (the roofline's
     * thread instructions per elapsed cycle, summed over the device, and its
     * peaks; the pipes HighPipeUtilization weighs beyond the raw model's):
     * collected by calibrate --tiers, so a dataset derives the rule metrics
     * (features_derive) as the rules compute them */
    M_FP32_ADD,        /* smsp__sass_thread_inst_executed_op_fadd_pred_on.sum.per_cycle_elapsed */
    M_FP32_MUL,
    M_FP32_FMA,
    M_FP64_ADD,
    M_FP64_MUL,
    M_FP64_FMA,
    M_FP32_FMA_PEAK,   /* sm__sass_thread_inst_executed_op_ffma_pred_on.sum.peak_sustained */
    M_FP64_FMA_PEAK,
    M_PIPE_SHARED,     /* sm__pipe_shared_cycles_active, % (FP64 and tensor sub-pipelines) */
    M_PIPE_ALU_CYC,    /* sm__pipe_alu_cycles_active, % (M_PIPE_ALU counts its instructions) */
    /* counters sampled as the application runs (CUPTI PM sampling, trace_pm.c),
     * each sample's percentage of peak over its interval; the sample's clock,
     * active and elapsed cycles are M_SM_CLOCK, M_SM_ACTIVE_CYC, M_SM_ELAPSED_CYC,
     * and its L1/TEX throughput M_L1_THROUGHPUT (the same names as ncu's) */
    M_PM_ISSUE,        /* sm__inst_executed_realtime, % */
    M_PM_FMA,          /* sm__inst_executed_pipe_fma_realtime, % */
    M_PM_FMAHEAVY,     /* sm__inst_executed_pipe_fmaheavy_realtime, % */
    M_PM_ALU,
    M_PM_XU,
    M_PM_UNIFORM,
    M_PM_FP64,         /* sm__pipe_fp64_cycles_active_realtime, % */
    M_PM_TENSOR,       /* sm__pipe_tensor_cycles_active_realtime, % */
    M_PM_HMMA,
    M_PM_IMMA,
    M_PM_DRAM_READ,    /* dramc__read_throughput, % */
    M_PM_DRAM_WRITE,
    M_PM_L2,           /* lts__t_sector_throughput, % */
    M_PM_L2_HIT,       /* lts__average_t_sector_hit_rate_realtime, % */
    M_PM_WARPS,        /* tpc__warps_active_realtime, % of peak over elapsed cycles */
    M_PM_GR_ACTIVE,    /* gr__cycles_active, % */
    M_PM_FMALITE,      /* sm__inst_executed_pipe_fmalite_realtime, % (shared-memory and L1 wavefronts sampled
                          have ncu's names: M_SHARED_WAVEFRONTS, M_L1_WAVEFRONTS) */
    /* what the rule texts of the details page say (ncu_rules.h), %; on a raw
     * page or in a dataset the busiest pipe is derived from the pipe metrics
     * as the rule derives it (features_derive) */
    M_RULE_PIPE_FMA,   /* HighPipeUtilization: the FMA pipe is the busiest, its %; 0 when another is or all are under 20% */
    M_RULE_PIPE_ALU,
    M_RULE_PIPE_FP64,  /* FP64, or the Shared pipe dominated by FP64 or Tensor (DP) */
    M_RULE_PIPE_TENSOR,/* Tensor, or the Shared pipe dominated by a tensor sub-pipeline */
    M_RULE_FP32_PEAK,  /* SOLFPRoofline: share of the device's FP32 peak, % */
    M_RULE_FP64_PEAK,  /* SOLFPRoofline: share of its FP64 peak, % */
    M_RULE_FP32_FUSED, /* FPInstructions: fused FP32 instructions (a count) */
    M_RULE_FP32_NONFUSED,
    M_RULE_ISSUE_EVERY,/* IssueSlotUtilization: cycles between a scheduler's instructions */
    /* what the kernel's name says (name_hints.h), 1 or 0: 0 is "the name does
     * not say so", a fact about the name, not a guess about the work
     * (features_from_name); absent in a dataset without a kernel column */
    M_HINT_TENSOR,     /* the name says tensor cores (nvjet_sm90_hsh, tf32, wgmma, hmma, ...) */
    M_HINT_FFMA,       /* the name says FP32 on the CUDA cores (sgemm, or f32 with ffma) */
    M_HINT_FP64,       /* the name says FP64 (dgemm, f64, dmma) */
    M_COUNT
};

struct metric_def {
    const char *raw;      /* raw-page column, also what ncu --metrics takes */
    const char *section;  /* details-page section, NULL if not printed there */
    const char *name;     /* details-page metric name */
    const char *base;     /* expected base unit after normalisation */
    int rule;             /* 1: read from a rule's text, 2: from the kernel's name; never an ncu metric (raw names
                           * start "rule:", "name:") */
};

extern const struct metric_def features_metrics[M_COUNT];

/* value = scale * (metric[num] - metric[sub] if sub > 0, not below 0)
 *         (* metric[mul] if mul > 0) (/ metric[den] if den >= 0) */
struct feature_def {
    const char *name;
    const char *component; /* default component for the power breakdown */
    int num, den;
    double scale;
    const char *what;      /* one line for --help and docs */
    int sub;               /* metric subtracted from num, or 0 for none */
    int mul;               /* metric num is multiplied by, or 0 for none */
};

extern const struct feature_def features_table[];
extern const size_t features_count;

/* The physical range of metric m in its base unit: a percentage of peak
 * 0-200 (ncu prints a little above 100 at times), a duration 0.1 ns to a
 * day, a clock 1 MHz to 100 GHz, cycles up to 1e16 (elapsed cycles at least
 * 1), instructions per cycle up to 64; the roofline's thread instructions
 * per cycle of the whole device up to 1e7 (an H100's FFMA peak is 16,896;
 * a peak at least 1). A value outside it is not a measurement (an edited or
 * corrupt file). */
void features_metric_range(int m, double *lo, double *hi);

/* ncu 2025.3's HighPipeUtilization: the busiest of these pipes over elapsed
 * cycles is named when it reaches this %, else "all under-utilized". */
#define FEATURES_RULE_PIPE_MIN_PCT 20.0

/* Fills in metrics that are exact functions of others the kernel has, where
 * it lacks them: gpu__dram_throughput is DRAM bytes read plus written, each as
 * a percentage of the same peak (equal to 6 digits on the H100 fixtures'
 * raw page), so the details page's DRAM Throughput feeds a model fitted on a
 * dataset of reads and writes. Where a rule's text was not read, its metrics
 * come from what the rule computes them from. The busiest pipe: the busiest
 * of FMA, ALU, FP64 and Tensor, named when it reaches
 * FEATURES_RULE_PIPE_MIN_PCT; where the input has them, ALU by its cycles and
 * the Shared pipe weighed too, counted as the busier of its FP64 and Tensor
 * sub-pipelines (ncu's rule also weighs TMA, which no input holds).
 * SOLFPRoofline: FP32 adds, multiplies and twice the FMAs per cycle over
 * twice the FMA peak (FP64 alike), in % (75.27% on the fixtures' fma_k, whose
 * rule says 75%). */
void features_derive(double *value, unsigned char *have);

/* The name-hint metrics (M_HINT_*) of a kernel name, 1 where the name says
 * it (name_hint_of), else 0 (NULL or "" says nothing: 0). The same for a
 * calibration dataset's kernel column (dataset.c, after mapping the names
 * recorded before the microbenchmarks' rename) and an ncu page's Kernel
 * Name, so a model fitted on one reads the other alike. */
void features_from_name(const char *kernel_name, double *value, unsigned char *have);

/* A model tier: the features a model may use when the input holds only the
 * metrics of one kind of ncu export. One calibration dataset fits a model per
 * tier (gpu_profiler fit --tier NAME); the estimate picks, per input, the
 * richest tier whose metrics are all there. */
struct tier_def {
    const char *name;           /* also the model file's variant; "raw" is the variant "" */
    const char *export_kind;    /* what holds its metrics, for messages */
    const char *const *features;/* candidates, NULL-terminated; fit leaves out those a dataset lacks */
};
extern const struct tier_def features_tiers[];
/* The sampled model's features (fit --variant sampled): counters sampled as
 * the application runs, not an ncu export. */
extern const char *const features_sampled[];
/* The metric of a PM-sampling counter name as the tracer writes it (with
 * or without its group prefix "TPC.TriageCompute."), or -1. */
int features_metric_by_sampled(const char *name);
/* The raw tier's features: what calibrate measures and fit uses by default. */
extern const char *const features_raw_tier[];
extern const size_t features_tier_count;      /* richest first */
/* Index of a tier by name ("raw", "fast", "detailed", "basic"), or -1. */
int features_tier_find(const char *name);
/* The tier of a model variant ("" is raw); -1 for a variant that is no tier. */
int features_tier_of_variant(const char *variant);

/* Index of a feature by name, or -1. */
int features_find(const char *name);
/* Index of a metric by its raw-page name, or -1. */
int features_metric_by_raw(const char *raw);
/* Index of a metric by details-page section and name, or -1. */
int features_metric_by_details(const char *section, const char *name);

/* The metrics ncu is asked for to compute the given features (all features
 * when n == 0), into need[M_COUNT] (1 each, 0 the rest): each feature's own,
 * for a rule metric those features_derive computes it from (ncu has no
 * metric of a rule), and the duration. exact: also the pipes ncu's
 * HighPipeUtilization weighs beyond the four that stand for them (Shared, ALU
 * cycles), which calibrate --tiers collects and a user's profiling does not. */
void features_collect(const int *feature, size_t n, int exact, unsigned char *need);
/* ncu --metrics list of need[M_COUNT] with device__attribute_display_name;
 * malloc'd, NULL when out of memory. */
char *features_metric_list_of(const unsigned char *need);
/* The same for the given features (features_collect, not exact). */
char *features_metric_list(const int *feature, size_t n);

/* The metrics feature needs, into need[0..3]; returns how many (1 to 4). */
int features_needs(size_t feature, int need[4]);

/* Whether every metric the feature needs is there (have[m]). */
int features_available(size_t feature, const unsigned char *have);

/* Computes a feature from a kernel's metric values. have[m] says whether
 * metric m was read. Returns 0, or -1 if a metric it needs is absent (or a
 * denominator is zero). */
int features_compute(size_t feature, const double *value, const unsigned char *have, double *out);

#endif
