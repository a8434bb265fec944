/* inputs: see inputs.h. */
#include "inputs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outfile.h"
#include "plat.h"
#include "report.h"
#include "runner.h"

void inputs_init(struct input_list *l)
{
    memset(l, 0, sizeof *l);
}

static int ends_with(const char *s, const char *end)
{
    size_t n = strlen(s), m = strlen(end);
    return n > m && strcmp(s + n - m, end) == 0;
}

static int push(struct input_list *l, const char *csv, const char *named)
{
    char *c, *n;
    if (l->n == l->cap) {
        size_t ncap = l->cap ? 2 * l->cap : 8;
        char **a = realloc(l->csv, ncap * sizeof *a), **b;
        if (!a)
            return INPUTS_ERR_NOMEM;
        l->csv = a;
        b = realloc(l->named, ncap * sizeof *b);
        if (!b)
            return INPUTS_ERR_NOMEM;
        l->named = b;
        l->cap = ncap;
    }
    c = strdup(csv);
    n = strdup(named);
    if (!c || !n) {
        free(c);
        free(n);
        return INPUTS_ERR_NOMEM;
    }
    l->csv[l->n] = c;
    l->named[l->n++] = n;
    return INPUTS_OK;
}

/* A report: exported once into the list's temporary folder. */
static int add_report(struct input_list *l, const char *rep, const char *ncu, char *err, size_t errlen)
{
    char ncu_path[512], why[1024], csv[1100];
    int rc;
    if (runner_find_ncu(ncu, ncu_path, sizeof ncu_path, why, sizeof why) != 0) {
        snprintf(err, errlen,
                 "%s is an Nsight Compute report: reading it needs ncu, which was not found (%s); where ncu is, "
                 "export it with 'ncu --import %s --csv --page raw > FILE.csv' and give that file", rep, why, rep);
        return INPUTS_ERR_NCU;
    }
    if (!l->tmpdir[0]) {
        snprintf(l->tmpdir, sizeof l->tmpdir, "%s/gpu_profiler_import.XXXXXX", plat_temp_root());
        if (!plat_make_temp_dir(l->tmpdir)) {
            snprintf(err, errlen, "%s: cannot make a temporary folder for its export: %s", rep, strerror(errno));
            l->tmpdir[0] = '\0';
            return INPUTS_ERR_IO;
        }
    }
    snprintf(csv, sizeof csv, "%s/%zu.csv", l->tmpdir, l->n);
    rc = runner_export(ncu_path, rep, csv, 1, why, sizeof why);
    if (rc != RUNNER_OK) {
        snprintf(err, errlen, "%s: %s", rep, why);
        return INPUTS_ERR_NCU;
    }
    return push(l, csv, rep);
}

/* Whether path names a file already in the list (by its identity: -c d
 * -c d/a.csv, a link, the same -c twice); else remembers it. */
static int named_before(struct input_list *l, const char *path)
{
    unsigned long long id[2];
    size_t j, mask;
    if (strcmp(path, "-") == 0 || plat_file_id(path, id) != 0 || (id[0] == 0 && id[1] == 0))
        return 0; /* stdin, or no identity to go by: read it, and let the reader say what it is */
    if (2 * (l->nids + 1) > l->ids_cap) {
        size_t ncap = l->ids_cap ? 2 * l->ids_cap : 64, i;
        unsigned long long (*n)[2] = calloc(ncap, sizeof *n);
        if (!n)
            return 0;
        for (i = 0; i < l->ids_cap; i++)
            if (l->ids[i][0] || l->ids[i][1]) {
                for (j = (size_t)((l->ids[i][0] * 31 + l->ids[i][1]) * 0x9e3779b97f4a7c15ull) & (ncap - 1);
                     n[j][0] || n[j][1]; j = (j + 1) & (ncap - 1))
                    ;
                n[j][0] = l->ids[i][0];
                n[j][1] = l->ids[i][1];
            }
        free(l->ids);
        l->ids = n;
        l->ids_cap = ncap;
    }
    mask = l->ids_cap - 1;
    for (j = (size_t)((id[0] * 31 + id[1]) * 0x9e3779b97f4a7c15ull) & mask; l->ids[j][0] || l->ids[j][1];
         j = (j + 1) & mask)
        if (l->ids[j][0] == id[0] && l->ids[j][1] == id[1])
            return 1;
    l->ids[j][0] = id[0];
    l->ids[j][1] = id[1];
    l->nids++;
    return 0;
}

