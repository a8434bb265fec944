/* ncu_csv: Nsight Compute CSV reader; see ncu_csv.h. */
#include "ncu_csv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "encoding.h"
#include "ncu_rules.h"
#include "units.h"

#define GPU_NAME_METRIC "device__attribute_display_name"

enum col {
    C_ID, C_PID, C_PNAME, C_KNAME, C_CTX, C_STREAM, C_DEVICE, C_CC,
    C_SECTION, C_METRIC, C_UNIT, C_VALUE, C_GPU, C_HOST, C_PCI_BUS, C_PCI_DOMAIN, C_PCI_DEVICE,
    C_RULE, C_RULE_TEXT, /* rule rows only: metric rows end before them */
    C_NCOLS
};
static const char *const col_names[C_NCOLS] = {
    "ID", "Process ID", "Process Name", "Kernel Name", "Context", "Stream", "Device", "CC",
    "Section Name", "Metric Name", "Metric Unit", "Metric Value", GPU_NAME_METRIC, "Host Name",
    "device__attribute_pci_bus_id", "device__attribute_pci_domain_id", "device__attribute_pci_device_id",
    "Rule Name", "Rule Description",
};

static const struct { const char *name; unsigned bit; } section_bits[] = {
    { "GPU Speed Of Light Throughput", NCU_SEC_SOL }, { "Launch Statistics", NCU_SEC_LAUNCH },
    { "Occupancy", NCU_SEC_OCCUPANCY }, { "GPU and Memory Workload Distribution", NCU_SEC_WORKLOAD },
    { "Compute Workload Analysis", NCU_SEC_COMPUTE }, { "Memory Workload Analysis", NCU_SEC_MEMORY },
    { "Source Counters", NCU_SEC_SOURCE }, { "Instruction Statistics", NCU_SEC_INSTRUCTION },
    { "Scheduler Statistics", NCU_SEC_SCHEDULER }, { "Warp State Statistics", NCU_SEC_WARP_STATE },
};

static unsigned section_bit(const char *name)
{
    size_t i;
    for (i = 0; i < sizeof section_bits / sizeof section_bits[0]; i++)
        if (strcmp(section_bits[i].name, name) == 0)
            return section_bits[i].bit;
    return NCU_SEC_OTHER;
}

void ncu_describe_export(const struct ncu_kernel *k, char *buf, size_t len)
{
    unsigned s = k->sections;
    size_t i, off = 0, n = 0;
    if (!k->details) {
        snprintf(buf, len, "raw page");
        return;
    }
    if (s & (NCU_SEC_INSTRUCTION | NCU_SEC_SCHEDULER | NCU_SEC_WARP_STATE)) {
        snprintf(buf, len, "details page of ncu --set full");
        return;
    }
    if ((s & NCU_SEC_SOL) && (s & (NCU_SEC_COMPUTE | NCU_SEC_MEMORY))) {
        snprintf(buf, len, "details page of ncu --set detailed");
        return;
    }
    if ((s & NCU_SEC_SOL) && (s & NCU_SEC_OCCUPANCY)) {
        snprintf(buf, len, "details page of ncu's default set");
        return;
    }
    /* a section set of its own: name what it has */
    for (i = 0; i < sizeof section_bits / sizeof section_bits[0]; i++)
        if (s & section_bits[i].bit)
            n++;
    off = (size_t)snprintf(buf, len, "details page with %s", n == 1 && !(s & NCU_SEC_OTHER) ? "only " : "");
    for (i = 0, n = 0; i < sizeof section_bits / sizeof section_bits[0] && off < len; i++)
        if (s & section_bits[i].bit)
            off += (size_t)snprintf(buf + off, len - off, "%s%s", n++ ? ", " : "", section_bits[i].name);
    if (n == 0 && !(s & NCU_SEC_OTHER) && off < len)
        snprintf(buf + off, len - off, "no section ncu's section sets print");
    else if ((s & NCU_SEC_OTHER) && off < len)
        snprintf(buf + off, len - off, "%sother sections", n ? ", " : "");
}

struct owned_str { char *s; size_t cap; };

