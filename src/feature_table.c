/* feature_table: metric and feature tables; see features.h.
 * Details-page names are given only where the details page prints exactly the
 * quantity of the raw metric (checked on the H100 fixtures: values agree to the
 * details page's rounding). Pipe utilisations are on the raw page only. */
#include "feature_table.h"
#include "name_hints.h"

#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#define SOL "GPU Speed Of Light Throughput"
#define CWA "Compute Workload Analysis"
#define MWA "Memory Workload Analysis"

const struct metric_def features_metrics[M_COUNT] = {
    [M_DURATION] = { "gpu__time_duration.sum", SOL, "Duration", "s" },
    [M_SM_CLOCK] = { "gpc__cycles_elapsed.avg.per_second", SOL, "SM Frequency", "hz" },
    [M_SM_ACTIVE_CYC] = { "sm__cycles_active.avg", SOL, "SM Active Cycles", "cycle" },
    [M_SM_ELAPSED_CYC] = { "gpc__cycles_elapsed.max", SOL, "Elapsed Cycles", "cycle" },
    [M_IPC_ELAPSED] = { "sm__inst_executed.avg.per_cycle_elapsed", CWA,
                        "Executed Ipc Elapsed", "inst/cycle" },
    [M_SM_THROUGHPUT] = { "sm__throughput.avg.pct_of_peak_sustained_elapsed", SOL,
                          "Compute (SM) Throughput", "%" },
    [M_PIPE_FMA] = { "sm__pipe_fma_cycles_active.avg.pct_of_peak_sustained_elapsed", NULL, NULL, "%" },
    [M_PIPE_ALU] = { "sm__inst_executed_pipe_alu.avg.pct_of_peak_sustained_elapsed", NULL, NULL, "%" },
    [M_PIPE_FP16] = { "sm__inst_executed_pipe_fma_type_fp16.avg.pct_of_peak_sustained_elapsed", NULL, NULL, "%" },
    [M_PIPE_FP64] = { "sm__pipe_fp64_cycles_active.avg.pct_of_peak_sustained_elapsed", NULL, NULL, "%" },
    [M_PIPE_XU] = { "sm__inst_executed_pipe_xu.avg.pct_of_peak_sustained_elapsed", NULL, NULL, "%" },
    [M_PIPE_LSU] = { "sm__inst_executed_pipe_lsu.avg.pct_of_peak_sustained_elapsed", NULL, NULL, "%" },
    [M_PIPE_TENSOR] = { "sm__pipe_tensor_cycles_active.avg.pct_of_peak_sustained_elapsed", NULL, NULL, "%" },
    [M_PIPE_GMMA] = { "sm__inst_executed_pipe_tensor_op_gmma.avg.pct_of_peak_sustained_elapsed", NULL, NULL, "%" },
    /* the details page prints L1/TEX over active cycles (M_L1_THROUGHPUT_ACTIVE), not this */
    [M_L1_THROUGHPUT] = { "l1tex__throughput.avg.pct_of_peak_sustained_elapsed", NULL, NULL, "%" },
    [M_SHARED_WAVEFRONTS] = { "l1tex__data_pipe_lsu_wavefronts_mem_shared.sum.pct_of_peak_sustained_elapsed",
                              NULL, NULL, "%" },
    [M_L2_THROUGHPUT] = { "lts__throughput.avg.pct_of_peak_sustained_elapsed", SOL, "L2 Cache Throughput", "%" },
    [M_L2_ATOM] = { "lts__d_atomic_input_cycles_active.avg.pct_of_peak_sustained_elapsed", NULL, NULL, "%" },
    [M_DRAM_THROUGHPUT] = { "gpu__dram_throughput.avg.pct_of_peak_sustained_elapsed", SOL, "DRAM Throughput", "%" },
    [M_DRAM_READ] = { "dram__bytes_read.sum.pct_of_peak_sustained_elapsed", NULL, NULL, "%" },
    [M_DRAM_WRITE] = { "dram__bytes_write.sum.pct_of_peak_sustained_elapsed", NULL, NULL, "%" },
    [M_OCCUPANCY] = { "sm__warps_active.avg.pct_of_peak_sustained_active", "Occupancy", "Achieved Occupancy", "%" },
    [M_L1_WAVEFRONTS] = { "l1tex__data_pipe_lsu_wavefronts.avg.pct_of_peak_sustained_elapsed", NULL, NULL, "%" },
    [M_L2_SECTORS] = { "lts__t_sectors.avg.pct_of_peak_sustained_elapsed", NULL, NULL, "%" },
    [M_MEM_THROUGHPUT] = { "gpu__compute_memory_throughput.avg.pct_of_peak_sustained_elapsed", SOL,
                           "Memory Throughput", "%" },
    [M_L1_THROUGHPUT_ACTIVE] = { "l1tex__throughput.avg.pct_of_peak_sustained_active", SOL,
                                 "L1/TEX Cache Throughput", "%" },
    /* --set full only; the raw names matched to the details page's values on
     * the H100 fixtures (tests/test_ncu_csv.c) */
    [M_SM_BUSY] = { "sm__instruction_throughput.avg.pct_of_peak_sustained_elapsed", CWA, "SM Busy", "%" },
    [M_ISSUE_SLOTS] = { "sm__inst_issued.avg.pct_of_peak_sustained_elapsed", CWA, "Issue Slots Busy", "%" },
    [M_MEM_BUSY] = { "gpu__compute_memory_access_throughput.avg.pct_of_peak_sustained_elapsed", MWA, "Mem Busy",
                     "%" },
    [M_MAX_BANDWIDTH] = { "gpu__compute_memory_request_throughput.avg.pct_of_peak_sustained_elapsed", MWA,
                          "Max Bandwidth", "%" },
    [M_MEM_PIPES] = { "sm__memory_throughput.avg.pct_of_peak_sustained_elapsed", MWA, "Mem Pipes Busy", "%" },
    [M_THREADS_PRED_ON] = { "smsp__thread_inst_executed_pred_on_per_inst_executed.ratio", "Warp State Statistics",
                            "Avg. Not Predicated Off Threads Per Warp", "" },
    [M_DRAM_CLOCK] = { "dram__cycles_elapsed.avg.per_second", SOL, "DRAM Frequency", "hz" },
    /* what SOLFPRoofline and HighPipeUtilization compute their texts from
     * (calibrate --tiers); on the raw page of --set detailed and full, not as
     * metric rows of the details page */
#define ROOF(op) "smsp__sass_thread_inst_executed_op_" op "_pred_on.sum.per_cycle_elapsed"
    [M_FP32_ADD] = { ROOF("fadd"), NULL, NULL, "inst/cycle" },
    [M_FP32_MUL] = { ROOF("fmul"), NULL, NULL, "inst/cycle" },
    [M_FP32_FMA] = { ROOF("ffma"), NULL, NULL, "inst/cycle" },
    [M_FP64_ADD] = { ROOF("dadd"), NULL, NULL, "inst/cycle" },
    [M_FP64_MUL] = { ROOF("dmul"), NULL, NULL, "inst/cycle" },
    [M_FP64_FMA] = { ROOF("dfma"), NULL, NULL, "inst/cycle" },
#undef ROOF
    [M_FP32_FMA_PEAK] = { "sm__sass_thread_inst_executed_op_ffma_pred_on.sum.peak_sustained", NULL, NULL,
                          "inst/cycle" },
    [M_FP64_FMA_PEAK] = { "sm__sass_thread_inst_executed_op_dfma_pred_on.sum.peak_sustained", NULL, NULL,
                          "inst/cycle" },
    [M_PIPE_SHARED] = { "sm__pipe_shared_cycles_active.avg.pct_of_peak_sustained_elapsed", NULL, NULL, "%" },
    [M_PIPE_ALU_CYC] = { "sm__pipe_alu_cycles_active.avg.pct_of_peak_sustained_elapsed", NULL, NULL, "%" },
    /* PM sampling (trace_pm.c); never on an ncu page */
    [M_PM_ISSUE] = { "sm__inst_executed_realtime.avg.pct_of_peak_sustained_elapsed", NULL, NULL, "%" },
    [M_PM_FMA] = { "sm__inst_executed_pipe_fma_realtime.avg.pct_of_peak_sustained_elapsed", NULL, NULL, "%" },
    [M_PM_FMAHEAVY] = { "sm__inst_executed_pipe_fmaheavy_realtime.avg.pct_of_peak_sustained_elapsed", NULL, NULL,
                        "%" },
    [M_PM_ALU] = { "sm__inst_executed_pipe_alu_realtime.avg.pct_of_peak_sustained_elapsed", NULL, NULL, "%" },
    [M_PM_XU] = { "sm__inst_executed_pipe_xu_realtime.avg.pct_of_peak_sustained_elapsed", NULL, NULL, "%" },
    [M_PM_UNIFORM] = { "sm__inst_executed_pipe_uniform_realtime.avg.pct_of_peak_sustained_elapsed", NULL, NULL, "%" },
    [M_PM_FP64] = { "sm__pipe_fp64_cycles_active_realtime.avg.pct_of_peak_sustained_elapsed", NULL, NULL, "%" },
    [M_PM_TENSOR] = { "sm__pipe_tensor_cycles_active_realtime.avg.pct_of_peak_sustained_elapsed", NULL, NULL, "%" },
    [M_PM_HMMA] = { "sm__pipe_tensor_op_hmma_cycles_active_realtime.avg.pct_of_peak_sustained_elapsed", NULL, NULL,
                    "%" },
    [M_PM_IMMA] = { "sm__pipe_tensor_op_imma_cycles_active_realtime.avg.pct_of_peak_sustained_elapsed", NULL, NULL,
                    "%" },
    [M_PM_DRAM_READ] = { "dramc__read_throughput.avg.pct_of_peak_sustained_elapsed", NULL, NULL, "%" },
    [M_PM_DRAM_WRITE] = { "dramc__write_throughput.avg.pct_of_peak_sustained_elapsed", NULL, NULL, "%" },
    [M_PM_L2] = { "lts__t_sector_throughput.avg.pct_of_peak_sustained_elapsed", NULL, NULL, "%" },
    [M_PM_L2_HIT] = { "lts__average_t_sector_hit_rate_realtime.pct", NULL, NULL, "%" },
    [M_PM_WARPS] = { "tpc__warps_active_realtime.avg.pct_of_peak_sustained_elapsed", NULL, NULL, "%" },
    [M_PM_GR_ACTIVE] = { "gr__cycles_active.avg.pct_of_peak_sustained_elapsed", NULL, NULL, "%" },
    [M_PM_FMALITE] = { "sm__inst_executed_pipe_fmalite_realtime.avg.pct_of_peak_sustained_elapsed", NULL, NULL, "%" },
    /* rule texts (ncu_rules.c); the section is the rule row's Section Name */
    [M_RULE_PIPE_FMA] = { "rule:HighPipeUtilization.fma", "ComputeWorkloadAnalysis",
                          "rule HighPipeUtilization: FMA the busiest pipe", "%", 1 },
    [M_RULE_PIPE_ALU] = { "rule:HighPipeUtilization.alu", "ComputeWorkloadAnalysis",
                          "rule HighPipeUtilization: ALU the busiest pipe", "%", 1 },
    [M_RULE_PIPE_FP64] = { "rule:HighPipeUtilization.fp64", "ComputeWorkloadAnalysis",
                           "rule HighPipeUtilization: FP64 the busiest pipe", "%", 1 },
    [M_RULE_PIPE_TENSOR] = { "rule:HighPipeUtilization.tensor", "ComputeWorkloadAnalysis",
                             "rule HighPipeUtilization: Tensor the busiest pipe", "%", 1 },
    [M_RULE_FP32_PEAK] = { "rule:SOLFPRoofline.fp32", "SpeedOfLight_RooflineChart",
                           "rule SOLFPRoofline: share of the FP32 peak", "%", 1 },
    [M_RULE_FP64_PEAK] = { "rule:SOLFPRoofline.fp64", "SpeedOfLight_RooflineChart",
                           "rule SOLFPRoofline: share of the FP64 peak", "%", 1 },
    [M_RULE_FP32_FUSED] = { "rule:FPInstructions.fused", "InstructionStats",
                            "rule FPInstructions: fused FP32 instructions", "inst", 1 },
    [M_RULE_FP32_NONFUSED] = { "rule:FPInstructions.nonfused", "InstructionStats",
                               "rule FPInstructions: non-fused FP32 instructions", "inst", 1 },
    [M_RULE_ISSUE_EVERY] = { "rule:IssueSlotUtilization.cycles", "SchedulerStats",
                             "rule IssueSlotUtilization: cycles per issued instruction", "cycle", 1 },
    /* kernel names (name_hints.c); no page prints them as metrics */
    [M_HINT_TENSOR] = { "name:tensor_cores", NULL, NULL, "flag", 2 },
    [M_HINT_FFMA] = { "name:fp32_cuda_cores", NULL, NULL, "flag", 2 },
    [M_HINT_FP64] = { "name:fp64", NULL, NULL, "flag", 2 },
};

