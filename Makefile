# gpu_profiler: plain Makefile. make; make check; make install PREFIX=... DESTDIR=...
# SANITIZE=1 builds everything with AddressSanitizer and UBSan.
CC ?= cc
PREFIX ?= /usr/local
BINDIR = $(PREFIX)/bin
MANDIR = $(PREFIX)/share/man/man1
DOCDIR = $(PREFIX)/share/doc/gpu_profiler
VERSION = 0.1.0

WARN = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wdouble-promotion \
       -Wformat=2 -Wundef -Wpointer-arith -Wcast-qual -Wwrite-strings
CFLAGS ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(WARN) $(CFLAGS) \
             -DGPU_PROFILER_VERSION='"$(VERSION)"' -Isrc
LDLIBS = -lm -ldl
B = build
BIN = gpu_profiler
ifeq ($(SANITIZE),1)
ALL_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=address,undefined
# a separate tree, so sanitized and plain objects never mix
B = build-san
BIN = build-san/gpu_profiler
endif
# MB_DATA=real builds the calibration kernels on data as real programs' data
# (normal, uniform and image-like values; src/mb_random.h) in place of random
# bits, in a tree of its own, for experiments that compare the two:
# build-real/gpu_profiler.
ifeq ($(MB_DATA),real)
ALL_CFLAGS += -DMB_DATA_REAL
MB_NVCCFLAGS = -DMB_DATA_REAL
B = build-real
BIN = build-real/gpu_profiler
endif
LIB_SRC = src/units.c src/csv.c src/feature_table.c src/ncu_rules.c src/name_hints.c src/ncu_csv.c src/model.c src/model_builtin.c \
          src/encoding.c src/estimate.c src/report_format.c src/report.c src/report_svg.c src/outfile.c src/textio.c src/runner.c src/inputs.c src/dataset.c src/fit.c src/suite.c \
          src/cuda_api.c src/power_meter.c src/collectives.c src/calibrate.c src/measure.c src/timeline.c src/pm_samples.c src/sampled.c src/sampled_report.c src/window.c src/board.c src/plat_posix.c src/plat_win32.c