struct ncu_reader {
    struct csv_parser *csv;
    struct enc_decoder enc;          /* a byte-order mark, UTF-16 (Windows PowerShell's '>') */
    ncu_kernel_fn on_kernel;
    void *ctx;
    struct ncu_stats stats;
    int rc;                 /* sticky: first error or callback value */
    char err[512];

    int have_header;
    unsigned long header_line;
    size_t ncols;
    size_t min_fields;  /* details rows stop after the last non-empty field */
    long col[C_NCOLS];
    long metric_col[M_COUNT];        /* raw page: column of each metric */
    double metric_scale[M_COUNT];    /* raw page: from the units row */
    int expect_units;                /* raw page: next row is the units row */
    int header_unquoted;             /* saved again by a program that quotes only where it must */

    unsigned char head[512];         /* the input's first bytes */
    size_t head_len;
    int cur_valid;                   /* details page: kernel being gathered */
    struct ncu_kernel cur;
    struct owned_str name, process, gpu, host;
    long long last_id;
};

static int set_err(struct ncu_reader *r, unsigned long line, const char *fmt, ...)
{
    va_list ap;
    int n = 0;
    if (line)
        n = snprintf(r->err, sizeof r->err, "line %lu: ", line);
    va_start(ap, fmt);
    vsnprintf(r->err + n, sizeof r->err - (size_t)n, fmt, ap);
    va_end(ap);
    r->rc = NCU_ERR;
    return NCU_ERR;
}

static int own(struct ncu_reader *r, struct owned_str *o, const char *s)
{
    size_t n = strlen(s) + 1;
    if (n > o->cap) {
        char *ns = realloc(o->s, n);
        if (!ns)
            return set_err(r, 0, "out of memory");
        o->s = ns;
        o->cap = n;
    }
    memcpy(o->s, s, n);
    return 0;
}

/* The length of a zero fraction (".0", ".00"...) at p, else 0: pandas
 * writes an integer column that has a gap (the raw page's units row) as
 * floats, 3.0. */
static size_t zero_fraction(const char *p)
{
    size_t z = p[0] == '.' ? strspn(p + 1, "0") : 0;
    return z > 0 ? 1 + z : 0;
}

/* Shortens a field for an error message without cutting a UTF-8 sequence
 * mid-way mattering: the message is for people, the byte count is bounded. */
static const char *clip(const char *s, char *buf, size_t len)
{
    size_t n = strlen(s);
    size_t i;
    if (n < len) {
        snprintf(buf, len, "%s", s);
    } else {
        snprintf(buf, len, "%.*s...", (int)(len - 4), s);
    }
    for (i = 0; buf[i]; i++)
        if ((unsigned char)buf[i] < 0x20)
            buf[i] = '?';
    return buf;
}

static int parse_long_field(const char *s, long long *out)
{
    char *end;
    long long v;
    size_t i;
    if (s[0] == '\0')
        return 1; /* absent */
    /* the common case, 1 to 18 digits, without strtoll (a call per row of
     * the details page showed in the profile); anything else goes to it */
    for (i = 0, v = 0; i < 18 && s[i] >= '0' && s[i] <= '9'; i++)
        v = v * 10 + (s[i] - '0');
    if (s[i] == '\0') {
        *out = v;
        return 0;
    }
    errno = 0;
    v = strtoll(s, &end, 10);
    if (end > s)
        end += zero_fraction(end);
    if (*end != '\0' || errno == ERANGE || v < 0)
        return -1;
    *out = v;
    return 0;
}

static const char *field(char **f, const struct ncu_reader *r, enum col c)
{
    return r->col[c] >= 0 ? f[r->col[c]] : "";
}

static int is_header(char **f, size_t n)
{
    size_t i;
    int id = 0, kname = 0;
    for (i = 0; i < n; i++) {
        if (strcmp(f[i], "ID") == 0)
            id = 1;
        else if (strcmp(f[i], "Kernel Name") == 0)
            kname = 1;
    }
    return id && kname;
}