const struct feature_def features_table[] = {
    { "sm_active", "sm_active", M_SM_ACTIVE_CYC, M_SM_ELAPSED_CYC, 1.0,
      "fraction of elapsed cycles the SMs had work", 0, 0 },
    { "issue", "sm_issue", M_IPC_ELAPSED, -1, 0.25, "instructions issued per cycle, fraction of 4 per SM", 0, 0 },
    { "fp32", "fp_pipes", M_PIPE_FMA, -1, 0.01, "FP32/IMAD (fma) pipe, fraction of peak", 0, 0 },
    { "alu", "int_pipes", M_PIPE_ALU, -1, 0.01, "integer/logic (alu) pipe, fraction of peak", 0, 0 },
    { "fp16", "fp_pipes", M_PIPE_FP16, -1, 0.01, "FP16 fma pipe, fraction of peak", 0, 0 },
    { "fp64", "fp_pipes", M_PIPE_FP64, -1, 0.01, "FP64 pipe, fraction of peak", 0, 0 },
    { "xu", "sfu", M_PIPE_XU, -1, 0.01, "special-function (xu) pipe, fraction of peak", 0, 0 },
    { "lsu", "l1_shared", M_PIPE_LSU, -1, 0.01, "load/store (lsu) pipe, fraction of peak", 0, 0 },
    { "tensor", "tensor", M_PIPE_TENSOR, -1, 0.01,
      "tensor pipe busy (mma and wgmma) less FP16 FMA, which the H100 also runs there; fraction of peak",
      M_PIPE_FP16, 0 },
    { "gmma", "tensor", M_PIPE_GMMA, -1, 0.01, "warpgroup mma (wgmma), fraction of peak", 0, 0 },
    { "l1", "l1_shared", M_L1_WAVEFRONTS, -1, 0.01, "L1 data-pipe wavefronts, fraction of peak", 0, 0 },
    { "l1_throughput", "l1_shared", M_L1_THROUGHPUT, -1, 0.01,
      "L1/TEX throughput (busiest sub-unit), fraction of peak; 5 replay passes alone", 0, 0 },
    { "shared", "l1_shared", M_SHARED_WAVEFRONTS, -1, 0.01, "shared-memory wavefronts, fraction of peak", 0, 0 },
    { "l2", "l2", M_L2_SECTORS, -1, 0.01, "L2 sectors looked up, fraction of peak", 0, 0 },
    { "l2_throughput", "l2", M_L2_THROUGHPUT, -1, 0.01,
      "L2 throughput (busiest sub-unit), fraction of peak; 5 replay passes alone", 0, 0 },
    { "l2_atom", "l2", M_L2_ATOM, -1, 0.01, "L2 atomic unit busy, fraction of peak", 0, 0 },
    { "dram", "dram", M_DRAM_THROUGHPUT, -1, 0.01, "DRAM throughput, fraction of peak", 0, 0 },
    { "dram_read", "dram", M_DRAM_READ, -1, 0.01, "DRAM bytes read, fraction of peak", 0, 0 },
    { "dram_write", "dram", M_DRAM_WRITE, -1, 0.01, "DRAM bytes written, fraction of peak", 0, 0 },
    { "occupancy", "sm_active", M_OCCUPANCY, -1, 0.01, "achieved occupancy, fraction of max warps", 0, 0 },
    { "sm_clock_ghz", "clock", M_SM_CLOCK, -1, 1e-9, "SM clock during the kernel, GHz", 0, 0 },
    /* what every details page prints (Speed Of Light), for the basic and detailed tiers */
    { "sm_throughput", "sm_pipes", M_SM_THROUGHPUT, -1, 0.01,
      "Compute (SM) Throughput: the busiest SM unit, fraction of peak", 0, 0 },
    { "mem_throughput", "memory", M_MEM_THROUGHPUT, -1, 0.01,
      "Memory Throughput: the busiest memory unit, fraction of peak", 0, 0 },
    { "l1_active_throughput", "l1_shared", M_L1_THROUGHPUT_ACTIVE, -1, 0.01,
      "L1/TEX Cache Throughput (over active cycles), fraction of peak", 0, 0 },
    /* what the details page of --set full adds, for the full tier */
    { "sm_busy", "sm_pipes", M_SM_BUSY, -1, 0.01, "SM Busy: the busiest SM pipeline, fraction of peak", 0, 0 },
    { "issue_slots", "sm_issue", M_ISSUE_SLOTS, -1, 0.01, "Issue Slots Busy, fraction of peak", 0, 0 },
    { "mem_busy", "memory", M_MEM_BUSY, -1, 0.01, "Mem Busy: the busiest memory unit's access rate, fraction of peak",
      0, 0 },
    { "max_bandwidth", "memory", M_MAX_BANDWIDTH, -1, 0.01,
      "Max Bandwidth: the busiest memory unit's request rate, fraction of peak", 0, 0 },
    { "mem_pipes", "l1_shared", M_MEM_PIPES, -1, 0.01, "Mem Pipes Busy: the SM's memory pipes, fraction of peak", 0, 0 },
    { "lanes", "sm_issue", M_IPC_ELAPSED, -1, 0.25 / 32,
      "instructions issued per cycle times the threads not predicated off per instruction, fraction of 4 x 32 lanes",
      0, M_THREADS_PRED_ON },
    /* sampled as the application runs (PM sampling), over each sample's interval */
    { "pm_issue", "sm_issue", M_PM_ISSUE, -1, 0.01, "sampled: instructions executed, fraction of peak", 0, 0 },
    { "pm_fma", "fp_pipes", M_PM_FMA, -1, 0.01, "sampled: fma pipe instructions (FP32, IMAD), fraction of peak", 0, 0 },
    { "pm_fmaheavy", "fp_pipes", M_PM_FMAHEAVY, -1, 0.01, "sampled: fma-heavy pipe instructions, fraction of peak", 0,
      0 },
    { "pm_alu", "int_pipes", M_PM_ALU, -1, 0.01, "sampled: alu pipe instructions, fraction of peak", 0, 0 },
    { "pm_xu", "sfu", M_PM_XU, -1, 0.01, "sampled: xu pipe instructions, fraction of peak", 0, 0 },
    { "pm_uniform", "int_pipes", M_PM_UNIFORM, -1, 0.01, "sampled: uniform pipe instructions, fraction of peak", 0, 0 },
    { "pm_fp64", "fp_pipes", M_PM_FP64, -1, 0.01, "sampled: FP64 pipe busy, fraction of peak", 0, 0 },
    { "pm_tensor", "tensor", M_PM_TENSOR, -1, 0.01, "sampled: tensor pipe busy, fraction of peak", 0, 0 },
    { "pm_imma", "tensor", M_PM_IMMA, -1, 0.01, "sampled: integer tensor ops busy, fraction of peak", 0, 0 },
    { "pm_dram_read", "dram", M_PM_DRAM_READ, -1, 0.01, "sampled: DRAM read throughput, fraction of peak", 0, 0 },
    { "pm_dram_write", "dram", M_PM_DRAM_WRITE, -1, 0.01, "sampled: DRAM write throughput, fraction of peak", 0, 0 },
    { "pm_l2", "l2", M_PM_L2, -1, 0.01, "sampled: L2 sector throughput, fraction of peak", 0, 0 },
    { "pm_l1", "l1_shared", M_L1_THROUGHPUT, -1, 0.01, "sampled: L1/TEX throughput, fraction of peak", 0, 0 },
    { "pm_warps", "sm_active", M_PM_WARPS, -1, 0.01, "sampled: warps resident, fraction of the maximum", 0, 0 },
    { "pm_fmalite", "fp_pipes", M_PM_FMALITE, -1, 0.01, "sampled: fma-lite pipe instructions, fraction of peak", 0, 0 },
    /* the H100 counts FP16 FMA (HFMA2) on both the fma and the tensor pipe, mma on the tensor pipe alone and FP32
     * on the fma pipe alone (run 16's calibration: fp16 loops read fma = tensor = hmma): their difference tells
     * mma from HFMA2 where one of them dominates */
    { "pm_ffma", "fp_pipes", M_PM_FMA, -1, 0.01,
      "sampled: fma pipe less the tensor pipe (FP32 and IMAD without FP16 FMA), fraction of peak", M_PM_TENSOR, 0 },
    { "pm_tensor_mma", "tensor", M_PM_TENSOR, -1, 0.01,
      "sampled: tensor pipe less the fma pipe (mma without FP16 FMA), fraction of peak", M_PM_FMA, 0 },
    /* the sampled counters with ncu's names feed the raw model's features shared and l1 */
    /* what the rule texts of the details pages of --set detailed and full say
     * (ncu_rules.h): the busiest pipe's utilisation, by which pipe it is */
    { "rule_fma", "fp_pipes", M_RULE_PIPE_FMA, -1, 0.01,
      "HighPipeUtilization rule: FMA (FP32/IMAD) pipe the busiest, its fraction of peak (else 0)", 0, 0 },
    { "rule_alu", "int_pipes", M_RULE_PIPE_ALU, -1, 0.01,
      "HighPipeUtilization rule: ALU (integer/logic) pipe the busiest, its fraction of peak (else 0)", 0, 0 },
    { "rule_fp64", "fp_pipes", M_RULE_PIPE_FP64, -1, 0.01,
      "HighPipeUtilization rule: FP64 pipe the busiest, its fraction of peak (else 0)", 0, 0 },
    { "rule_tensor", "tensor", M_RULE_PIPE_TENSOR, -1, 0.01,
      "HighPipeUtilization rule: tensor pipe the busiest, its fraction of peak (else 0)", 0, 0 },
    { "rule_fp32_peak", "fp_pipes", M_RULE_FP32_PEAK, -1, 0.01,
      "SOLFPRoofline rule: achieved fraction of the FP32 peak (in a dataset from the roofline's counts)", 0, 0 },
    { "rule_fp64_peak", "fp_pipes", M_RULE_FP64_PEAK, -1, 0.01,
      "SOLFPRoofline rule: achieved fraction of the FP64 peak (in a dataset from the roofline's counts)", 0, 0 },
    /* what the kernel's name says (name_hints.c): 1 or 0 */
    { "hint_tensor", "tensor", M_HINT_TENSOR, -1, 1.0, "the kernel's name says tensor cores (1, else 0)", 0, 0 },
    { "hint_ffma", "fp_pipes", M_HINT_FFMA, -1, 1.0, "the kernel's name says FP32 on the CUDA cores (1, else 0)", 0,
      0 },
    { "hint_fp64", "fp_pipes", M_HINT_FP64, -1, 1.0, "the kernel's name says FP64 (1, else 0)", 0, 0 },
    /* the same times how busy the SMs' busiest unit was (Compute (SM) Throughput) */
    { "hint_tensor_sm", "tensor", M_HINT_TENSOR, -1, 0.01,
      "the kernel's name says tensor cores, times Compute (SM) Throughput (else 0)", 0, M_SM_THROUGHPUT },
    { "hint_ffma_sm", "fp_pipes", M_HINT_FFMA, -1, 0.01,
      "the kernel's name says FP32 on the CUDA cores, times Compute (SM) Throughput (else 0)", 0, M_SM_THROUGHPUT },
    { "hint_fp64_sm", "fp_pipes", M_HINT_FP64, -1, 0.01,
      "the kernel's name says FP64, times Compute (SM) Throughput (else 0)", 0, M_SM_THROUGHPUT },
    { "hint_tensor_act", "tensor", M_HINT_TENSOR, M_SM_ELAPSED_CYC, 1.0,
      "the kernel's name says tensor cores, times sm_active (else 0)", 0, M_SM_ACTIVE_CYC },
    { "hint_ffma_act", "fp_pipes", M_HINT_FFMA, M_SM_ELAPSED_CYC, 1.0,
      "the kernel's name says FP32 on the CUDA cores, times sm_active (else 0)", 0, M_SM_ACTIVE_CYC },
    { "hint_fp64_act", "fp_pipes", M_HINT_FP64, M_SM_ELAPSED_CYC, 1.0,
      "the kernel's name says FP64, times sm_active (else 0)", 0, M_SM_ACTIVE_CYC },
};
const size_t features_count = sizeof features_table / sizeof features_table[0];

