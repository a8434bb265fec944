"""Validation workloads: real GPU work through PyTorch (cuBLAS, cuDNN, cuFFT,
Thrust/CUB kernels), never used to fit a model.

usage: python3 workloads.py NAME        run NAME; --list prints the names

Each workload builds its inputs, runs 3 warm-up steps, then a fixed number of
steps (GP_ITERS, else as many as take about GP_SECONDS=4 s, timed after the
warm-up) between the lines GP_START and GP_STOP on stdout, inside the NVTX range
gp_loop. `gpu_profiler measure --start-marker GP_START --stop-marker GP_STOP`
measures exactly those steps; `gpu_profiler -a ... --nvtx-range gp_loop`
profiles exactly those kernels.
"""
import math
import os
import sys
import time

import torch
import torch.nn.functional as F

dev = "cuda"
W = {}


def workload(fn):
    W[fn.__name__] = fn
    return fn


def gauss_kernel(k, sigma):
    x = torch.arange(k, device=dev, dtype=torch.float32) - k // 2
    g = torch.exp(-x * x / (2 * sigma * sigma))
    g = g / g.sum()
    return (g[:, None] * g[None, :])


@workload
def mm_fp32():
    torch.backends.cuda.matmul.allow_tf32 = False
    a, b = torch.randn(4096, 4096, device=dev), torch.randn(4096, 4096, device=dev)
    return lambda: a @ b


@workload
def mm_tf32():
    torch.backends.cuda.matmul.allow_tf32 = True
    a, b = torch.randn(8192, 8192, device=dev), torch.randn(8192, 8192, device=dev)
    return lambda: a @ b


@workload
def mm_fp16():
    a, b = (torch.randn(8192, 8192, device=dev, dtype=torch.float16) for _ in range(2))
    return lambda: a @ b


@workload
def mm_bf16():
    a, b = (torch.randn(8192, 8192, device=dev, dtype=torch.bfloat16) for _ in range(2))
    return lambda: a @ b


@workload
def conv_fp16_resnet():
    x = torch.randn(64, 256, 56, 56, device=dev, dtype=torch.float16).to(memory_format=torch.channels_last)
    w = torch.randn(256, 256, 3, 3, device=dev, dtype=torch.float16).to(memory_format=torch.channels_last)
    return lambda: F.conv2d(x, w, padding=1)


@workload
def conv_fp32_images():
    torch.backends.cudnn.allow_tf32 = False
    x = torch.randn(16, 64, 224, 224, device=dev)
    w = torch.randn(64, 64, 3, 3, device=dev)
    return lambda: F.conv2d(x, w, padding=1)


@workload
def blur_4k():
    x = torch.rand(4, 3, 2160, 3840, device=dev)
    k = gauss_kernel(11, 3.0).expand(3, 1, 11, 11).contiguous()
    return lambda: F.conv2d(x, k, padding=5, groups=3)


@workload
def resize_4k():
    x = torch.rand(8, 3, 2160, 3840, device=dev)
    return lambda: F.interpolate(F.interpolate(x, size=(1080, 1920), mode="bilinear"), size=(2160, 3840),
                                 mode="bilinear")


@workload
def color_convert():
    x = torch.rand(8, 3, 2160, 3840, device=dev)
    m = torch.tensor([[0.299, 0.587, 0.114], [-0.169, -0.331, 0.5], [0.5, -0.419, -0.081]], device=dev)
    return lambda: torch.einsum("ij,bjhw->bihw", m, x)


@workload
def sobel_edges():
    x = torch.rand(8, 1, 2160, 3840, device=dev)
    kx = torch.tensor([[-1., 0., 1.], [-2., 0., 2.], [-1., 0., 1.]], device=dev)[None, None]
    ky = kx.transpose(2, 3).contiguous()
    return lambda: torch.sqrt(F.conv2d(x, kx, padding=1) ** 2 + F.conv2d(x, ky, padding=1) ** 2)


@workload
def histogram():
    x = torch.rand(64 * 1024 * 1024, device=dev)
    return lambda: torch.histc(x, bins=256, min=0, max=1)


@workload
def denoise_box3():
    x = torch.rand(8, 3, 2160, 3840, device=dev)
    return lambda: F.avg_pool2d(F.avg_pool2d(F.avg_pool2d(x, 5, 1, 2), 5, 1, 2), 5, 1, 2)