static int emit(struct ncu_reader *r, struct ncu_kernel *k)
{
    int rc;
    r->stats.kernels++;
    features_derive(k->value, k->have);
    features_from_name(k->name, k->value, k->have);
    rc = r->on_kernel ? r->on_kernel(r->ctx, k) : 0;
    if (rc)
        r->rc = rc;
    return rc;
}

static int flush_current(struct ncu_reader *r)
{
    if (!r->cur_valid)
        return 0;
    r->cur_valid = 0;
    return emit(r, &r->cur);
}

static int setup_header(struct ncu_reader *r, char **f, size_t n, unsigned long line)
{
    size_t i;
    int c, m;
    r->have_header = 1;
    r->header_line = line;
    r->ncols = n;
    r->stats.tables++;
    r->last_id = -1;
    for (c = 0; c < C_NCOLS; c++)
        r->col[c] = -1;
    for (m = 0; m < M_COUNT; m++)
        r->metric_col[m] = -1;
    for (i = 0; i < n; i++) {
        for (c = 0; c < C_NCOLS; c++)
            if (r->col[c] < 0 && strcmp(f[i], col_names[c]) == 0) {
                r->col[c] = (long)i;
                break;
            }
        if (c == C_NCOLS && (m = features_metric_by_raw(f[i])) >= 0)
            r->metric_col[m] = (long)i;
    }
    r->min_fields = n;
    if (r->col[C_METRIC] >= 0 || r->col[C_VALUE] >= 0) {
        if (r->col[C_SECTION] < 0 || r->col[C_METRIC] < 0 || r->col[C_UNIT] < 0 || r->col[C_VALUE] < 0)
            return set_err(r, line,
                           "header has some of the details page's columns but not all of "
                           "Section Name, Metric Name, Metric Unit, Metric Value");
        if (r->stats.page == NCU_PAGE_RAW)
            return set_err(r, line, "a details-page table follows a raw-page table; read them one file at a time");
        r->stats.page = NCU_PAGE_DETAILS;
        r->expect_units = 0;
        /* ncu leaves out the trailing rule columns of metric rows; every
         * column the reader uses must be there */
        r->min_fields = 0;
        for (c = 0; c < C_RULE; c++)
            if (r->col[c] >= 0 && (size_t)r->col[c] + 1 > r->min_fields)
                r->min_fields = (size_t)r->col[c] + 1;
    } else {
        if (r->stats.page == NCU_PAGE_DETAILS)
            return set_err(r, line, "a raw-page table follows a details-page table; read them one file at a time");
        r->stats.page = NCU_PAGE_RAW;
        r->expect_units = 1;
    }
    return 0;
}

/* Converts one printed value of metric m in the given unit into base units.
 * Returns 1 if present (stored), 0 if absent, NCU_ERR on bad input. */
static int convert(struct ncu_reader *r, unsigned long line, int m, const char *unit_text,
                   double scale, const char *value_text, double *out)
{
    char b1[80];
    double v;
    switch (units_parse_number(value_text, &v)) {
    case NUMBER_ABSENT:
        return 0;
    case NUMBER_INVALID:
        return set_err(r, line, "metric %s: value '%s' is not a finite number", features_metrics[m].raw,
                       clip(value_text, b1, sizeof b1));
    case NUMBER_OK:
        break;
    }
    if (v < 0)
        return set_err(r, line, "metric %s: negative value %s %s", features_metrics[m].raw,
                       clip(value_text, b1, sizeof b1), unit_text);
    *out = v * scale;
    {
        double lo, hi;
        features_metric_range(m, &lo, &hi);
        if (!(*out >= lo && *out <= hi))
            return set_err(r, line, "metric %s: %s %s is outside what a GPU can measure (%g to %g %s): the file "
                           "was edited or is corrupt", features_metrics[m].raw, clip(value_text, b1, sizeof b1),
                           unit_text[0] ? unit_text : features_metrics[m].base, lo, hi, features_metrics[m].base);
    }
    return 1;
}