void features_metric_range(int m, double *lo, double *hi)
{
    const char *base = features_metrics[m].base;
    *lo = 0;
    if (strcmp(base, "%") == 0) {
        *hi = 200;
    } else if (strcmp(base, "s") == 0) {
        *lo = 1e-10;
        *hi = 86400;
    } else if (strcmp(base, "hz") == 0) {
        *lo = 1e6;
        *hi = 1e11;
    } else if (strcmp(base, "cycle") == 0) {
        *lo = m == M_SM_ELAPSED_CYC ? 1 : 0;
        *hi = 1e16;
    } else if (strcmp(base, "flag") == 0) {
        *hi = 1;
    } else if (strcmp(base, "inst") == 0) {
        *hi = 1e18;
    } else if (m >= M_FP32_ADD && m <= M_FP64_FMA_PEAK) { /* thread instructions per cycle, whole device */
        *lo = m >= M_FP32_FMA_PEAK ? 1 : 0;
        *hi = 1e7;
    } else { /* inst/cycle, threads per instruction */
        *hi = 64;
    }
}

/* The pipes HighPipeUtilization weighs that the tool reads, and the rule
 * metric of each; ties go to the first. */
static const int rule_pipe[][2] = {
    { M_PIPE_FMA, M_RULE_PIPE_FMA },
    { M_PIPE_ALU, M_RULE_PIPE_ALU },
    { M_PIPE_FP64, M_RULE_PIPE_FP64 },
    { M_PIPE_TENSOR, M_RULE_PIPE_TENSOR },
};
#define N_RULE_PIPES (sizeof rule_pipe / sizeof rule_pipe[0])

