#!/usr/bin/env python3
"""One source for every measured figure: finds each figure where it is stated
(README.md, the man page, --help, calibrate --help, --version, which prints
what the model files carry) and fails when two places state it differently.

usage: python3 tests/figures.py ./gpu_profiler
Prints one line per figure and "N passed, N failed"; exits 1 on a failure.

Each place's statements are found by the patterns below; a pattern that
finds nothing is a failure too (a sentence was reworded: update its pattern
here, so that no figure silently drops out of the check). Figures that a
model file carries (--version) are the reference; the others (how long
calibrate takes) must only agree from place to place.
"""
import re
import subprocess
import sys

NUM = r"([0-9]+(?:\.[0-9]+)?)"
RANGE = r"([0-9]+(?:\.[0-9]+)?(?:-[0-9]+(?:\.[0-9]+)?)?)"


def flat(text):
    """One line, single spaces: sentences wrap differently in each place."""
    return re.sub(r"\s+", " ", text)


def man_text(path):
    """The man page's source without font escapes and with plain hyphens."""
    text = open(path, encoding="utf-8").read()
    text = re.sub(r"\\f[BIRP]", "", text)
    text = text.replace("\\-", "-").replace("\\(mu", "x").replace("\\(+-", "+-")
    text = re.sub(r"^\.(TP|PP|SH|SS|B|I|BR|IR|RS|RE|nf|fi)\b ?", "", text, flags=re.M)
    return text