static int unit_for(struct ncu_reader *r, unsigned long line, int m, const char *text, double *scale)
{
    struct unit u;
    char b1[80];
    if (units_parse(text, &u) != 0)
        return set_err(r, line, "metric %s: unknown unit '%s' (not one ncu prints; was the file edited?)",
                       features_metrics[m].raw, clip(text, b1, sizeof b1));
    if (strcmp(u.base, features_metrics[m].base) != 0)
        return set_err(r, line, "metric %s: unit '%s' is not a unit of '%s'", features_metrics[m].raw,
                       clip(text, b1, sizeof b1), features_metrics[m].base);
    *scale = u.scale;
    return 0;
}

/* A PCI address part of column c, from 0 to max; -1 where absent or not one. */
static long long pci_part(const struct ncu_reader *r, char **f, enum col c, double max)
{
    double v;
    if (units_parse_number(field(f, r, c), &v) != NUMBER_OK || v < 0 || v > max || v != (double)(long long)v)
        return -1;
    return (long long)v;
}

/* The GPU's PCI address, (domain * 256 + bus) * 32 + device, where the raw
 * page has it (a VM's GPUs may share bus 0 and differ in device), else -1. */
static long long pci_location(const struct ncu_reader *r, char **f)
{
    long long bus = pci_part(r, f, C_PCI_BUS, 255), dev = pci_part(r, f, C_PCI_DEVICE, 31);
    long long domain = r->col[C_PCI_DOMAIN] >= 0 ? pci_part(r, f, C_PCI_DOMAIN, 65535) : 0;
    if (bus < 0 || domain < 0)
        return -1;
    return (domain * 256 + bus) * 32 + (dev < 0 ? 0 : dev);
}

/* Fills the identity fields of k from a row; the strings go to owned buffers
 * so a details-page kernel outlives the row it started on. */
static int start_kernel(struct ncu_reader *r, char **f, long long id, unsigned long line, struct ncu_kernel *k)
{
    char b1[80];
    const char *s;
    memset(k->have, 0, sizeof k->have);
    k->id = id;
    k->line = line;
    k->pid = k->device = k->context = k->stream = -1;
    k->cc = 0;
    k->details = r->stats.page == NCU_PAGE_DETAILS;
    k->sections = 0;
    k->rules = k->rules_not_understood = 0;
    if (parse_long_field(field(f, r, C_PID), &k->pid) < 0)
        return set_err(r, line, "Process ID '%s' is not a number", clip(field(f, r, C_PID), b1, sizeof b1));
    if (parse_long_field(field(f, r, C_DEVICE), &k->device) < 0)
        return set_err(r, line, "Device '%s' is not a number", clip(field(f, r, C_DEVICE), b1, sizeof b1));
    if (parse_long_field(field(f, r, C_CTX), &k->context) < 0)
        k->context = -1;
    if (parse_long_field(field(f, r, C_STREAM), &k->stream) < 0)
        k->stream = -1;
    s = field(f, r, C_CC);
    if (s[0] && units_parse_number(s, &k->cc) != NUMBER_OK)
        return set_err(r, line, "CC '%s' is not a compute capability", clip(s, b1, sizeof b1));
    k->pci = pci_location(r, f);
    if (own(r, &r->name, field(f, r, C_KNAME)) || own(r, &r->process, field(f, r, C_PNAME)) ||
        own(r, &r->gpu, field(f, r, C_GPU)) || own(r, &r->host, field(f, r, C_HOST)))
        return NCU_ERR;
    k->host = r->host.s;
    k->name = r->name.s;
    k->process = r->process.s;
    k->gpu_name = r->gpu.s;
    return 0;
}

static int parse_id(struct ncu_reader *r, char **f, unsigned long line, long long *id)
{
    char b1[80];
    const char *s = f[r->col[C_ID]];
    if (parse_long_field(s, id) != 0)
        return set_err(r, line, "ID '%s' is not a kernel number", clip(s, b1, sizeof b1));
    return 0;
}

static int check_order(struct ncu_reader *r, long long id, unsigned long line)
{
    if (id < r->last_id)
        return set_err(r, line,
                       "kernel ID %lld comes after ID %lld: rows are not in the order ncu writes them "
                       "(export the report again)", id, r->last_id);
    r->last_id = id;
    return 0;
}