static void derive_busiest_pipe(double *value, unsigned char *have)
{
    double pct[N_RULE_PIPES];
    size_t i, best = 0;
    for (i = 0; i < N_RULE_PIPES; i++) {
        if (!have[rule_pipe[i][0]] || have[rule_pipe[i][1]])
            return; /* a pipe missing, or the rule's own text was read */
        pct[i] = value[rule_pipe[i][0]];
    }
    if (have[M_PIPE_ALU_CYC]) /* the rule weighs the ALU pipe's cycles; its instructions stand for them */
        pct[1] = value[M_PIPE_ALU_CYC];
    for (i = 1; i < N_RULE_PIPES; i++)
        if (pct[i] > pct[best])
            best = i;
    /* the Shared pipe busier than any: the rule names the sub-pipeline that dominates it, FP64 or Tensor
     * (ncu_rules.c reads it so) */
    if (have[M_PIPE_SHARED] && value[M_PIPE_SHARED] > pct[best]) {
        best = pct[3] > pct[2] ? 3 : 2;
        pct[best] = value[M_PIPE_SHARED];
    }
    for (i = 0; i < N_RULE_PIPES; i++) {
        value[rule_pipe[i][1]] = i == best && pct[i] >= FEATURES_RULE_PIPE_MIN_PCT ? pct[i] : 0;
        have[rule_pipe[i][1]] = 1;
    }
}