static int add_file(struct input_list *l, const char *path, const char *ncu, char *err, size_t errlen)
{
    if (named_before(l, path)) {
        if (!l->twice++)
            snprintf(l->first_twice, sizeof l->first_twice, "%.255s", path);
        return INPUTS_OK;
    }
    if (ends_with(path, ".ncu-rep"))
        return add_report(l, path, ncu, err, errlen);
    return push(l, path, path);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Whether name (a report) has a CSV of the same base name among the sorted
 * names that is read (read[i]: not left out), found by binary search. */
static int has_read_twin(char **names, size_t n, const unsigned char *read, const char *name)
{
    char twin[4096], *key = twin, **hit;
    size_t base = strlen(name) - strlen(".ncu-rep");
    if (base + 5 > sizeof twin)
        return 0;
    memcpy(twin, name, base);
    memcpy(twin + base, ".csv", 5);
    hit = bsearch(&key, names, n, sizeof *names, cmp_str);
    return hit && read[hit - names];
}

static int list_folder(const char *dir, char ***out, size_t *nout, char *err, size_t errlen)
{
    struct plat_dir *d = plat_dir_open(dir);
    const char *name;
    char **names = NULL;
    size_t n = 0, cap = 0;
    if (!d) {
        snprintf(err, errlen, "%s: %s", dir, strerror(errno));
        return INPUTS_ERR_IO;
    }
    while ((name = plat_dir_next(d)) != NULL) {
        if (name[0] == '.' || !(ends_with(name, ".csv") || ends_with(name, ".ncu-rep")))
            continue;
        if (n == cap) {
            char **nn = realloc(names, (cap = cap ? 2 * cap : 16) * sizeof *nn);
            if (!nn)
                goto nomem;
            names = nn;
        }
        if (!(names[n] = strdup(name)))
            goto nomem;
        n++;
    }
    plat_dir_close(d);
    if (n > 1) /* qsort wants a real pointer, even for nothing to sort */
        qsort(names, n, sizeof *names, cmp_str);
    *out = names;
    *nout = n;
    return INPUTS_OK;
nomem:
    plat_dir_close(d);
    while (n)
        free(names[--n]);
    free(names);
    return INPUTS_ERR_NOMEM;
}

/* Which of a folder's files are read: regular files only (a FIFO named
 * *.csv would block the tool), not gpu_profiler's own outputs, and a
 * report only where no CSV of its name is read (the same profile). */
static void choose_in_folder(struct input_list *l, const char *dir, char **names, size_t n, unsigned char *read)
{
    char path[4096];
    size_t i;
    for (i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s%s%s", dir, *dir && plat_is_sep(dir[strlen(dir) - 1]) ? "" : "/", names[i]);
        read[i] = plat_kind(path) == PLAT_FILE;
        if (!read[i] && !l->not_files++)
            snprintf(l->first_not_file, sizeof l->first_not_file, "%.255s", path);
        if (read[i] && ends_with(names[i], ".csv") && outfile_is_ours(path, REPORT_CSV_SIGNATURE)) {
            read[i] = 0;
            l->skipped++;
        }
    }
    for (i = 0; i < n; i++)
        if (read[i] && ends_with(names[i], ".ncu-rep") && has_read_twin(names, n, read, names[i])) {
            read[i] = 0;
            l->skipped++;
        }
}

static int add_folder(struct input_list *l, const char *dir, const char *ncu, char *err, size_t errlen)
{
    char **names = NULL, path[4096];
    unsigned char *read = NULL;
    size_t n = 0, i, before = l->n;
    int rc = list_folder(dir, &names, &n, err, errlen);
    if (rc == INPUTS_OK && n && !(read = malloc(n)))
        rc = INPUTS_ERR_NOMEM;
    if (rc == INPUTS_OK)
        choose_in_folder(l, dir, names, n, read);
    for (i = 0; rc == INPUTS_OK && i < n; i++) {
        snprintf(path, sizeof path, "%s%s%s", dir, *dir && plat_is_sep(dir[strlen(dir) - 1]) ? "" : "/", names[i]);
        if (read[i])
            rc = add_file(l, path, ncu, err, errlen);
    }
    for (i = 0; i < n; i++)
        free(names[i]);
    free(names);
    free(read);
    if (rc == INPUTS_OK && l->n == before && !l->twice) {
        snprintf(err, errlen, "%s: a folder without ncu CSV files or reports (*.csv, *.ncu-rep)", dir);
        rc = INPUTS_ERR_IO;
    }
    return rc;
}

int inputs_add(struct input_list *l, const char *arg, const char *ncu, char *err, size_t errlen)
{
    if (strcmp(arg, "-") != 0 && plat_kind(arg) == PLAT_DIR)
        return add_folder(l, arg, ncu, err, errlen);
    return add_file(l, arg, ncu, err, errlen);
}

void inputs_free(struct input_list *l)
{
    size_t i;
    if (!l)
        return;
    for (i = 0; i < l->n; i++) {
        if (l->tmpdir[0] && strncmp(l->csv[i], l->tmpdir, strlen(l->tmpdir)) == 0)
            plat_remove(l->csv[i]);
        free(l->csv[i]);
        free(l->named[i]);
    }
    if (l->tmpdir[0])
        plat_remove_dir(l->tmpdir);
    free(l->csv);
    free(l->named);
    free(l->ids);
    memset(l, 0, sizeof *l);
}
