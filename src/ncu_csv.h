/* ncu_csv: reads the CSV that Nsight Compute exports, either page, any units,
 * in one streaming pass, and hands over one kernel record at a time with the
 * metrics of the feature table (features.h) in base units.
 *
 * details page: one row per (kernel, metric): Section Name, Metric Name,
 *   Metric Unit, Metric Value; rule rows have an empty Metric Name.
 * raw page: one row per kernel, metric names in the header, their units in
 *   the second row.
 * Lines that are not part of the table (==PROF== lines, the application's own
 * output when ncu printed to stdout) are skipped and counted. */
#ifndef GPU_PROFILER_NCU_CSV_H
#define GPU_PROFILER_NCU_CSV_H

#include <stddef.h>

#include "feature_table.h"

enum ncu_page { NCU_PAGE_UNKNOWN = 0, NCU_PAGE_DETAILS, NCU_PAGE_RAW };

/* One kernel launch. Strings are borrowed: valid only during the callback.
 * Absent numbers: have[m] == 0 for metrics; -1 for id fields; cc 0. */
struct ncu_kernel {
    long long id;    /* ncu's result ID (64 bits: long is 32 on Windows) */
    long long pid;
    long long device;
    long long context;
    long long stream;
    double cc;       /* compute capability, 9.0 for Hopper */
    const char *name;
    const char *process;
    const char *gpu_name; /* device__attribute_display_name, "" if absent */
    const char *host;     /* Host Name, "" if absent */
    long long pci;        /* the GPU's PCI address, (domain * 256 + bus) * 32 + device
                           * (device__attribute_pci_domain_id, _bus_id, _device_id), -1 if absent: what tells GPUs apart where every
                           * process sees its own as device 0 (CUDA_VISIBLE_DEVICES) */
    int details;          /* read from a details page (else a raw page) */
    unsigned sections;    /* details page: NCU_SEC_* bits of the sections its rows name */
    unsigned rules;       /* details page: NCU_RULE_* bits of the rules read (ncu_rules.h) */
    unsigned rules_not_understood; /* NCU_RULE_* bits of rules whose text was not understood */
    double value[M_COUNT];
    unsigned char have[M_COUNT];
    unsigned long line; /* where the kernel's first row starts */
};

/* The sections of the details page that tell which section set made it. */
enum {
    NCU_SEC_SOL = 1u << 0,        /* GPU Speed Of Light Throughput */
    NCU_SEC_LAUNCH = 1u << 1,     /* Launch Statistics */
    NCU_SEC_OCCUPANCY = 1u << 2,  /* Occupancy */
    NCU_SEC_WORKLOAD = 1u << 3,   /* GPU and Memory Workload Distribution */
    NCU_SEC_COMPUTE = 1u << 4,    /* Compute Workload Analysis */
    NCU_SEC_MEMORY = 1u << 5,     /* Memory Workload Analysis */
    NCU_SEC_SOURCE = 1u << 6,     /* Source Counters */
    NCU_SEC_INSTRUCTION = 1u << 7,/* Instruction Statistics */
    NCU_SEC_SCHEDULER = 1u << 8,  /* Scheduler Statistics */
    NCU_SEC_WARP_STATE = 1u << 9, /* Warp State Statistics */
    NCU_SEC_OTHER = 1u << 10,     /* any other */
};
/* Writes what kind of export a kernel came from, such as "details page of
 * ncu --set full" or "details page with only Launch Statistics". */
void ncu_describe_export(const struct ncu_kernel *k, char *buf, size_t len);

/* A nonzero return stops reading and is returned by ncu_reader_feed/finish. */
typedef int (*ncu_kernel_fn)(void *ctx, const struct ncu_kernel *k);

struct ncu_stats {
    enum ncu_page page;
    unsigned long lines_skipped;   /* not part of the table */
    unsigned long rows;            /* table rows read */
    unsigned long kernels;         /* records handed over */
    unsigned long tables;          /* headers seen (exports joined together) */
    char first_error[256];         /* first ==ERROR== line ncu printed, if any */
    unsigned long kernel_like;     /* of lines_skipped, unquoted ones shaped like kernel rows (the page's
                                      field count and a kernel ID) below ncu's quoted header */
    unsigned long kernel_like_line; /* the first of them */
};

struct ncu_reader;

struct ncu_reader *ncu_reader_new(ncu_kernel_fn on_kernel, void *ctx);
void ncu_reader_free(struct ncu_reader *r); /* NULL is a no-op */

/* Return 0, the callback's nonzero value, or NCU_ERR (message in
 * ncu_reader_error, which starts with "line N: " where a line is known). */
enum { NCU_ERR = -1 };
int ncu_reader_feed(struct ncu_reader *r, const char *buf, size_t len);
int ncu_reader_finish(struct ncu_reader *r);
const char *ncu_reader_error(const struct ncu_reader *r);
const struct ncu_stats *ncu_reader_stats(const struct ncu_reader *r);

#endif