LIB_OBJ = $(LIB_SRC:src/%.c=$(B)/%.o) $(B)/models_embedded.o $(B)/microbench_embedded.o
LDLIBS += -pthread
# The microbenchmarks are compiled to PTX when nvcc is found (PATH, $CUDA_HOME,
# /usr/local/cuda); without it the tool builds, and calibrate says how to enable it.
NVCC ?= $(shell command -v nvcc 2>/dev/null || ls $${CUDA_HOME:-/usr/local/cuda}/bin/nvcc 2>/dev/null)
NVCCFLAGS = -O3 -lineinfo $(MB_NVCCFLAGS)
# The timeline tracer (src/trace_inject.c, loaded into the application by
# `measure --timeline`) is built when CUPTI's headers are found; without them
# the tool builds and measure says how to enable it.
CUDA_DIR ?= $(or $(CUDA_HOME),/usr/local/cuda)
CUPTI_INC ?= $(firstword $(foreach d,$(CUDA_DIR)/include $(CUDA_DIR)/extras/CUPTI/include,$(if $(wildcard $(d)/cupti.h),$(d))))
CUPTI_LIB ?= $(firstword $(foreach d,$(CUDA_DIR)/lib64 $(CUDA_DIR)/extras/CUPTI/lib64 $(CUDA_DIR)/lib,$(if $(wildcard $(d)/libcupti.so),$(d))))
ifneq ($(and $(CUPTI_INC),$(CUPTI_LIB)),)
TRACER = $(B)/gpu_profiler_trace.so
endif
MODELS = $(sort $(wildcard models/*.model))
TESTS = test_units test_csv test_ncu_csv test_rules test_model test_estimate test_report test_fit test_suite test_runner test_timeline test_window test_plat test_board test_power_meter test_collectives test_sampled

.PHONY: all check clean install uninstall unit cli svg signals names-memory schema accuracy-doc screenshot figures pip-install completions help-doc
# the shell completions, generated from the option tables of src/cmd_*.c
COMPLETIONS = $(B)/completions/gpu_profiler.bash $(B)/completions/_gpu_profiler
all: $(BIN) $(TRACER) $(COMPLETIONS)

$(COMPLETIONS): tools/completions.sh src/cmd_estimate.c src/cmd_calibrate.c src/cmd_fit.c src/cmd_measure.c | $(B)
	sh tools/completions.sh $(B)/completions

$(B):
	mkdir -p $(B)

$(B)/%.o: src/%.c $(wildcard src/*.h) | $(B)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(B)/embed: tools/embed.c | $(B)
	$(CC) -O1 -o $@ $<

$(B)/models_embedded.c: $(B)/embed $(MODELS)
	$(B)/embed $@ $(MODELS)

$(B)/models_embedded.o: $(B)/models_embedded.c
	$(CC) $(ALL_CFLAGS) -c $< -o $@

ifneq ($(strip $(NVCC)),)
$(B)/microbench.ptx: src/microbench.cu src/mb_random.h | $(B)
	$(NVCC) $(NVCCFLAGS) -ptx -arch=compute_80 -o $@ $<
$(B)/microbench_sm90.ptx: src/microbench_sm90.cu | $(B)
	$(NVCC) $(NVCCFLAGS) -ptx -arch=compute_90a -o $@ $<
PTX = $(B)/microbench.ptx $(B)/microbench_sm90.ptx
$(B)/microbench_embedded.c: $(B)/embed $(PTX)
	$(B)/embed --symbols $@ microbench_ptx $(B)/microbench.ptx microbench_sm90_ptx $(B)/microbench_sm90.ptx
else
$(B)/microbench_embedded.c: $(B)/embed
	@echo "note: no nvcc found; building without the calibration microbenchmarks (NVCC=path to enable)"
	$(B)/embed --symbols $@ microbench_ptx - microbench_sm90_ptx -
endif

$(B)/microbench_embedded.o: $(B)/microbench_embedded.c
	$(CC) $(ALL_CFLAGS) -Wno-missing-variable-declarations -c $< -o $@

# with the PM sampler (src/trace_pm.c); libcuda is the application's, already loaded
$(B)/gpu_profiler_trace.so: src/trace_inject.c src/trace_pm.c src/trace_pm.h | $(B)
	$(CC) -std=c11 -O2 -g -fPIC -shared -Wall -Wextra -I$(CUPTI_INC) -I$(CUDA_DIR)/include -Isrc/cshim -o $@ src/trace_inject.c \
	    src/trace_pm.c -L$(CUPTI_LIB) -L$(CUDA_DIR)/lib64/stubs -Wl,-rpath,$(CUPTI_LIB) -lcupti -lcuda -pthread

$(B)/libgp.a: $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

# the command-line front ends: main dispatches to one cmd_*.c per subcommand
CLI_OBJ = $(B)/main.o $(B)/cli.o $(B)/cmd_estimate.o $(B)/cmd_sampled.o $(B)/cmd_calibrate.o $(B)/cmd_fit.o $(B)/cmd_measure.o

$(BIN): $(CLI_OBJ) $(B)/libgp.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/test_%: tests/test_%.c tests/testlib.h $(B)/libgp.a
	$(CC) $(ALL_CFLAGS) -Itests -DFIXTURES='"tests/fixtures"' $(LDFLAGS) -o $@ $< $(B)/libgp.a $(LDLIBS)

# The tracer's PM sampler (src/trace_pm.c) against a stand-in CUPTI and CUDA
# driver (tests/fake_cupti_pm.c, linked in place of libcupti and libcuda),
# where CUPTI's and CUDA's headers are found; elsewhere skipped with a line
# (not a failure under GP_REQUIRE_ALL: .ci/run installs no CUDA toolkit).
ifneq ($(and $(CUPTI_INC),$(wildcard $(CUDA_DIR)/include/cuda.h)),)
PM_TESTS = test_trace_pm
PM_CFLAGS = -std=c11 -O1 -g -Wall -Wextra -I$(CUPTI_INC) -I$(CUDA_DIR)/include -Isrc/cshim -Itests
ifeq ($(SANITIZE),1)
PM_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
endif
$(B)/fake_cupti_pm.o: tests/fake_cupti_pm.c tests/fake_cupti_pm.h | $(B)
	$(CC) $(PM_CFLAGS) -c $< -o $@
$(B)/trace_pm_fake.o: src/trace_pm.c src/trace_pm.h | $(B)
	$(CC) $(PM_CFLAGS) -c $< -o $@
$(B)/test_trace_pm: tests/test_trace_pm.c tests/testlib.h tests/fake_cupti_pm.h $(B)/trace_pm_fake.o $(B)/fake_cupti_pm.o \
                    $(B)/libgp.a
	$(CC) $(ALL_CFLAGS) -Itests $(LDFLAGS) -o $@ $< $(B)/trace_pm_fake.o $(B)/fake_cupti_pm.o $(B)/libgp.a $(LDLIBS)
PM_SKIP = :
else
PM_SKIP = echo "skipped: test_trace_pm: no CUPTI headers (install CUDA's cuda-cupti-dev, or set CUDA_HOME)"
endif

unit: $(TESTS:%=$(B)/%) $(PM_TESTS:%=$(B)/%)
	@echo "== make unit"
	@set -e; for t in $(TESTS) $(PM_TESTS); do echo "== $$t"; $(B)/$$t; done; $(PM_SKIP)

# the fault-injection library of tests/cli.cases (plain cc: it is preloaded, never linked)
$(B)/fault_shim.so: tests/fault_shim.c | $(B)
	$(CC) -shared -fPIC -O1 -Wall -Wextra -o $@ $< -ldl

# a stand-in NVML (one GPU at a constant power) for measure and --measure without a GPU
$(B)/fake_nvml/libnvidia-ml.so.1: tests/fake_nvml.c | $(B)
	mkdir -p $(B)/fake_nvml
	$(CC) -shared -fPIC -O1 -Wall -Wextra -o $@ $<

# stand-ins for the CUDA driver and NCCL (tests/fake_cuda_nccl.c): the collectives without a GPU
$(B)/fake_cuda/libcuda.so.1: tests/fake_cuda_nccl.c | $(B)
	mkdir -p $(B)/fake_cuda
	$(CC) -shared -fPIC -O1 -Wall -Wextra -DFAKE_CUDA -o $@ $<
$(B)/fake_nccl/libnccl.so.2: tests/fake_cuda_nccl.c | $(B)
	mkdir -p $(B)/fake_nccl
	$(CC) -shared -fPIC -O1 -Wall -Wextra -DFAKE_NCCL -o $@ $<
$(B)/test_collectives: $(B)/fake_cuda/libcuda.so.1 $(B)/fake_nccl/libnccl.so.2 $(B)/fake_nvml/libnvidia-ml.so.1
$(B)/test_collectives: ALL_CFLAGS += -DFAKE_LIB_DIRS='"$(abspath $(B)/fake_cuda):$(abspath $(B)/fake_nccl):$(abspath $(B)/fake_nvml)"'

cli: $(BIN) $(B)/fault_shim.so $(B)/fake_nvml/libnvidia-ml.so.1
	@echo "== make cli"
	@GP_FAULT_SHIM=$(abspath $(B)/fault_shim.so) GP_FAKE_NVML_DIR=$(abspath $(B)/fake_nvml) \
	    sh tests/cli.sh ./$(BIN)

svg: $(BIN)
	@echo "== make svg"
	@sh tests/render_svg.sh ./$(BIN)

# the HTML page in headless Chromium at 1280 and 1920 px: a screenshot, no sideways scrolling
screenshot: $(BIN)
	@echo "== make screenshot"
	@sh tests/screenshot_html.sh ./$(BIN)

signals: $(BIN)
	@echo "== make signals"
	@sh tests/signals.sh ./$(BIN)

# 10^5 kernel names: the text table within --json's memory (issue 32)
names-memory: $(BIN)
	@echo "== make names-memory"
	@GP_SANITIZE=$(SANITIZE) sh tests/names_memory.sh ./$(BIN)

# every kind of JSON document against docs/schema/
schema: $(BIN) $(B)/fake_nvml/libnvidia-ml.so.1
	@echo "== make schema"
	@GP_FAKE_NVML_DIR=$(abspath $(B)/fake_nvml) sh tests/json_schema.sh ./$(BIN)

# docs/ACCURACY.md's validation figures, recomputed from the recorded runs
accuracy-doc: $(BIN)
	@echo "== make accuracy-doc"
	@sh tests/accuracy_doc.sh ./$(BIN)

# every measured figure stated alike in README.md, the man page, --help and --version (the models)
figures: $(BIN)
	@echo "== make figures"
	@sh tests/figures.sh ./$(BIN)

# pip install . into a fresh venv without network, and the Python module
pip-install: $(B)/fake_nvml/libnvidia-ml.so.1
	@echo "== make pip-install"
	@GP_FAKE_NVML_DIR=$(abspath $(B)/fake_nvml) sh tests/pip_install.sh

completions: $(BIN) $(COMPLETIONS)
	@echo "== make completions"
	@sh tests/completions.sh ./$(BIN) $(B)/completions

# --help short, with examples; the man page complete (EXAMPLES, ENVIRONMENT, EXIT STATUS, options)
help-doc: $(BIN)
	@echo "== make help-doc"
	@sh tests/help_doc.sh ./$(BIN)

check: unit cli svg screenshot signals names-memory schema accuracy-doc help-doc figures completions pip-install
	@echo "make check: all test programs passed"

LIBDIR = $(PREFIX)/lib/gpu_profiler
# the tracer goes where gpu_profiler looks for it: ../lib/gpu_profiler beside bin/
BASHCOMPDIR = $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR = $(PREFIX)/share/zsh/site-functions
install: $(BIN) $(TRACER) $(COMPLETIONS)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR) $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR)
	install -m 644 $(B)/completions/gpu_profiler.bash $(DESTDIR)$(BASHCOMPDIR)/gpu_profiler
	install -m 644 $(B)/completions/_gpu_profiler $(DESTDIR)$(ZSHCOMPDIR)/_gpu_profiler
	install -m 755 gpu_profiler $(DESTDIR)$(BINDIR)/gpu_profiler
	install -m 644 docs/gpu_profiler.1 $(DESTDIR)$(MANDIR)/gpu_profiler.1
	install -d $(DESTDIR)$(DOCDIR)
	install -m 644 LICENSE $(DESTDIR)$(DOCDIR)/LICENSE
	$(if $(TRACER),install -d $(DESTDIR)$(LIBDIR) && install -m 755 $(TRACER) $(DESTDIR)$(LIBDIR)/gpu_profiler_trace.so)

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/gpu_profiler $(DESTDIR)$(MANDIR)/gpu_profiler.1 $(DESTDIR)$(LIBDIR)/gpu_profiler_trace.so \
	    $(DESTDIR)$(DOCDIR)/LICENSE $(DESTDIR)$(BASHCOMPDIR)/gpu_profiler $(DESTDIR)$(ZSHCOMPDIR)/_gpu_profiler
	-rmdir $(DESTDIR)$(DOCDIR) 2>/dev/null
	-rmdir $(DESTDIR)$(LIBDIR) 2>/dev/null

clean:
	rm -rf build build-san build-real build-win gpu_profiler

# libFuzzer targets (clang): make fuzz FUZZ_SECONDS=60 runs each for that long,
# seeded with the real fixtures; findings land in fuzz/findings/.
FUZZ_SECONDS ?= 60
FUZZERS = fuzz_ncu_csv fuzz_csv_chunks fuzz_model fuzz_dataset fuzz_units fuzz_timeline
FUZZ_CC ?= clang
FUZZ_FLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -g -O1 -Isrc \
             -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
FUZZ_SRC = src/units.c src/csv.c src/encoding.c src/feature_table.c src/ncu_rules.c src/name_hints.c src/ncu_csv.c src/model.c src/dataset.c src/fit.c \
           src/timeline.c src/outfile.c src/textio.c src/plat_posix.c

build-fuzz/%: fuzz/%.c $(FUZZ_SRC) $(wildcard src/*.h)
	mkdir -p build-fuzz
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $< $(FUZZ_SRC) build-fuzz/no_models.c -lm

build-fuzz/no_models.c:
	mkdir -p build-fuzz
	printf '#include <stddef.h>\nconst char *const models_embedded[] = { NULL };\nconst size_t models_embedded_count = 0;\n' >$@

fuzz-build: build-fuzz/no_models.c $(FUZZERS:%=build-fuzz/%)

fuzz: fuzz-build
	@sh fuzz/run.sh $(FUZZ_SECONDS) $(FUZZERS)

.PHONY: fuzz fuzz-build

# ---- Windows: cross-built with mingw-w64 and tested under wine (docs in
# README.md, "Windows"). make windows builds build-win/gpu_profiler.exe,
# static, importing only Windows' own DLLs; check-windows runs the unit
# tests, the CLI cases and the tracer's PM sampler under wine; dist-windows
# makes the zip.
WIN_CC ?= x86_64-w64-mingw32-gcc
WIN_AR ?= x86_64-w64-mingw32-ar
WINE ?= wine
WB = build-win
WIN_CFLAGS = -std=c11 -D__USE_MINGW_ANSI_STDIO=1 -D_WIN32_WINNT=0x0A00 $(WARN) -O2 \
             -DGPU_PROFILER_VERSION='"$(VERSION)"' -Isrc
WIN_LDLIBS = -static -lm -lpthread
WIN_LIB_OBJ = $(LIB_SRC:src/%.c=$(WB)/%.o) $(WB)/models_embedded.o $(WB)/microbench_embedded.o
WIN_CLI_OBJ = $(CLI_OBJ:$(B)/%=$(WB)/%)
# test_runner checks the --kernel-id expression with POSIX <regex.h>, which
# Windows lacks; what it tests is the same code on both
WIN_TESTS = $(filter-out test_runner,$(TESTS))
WIN_STANDINS = $(WB)/stand-ins/ncu.exe $(WB)/stand-ins/app.exe $(WB)/stand-ins/nvml.dll $(WB)/stand-ins/echo_args.exe

.PHONY: windows check-windows dist-windows unit-windows cli-windows seed-windows cupti-layout-windows pm-windows

$(WB):
	mkdir -p $(WB)/stand-ins

$(WB)/%.o: src/%.c $(wildcard src/*.h) | $(WB)
	$(WIN_CC) $(WIN_CFLAGS) -c $< -o $@

# the embedded models and PTX: the same C files as the native build (its embed tool runs here)
$(WB)/models_embedded.o: $(B)/models_embedded.c | $(WB)
	$(WIN_CC) $(WIN_CFLAGS) -c $< -o $@

$(WB)/microbench_embedded.o: $(B)/microbench_embedded.c | $(WB)
	$(WIN_CC) $(WIN_CFLAGS) -Wno-missing-variable-declarations -c $< -o $@

$(WB)/libgp.a: $(WIN_LIB_OBJ)
	rm -f $@ && $(WIN_AR) rcs $@ $^

$(WB)/gpu_profiler.exe: $(WIN_CLI_OBJ) $(WB)/libgp.a
	$(WIN_CC) -o $@ $^ $(WIN_LDLIBS)

# the timeline tracer as a DLL, where CUPTI's and CUDA's headers are found
# (it loads CUPTI's DLL and the driver's at run time)
ifneq ($(and $(CUPTI_INC),$(wildcard $(CUDA_DIR)/include/cuda.h)),)
WIN_TRACER = $(WB)/gpu_profiler_trace.dll
$(WIN_TRACER): src/trace_inject.c src/trace_pm.c src/trace_pm.h src/cupti_packing.h | $(WB)
	$(WIN_CC) -std=c11 -D__USE_MINGW_ANSI_STDIO=1 -O2 -Wall -Wextra -shared -isystem $(CUPTI_INC) \
	    -isystem $(CUDA_DIR)/include -Isrc/cshim \
	    -o $@ src/trace_inject.c src/trace_pm.c -static -lpthread

# CUPTI's records laid out alike by both compilers (tests/win/cupti_layout.c)
cupti-layout-windows: | $(WB)
	$(CC) -std=c11 -Isrc -isystem $(CUPTI_INC) -o $(WB)/cupti_layout tests/win/cupti_layout.c
	$(WIN_CC) -std=c11 -D__USE_MINGW_ANSI_STDIO=1 -Isrc -isystem $(CUPTI_INC) -o $(WB)/cupti_layout.exe tests/win/cupti_layout.c
	@sh tests/win/cupti_layout.sh

# The PM sampler built for Windows (tests/test_trace_pm.c) under wine,
# loading the stand-in CUPTI (tests/fake_cupti_pm.c) and driver as DLLs
# from build-win/stand-ins: cupti64_fake.dll, cupti64_old.dll (no PM
# sampling API) and nvcuda.dll
WIN_PM_CFLAGS = -std=c11 -D__USE_MINGW_ANSI_STDIO=1 -O1 -Wall -Wextra -isystem $(CUPTI_INC) \
                -isystem $(CUDA_DIR)/include -Isrc/cshim -Isrc -Itests
WIN_PM_STANDINS = $(WB)/stand-ins/cupti64_fake.dll $(WB)/stand-ins/cupti64_old.dll $(WB)/stand-ins/nvcuda.dll
$(WB)/trace_pm_win.o: src/trace_pm.c src/trace_pm.h src/cupti_packing.h | $(WB)
	$(WIN_CC) $(WIN_PM_CFLAGS) -c $< -o $@
$(WB)/stand-ins/cupti64_fake.dll: tests/fake_cupti_pm.c tests/fake_cupti_pm.h | $(WB)
	$(WIN_CC) $(WIN_PM_CFLAGS) -DFAKE_PM_NO_DRIVER -shared -o $@ $< -static -lpthread
$(WB)/stand-ins/cupti64_old.dll: tests/fake_cupti_pm.c tests/fake_cupti_pm.h | $(WB)
	$(WIN_CC) $(WIN_PM_CFLAGS) -DFAKE_PM_NO_DRIVER -DFAKE_PM_NO_PM_SAMPLING -shared -o $@ $< -static -lpthread
$(WB)/stand-ins/nvcuda.dll: tests/fake_cupti_pm.c tests/fake_cupti_pm.h | $(WB)
	$(WIN_CC) $(WIN_PM_CFLAGS) -shared -o $@ $< -static -lpthread
$(WB)/test_trace_pm.exe: tests/test_trace_pm.c tests/testlib.h tests/fake_cupti_pm.h $(WB)/trace_pm_win.o $(WB)/libgp.a
	$(WIN_CC) $(WIN_CFLAGS) -Itests -o $@ $< $(WB)/trace_pm_win.o $(WB)/libgp.a $(WIN_LDLIBS)

pm-windows: $(WB)/test_trace_pm.exe $(WIN_PM_STANDINS)
	@sh tests/win/run_unit.sh test_trace_pm
else
cupti-layout-windows:
	@echo "note: no CUPTI headers: the Windows tracer is not built, its layout check not run"
pm-windows:
	@echo "note: no CUPTI or CUDA headers: the Windows PM sampler is not built, its test not run"
endif

windows: $(WB)/gpu_profiler.exe $(WIN_TRACER)

$(WB)/test_%.exe: tests/test_%.c tests/testlib.h $(WB)/libgp.a
	$(WIN_CC) $(WIN_CFLAGS) -Itests -DFIXTURES='"tests/fixtures"' -o $@ $< $(WB)/libgp.a $(WIN_LDLIBS)

# stand-ins for the CLI cases: ncu.exe as tests/fake_ncu.sh, app.exe as
# the cases' app.sh, nvml.dll as tests/fake_nvml.c, echo_args.exe for quoting
$(WB)/stand-ins/%.exe: tests/win/%.c $(WB)/libgp.a | $(WB)
	$(WIN_CC) $(WIN_CFLAGS) -o $@ $< $(WB)/libgp.a $(WIN_LDLIBS)

$(WB)/stand-ins/nvml.dll: tests/fake_nvml.c | $(WB)
	$(WIN_CC) -std=c11 -O1 -Wall -Wextra -shared -o $@ $< -static -lpthread

unit-windows: $(WIN_TESTS:%=$(WB)/%.exe) $(WB)/stand-ins/echo_args.exe
	@sh tests/win/run_unit.sh $(WIN_TESTS)

cli-windows: $(WB)/gpu_profiler.exe $(WIN_STANDINS) $(BIN)
	@sh tests/win/cli_windows.sh

seed-windows: $(WB)/gpu_profiler.exe $(WIN_STANDINS) $(WIN_TRACER) dist-windows
	@sh tests/win/seed_example.sh

# what the Windows tests need; where one is missing they are skipped with a
# line (a failure under GP_REQUIRE_ALL=1, which .ci/run sets)
WIN_MISSING = $(strip $(foreach t,$(WIN_CC) $(WINE) groff,$(if $(shell command -v $(t) 2>/dev/null),,$(t))))
ifeq ($(WIN_MISSING),)
check-windows: unit-windows cli-windows seed-windows cupti-layout-windows pm-windows
	@echo "make check-windows: all test programs passed under wine"
else
check-windows:
	@sh -c '. tests/prereq.sh; skip_tool "the Windows build'"'"'s tests" "$(WIN_MISSING)" \
	    "apt-get install gcc-mingw-w64-x86-64 wine64 groff-base, or run .ci/run"; tally_line 0 0'
endif

dist-windows: $(WB)/gpu_profiler.exe $(WIN_TRACER)
	@sh tools/dist_windows.sh $(VERSION)
