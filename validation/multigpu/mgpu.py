"""Multi-GPU validation workloads (issue 9): real PyTorch work spread over the
GPUs of one host, never used to fit a model.

usage: python3 mgpu.py NAME        run NAME; --list prints the names

Like ../workloads.py: 3 warm-up steps, then a fixed number of steps (GP_ITERS,
else as many as take about GP_SECONDS=4 s on rank 0, sent to every rank so all
run the same count) between the lines GP_START and GP_STOP that rank 0 prints
on stdout once every rank is ready, inside the NVTX range gp_loop in every
process; with GP_PROFILE_RANK=R only rank R's range is called gp_loop (the
others' gp_loop_unprofiled), so `gpu_profiler -a ... --nvtx-range gp_loop`
profiles one rank while the others run free. ncu serializes kernel launches
across the processes it profiles, so an NCCL collective, whose kernels wait
for their peers, hangs when every rank is profiled (seen on two H200s).
NVLink multicast stays off (the device machine's rule).
"""
import math
import os
import sys
import time

for k, v in (("NCCL_NVLS_ENABLE", "0"), ("TORCH_SYMM_MEM_DISABLE_MULTICAST", "1"), ("NVSHMEM_DISABLE_NVLS", "1")):
    os.environ[k] = v

import torch
import torch.distributed as dist
import torch.multiprocessing as mp

W = {}


def workload(world, backend, gpu_of_rank):
    """world: processes; backend: process group ("" for one process);
    gpu_of_rank(rank) -> the CUDA device the rank works on."""
    def wrap(fn):
        W[fn.__name__] = (fn, world, backend, gpu_of_rank)
        return fn
    return wrap


@workload(2, "nccl", lambda r: r)
def allreduce(rank):
    """All-reduce heavy: 256 MB of FP32 summed over both GPUs each step,
    with one BF16 GEMM beside it."""
    x = torch.randn(64 << 20, device="cuda")
    a = torch.randn(4096, 4096, device="cuda", dtype=torch.bfloat16)
    b = torch.randn(4096, 4096, device="cuda", dtype=torch.bfloat16)

    def step():
        dist.all_reduce(x)
        x.mul_(0.5)
        torch.mm(a, b)
    return step


@workload(2, "nccl", lambda r: r)
def ddp_train(rank):
    """Data-parallel training step: an 8-layer 4096-wide MLP in BF16 autocast,
    batch 8192 per GPU, AdamW; DDP all-reduces 537 MB of FP32 gradients per
    step in buckets that overlap the backward pass."""
    from torch.nn.parallel import DistributedDataParallel as DDP
    layers = []
    for _ in range(8):
        layers += [torch.nn.Linear(4096, 4096), torch.nn.GELU()]
    model = DDP(torch.nn.Sequential(*layers).cuda(), device_ids=[rank])
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
    x = torch.randn(8192, 4096, device="cuda")

    def step():
        with torch.autocast("cuda", dtype=torch.bfloat16):
            loss = model(x).float().pow(2).mean()
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
    return step


@workload(1, "", lambda r: 0)
def pipeline_2gpu(rank):
    """One process, two GPUs, no NCCL: inference through an MLP whose first
    half is on GPU 0 and second half on GPU 1, 8 micro-batches handed over
    with device-to-device copies."""
    def stage(dev):
        layers = []
        for _ in range(4):
            layers += [torch.nn.Linear(8192, 8192), torch.nn.GELU()]
        return torch.nn.Sequential(*layers).to(dev, dtype=torch.bfloat16).eval()
    s0, s1 = stage("cuda:0"), stage("cuda:1")
    xs = [torch.randn(2048, 8192, device="cuda:0", dtype=torch.bfloat16) for _ in range(8)]

    @torch.no_grad()
    def step():
        outs = []
        for x in xs:
            h = s0(x).to("cuda:1", non_blocking=True)
            outs.append(s1(h))
        torch.cuda.synchronize("cuda:0")
    return step


@workload(2, "gloo", lambda r: 0)
def two_procs_one_gpu(rank):
    """Two processes sharing GPU 0 (GPU 1 idle): each multiplies its own
    BF16 8192x8192 matrices."""
    a = torch.randn(8192, 8192, device="cuda", dtype=torch.bfloat16)
    b = torch.randn(8192, 8192, device="cuda", dtype=torch.bfloat16)

    def step():
        for _ in range(4):
            torch.mm(a, b)
    return step


def sync_all(world):
    if world == 1:  # one process driving both GPUs
        for d in range(torch.cuda.device_count()):
            torch.cuda.synchronize(d)
    else:
        torch.cuda.synchronize()
        dist.barrier()


def run(rank, name, port):
    fn, world, backend, gpu_of_rank = W[name]
    torch.cuda.set_device(gpu_of_rank(rank))
    if world > 1:
        kw = {"device_id": torch.device("cuda", gpu_of_rank(rank))} if backend == "nccl" else {}
        dist.init_process_group(backend, init_method="tcp://127.0.0.1:%d" % port, rank=rank, world_size=world, **kw)
    torch.manual_seed(rank)
    step = fn(rank)
    for _ in range(3):  # warm-up: library set-up, autotuning, allocator, NCCL channels
        step()
    sync_all(world)
    t0, n = time.perf_counter(), 0
    while n < 3 or time.perf_counter() - t0 < 0.3:
        step()
        sync_all(world)
        n += 1
    per_step = (time.perf_counter() - t0) / n
    iters = int(os.environ.get("GP_ITERS", "0")) or max(1, math.ceil(float(os.environ.get("GP_SECONDS", "4")) / per_step))
    if world > 1:  # every rank runs rank 0's count
        t = torch.tensor([iters], dtype=torch.int64, device="cuda" if backend == "nccl" else "cpu")
        dist.broadcast(t, 0)
        iters = int(t.item())
    sync_all(world)
    if rank == 0:
        print("GP_START", flush=True)
    only = os.environ.get("GP_PROFILE_RANK", "")
    torch.cuda.nvtx.range_push("gp_loop" if only in ("", str(rank)) else "gp_loop_unprofiled")
    for _ in range(iters):
        step()
    torch.cuda.nvtx.range_pop()
    sync_all(world)
    if rank == 0:
        print("GP_STOP", flush=True)
        print("iters %d per_step_s %.6f world %d" % (iters, per_step, world), file=sys.stderr)
    if world > 1:
        dist.destroy_process_group()


def main():
    if len(sys.argv) != 2 or sys.argv[1] not in W and sys.argv[1] != "--list":
        sys.exit("usage: mgpu.py NAME | --list; names: " + " ".join(W))
    if sys.argv[1] == "--list":
        print("\n".join(W))
        return
    name = sys.argv[1]
    world = W[name][1]
    if torch.cuda.device_count() < 2:
        sys.exit("mgpu.py: %s needs 2 GPUs; %d visible" % (name, torch.cuda.device_count()))
    if world == 1:
        run(0, name, 0)
    else:
        port = 29500 + os.getpid() % 1000
        mp.spawn(run, args=(name, port), nprocs=world, join=True)


if __name__ == "__main__":
    main()