/* SOLFPRoofline's metrics, and what each is computed from: adds,
 * multiplies, FMAs (two operations each) and the FMA peak. */
static const int roofline[2][5] = {
    { M_RULE_FP32_PEAK, M_FP32_ADD, M_FP32_MUL, M_FP32_FMA, M_FP32_FMA_PEAK },
    { M_RULE_FP64_PEAK, M_FP64_ADD, M_FP64_MUL, M_FP64_FMA, M_FP64_FMA_PEAK },
};

static void derive_roofline(double *value, unsigned char *have)
{
    size_t i, j;
    for (i = 0; i < 2; i++) {
        const int *r = roofline[i];
        if (have[r[0]])
            continue; /* the rule's own text was read */
        for (j = 1; j < 5 && have[r[j]]; j++)
            ;
        if (j < 5 || !(value[r[4]] > 0))
            continue;
        value[r[0]] = 100 * (value[r[1]] + value[r[2]] + 2 * value[r[3]]) / (2 * value[r[4]]);
        have[r[0]] = 1;
    }
}

void features_derive(double *value, unsigned char *have)
{
    if (!have[M_DRAM_THROUGHPUT] && have[M_DRAM_READ] && have[M_DRAM_WRITE]) {
        value[M_DRAM_THROUGHPUT] = value[M_DRAM_READ] + value[M_DRAM_WRITE];
        have[M_DRAM_THROUGHPUT] = 1;
    }
    derive_busiest_pipe(value, have);
    derive_roofline(value, have);
}