/* A rule row: the numbers of the rules ncu_rules reads. A row that ends
 * before the rule's columns is no rule ncu printed. */
static int rule_row(struct ncu_reader *r, char **f, size_t n)
{
    unsigned bit = 0;
    if (r->col[C_RULE] < 0 || r->col[C_RULE_TEXT] < 0 || (size_t)r->col[C_RULE] >= n ||
        (size_t)r->col[C_RULE_TEXT] >= n)
        return 0;
    switch (ncu_rules_read(f[r->col[C_RULE]], f[r->col[C_RULE_TEXT]], r->cur.value, r->cur.have, &bit)) {
    case NCU_RULE_READ:
        r->cur.rules |= bit;
        r->cur.rules_not_understood &= ~bit;
        break;
    case NCU_RULE_NOT_UNDERSTOOD:
        if (!(r->cur.rules & bit))
            r->cur.rules_not_understood |= bit;
        break;
    default:
        break;
    }
    return 0;
}

static int details_row(struct ncu_reader *r, char **f, size_t n, unsigned long line)
{
    long long id = 0;
    int m, got;
    double v = 0;
    double scale;
    const char *metric = f[r->col[C_METRIC]];
    if (parse_id(r, f, line, &id))
        return NCU_ERR;
    if (!r->cur_valid || id != r->cur.id) {
        if (r->cur_valid && id < r->cur.id)
            return check_order(r, id, line);
        if (flush_current(r))
            return r->rc;
        if (check_order(r, id, line) || start_kernel(r, f, id, line, &r->cur))
            return NCU_ERR;
        r->cur_valid = 1;
    }
    if (metric[0] == '\0')
        return rule_row(r, f, n);
    r->cur.sections |= section_bit(f[r->col[C_SECTION]]);
    m = features_metric_by_details(f[r->col[C_SECTION]], metric);
    if (m < 0)
        return 0;
    if (unit_for(r, line, m, f[r->col[C_UNIT]], &scale))
        return NCU_ERR;
    got = convert(r, line, m, f[r->col[C_UNIT]], scale, f[r->col[C_VALUE]], &v);
    if (got < 0)
        return NCU_ERR;
    if (got) {
        r->cur.value[m] = v;
        r->cur.have[m] = 1;
    }
    return 0;
}

static int raw_units_row(struct ncu_reader *r, char **f, unsigned long line)
{
    int m;
    for (m = 0; m < M_COUNT; m++)
        if (r->metric_col[m] >= 0 && unit_for(r, line, m, f[r->metric_col[m]], &r->metric_scale[m]))
            return NCU_ERR;
    r->expect_units = 0;
    return 0;
}

static int raw_row(struct ncu_reader *r, char **f, unsigned long line)
{
    struct ncu_kernel k;
    long long id = 0;
    int m;
    if (r->expect_units) {
        if (f[r->col[C_ID]][0] != '\0')
            return set_err(r, line,
                           "expected the units row of a raw-page export (its ID field is empty); "
                           "export with 'ncu --import FILE --csv --page raw'");
        return raw_units_row(r, f, line);
    }
    if (parse_id(r, f, line, &id) || check_order(r, id, line) || start_kernel(r, f, id, line, &k))
        return NCU_ERR;
    for (m = 0; m < M_COUNT; m++) {
        int got;
        if (r->metric_col[m] < 0)
            continue;
        got = convert(r, line, m, "", r->metric_scale[m], f[r->metric_col[m]], &k.value[m]);
        if (got < 0)
            return NCU_ERR;
        k.have[m] = (unsigned char)got;
    }
    return emit(r, &k);
}

/* A row's ID field where it has as many fields as the page's rows (the
 * header's count; on a details page at least up to its last column read),
 * else NULL. */
static const char *row_id(const struct ncu_reader *r, char **f, size_t n)
{
    if (n > r->ncols || n < r->min_fields || r->col[C_ID] < 0 || (size_t)r->col[C_ID] >= n)
        return NULL;
    return f[r->col[C_ID]];
}

/* An ID as ncu writes it (digits), or as pandas does (3.0: the units row's
 * empty ID makes the column a float column). */
