/* cmd_measure: the command line of 'gpu_profiler measure' (measure.h does
 * the work) and its report. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "plat.h"
#include "measure.h"
#include "report_format.h"

static void print_measure_help(void)
{
    printf("Usage: gpu_profiler measure [OPTIONS] -a APP [-s ARG]... [-- ARGS...]\n"
           "       gpu_profiler measure [OPTIONS] -- APP [ARGS...]\n"
           "\n"
           "Runs APP without ncu while NVML is sampled and prints the power it really drew: average\n"
           "and energy from the GPU's energy counter over the run, min and peak from the instant\n"
           "power polled every 5 ms, and the idle power just before. APP's output passes through.\n"
           "The figures cover the whole run (start-up and idle gaps included) unless APP prints\n"
           "marker lines: then only the time between them.\n"
           "\n"
           "  -a, --app APP            the application; -s ARG (repeatable) or -- ARGS for its arguments\n"
           "      --device LIST        the GPUs to measure: NVML indices or GPU UUIDs separated by commas, or\n"
           "                           'all' (default: those in CUDA_VISIBLE_DEVICES when it is set, else all).\n"
           "                           With several GPUs each is shown, then their sum; the sum's min and\n"
           "                           peak are those of the GPUs' power added up at the same moments\n"
           "      --start-marker LINE  start the window when APP prints this exact line on stdout\n"
           "      --stop-marker LINE   end it when APP prints this line (default: when APP exits)\n"
           "      --idle S             seconds of idle measured first (default 1)\n"
           "      --json               one JSON document instead of the text\n"
           "      --timeline FILE      also record when every kernel, copy and memset ran (CUPTI, through\n"
           "                           the tracer gpu_profiler_trace.so loaded into APP's processes by the\n"
           "                           driver) and write it with the window to FILE; then\n"
           "                           'gpu_profiler -c CSV --timeline FILE' estimates over that run,\n"
           "                           gaps included\n"
           "      --sampled[=MS]       with --timeline, also the GPU's counters sampled every MS milliseconds\n"
           "                           (default 10) as APP runs (CUPTI PM sampling, device-wide, no replay);\n"
           "                           'gpu_profiler --timeline FILE' then estimates from them alone\n"
           "      --force              replace a FILE that gpu_profiler did not write\n"
           "  -h, --help               this text\n"
           "Exit status: 0 ok, 2 usage, 6 APP not found, 7 the timeline could not be written, 8 no NVML\n"
           "or no power reading, or no tracer for --timeline, 9 APP failed (non-zero status or a signal;\n"
           "what was measured is still printed), 10 the --start-marker line never came.\n");
}

static void json_num(const char *key, double v, int last)
{
    if (isnan(v))
        printf("  \"%s\": null%s\n", key, last ? "" : ",");
    else
        printf("  \"%s\": %.6g%s\n", key, v, last ? "" : ",");
}

static void fmt_watts(char *buf, size_t n, double w)
{
    if (isnan(w))
        snprintf(buf, n, "n/a");
    else
        snprintf(buf, n, "%.1f W", w);
}

enum { O_DEVICE = 256, O_START, O_STOP, O_IDLE, O_JSON, O_TIMELINE, O_FORCE, O_SAMPLED };

static const struct option measure_longopts[] = {
    { "timeline", required_argument, NULL, O_TIMELINE }, { "force", no_argument, NULL, O_FORCE },
    { "sampled", optional_argument, NULL, O_SAMPLED },
    { "app", required_argument, NULL, 'a' },        { "arg", required_argument, NULL, 's' },
    { "device", required_argument, NULL, O_DEVICE }, { "start-marker", required_argument, NULL, O_START },
    { "stop-marker", required_argument, NULL, O_STOP }, { "idle", required_argument, NULL, O_IDLE },
    { "json", no_argument, NULL, O_JSON },          { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
};

/* One option into o. Returns -1 when taken, else the exit status. */
static int measure_option(int c, struct measure_opts *o, char **args, size_t *nargs, int *json, char **argv)
{
    char err[1024];
    switch (c) {
    case 'a': o->app = optarg; return -1;
    case 's': args[(*nargs)++] = optarg; return -1;
    case O_DEVICE: {
        char ids[MEASURE_MAX_GPUS][48];
        if (strcmp(optarg, "all") != 0 && measure_pick_gpus(optarg, ids, MEASURE_MAX_GPUS, err, sizeof err) < 0) {
            cli_usage_error("%s", err);
            return EXIT_USAGE;
        }
        o->devices = optarg;
        return -1;
    }
    case O_START: o->start_marker = optarg; return -1;
    case O_STOP: o->stop_marker = optarg; return -1;
    case O_IDLE: return cli_parse_positive("--idle", optarg, 0, 60, &o->idle_s) != 0 ? EXIT_USAGE : -1;
    case O_JSON: *json = 1; return -1;
    case O_TIMELINE: o->timeline_out = optarg; return -1;
    case O_FORCE: o->force = 1; return -1;
    case O_SAMPLED: return cli_parse_sampled(optarg, 10.0, &o->pm_interval_ns) != 0 ? EXIT_USAGE : -1;
    case 'h': print_measure_help(); return EXIT_OK;
    case ':': cli_usage_error("measure: option '%s' needs a value", argv[optind - 1]); return EXIT_USAGE;
    default: cli_unknown_option("measure", argv[optind - 1], measure_longopts); return EXIT_USAGE;
    }
}