def run(gp, *args):
    return subprocess.run([gp, *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, check=False).stdout


# (place, pattern, figure names of its groups, in order)
PATTERNS = [
    # README.md
    ("README", r"off by " + NUM + r"% on the H100 and " + NUM + r"% on the H200 \(MAPE over the GPU-busy time; "
     + NUM + r"% and " + NUM + r"% with `--fast`", ["raw H100", "raw H200", "fast H100", "fast H200"]),
    ("README", r"tiers \(avg off by " + RANGE + r"% on real pages or recordings of them", ["details-page tiers"]),
    ("README", r"\| raw \| " + NUM + r"% \| " + NUM + r"% \|", ["raw H100", "raw H200"]),
    ("README", r"\| full \| " + NUM + r"% \(10 real pages\) \| " + NUM + r"% \|", ["full H100", "full H200"]),
    ("README", r"\| detailed \| " + NUM + r"% \| " + NUM + r"% \|", ["detailed H100", "detailed H200"]),
    ("README", r"\| basic \| " + NUM + r"% \(10 real pages\) \| " + NUM + r"% \|", ["basic H100", "basic H200"]),
    ("README", r"which held the measurement on " + RANGE + r"% of the validation workloads", ["error bar coverage"]),
    ("README", r"HBM3, tier raw \(raw page\): avg error " + NUM + r"% on 24 real applications, " + NUM
     + r"% held out", ["raw H100", "held out H100"]),
    ("README", r"`gpu_profiler calibrate --quick` adjusts the built-in model to the board in use in ([^.]*?) s\.",
     ["calibrate --quick"]),
    ("README", r"`gpu_profiler calibrate --quick` \(([^)]*?) s\)", ["calibrate --quick"]),
    ("README", r"About 5 minutes: " + RANGE + r" s on", ["calibrate"]),
    ("README", r"calibrate " + RANGE + r" s where it is 300", ["calibrate"]),
    ("README", r"the configurations at the power limit again over " + NUM + r" s", ["limit window"]),
    ("README", r"\(" + RANGE + r" s as one rank on one H200\)", ["calibrate --only comm, one rank"]),
    ("README", r"FP32 CUDA-core work reads " + RANGE + r"% low", ["FP32 CUDA-core work reads low by"]),
    # the man page
    ("man page", r"its avg error is " + NUM + r"% \(H100\) and " + NUM + r"% \(H200\), against " + NUM + r"% and "
     + NUM + r"%", ["fast H100", "fast H200", "raw H100", "raw H200"]),
    ("man page", r"\(H200: raw " + NUM + r"%, full " + NUM + r"%, detailed " + NUM + r"%, basic " + NUM + r"%",
     ["raw H200", "full H200", "detailed H200", "basic H200"]),
    ("man page", r"measures 8 configurations \(([^)]*?) s\)", ["calibrate --quick"]),
    ("man page", r"also the " + NUM + r"% that one H200 board differs", ["board spread"]),
    ("man page", r"power limit again over " + NUM + r" s", ["limit window"]),
    # gpu_profiler --help quotes no figure (it points to --version and the man page)
    # gpu_profiler calibrate --help
    ("calibrate --help", r"About 5 minutes with the probes \(" + RANGE + r" s on H200s", ["calibrate"]),
    ("calibrate --help", r"fitted over them \(boards of one GPU differ by several percent\)\. ([^.]*?) s on H200s",
     ["calibrate --quick"]),
    ("calibrate --help", r"--quick the board in use in ([^(]*?) s? ?\(above\)", ["calibrate --quick"]),
    ("calibrate --help", r"\(" + RANGE + r" s as one rank on an H200", ["calibrate --only comm, one rank"]),
    ("calibrate --help", r"the power limit once more over S seconds \(default " + NUM + r";", ["limit window"]),
]

VARIANTS = {"": "raw", "fast": "fast", "full": "full", "detailed": "detailed", "basic": "basic"}
GPUS = {"NVIDIA H100 80GB HBM3": "H100", "NVIDIA H200": "H200"}


def from_version(text):
    """What the model files carry, as --version prints it: {figure: value}."""
    figs, coverage, tiers = {}, [], []
    for line in text.splitlines():
        m = re.match(r"built-in model: (.*?)(?:, (\w+))? \(ncu [^)]*\)(.*)", line)
        if not m or m.group(1) not in GPUS:
            continue
        gpu, variant, rest = GPUS[m.group(1)], VARIANTS.get(m.group(2) or "", m.group(2)), m.group(3)
        v = re.search(r"validation avg error " + NUM + "%", rest)
        if v:
            figs["%s %s" % (variant, gpu)] = v.group(1)
            if variant in ("full", "detailed", "basic"):
                tiers.append(float(v.group(1)))
        v = re.search(r"held out " + NUM + "%", rest)
        if v and variant == "raw":
            figs["held out %s" % gpu] = v.group(1)
        if v and "not validated on real work" in rest:  # a built-in model no real work has measured
            figs["held out %s %s" % (variant, gpu)] = v.group(1)
        v = re.search(r"error bar held " + NUM + "%", rest)
        if v:
            coverage.append(float(v.group(1)))
        v = re.search(r"board spread " + NUM + "%", rest)
        if v and variant == "raw" and gpu == "H200":
            figs["board spread"] = v.group(1)
    if coverage:
        figs["error bar coverage"] = "%.0f-%.0f" % (min(coverage), max(coverage))
    if tiers:
        figs["details-page tiers"] = "%g-%g" % (min(tiers), max(tiers))
    return figs


def same(a, b):
    """Two statements of a figure agree: the same number (18 and 18.0), the same range of numbers (9-16.4 and
    9.0-16.4), else the same words."""
    try:
        return [float(x) for x in a.split("-")] == [float(x) for x in b.split("-")]
    except ValueError:
        return a.strip() == b.strip()


def readme_example(gp):
    """The block under "### Reading the output" against the README's main command at COLUMNS=80."""
    readme = open("README.md", encoding="utf-8").read()
    m = re.search(r"### Reading the output\n+```\n(.*?)```", readme, re.S)
    if not m:
        return False, "no such block (reworded? update tests/figures.py)"
    import os
    env = dict(os.environ, COLUMNS="80")
    got = subprocess.run([gp, "-m", "all", "-c", "tests/fixtures/ncu-h100/probe4_full_raw.csv", "--no-predictions"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, universal_newlines=True, env=env,
                         check=False).stdout
    if got == m.group(1):
        return True, ""
    want_lines, got_lines = m.group(1).splitlines(), got.splitlines()
    for i, (w, g) in enumerate(zip(want_lines, got_lines)):
        if w != g:
            return False, "line %d says %r, the command prints %r" % (i + 1, w, g)
    return False, "the README shows %d lines, the command prints %d" % (len(want_lines), len(got_lines))


def main():
    gp = sys.argv[1]
    texts = {
        "README": flat(open("README.md", encoding="utf-8").read()),
        "man page": flat(man_text("docs/gpu_profiler.1")),
        "--help": flat(run(gp, "--help")),
        "calibrate --help": flat(run(gp, "calibrate", "--help")),
    }
    version = run(gp, "--version")
    reference = from_version(version)
    passed = failed = 0
    stated = {}  # figure -> [(place, value)]
    for name, value in reference.items():
        stated.setdefault(name, []).append(("--version (the model files)", value))
    for place, pattern, names in PATTERNS:
        found = list(re.finditer(pattern, texts[place]))
        if not found:
            failed += 1
            print("FAILED: %s: no sentence like /%s/ (reworded? update tests/figures.py)" % (place, pattern[:70]))
            continue
        passed += 1
        for m in found:
            for name, value in zip(names, m.groups()):
                stated.setdefault(name, []).append((place, value.strip()))
    # the README's example output is what its command prints on an 80-column terminal
    ok, why = readme_example(gp)
    if ok:
        passed += 1
        print("README example output: as the command prints it")
    else:
        failed += 1
        print("FAILED: README example output (\"### Reading the output\"): " + why)
    for name in sorted(stated):
        places = stated[name]
        first = places[0][1]
        if all(same(v, first) for _, v in places):
            passed += 1
            print("%s: %s in %d places" % (name, first, len(places)))
        else:
            failed += 1
            print("FAILED: %s differs: %s" % (name, "; ".join("%s says %s" % (p, v) for p, v in places)))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