static int is_kernel_id(const char *id, int float_too)
{
    size_t n = strspn(id, "0123456789");
    if (float_too && n > 0)
        n += zero_fraction(id + n);
    return n > 0 && id[n] == '\0';
}

static int shaped_like_row(const struct ncu_reader *r, char **f, size_t n)
{
    const char *id = row_id(r, f, n);
    return id && is_kernel_id(id, 0);
}

/* An unquoted row that is still one of ncu's: the page saved again by a
 * program that quotes only where it must (Python's csv module, pandas, a
 * spreadsheet), which left its header unquoted too (where ncu's header is
 * quoted, an unquoted line is the application's output, issue 32). It has as
 * many fields as the page's rows have (the header's count; on a details page
 * at least up to its last column read) and a kernel ID (or, on a raw page, is
 * the units row, whose ID is empty). */
static int unquoted_row_is_ncus(const struct ncu_reader *r, char **f, size_t n)
{
    const char *id = r->header_unquoted ? row_id(r, f, n) : NULL;
    if (!id)
        return 0;
    if (id[0] == '\0')
        return r->stats.page == NCU_PAGE_RAW && r->expect_units;
    return is_kernel_id(id, 1);
}

static int on_record(void *ctx, char **f, size_t n, unsigned flags, unsigned long line)
{
    struct ncu_reader *r = ctx;
    /* a row whose ID column holds a number is data: no need to look through
     * its thousands of fields for a header's names */
    int data_row = r->have_header && r->col[C_ID] >= 0 && (size_t)r->col[C_ID] < n &&
                   f[r->col[C_ID]][0] >= '0' && f[r->col[C_ID]][0] <= '9';
    if (!data_row && is_header(f, n)) {
        if (flush_current(r))
            return r->rc;
        r->header_unquoted = !(flags & CSV_FIRST_QUOTED);
        return setup_header(r, f, n, line);
    }
    if (!r->have_header) {
        r->stats.lines_skipped++;
        return 0;
    }
    if (!(flags & CSV_FIRST_QUOTED) && !unquoted_row_is_ncus(r, f, n)) {
        r->stats.lines_skipped++; /* ncu quotes every field it writes: an unquoted row is program output */
        if (shaped_like_row(r, f, n) && r->stats.kernel_like++ == 0)
            r->stats.kernel_like_line = line; /* said: a row whose quotes an edit took away is lost */
        return 0;
    }
    if (n > r->ncols || n < r->min_fields) {
        if (n == 1) {
            r->stats.lines_skipped++; /* program output between ncu's rows */
            return 0;
        }
        return set_err(r, line, "%zu fields where the header on line %lu has %zu%s: the row is truncated or corrupt",
                       n, r->header_line, r->ncols, n > r->ncols ? "" : " (and this page needs them all)");
    }
    r->stats.rows++;
    return r->stats.page == NCU_PAGE_DETAILS ? details_row(r, f, n, line) : raw_row(r, f, line);
}

/* Whether a line handed over as text (it held a NUL byte) begins as a
 * kernel row does: a kernel ID, then the next field. */
static int looks_like_kernel_row(const struct ncu_reader *r, const char *text)
{
    size_t digits = strspn(text, "0123456789");
    return r->have_header && digits > 0 && text[digits] == ',' && strncmp(text, "==", 2) != 0;
}

static int on_text(void *ctx, const char *text, unsigned long line)
{
    struct ncu_reader *r = ctx;
    if (looks_like_kernel_row(r, text))
        return set_err(r, line, "a kernel row holds a NUL byte: the file is corrupt (export it again from the "
                                "report, or profile again)");
    r->stats.lines_skipped++;
    if (r->stats.first_error[0] == '\0' && strncmp(text, "==ERROR==", 9) == 0)
        snprintf(r->stats.first_error, sizeof r->stats.first_error, "%s", text);
    return 0;
}

struct ncu_reader *ncu_reader_new(ncu_kernel_fn on_kernel, void *ctx)
{
    struct ncu_reader *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->csv = csv_new(on_record, on_text, r);
    if (!r->csv) {
        free(r);
        return NULL;
    }
    r->on_kernel = on_kernel;
    r->ctx = ctx;
    r->last_id = -1;
    enc_init(&r->enc);
    return r;
}

