/* inputs: what -c names, as the list of CSV files the estimate reads. A file
 * is read as it is ("-" is stdin); a folder gives its *.csv and *.ncu-rep
 * files in name order (a report beside a CSV of the same name is the same
 * profile: the CSV is read); a report (*.ncu-rep) is exported to a temporary
 * CSV through ncu --import, which inputs_free removes. Several files are one
 * job: processes, GPUs or nodes of it (estimate_add_file). */
#ifndef GPU_PROFILER_INPUTS_H
#define GPU_PROFILER_INPUTS_H

#include <stddef.h>

struct input_list {
    char **csv;        /* what to read, n of them (owned) */
    char **named;      /* what the user named for each: the report, or the file in a folder (owned) */
    size_t n, cap;
    size_t skipped;    /* a folder's reports left out for the CSV read beside them, its gpu_profiler outputs */
    size_t not_files;  /* a folder's FIFOs, devices and sub-folders named *.csv: never opened */
    size_t twice;      /* files named again (-c d -c d/a.csv, a link, the same -c twice): read once */
    char first_not_file[256], first_twice[256]; /* the first of each, for the note */
    unsigned long long (*ids)[2]; /* the identity of each file read (plat_file_id), a hash set */
    size_t nids, ids_cap;
    char tmpdir[512];  /* the reports' exports, "" when none */
};

enum { INPUTS_OK = 0, INPUTS_ERR_IO, INPUTS_ERR_NCU, INPUTS_ERR_NOMEM };

void inputs_init(struct input_list *l);
/* Adds what one -c names; ncu (NULL: search as -a does) exports reports.
 * Returns INPUTS_*, with err naming the file. */
int inputs_add(struct input_list *l, const char *arg, const char *ncu, char *err, size_t errlen);
/* Frees the list and removes the temporary exports. NULL is a no-op. */
void inputs_free(struct input_list *l);

#endif
