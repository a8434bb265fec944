/* ncu.exe for the CLI cases under wine: behaves as tests/fake_ncu.sh does
 * on Linux. Profiling runs the application (through the tool's own
 * plat_child, so its arguments are quoted the way gpu_profiler quotes them
 * for ncu) and writes a placeholder report; --import prints the raw fixture
 * named by FAKE_NCU_CSV. FAKE_NCU_MODE=noreport writes no report,
 * FAKE_NCU_MODE=nccl starts profiling an NCCL kernel first. Every option
 * and application argument goes to FAKE_NCU_LOG, as the script logs them. */
#include "plat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void log_line(const char *a, const char *b)
{
    const char *path = getenv("FAKE_NCU_LOG");
    FILE *f;
    if (!path || !*path || !(f = plat_fopen(path, "a")))
        return;
    fprintf(f, "%s%s%s\n", a, b ? " " : "", b ? b : "");
    fclose(f);
}

static int import(void)
{
    const char *csv = getenv("FAKE_NCU_CSV"), *delay = getenv("FAKE_NCU_IMPORT_DELAY");
    char buf[65536];
    size_t n;
    FILE *f;
    log_line("import", NULL);
    if (delay && *delay)
        plat_sleep_s(atof(delay));
    if (!csv || !(f = plat_fopen(csv, "r")))
        return 1;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        fwrite(buf, 1, n, stdout);
    fclose(f);
    return 0;
}

static int takes_value(const char *opt)
{
    static const char *const with[] = { "--clock-control", "--target-processes", "--metrics", "--launch-skip",
                                        "--launch-count", "--nvtx-include", "-k", "--replay-mode", "--kernel-id" };
    size_t i;
    for (i = 0; i < sizeof with / sizeof with[0]; i++)
        if (strcmp(opt, with[i]) == 0)
            return 1;
    return 0;
}

static void finish(const char *report)
{
    char path[4096];
    FILE *f;
    const char *mode = getenv("FAKE_NCU_MODE");
    if (mode && strcmp(mode, "noreport") == 0) {
        fprintf(stderr, "==ERROR== ERR_NVGPUCTRPERM - The user does not have permission to access NVIDIA GPU "
                        "Performance Counters\n");
        return;
    }
    snprintf(path, sizeof path, "%s.ncu-rep", report);
    if ((f = plat_fopen(path, "w")) != NULL) {
        fputs("fake\n", f);
        fclose(f);
    }
}

int main(int argc, char **argv)
{
    const char *report = "report", *mode = getenv("FAKE_NCU_MODE");
    struct plat_child c;
    struct plat_exit e;
    char line[4200];
    int i = 1, k;
    plat_init(&argc, &argv);
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--import") == 0)
            return import();
        if (strcmp(argv[i], "--export") == 0 && i + 1 < argc) {
            report = argv[++i];
        } else if (takes_value(argv[i]) && i + 1 < argc) {
            log_line(argv[i], argv[i + 1]);
            i++;
        } else if (strcmp(argv[i], "--nvtx") == 0) {
            log_line(argv[i], NULL);
        } else if (strcmp(argv[i], "--force-overwrite") != 0) {
            fprintf(stderr, "fake ncu: unexpected option %s\n", argv[i]);
            return 9;
        }
    }
    for (k = i; k < argc; k++) {
        snprintf(line, sizeof line, "arg[%s]", argv[k]);
        log_line(line, NULL);
    }
    printf("==PROF== Connected to process 1 (fake)\n");
    if (mode && strcmp(mode, "nccl") == 0)
        printf("==PROF== Profiling \"ncclDevKernel_AllReduce_Sum_f...\" - 0 (1/3000): 0%%...");
    fflush(stdout);
    memset(&c, 0, sizeof c);
    if (i >= argc || plat_child_start(&c, argv + i) != 0) {
        fprintf(stderr, "fake ncu: cannot start the application\n");
        return 9;
    }
    e = plat_child_finish(&c);
    for (k = 0; k < 4; k++)
        printf("==PROF== Profiling \"fake_k\" - %d: 0%%....50%%....100%% - 4 passes\n", k);
    finish(report);
    return e.signal ? 128 + e.signal : e.code;
}