void features_from_name(const char *kernel_name, double *value, unsigned char *have)
{
    struct name_hint h;
    int m;
    name_hint_of(kernel_name ? kernel_name : "", &h); /* no name says nothing: 0 */
    value[M_HINT_TENSOR] = h.unit == HINT_TENSOR_CORES;
    value[M_HINT_FFMA] = h.unit == HINT_CUDA_CORES && h.dtype && strcmp(h.dtype, "fp32") == 0;
    value[M_HINT_FP64] = h.dtype && strcmp(h.dtype, "fp64") == 0;
    for (m = M_HINT_TENSOR; m <= M_HINT_FP64; m++)
        have[m] = 1;
}

/* the sampled model's: the fma and tensor pipes split into FP32, FP16 FMA and mma (pm_ffma, pm_tensor_mma;
 * in-sample 14.9% -> 7.0% on run 16's calibration, docs/ACCURACY.md); sm_active, pm_warps and pm_imma took no
 * weight */
const char *const features_sampled[] = {
    "pm_issue", "pm_fma", "pm_ffma", "pm_alu", "pm_xu", "pm_fp64", "pm_tensor_mma",
    "pm_l1", "pm_l2", "pm_dram_read", "pm_dram_write", NULL,
};

int features_metric_by_sampled(const char *name)
{
    const char *dot = strchr(name, '.'), *under = strstr(name, "__");
    int m;
    /* "GROUP.Set.metric__...": the metric starts after the second dot
     * before its first "__" */
    if (dot && under && dot < under) {
        const char *p = dot + 1, *q = strchr(p, '.');
        if (q && q < under)
            name = q + 1;
    }
    if (strcmp(name, "gpc__cycles_elapsed.avg.per_second") == 0)
        return M_SM_CLOCK;
    if (strcmp(name, "sm__cycles_active.avg") == 0)
        return M_SM_ACTIVE_CYC;
    if (strcmp(name, "l1tex__throughput.avg.pct_of_peak_sustained_elapsed") == 0)
        return M_L1_THROUGHPUT;
    if (strcmp(name, "l1tex__data_pipe_lsu_wavefronts_mem_shared.sum.pct_of_peak_sustained_elapsed") == 0)
        return M_SHARED_WAVEFRONTS;
    if (strcmp(name, "l1tex__data_pipe_lsu_wavefronts.avg.pct_of_peak_sustained_elapsed") == 0)
        return M_L1_WAVEFRONTS;
    for (m = M_PM_ISSUE; m <= M_PM_FMALITE; m++)
        if (strcmp(features_metrics[m].raw, name) == 0)
            return m;
    return -1;
}

