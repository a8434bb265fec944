/* app.exe for the CLI cases under wine: the cases' app.sh (made by
 * tests/cli.sh) as a Windows program. fail: exit 3; sleep: 30 s; nap:
 * 0.3 s; markers: prints the measure markers 0.3 s apart; trace: writes a
 * tracer file where GP_TRACE_FILE says, as the CUPTI tracer would. */
#include "plat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <windows.h>

static void trace(void)
{
    const char *prefix = getenv("GP_TRACE_FILE");
    char path[4200];
    FILE *f;
    if (!prefix || !*prefix)
        return;
    snprintf(path, sizeof path, "%s.%lu", prefix, (unsigned long)GetCurrentProcessId());
    if (!(f = plat_fopen(path, "w")))
        return;
    fputs("# gpu_profiler_trace 1\n# clock start cupti_ns 1000 monotonic_ns 1000\nK 2000 3000 0 _Z6kernelPf\n"
          "# clock end cupti_ns 5000 monotonic_ns 5000\n", f);
    fclose(f);
}

int main(int argc, char **argv)
{
    const char *what = argc > 1 ? argv[1] : "";
    plat_init(&argc, &argv);
    if (strcmp(what, "fail") == 0)
        return 3;
    if (strcmp(what, "sleep") == 0)
        plat_sleep_s(30);
    if (strcmp(what, "nap") == 0)
        plat_sleep_s(0.3);
    if (strcmp(what, "markers") == 0) {
        printf("hello\nGP_START\n");
        fflush(stdout);
        plat_sleep_s(0.3);
        printf("GP_STOP\n");
        fflush(stdout);
        plat_sleep_s(0.3);
    }
    if (strcmp(what, "trace") == 0)
        trace();
    return 0;
}