@workload
def image_pipeline():
    x = torch.rand(4, 3, 2160, 3840, device=dev)
    k = gauss_kernel(7, 2.0).expand(3, 1, 7, 7).contiguous()
    kx = torch.tensor([[-1., 0., 1.], [-2., 0., 2.], [-1., 0., 1.]], device=dev)[None, None]

    def step():
        y = F.interpolate(x, size=(1080, 1920), mode="bilinear")
        y = F.conv2d(y, k, padding=3, groups=3)
        g = y.mean(dim=1, keepdim=True)
        e = F.conv2d(g, kx, padding=1).abs()
        return torch.histc(e, bins=64, min=0, max=4)
    return step


@workload
def fft2():
    x = torch.randn(16, 4096, 4096, device=dev, dtype=torch.complex64)
    return lambda: torch.fft.fft2(x)


@workload
def reduce_sum():
    x = torch.rand(512 * 1024 * 1024, device=dev)
    return lambda: x.sum()


@workload
def sort():
    x = torch.rand(64 * 1024 * 1024, device=dev)
    return lambda: torch.sort(x)


@workload
def scan_cumsum():
    x = torch.rand(256 * 1024 * 1024, device=dev)
    return lambda: torch.cumsum(x, 0)


@workload
def stream_triad():
    b, c = torch.rand(256 * 1024 * 1024, device=dev), torch.rand(256 * 1024 * 1024, device=dev)
    a = torch.empty_like(b)
    return lambda: torch.add(b, c, alpha=3.0, out=a)


@workload
def copy_1g():
    x = torch.rand(256 * 1024 * 1024, device=dev)
    y = torch.empty_like(x)
    return lambda: y.copy_(x)


@workload
def atomics_index_add():
    idx = torch.randint(0, 1024, (64 * 1024 * 1024,), device=dev)
    src = torch.rand(64 * 1024 * 1024, device=dev)
    out = torch.zeros(1024, device=dev)
    return lambda: out.index_add_(0, idx, src)


@workload
def launch_storm():
    x = torch.zeros(1024, device=dev)

    def step():
        for _ in range(200):
            x.add_(1.0)
    return step


@workload
def cnn_inference():
    import torchvision
    m = torchvision.models.resnet50().to(dev).half().eval().to(memory_format=torch.channels_last)
    x = torch.randn(128, 3, 224, 224, device=dev, dtype=torch.float16).to(memory_format=torch.channels_last)

    def step():
        with torch.no_grad():
            return m(x)
    return step


def transformer():
    layer = torch.nn.TransformerEncoderLayer(1024, 16, 4096, batch_first=True)
    return torch.nn.TransformerEncoder(layer, 6).to(dev)


@workload
def transformer_inference():
    m = transformer().half().eval()
    x = torch.randn(32, 512, 1024, device=dev, dtype=torch.float16)

    def step():
        with torch.no_grad():
            return m(x)
    return step


@workload
def transformer_train():
    m = transformer()
    opt = torch.optim.AdamW(m.parameters(), lr=1e-4)
    x = torch.randn(16, 512, 1024, device=dev)

    def step():
        with torch.autocast("cuda", dtype=torch.bfloat16):
            loss = m(x).float().pow(2).mean()
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
    return step


@workload
def idle_gaps():
    a, b = (torch.randn(4096, 4096, device=dev, dtype=torch.float16) for _ in range(2))

    def step():
        for _ in range(20):
            a @ b
        torch.cuda.synchronize()
        time.sleep(0.005)
    return step


def main():
    if len(sys.argv) != 2 or sys.argv[1] not in W and sys.argv[1] != "--list":
        sys.exit("usage: workloads.py NAME | --list; names: " + " ".join(W))
    if sys.argv[1] == "--list":
        print("\n".join(W))
        return
    torch.manual_seed(0)
    step = W[sys.argv[1]]()
    for _ in range(3):  # warm-up: library set-up, autotuning, allocator
        step()
    torch.cuda.synchronize()
    t0, n = time.perf_counter(), 0
    while n < 3 or time.perf_counter() - t0 < 0.3:  # the step's time, after the warm-up
        step()
        torch.cuda.synchronize()
        n += 1
    per_step = (time.perf_counter() - t0) / n
    iters = int(os.environ.get("GP_ITERS", "0")) or max(1, math.ceil(float(os.environ.get("GP_SECONDS", "4")) / per_step))
    print("GP_START", flush=True)
    torch.cuda.nvtx.range_push("gp_loop")
    for _ in range(iters):
        step()
    torch.cuda.nvtx.range_pop()
    torch.cuda.synchronize()
    print("GP_STOP", flush=True)
    print("iters %d per_step_s %.6f" % (iters, per_step), file=sys.stderr)


if __name__ == "__main__":
    main()