void ncu_reader_free(struct ncu_reader *r)
{
    if (!r)
        return;
    csv_free(r->csv);
    free(r->name.s);
    free(r->process.s);
    free(r->gpu.s);
    free(r->host.s);
    free(r);
}

static int csv_result(struct ncu_reader *r, int rc)
{
    if (rc == 0 || r->rc)
        return r->rc ? r->rc : rc;
    /* the tokenizer's own error */
    return set_err(r, csv_error_line(r->csv), "%s", csv_error(r->csv));
}

/* Decoded UTF-8 on to the tokenizer. */
static int feed_csv(void *ctx, const char *buf, size_t len)
{
    struct ncu_reader *r = ctx;
    return csv_result(r, csv_feed(r->csv, buf, len));
}

int ncu_reader_feed(struct ncu_reader *r, const char *buf, size_t len)
{
    if (r->rc)
        return r->rc;
    if (r->head_len < sizeof r->head) { /* the file's first bytes, to say what a non-CSV file is */
        size_t k = len < sizeof r->head - r->head_len ? len : sizeof r->head - r->head_len;
        memcpy(r->head + r->head_len, buf, k);
        r->head_len += k;
    }
    return enc_feed(&r->enc, buf, len, feed_csv, r);
}

#define MODEL_HINT ": it is a model; give it with --model FILE"

/* For a file with no ncu table: what it looks like it is, from its first
 * bytes, with what to do ("" when nothing is recognised). */
static const char *what_it_is(const unsigned char *head, size_t n)
{
    static const struct { const char *prefix; const char *what; } kinds[] = {
        { "\x1f\x8b", ": it is gzip-compressed; gunzip it first, or 'zcat FILE | gpu_profiler -c -'" },
        { "PK\x03\x04", ": it is a zip archive; unpack it first" },
        { "# gpu_profiler_dataset", ": it is a calibration dataset; 'gpu_profiler fit FILE' makes a model of it" },
        { "gpu_profiler_model", MODEL_HINT },
        { "gpu_profiler_row,", ": it is gpu_profiler's own output (--out-csv, predictions.csv), not ncu's" },
        { "# gpu_profiler_timeline", ": it is a timeline; give it with --timeline FILE" },
        { "<!-- gpu_profiler_report", ": it is a report gpu_profiler drew" },
    };
    static const char model_line[] = "\ngpu_profiler_model 1"; /* after the comments a model may begin with */
    size_t i;
    for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        size_t k = strlen(kinds[i].prefix);
        if (n >= k && memcmp(head, kinds[i].prefix, k) == 0)
            return kinds[i].what;
    }
    for (i = 0; i + sizeof model_line - 1 <= n; i++)
        if (memcmp(head + i, model_line, sizeof model_line - 1) == 0)
            return MODEL_HINT;
    return "; not an Nsight Compute CSV (export one with 'ncu --import REPORT --csv --page raw')";
}

int ncu_reader_finish(struct ncu_reader *r)
{
    int rc;
    if (r->rc)
        return r->rc;
    if ((rc = enc_finish(&r->enc, feed_csv, r)) != 0)
        return rc;
    rc = csv_result(r, csv_finish(r->csv));
    if (rc)
        return rc;
    if (flush_current(r))
        return r->rc;
    if (!r->have_header)
        return set_err(r, 0, "no ncu CSV header (a row with \"ID\" and \"Kernel Name\") in %lu line%s%s",
                       r->stats.lines_skipped, r->stats.lines_skipped == 1 ? "" : "s",
                       what_it_is(r->head, r->head_len));
    if (r->stats.page == NCU_PAGE_RAW && r->expect_units)
        return set_err(r, 0, "raw-page export ends before its units row");
    return 0;
}

const char *ncu_reader_error(const struct ncu_reader *r) { return r->err; }
const struct ncu_stats *ncu_reader_stats(const struct ncu_reader *r) { return &r->stats; }