/* The command line into o (args holds the application's arguments).
 * Returns -1 to go on, else the exit status. */
static int measure_parse(int argc, char **argv, struct measure_opts *o, char **args, int *json)
{
    size_t nargs = 0;
    int c, rc;
    memset(o, 0, sizeof *o);
    o->idle_s = 1.0;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "+:a:s:h", measure_longopts, NULL)) != -1)
        if ((rc = measure_option(c, o, args, &nargs, json, argv)) >= 0)
            return rc;
    if (!o->app && optind < argc)
        o->app = argv[optind++];
    while (optind < argc)
        args[nargs++] = argv[optind++];
    if (!o->app) {
        cli_usage_error("measure needs an application: -a APP or -- APP ARGS");
        return EXIT_USAGE;
    }
    if (o->stop_marker && !o->start_marker) {
        cli_usage_error("--stop-marker needs --start-marker");
        return EXIT_USAGE;
    }
    if (o->pm_interval_ns && !o->timeline_out) {
        cli_usage_error("--sampled writes its samples into the timeline: add --timeline FILE");
        return EXIT_USAGE;
    }
    o->args = args;
    o->nargs = nargs;
    return -1;
}

/* A number, or null for an absent one (NAN). */
static void put_num(double v)
{
    if (isnan(v))
        printf("null");
    else
        printf("%.6g", v);
}

/* "power_w": {"min": .., "avg": .., "peak": ..}, the estimate's names */
static void put_power(double min_w, double avg_w, double peak_w)
{
    printf("\"power_w\": {\"min\": ");
    put_num(min_w);
    printf(", \"avg\": ");
    put_num(avg_w);
    printf(", \"peak\": ");
    put_num(peak_w);
    printf("}");
}

static void measure_print_json(const struct measure_opts *o, const struct measure_result *r)
{
    size_t g;
    char host[256];
    if (plat_hostname(host, sizeof host) != 0)
        host[0] = '\0';
    printf("{\n  \"schema_version\": %d,\n  \"host\": ", REPORT_JSON_SCHEMA_VERSION);
    report_json_string(stdout, host);
    printf(",\n  \"gpu\": ");
    report_json_string(stdout, r->gpu);
    printf(",\n  \"window\": \"%s\",\n",
           r->from_markers ? "markers" : o->start_marker ? "start marker to exit" : "whole run");
    json_num("duration_s", r->duration_s, 0);
    json_num("energy_j", r->energy_j, 0);
    printf("  ");
    put_power(r->min_w, r->avg_w, r->peak_w);
    printf(",\n");
    json_num("idle_w", r->idle_w, 0);
    json_num("sm_clock_mhz", r->sm_clock_mhz, 0);
    printf("  \"samples\": %zu,\n  \"gpus\": [", r->samples);
    for (g = 0; g < r->ngpus; g++) {
        const struct measure_gpu *mg = &r->gpus[g];
        printf("%s\n    {\"id\": ", g ? "," : "");
        report_json_string(stdout, mg->id);
        printf(", \"name\": ");
        report_json_string(stdout, mg->name);
        printf(", \"energy_j\": ");
        put_num(mg->energy_j);
        printf(", ");
        put_power(mg->min_w, mg->avg_w, mg->peak_w);
        printf(", \"idle_w\": ");
        put_num(mg->idle_w);
        printf(", \"samples\": %zu}", mg->samples);
    }
    printf("\n  ],\n  \"timeline\": ");
    if (r->timeline_written)
        report_json_string(stdout, o->timeline_out);
    else
        printf("null");
    printf(",\n  \"exit_status\": %d\n}\n", r->app_exit.signal ? -1 : r->app_exit.code);
}

