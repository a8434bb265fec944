#!/bin/sh
# Run on the GPU machine: how many replay passes ncu needs for each candidate
# metric (alone beside the 4 base metrics) and for candidate feature sets.
# ncu prints "- N passes" per kernel. Writes $OUT/pass_probe.txt.
set -u
OUT=${OUT:-gpu-out}
mkdir -p "$OUT"
work=$(mktemp -d)
nvcc -O3 -arch=sm_90 -o "$work/kern" tests/fixtures/ncu-h100/probe4_kern.cu
base=gpu__time_duration.sum,gpc__cycles_elapsed.max,gpc__cycles_elapsed.avg.per_second,sm__cycles_active.avg
probe() { # label metrics
    n=$(ncu --clock-control none --metrics "$2" "$work/kern" fma 1 2>&1 | grep -o '[0-9]* pass[e]*s*' | head -1)
    echo "$1	$n	$2" >>"$OUT/pass_probe.txt"
}
: >"$OUT/pass_probe.txt"
probe base "$base"
for m in \
    sm__inst_executed.sum sm__inst_executed.avg.per_cycle_elapsed \
    sm__inst_executed_pipe_fma.sum sm__inst_executed_pipe_alu.sum sm__inst_executed_pipe_fp64.sum \
    sm__inst_executed_pipe_xu.sum sm__inst_executed_pipe_lsu.sum sm__inst_executed_pipe_fma_type_fp16.sum \
    sm__inst_executed_pipe_tensor_op_gmma.sum sm__inst_executed_pipe_tensor_op_hmma.sum \
    sm__pipe_tensor_cycles_active.sum sm__pipe_tensor_op_hmma_cycles_active.sum sm__pipe_tensor_op_gmma_cycles_active.sum \
    sm__pipe_fma_cycles_active.sum sm__pipe_fp64_cycles_active.sum sm__pipe_alu_cycles_active.sum \
    sm__pipe_shared_cycles_active.sum sm__pipe_fmaheavy_cycles_active.sum \
    l1tex__data_pipe_lsu_wavefronts_mem_shared.sum l1tex__data_pipe_lsu_wavefronts.sum l1tex__t_sectors.sum \
    l1tex__t_requests.sum lts__t_sectors.sum lts__t_sectors_lookup_hit.sum lts__d_atomic_input_cycles_active.sum \
    dram__bytes_read.sum dram__bytes_write.sum dram__bytes.sum sm__warps_active.avg.pct_of_peak_sustained_active \
    sm__warps_active.sum smsp__thread_inst_executed.sum smsp__inst_executed.sum \
    lts__throughput.avg.pct_of_peak_sustained_elapsed gpu__dram_throughput.avg.pct_of_peak_sustained_elapsed \
    l1tex__throughput.avg.pct_of_peak_sustained_elapsed sm__throughput.avg.pct_of_peak_sustained_elapsed; do
    probe "+1" "$base,$m"
done
pipes=sm__inst_executed_pipe_fma.sum,sm__inst_executed_pipe_alu.sum,sm__inst_executed_pipe_fp64.sum,sm__inst_executed_pipe_xu.sum,sm__inst_executed_pipe_lsu.sum,sm__inst_executed_pipe_fma_type_fp16.sum
pcyc=sm__pipe_fma_cycles_active.sum,sm__pipe_alu_cycles_active.sum,sm__pipe_fp64_cycles_active.sum,sm__pipe_tensor_cycles_active.sum,sm__pipe_shared_cycles_active.sum
mem=dram__bytes_read.sum,dram__bytes_write.sum,lts__t_sectors.sum,l1tex__data_pipe_lsu_wavefronts_mem_shared.sum,l1tex__t_sectors.sum
probe pipes "$base,$pipes"
probe pipecycles "$base,$pcyc"
probe mem "$base,$mem"
probe pipes+mem "$base,$pipes,$mem"
probe pipes+tensor+mem "$base,$pipes,sm__pipe_tensor_cycles_active.sum,sm__inst_executed_pipe_tensor_op_gmma.sum,$mem"
probe pipes+tensor+mem+atom+warps "$base,$pipes,sm__pipe_tensor_cycles_active.sum,sm__inst_executed_pipe_tensor_op_gmma.sum,$mem,lts__d_atomic_input_cycles_active.sum,sm__warps_active.sum,sm__inst_executed.sum"
ncu --clock-control none --metrics "$base,$pipes,$mem" "$work/kern" fma 1 >"$OUT/pass_probe_example.txt" 2>&1
nvidia-smi -q -d POWER,CLOCK >"$OUT/nvidia_smi_q.txt" 2>&1
cat "$OUT/pass_probe.txt"
