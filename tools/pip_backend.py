"""The build backend of pip install . (PEP 517; pyproject.toml names it): make
builds the C tool with this machine's compiler, and the wheel holds the
program (gpu_profiler/bin/gpu_profiler; the timeline tracer in
gpu_profiler/lib/gpu_profiler/ where make built one, where the program looks
for it), the Python module python/gpu_profiler and the gpu_profiler command.
Standard library only, so nothing is downloaded: pip install . works without
network, with build isolation or without. The version is the Makefile's."""
import base64
import hashlib
import io
import os
import re
import subprocess
import sysconfig
import tarfile
import zipfile

NAME = "gpu_profiler"
SUMMARY = "How much power an application draws on an NVIDIA GPU, estimated from Nsight Compute counters"
HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _version():
    with open(os.path.join(HERE, "Makefile"), encoding="utf-8") as f:
        m = re.search(r"^VERSION = (\S+)$", f.read(), re.M)
    if not m:
        raise RuntimeError("no 'VERSION = ...' line in the Makefile")
    return m.group(1)


def _metadata():
    with open(os.path.join(HERE, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    return ("Metadata-Version: 2.1\nName: %s\nVersion: %s\nSummary: %s\nLicense: MIT\nRequires-Python: >=3.8\n"
            "Description-Content-Type: text/markdown\n\n%s" % (NAME, _version(), SUMMARY, readme))


def _tag():
    return "py3-none-" + re.sub(r"[^A-Za-z0-9]", "_", sysconfig.get_platform())


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    info = "%s-%s.dist-info" % (NAME, _version())
    os.makedirs(os.path.join(metadata_directory, info), exist_ok=True)
    for name, text in _dist_info_texts().items():
        with open(os.path.join(metadata_directory, info, name), "w", encoding="utf-8") as f:
            f.write(text)
    return info


def _dist_info_texts():
    return {
        "METADATA": _metadata(),
        "WHEEL": "Wheel-Version: 1.0\nGenerator: gpu_profiler tools/pip_backend.py\nRoot-Is-Purelib: false\n"
                 "Tag: %s\n" % _tag(),
        "entry_points.txt": "[console_scripts]\ngpu_profiler = gpu_profiler:_main\n",
        "LICENSE": open(os.path.join(HERE, "LICENSE"), encoding="utf-8").read(),
    }


def _make():
    """make all, with make's output on stderr (pip shows it with -v, and on a failure)."""
    make = os.environ.get("MAKE", "make")
    # the plain build (./gpu_profiler), whatever SANITIZE or MB_DATA the environment holds
    p = subprocess.run([make, "-C", HERE, "all", "SANITIZE=", "MB_DATA="], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       universal_newlines=True, check=False)
    if p.returncode != 0:
        raise RuntimeError("make failed (exit %d):\n%s" % (p.returncode, p.stdout[-4000:]))


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    _make()
    version = _version()
    info = "%s-%s.dist-info" % (NAME, version)
    files = []  # (name in the wheel, bytes, executable)
    pkg = os.path.join(HERE, "python", NAME)
    for name in sorted(os.listdir(pkg)):
        if name.endswith(".py"):
            with open(os.path.join(pkg, name), "rb") as f:
                files.append(("%s/%s" % (NAME, name), f.read(), False))
    with open(os.path.join(HERE, "gpu_profiler"), "rb") as f:
        files.append(("%s/bin/gpu_profiler" % NAME, f.read(), True))
    tracer = os.path.join(HERE, "build", "gpu_profiler_trace.so")
    if os.path.exists(tracer):
        with open(tracer, "rb") as f:
            files.append(("%s/lib/gpu_profiler/gpu_profiler_trace.so" % NAME, f.read(), True))
    for name, text in _dist_info_texts().items():
        files.append(("%s/%s" % (info, name), text.encode("utf-8"), False))
    record = []
    for name, data, _ in files:
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode("ascii")
        record.append("%s,sha256=%s,%d" % (name, digest, len(data)))
    record.append("%s/RECORD,," % info)
    files.append(("%s/RECORD" % info, ("\n".join(record) + "\n").encode("utf-8"), False))
    wheel_name = "%s-%s-%s.whl" % (NAME, version, _tag())
    with zipfile.ZipFile(os.path.join(wheel_directory, wheel_name), "w", zipfile.ZIP_DEFLATED) as z:
        for name, data, executable in files:
            zi = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            zi.external_attr = (0o100755 if executable else 0o100644) << 16
            zi.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(zi, data)
    return wheel_name


def build_sdist(sdist_directory, config_settings=None):
    """The source as git tracks it (or the tree without build outputs)."""
    base = "%s-%s" % (NAME, _version())
    try:
        names = subprocess.run(["git", "-C", HERE, "ls-files", "-z"], stdout=subprocess.PIPE, check=True,
                               stderr=subprocess.DEVNULL).stdout.decode("utf-8").split("\0")
        names = [n for n in names if n]
    except (OSError, subprocess.CalledProcessError):
        names = []
        for root, dirs, fs in os.walk(HERE):
            dirs[:] = [d for d in dirs if not d.startswith((".git", "build"))]
            names += [os.path.relpath(os.path.join(root, f), HERE) for f in fs]
    path = os.path.join(sdist_directory, base + ".tar.gz")
    with tarfile.open(path, "w:gz", format=tarfile.PAX_FORMAT) as t:
        for n in sorted(names):
            if os.path.isfile(os.path.join(HERE, n)):
                t.add(os.path.join(HERE, n), arcname="%s/%s" % (base, n), recursive=False)
        info = tarfile.TarInfo("%s/PKG-INFO" % base)
        data = _metadata().encode("utf-8")
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
    return os.path.basename(path)