const char *const features_raw_tier[] = {
    "sm_active", "issue", "fp32", "alu", "fp16", "fp64", "xu", "lsu", "tensor", "gmma",
    "l1", "shared", "l2", "l2_atom", "dram_read", "dram_write", "occupancy", NULL,
};
static const char *const tier_fast[] = { "sm_active", "issue", "tensor", "dram_read", "dram_write", NULL };
/* The rule texts of the details pages of --set detailed and full (ncu_rules.h):
 * the busiest pipe, which a dataset derives from its pipe metrics as the rule
 * does; the FP32/FP64 shares of peak, derived from the roofline's counts,
 * which only datasets of calibrate --tiers since issue 30 hold (fit leaves
 * them out of the others). */
#define RULE_FEATURES "rule_fma", "rule_alu", "rule_fp64", "rule_tensor", "rule_fp32_peak", "rule_fp64_peak"
/* The kernel name's hints (tensor cores, FP32 on the CUDA cores, FP64), each
 * times how busy the SMs were: by Compute (SM) Throughput and by SM Active
 * Cycles (a dataset without the Speed Of Light throughputs, the H100's older
 * one, gets the latter only). The default set's page has nothing else to say
 * with what the SMs were busy: all six. The rule texts of the detailed and
 * full pages name the busiest pipe, tensor and FP64 included, but not whether
 * an FMA pipe ran FFMA or IMAD: those tiers get the FFMA pair only. With the
 * tensor and FP64 hints as well, the fit splits those pipes' power between
 * rule and name, and a kernel whose name says nothing (a custom mma or DFMA
 * loop, flash attention) read up to 68% low (issue 30; docs/ACCURACY.md,
 * "Name hints on the full and detailed tiers"). */
#define NAME_HINT_FEATURES "hint_tensor_sm", "hint_ffma_sm", "hint_fp64_sm", "hint_tensor_act", "hint_ffma_act", \
    "hint_fp64_act"
#define NAME_HINT_FFMA_FEATURES "hint_ffma_sm", "hint_ffma_act"
/* Only metrics the details page prints exactly (checked against the raw page
 * of the same report in tests/test_ncu_csv.c). The throughputs of Speed Of
 * Light are candidates that a dataset made before calibrate collected them
 * lacks; fit leaves them out then. */
static const char *const tier_detailed[] = {
    "sm_active", "issue", "occupancy", "dram", "sm_throughput", "mem_throughput", "l1_active_throughput",
    "l2_throughput", RULE_FEATURES, NAME_HINT_FFMA_FEATURES, NULL,
};
/* --set full: the detailed tier and what its Compute and Memory Workload
 * Analysis and Warp State sections add */
static const char *const tier_full[] = {
    "sm_active", "issue", "occupancy", "dram", "sm_throughput", "mem_throughput", "l1_active_throughput",
    "l2_throughput", "sm_busy", "issue_slots", "mem_busy", "max_bandwidth", "mem_pipes", "lanes", RULE_FEATURES,
    NAME_HINT_FFMA_FEATURES, NULL,
};
/* The default set's page says how busy the SMs were, not with what; there the
 * kernel's name is the only witness (issue 30): each hint times how busy the
 * SMs were, by Compute (SM) Throughput and by SM Active Cycles (a dataset
 * without the Speed Of Light throughputs, the H100's, gets the latter only).
 * On the validation workloads, avg 17.0% to 12.2% (H200) and 28.7% to 16.4%
 * (H100); the full and detailed tiers have the rule texts and the FFMA pair. */
static const char *const tier_basic[] = {
    "sm_active", "occupancy", "dram", "sm_throughput", "mem_throughput", "l1_active_throughput", "l2_throughput",
    NAME_HINT_FEATURES, NULL,
};

const struct tier_def features_tiers[] = {
    { "raw", "a raw page with the model's counters (gpu_profiler -a, or ncu --set full --page raw)", features_raw_tier },
    { "fast", "a raw page with the fast model's counters (gpu_profiler -a --fast)", tier_fast },
    { "full", "a details page of ncu --set full", tier_full },
    { "detailed", "a details page of ncu --set detailed (or --set full)", tier_detailed },
    { "basic", "a details page of ncu's default set (--set basic)", tier_basic },
};
const size_t features_tier_count = sizeof features_tiers / sizeof features_tiers[0];

int features_tier_find(const char *name)
{
    size_t i;
    for (i = 0; i < features_tier_count; i++)
        if (strcmp(features_tiers[i].name, name) == 0)
            return (int)i;
    return -1;
}

int features_tier_of_variant(const char *variant)
{
    return features_tier_find(variant && variant[0] ? variant : "raw");
}

int features_find(const char *name)
{
    size_t i;
    for (i = 0; i < features_count; i++)
        if (strcmp(features_table[i].name, name) == 0)
            return (int)i;
    return -1;
}