static void measure_print_text(const struct measure_opts *o, const struct measure_result *r)
{
    char mn[32], pk[32];
    const char *window = r->from_markers ? "between the markers" : o->start_marker ? "start marker to exit"
                                                                                   : "whole run";
    size_t g;
    printf("measured on %s (NVML: energy counter%s; instant power every 5 ms, %zu samples)\n", r->gpu,
           r->ngpus > 1 ? "s" : "", r->samples);
    for (g = 0; r->ngpus > 1 && g < r->ngpus; g++) {
        const struct measure_gpu *mg = &r->gpus[g];
        fmt_watts(mn, sizeof mn, mg->min_w);
        fmt_watts(pk, sizeof pk, mg->peak_w);
        printf("  GPU %s (%s):  min %s  avg %.1f W  peak %s  energy %.3f J; idle before %.1f W\n", mg->id,
               mg->name, mn, mg->avg_w, pk, mg->energy_j, mg->idle_w);
    }
    fmt_watts(mn, sizeof mn, r->min_w);
    fmt_watts(pk, sizeof pk, r->peak_w);
    printf("measured%s:  min %s  avg %.1f W  peak %s  energy %.3f J over %.3f s (%s); idle before %.1f W\n",
           r->ngpus > 1 ? ", all together" : "", mn, r->avg_w, pk, r->energy_j, r->duration_s, window, r->idle_w);
    if (r->timeline_written)
        printf("timeline: %s (gpu_profiler -c CSV --timeline %s estimates over it)\n", o->timeline_out,
               o->timeline_out);
}

int cmd_measure(int argc, char **argv)
{
    struct measure_opts o;
    static struct measure_result r;
    char **args = calloc((size_t)argc + 1, sizeof *args), err[1024];
    int json = 0, rc;
    if (!args) {
        fprintf(stderr, "%s: out of memory\n", cli_prog);
        return EXIT_INTERNAL;
    }
    if ((rc = measure_parse(argc, argv, &o, args, &json)) >= 0) {
        free(args);
        return rc;
    }
    o.output_to_stderr = json;
    rc = measure_run(&o, &r, err, sizeof err);
    free(args);
    if (rc != MEASURE_OK) {
        fprintf(stderr, "%s measure: %s\n", cli_prog, err);
        return rc == MEASURE_NO_APP ? EXIT_APP : rc == MEASURE_OUTPUT ? EXIT_OUTPUT
                                                 : rc == MEASURE_NO_MARKER ? EXIT_NO_MARKER : EXIT_GPU;
    }
    if (r.app_exit.signal)
        fprintf(stderr, "%s measure: %s ended by signal %d\n", cli_prog, o.app, r.app_exit.signal);
    else if (r.app_exit.code != 0)
        fprintf(stderr, "%s measure: %s exited with status %d\n", cli_prog, o.app, r.app_exit.code);
    if (r.implausible[0]) {
        fprintf(stderr, "%s measure: NVML gave figures no GPU draws (%s): the driver's counters are wrong, not "
                        "the power; nothing printed (update the driver, or measure again)\n", cli_prog, r.implausible);
        return plat_exit_failed(r.app_exit) ? EXIT_APP_FAILED : EXIT_GPU;
    }
    if (json)
        measure_print_json(&o, &r);
    else
        measure_print_text(&o, &r);
    /* what was measured is printed; the status says the application failed */
    return plat_exit_failed(r.app_exit) ? EXIT_APP_FAILED : EXIT_OK;
}
