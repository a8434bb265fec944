/* echo_args.exe: prints each argument it was given as "arg[TEXT]", one a
 * line, to stdout and to the file ECHO_ARGS_LOG when set: how a Windows
 * program read the command line gpu_profiler made for it. */
#include "plat.h"

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    const char *log = getenv("ECHO_ARGS_LOG");
    FILE *f = NULL;
    int i;
    plat_init(&argc, &argv);
    if (log && *log)
        f = plat_fopen(log, "w");
    for (i = 1; i < argc; i++) {
        printf("arg[%s]\n", argv[i]);
        if (f)
            fprintf(f, "arg[%s]\n", argv[i]);
    }
    if (f)
        fclose(f);
    return 0;
}