int features_metric_by_raw(const char *raw)
{
    int i;
    for (i = 0; i < M_COUNT; i++)
        if (strcmp(features_metrics[i].raw, raw) == 0)
            return i;
    return -1;
}

/* The details page has hundreds of metric rows per kernel, of which the
 * table knows a few: names are looked up in a small hash table (built on
 * first use) instead of compared with every known name. */
#define DETAILS_SLOTS 256 /* a power of two, well above M_COUNT */
static struct {
    unsigned hash;
    int metric; /* index + 1; 0 = empty */
} details_index[DETAILS_SLOTS];
static int details_index_ready;

/* The length and the first and last 8 bytes, mixed: a byte-at-a-time hash
 * of every details-page row's metric name was a tenth of the time there;
 * strcmp decides anyway. */
static unsigned hash_name(const char *s)
{
    size_t n = strlen(s);
    uint64_t a = 0, b = 0, h;
    memcpy(&a, s, n < 8 ? n : 8);
    if (n > 8)
        memcpy(&b, s + n - 8, 8);
    h = (a * 0x9e3779b97f4a7c15ull) ^ (b * 0xc2b2ae3d27d4eb4full) ^ (uint64_t)n;
    return (unsigned)(h ^ (h >> 29) ^ (h >> 47));
}

int features_metric_by_details(const char *section, const char *name)
{
    unsigned h = hash_name(name), slot;
    if (!details_index_ready) {
        int i;
        for (i = 0; i < M_COUNT; i++) {
            unsigned hi;
            if (!features_metrics[i].section)
                continue;
            hi = hash_name(features_metrics[i].name);
            for (slot = hi & (DETAILS_SLOTS - 1); details_index[slot].metric; slot = (slot + 1) & (DETAILS_SLOTS - 1))
                ;
            details_index[slot].hash = hi;
            details_index[slot].metric = i + 1;
        }
        details_index_ready = 1;
    }
    for (slot = h & (DETAILS_SLOTS - 1); details_index[slot].metric; slot = (slot + 1) & (DETAILS_SLOTS - 1)) {
        const struct metric_def *m = &features_metrics[details_index[slot].metric - 1];
        if (details_index[slot].hash == h && strcmp(m->name, name) == 0 && strcmp(m->section, section) == 0)
            return details_index[slot].metric - 1;
    }
    return -1;
}

void features_collect(const int *feature, size_t n, int exact, unsigned char *need)
{
    size_t i, j;
    memset(need, 0, M_COUNT);
    need[M_DURATION] = 1;
    for (i = 0; i < (n ? n : features_count); i++) {
        int m[4], k, nm = features_needs(n ? (size_t)feature[i] : i, m);
        for (k = 0; k < nm; k++)
            need[m[k]] = 1;
    }
    /* ncu has no metric of a rule: what features_derive computes it from */
    for (i = 0; i < N_RULE_PIPES; i++)
        if (need[rule_pipe[i][1]]) {
            for (j = 0; j < N_RULE_PIPES; j++)
                need[rule_pipe[j][0]] = 1;
            if (exact)
                need[M_PIPE_SHARED] = need[M_PIPE_ALU_CYC] = 1;
        }
    for (i = 0; i < 2; i++)
        if (need[roofline[i][0]])
            for (j = 1; j < 5; j++)
                need[roofline[i][j]] = 1;
    for (i = 0; i < M_COUNT; i++)
        if (features_metrics[i].rule)
            need[i] = 0;
}

char *features_metric_list_of(const unsigned char *need)
{
    size_t i, len = sizeof "device__attribute_display_name";
    char *s;
    for (i = 0; i < M_COUNT; i++)
        len += strlen(features_metrics[i].raw) + 1;
    s = malloc(len + 1);
    if (!s)
        return NULL;
    strcpy(s, "device__attribute_display_name");
    for (i = 0; i < M_COUNT; i++)
        if (need[i] && !features_metrics[i].rule) {
            strcat(s, ",");
            strcat(s, features_metrics[i].raw);
        }
    return s;
}

char *features_metric_list(const int *feature, size_t n)
{
    unsigned char need[M_COUNT];
    features_collect(feature, n, 0, need);
    return features_metric_list_of(need);
}

int features_needs(size_t feature, int need[4])
{
    const struct feature_def *f = &features_table[feature];
    int n = 0;
    need[n++] = f->num;
    if (f->den >= 0)
        need[n++] = f->den;
    if (f->sub > 0)
        need[n++] = f->sub;
    if (f->mul > 0)
        need[n++] = f->mul;
    return n;
}

int features_available(size_t feature, const unsigned char *have)
{
    int need[4], n = features_needs(feature, need), i;
    for (i = 0; i < n; i++)
        if (!have[need[i]])
            return 0;
    return 1;
}

int features_compute(size_t feature, const double *value, const unsigned char *have, double *out)
{
    const struct feature_def *f = &features_table[feature];
    double v;
    if (!have[f->num])
        return -1;
    v = value[f->num];
    if (f->sub > 0) { /* minus another metric, not below zero */
        if (!have[f->sub])
            return -1;
        v -= value[f->sub];
        if (v < 0)
            v = 0;
    }
    if (f->mul > 0) {
        if (!have[f->mul])
            return -1;
        v *= value[f->mul];
    }
    v *= f->scale;
    if (f->den >= 0) {
        if (!have[f->den] || value[f->den] == 0.0)
            return -1;
        v /= value[f->den];
    }
    *out = v;
    return 0;
}
