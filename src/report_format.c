/* report_format: what the text, JSON and CSV writers (report.c) and the
 * pictures (report_svg.c) share, below both of them: times, JSON strings,
 * the kernels by energy, the measured GPU of a device, the components'
 * colours. */
#include "report_format.h"

#include <stdarg.h>

#include <stdlib.h>
#include <string.h>

size_t report_utf8_len(const unsigned char *p)
{
    unsigned c = p[0], cp;
    size_t len, i;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        len = 2, cp = c & 0x1f;
    else if (c >= 0xe0 && c <= 0xef)
        len = 3, cp = c & 0x0f;
    else if (c >= 0xf0 && c <= 0xf4)
        len = 4, cp = c & 0x07;
    else
        return 0; /* a continuation byte, C0/C1 (overlong), or F5-FF */
    for (i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3f);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0; /* overlong, above U+10FFFF, or a surrogate */
    return len;
}

const char *report_clean(char *buf, size_t n, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, o = 0, len = strlen(s);
    if (n == 0)
        return buf;
    while (i < len) {
        size_t l = report_utf8_len(p + i);
        int bad = l == 0 || i + l > len || p[i] < 0x20 || p[i] == 0x7f || (l == 2 && p[i] == 0xc2 && p[i + 1] < 0xa0);
        size_t put = bad ? 1 : l;
        if (o + put >= n)
            break;
        if (bad)
            buf[o] = '?';
        else
            memcpy(buf + o, p + i, l);
        o += put;
        i += l ? l : 1;
    }
    buf[o] = '\0';
    return buf;
}

void report_json_string(FILE *out, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    fputc('"', out);
    for (; *p; p++) {
        size_t len;
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p == '\n')
            fputs("\\n", out);
        else if (*p == '\t')
            fputs("\\t", out);
        else if (*p < 0x20 || *p == 0x7f)
            fprintf(out, "\\u%04x", *p);
        else if ((len = report_utf8_len(p)) == 1)
            fputc(*p, out);
        else if (len > 1) {
            fwrite(p, 1, len, out);
            p += len - 1;
        } else {
            fputs("\\ufffd", out); /* an invalid byte: the replacement character, as JSON needs */
        }
    }
    fputc('"', out);
}

static int by_energy_desc(const void *a, const void *b)
{
    const struct kernel_result *x = *(const struct kernel_result *const *)a;
    const struct kernel_result *y = *(const struct kernel_result *const *)b;
    int c = (x->energy_j < y->energy_j) - (x->energy_j > y->energy_j);
    /* equal energies in launch order (their place in e->kernels): a total
     * order, so that every C library's qsort gives the same list (issue 32:
     * Windows' listed them otherwise) */
    return c ? c : (x > y) - (x < y);
}

const struct kernel_result **report_kernels_by_energy(const struct estimate *e)
{
    const struct kernel_result **order = malloc((e->nkernels ? e->nkernels : 1) * sizeof *order);
    size_t i;
    if (!order)
        return NULL;
    for (i = 0; i < e->nkernels; i++)
        order[i] = &e->kernels[i];
    qsort(order, e->nkernels, sizeof *order, by_energy_desc);
    return order;
}

void report_fmt_time(char *buf, size_t n, double s, int sig3)
{
    const char *unit = s >= 1 ? "s" : s >= 1e-3 ? "ms" : "us";
    double v = s >= 1 ? s : s >= 1e-3 ? s * 1e3 : s * 1e6;
    if (sig3)
        snprintf(buf, n, "%.3g %s", v, unit);
    else
        snprintf(buf, n, "%.3f %s", v, unit);
}

void report_fmt_energy(char *buf, size_t n, double j)
{
    if (j >= 1)
        snprintf(buf, n, "%.3f J", j);
    else if (j >= 1e-3)
        snprintf(buf, n, "%.3f mJ", j * 1e3);
    else
        snprintf(buf, n, "%.3f uJ", j * 1e6);
}

const struct report_measured_gpu *report_measured_of(const struct report_measured *ms,
                                                     const struct device_result *dv)
{
    size_t g;
    for (g = 0; g < ms->ngpus; g++)
        if (ms->gpu[g].estimate == dv)
            return &ms->gpu[g];
    return NULL;
}

static const char *const palette[] = { "#9e9e9e", "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                       "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#393b79", "#637939" };
#define NPAL (sizeof palette / sizeof palette[0])

const char *report_component_colour(size_t component)
{
    return palette[component % NPAL];
}

static int by_name_energy_desc(const void *a, const void *b)
{
    const struct estimate_name *x = a, *y = b;
    int c = (x->energy_j < y->energy_j) - (x->energy_j > y->energy_j);
    if (c)
        return c;
    if ((c = strcmp(x->name, y->name)) != 0) /* equal energies: a total order, the same on every platform */
        return c;
    if (x->first.file != y->first.file)
        return x->first.file < y->first.file ? -1 : 1;
    return (x->first.id > y->first.id) - (x->first.id < y->first.id);
}

struct estimate_name *report_by_name(const struct estimate *e, size_t *n_out)
{
    struct estimate_names t = { 0 };
    size_t i;
    if (e->aggregate_top) { /* summed as the launches came */
        t.n = e->by_name.n;
        t.v = malloc((t.n ? t.n : 1) * sizeof *t.v);
        if (!t.v)
            return NULL;
        memcpy(t.v, e->by_name.v, t.n * sizeof *t.v);
    } else {
        for (i = 0; i < e->nkernels; i++)
            if (estimate_names_add(&t, &e->kernels[i], estimate_components(e, i), e->used->ncomponents) != 0) {
                estimate_names_free(&t);
                return NULL;
            }
        free(t.slot);
        if (!t.v && !(t.v = malloc(sizeof *t.v)))
            return NULL;
    }
    qsort(t.v, t.n, sizeof *t.v, by_name_energy_desc);
    *n_out = t.n;
    return t.v;
}

/* The names a table of the estimate may show: the names' sums in aggregate
 * mode, else the stored launches (a name once per launch). */
static size_t all_names(const struct estimate *e, size_t i, const char **name)
{
    if (e->aggregate_top) {
        *name = i < e->by_name.n ? e->by_name.v[i].name : NULL;
        return e->by_name.n;
    }
    *name = i < e->nkernels ? e->kernels[i].name : NULL;
    return e->nkernels;
}

struct estimate_name *report_top_names(const struct estimate *e, size_t k, size_t *n_out, size_t *n_all,
                                       double *energy_j)
{
    struct estimate_name *top;
    size_t i, j, n = 0;
    if (!e->aggregate_top) { /* every launch is kept: a copy of the names costs no more */
        if (!(top = report_by_name(e, n_all)))
            return NULL;
        for (*energy_j = 0, i = 0; i < *n_all; i++)
            *energy_j += top[i].energy_j;
        *n_out = k < *n_all ? k : *n_all;
        return top;
    }
    *n_all = e->by_name.n;
    *energy_j = 0;
    if (!(top = malloc((k ? k : 1) * sizeof *top)))
        return NULL;
    for (i = 0; i < e->by_name.n; i++) { /* top[0..n) in order: each name placed by insertion */
        const struct estimate_name *x = &e->by_name.v[i];
        *energy_j += x->energy_j;
        if (n == k && (!k || by_name_energy_desc(x, &top[n - 1]) >= 0))
            continue;
        for (j = n < k ? n++ : n - 1; j > 0 && by_name_energy_desc(x, &top[j - 1]) < 0; j--)
            top[j] = top[j - 1];
        top[j] = *x;
    }
    *n_out = n;
    return top;
}

void text_line_add(struct text_line *l, const char *fmt, ...)
{
    va_list ap;
    int n;
    if (l->len >= sizeof l->buf - 1)
        return;
    va_start(ap, fmt);
    n = vsnprintf(l->buf + l->len, sizeof l->buf - l->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        l->len += (size_t)n < sizeof l->buf - l->len ? (size_t)n : sizeof l->buf - 1 - l->len;
}

/* Columns the bytes p[0..n) take: UTF-8 lead bytes count, continuation
 * bytes and ANSI escapes (ESC [ ... m) do not. */
static size_t visible_width(const char *p, size_t n)
{
    size_t i = 0, w = 0;
    while (i < n) {
        if (p[i] == '\033' && i + 1 < n && p[i + 1] == '[') {
            for (i += 2; i < n && p[i] != 'm'; i++)
                ;
            i++;
            continue;
        }
        if (((unsigned char)p[i] & 0xc0) != 0x80)
            w++;
        i++;
    }
    return w;
}

void text_line_end(FILE *out, struct text_line *l, size_t width, size_t indent)
{
    const char *p = l->buf, *end = l->buf + l->len;
    size_t col = 0, first = 1;
    while (p < end) {
        const char *sp = p, *word;
        size_t nsp, w;
        while (sp < end && *sp == ' ')
            sp++;
        nsp = (size_t)(sp - p);
        for (word = sp; word < end && *word != ' '; word++)
            ;
        w = visible_width(sp, (size_t)(word - sp));
        if (width && !first && col + nsp + w > width) {
            fprintf(out, "\n%*s", (int)indent, "");
            col = indent;
        } else {
            fwrite(p, 1, nsp, out);
            col += nsp;
        }
        fwrite(sp, 1, (size_t)(word - sp), out);
        col += w;
        first = 0;
        p = word;
    }
    fputc('\n', out);
    l->len = 0;
    l->buf[0] = '\0';
}

/* Copies name[i..) from an opening bracket to its match (inclusive) when
 * keep, or skips it; returns the index after it. */
static size_t bracketed(const char *name, size_t i, char open, char close, int keep, char *buf, size_t n,
                        size_t *o)
{
    int depth = 0;
    for (; name[i]; i++) {
        if (keep && *o + 1 < n)
            buf[(*o)++] = name[i];
        if (name[i] == open)
            depth++;
        else if (name[i] == close && --depth == 0)
            return i + 1;
    }
    return i;
}

void report_short_name(const char *name, char *buf, size_t n)
{
    size_t i = 0, o = 0;
    if (n == 0)
        return;
    if (strncmp(name, "void ", 5) == 0)
        i = 5;
    while (name[i]) {
        if (name[i] == '<') {
            i = bracketed(name, i, '<', '>', 0, buf, n, &o);
        } else if (name[i] == '{') { /* {lambda(int)#1} */
            i = bracketed(name, i, '{', '}', 1, buf, n, &o);
        } else if (name[i] == '(' && strncmp(name + i, "(anonymous namespace)", 21) == 0) {
            i = bracketed(name, i, '(', ')', 1, buf, n, &o);
        } else if (name[i] == '(') {
            break; /* the parameter list */
        } else {
            if (o + 1 < n)
                buf[o++] = name[i];
            i++;
        }
    }
    buf[o] = '\0';
    if (o == 0)
        snprintf(buf, n, "%s", name);
}

/* ---- distinct short names ---- */

/* The bracketed list of name (without "void ") that starts at the first
 * top-level open (template arguments '<', or the parameter list '(' past
 * any "(anonymous namespace)"), as its top-level items with namespaces
 * dropped ("at::MulFunctor<float>" is "MulFunctor<float>"), each followed
 * by '\0' in buf; returns how many, 0 when there is none. */
static size_t name_items(const char *name, char open, char *buf, size_t n)
{
    const char *p = strncmp(name, "void ", 5) == 0 ? name + 5 : name;
    size_t o = 0, items = 0;
    int depth = 0;
    for (; *p; p++) {
        if (*p == '(' && strncmp(p, "(anonymous namespace)", 21) == 0)
            p += 20;
        else if (*p == open)
            break;
    }
    if (!*p || n < 2)
        return 0;
    for (p++; *p && o + 2 < n; p++) {
        if (depth == 0 && (*p == ',' || *p == (open == '<' ? '>' : ')'))) {
            buf[o++] = '\0';
            items++;
            if (*p != ',')
                return items;
            while (p[1] == ' ')
                p++;
            continue;
        }
        depth += *p == '<' || *p == '(' ? 1 : *p == '>' || *p == ')' ? -1 : 0;
        if (*p == ':' && p[1] == ':') { /* drop the qualifier before it */
            while (o > 0 && buf[o - 1] != '\0' && buf[o - 1] != '<' && buf[o - 1] != ' ' && buf[o - 1] != '(' &&
                   buf[o - 1] != ',')
                o--;
            p++;
            continue;
        }
        buf[o++] = *p;
    }
    buf[o] = '\0';
    return items + 1; /* unclosed: what there was */
}

/* Item i of a list name_items made, or NULL past its end. */
static const char *item_at(const char *buf, size_t nitems, size_t i)
{
    if (i >= nitems)
        return NULL;
    while (i--)
        buf += strlen(buf) + 1;
    return buf;
}

/* The labels of a group of names that shorten alike: the short name with
 * the items of their lists (open: '<' or '(') that differ between them,
 * "..." for each run of items they share. 0 when every label differs. */
static int label_group(struct report_namer *nm, const size_t *g, size_t ng, char open)
{
    static char items[16][1024];
    size_t nitems[16], i, j, k, most = 0;
    ng = ng < 16 ? ng : 16;
    for (j = 0; j < ng; j++) {
        nitems[j] = name_items(nm->v[g[j]].name, open, items[j], sizeof items[j]);
        most = nitems[j] > most ? nitems[j] : most;
    }
    for (j = 0; j < ng; j++) {
        char *out = nm->v[g[j]].label;
        size_t o = strlen(out), cap = sizeof nm->v[g[j]].label;
        int elided = 0, first_item = 1;
        o += (size_t)snprintf(out + o, cap - o, "%c", open);
        for (i = 0; i < most && o < cap; i++) {
            const char *a = item_at(items[j], nitems[j], i);
            int same = 1;
            for (k = 0; k < ng && same; k++) {
                const char *b = item_at(items[k], nitems[k], i);
                same = a && b && strcmp(a, b) == 0;
            }
            if (!(same && elided) && a) {
                o += (size_t)snprintf(out + o, cap - o, "%s%s", first_item ? "" : ", ", same ? "..." : a);
                first_item = 0;
            }
            elided = same;
        }
        if (o < cap)
            snprintf(out + o, cap - o, "%c", open == '<' ? '>' : ')');
    }
    for (j = 0; j < ng; j++)
        for (k = j + 1; k < ng; k++)
            if (strcmp(nm->v[g[j]].label, nm->v[g[k]].label) == 0)
                return -1;
    return 0;
}

static int namer_by_name(const void *a, const void *b)
{
    const struct report_short *x = a, *y = b;
    int c = strcmp(x->label, y->label);
    return c ? c : strcmp(x->name, y->name);
}

static int namer_by_pointer(const void *a, const void *b)
{
    const struct report_short *x = a, *y = b;
    return x->name < y->name ? -1 : x->name > y->name;
}

/* One group of names whose short names are alike: told apart by their
 * template arguments, else their parameters, else named in full. */
static void namer_group(struct report_namer *nm, size_t first, size_t ng)
{
    size_t g[16] = { 0 }, j;
    char base[16][sizeof nm->v[0].label];
    if (ng > 16)
        ng = 16; /* more than 16 alike: the rest keep the short name */
    for (j = 0; j < ng; j++) {
        g[j] = first + j;
        memcpy(base[j], nm->v[first + j].label, sizeof base[j]);
        nm->v[first + j].disambiguated = 1;
    }
    if (label_group(nm, g, ng, '<') == 0)
        return;
    for (j = 0; j < ng; j++)
        memcpy(nm->v[first + j].label, base[j], sizeof base[j]);
    if (label_group(nm, g, ng, '(') == 0)
        return;
    for (j = 0; j < ng; j++) {
        const char *full = nm->v[first + j].name;
        snprintf(nm->v[first + j].label, sizeof nm->v[0].label, "%s", strncmp(full, "void ", 5) ? full : full + 5);
    }
}

/* The groups of names that shorten alike, told apart; then in pointer order. */
static void namer_finish(struct report_namer *nm)
{
    size_t n = nm->n, i, j;
    qsort(nm->v, n, sizeof *nm->v, namer_by_name); /* names that shorten alike side by side */
    for (i = 0; i < n; i = j) {
        for (j = i + 1; j < n && strcmp(nm->v[i].label, nm->v[j].label) == 0; j++)
            ;
        if (j - i > 1)
            namer_group(nm, i, j - i);
    }
    qsort(nm->v, n, sizeof *nm->v, namer_by_pointer);
}

int report_namer_init(struct report_namer *nm, const struct estimate *e)
{
    struct estimate_name *names;
    size_t n, i;
    memset(nm, 0, sizeof *nm);
    if (!(names = report_by_name(e, &n)))
        return -1;
    nm->v = calloc(n ? n : 1, sizeof *nm->v);
    if (!nm->v) {
        free(names);
        return -1;
    }
    for (i = 0; i < n; i++) {
        nm->v[i].name = names[i].name ? names[i].name : "?";
        report_short_name(nm->v[i].name, nm->v[i].label, sizeof nm->v[i].label);
    }
    free(names);
    nm->n = n;
    namer_finish(nm);
    return 0;
}

static int cmp_label(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

static int cmp_name_ptr(const void *a, const void *b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    return x < y ? -1 : x > y;
}

int report_namer_init_for(struct report_namer *nm, const struct estimate *e, const char *const *shown,
                          size_t nshown)
{
    typedef char label_t[sizeof nm->v[0].label];
    label_t *labels = malloc((nshown ? nshown : 1) * sizeof *labels);
    const char **seen = NULL;
    size_t i, n, nseen = 0, cap = 0;
    const char *name;
    label_t l;
    memset(nm, 0, sizeof *nm);
    if (!labels)
        return -1;
    for (i = 0; i < nshown; i++)
        report_short_name(shown[i] ? shown[i] : "?", labels[i], sizeof labels[i]);
    qsort(labels, nshown, sizeof *labels, cmp_label);
    /* every name (once: launches repeat them) whose short name is one of theirs */
    for (i = 0, n = all_names(e, 0, &name); i < n; i++) {
        all_names(e, i, &name);
        report_short_name(name ? name : "?", l, sizeof l);
        if (!bsearch(l, labels, nshown, sizeof *labels, cmp_label))
            continue;
        if (nseen == cap) {
            const char **ns = realloc(seen, (cap = cap ? 2 * cap : 16) * sizeof *ns);
            if (!ns)
                goto oom;
            seen = ns;
        }
        seen[nseen++] = name ? name : "?";
    }
    qsort(seen, nseen, sizeof *seen, cmp_name_ptr);
    if (!(nm->v = calloc(nseen ? nseen : 1, sizeof *nm->v)))
        goto oom;
    for (i = 0; i < nseen; i++)
        if (i == 0 || seen[i] != seen[i - 1]) {
            nm->v[nm->n].name = seen[i];
            report_short_name(seen[i], nm->v[nm->n].label, sizeof nm->v[0].label);
            nm->n++;
        }
    free(seen);
    free(labels);
    namer_finish(nm);
    return 0;
oom:
    free(seen);
    free(labels);
    report_namer_free(nm);
    return -1;
}

const struct report_short *report_namer_find(const struct report_namer *nm, const char *name)
{
    struct report_short key;
    key.name = name;
    return nm && nm->n ? bsearch(&key, nm->v, nm->n, sizeof *nm->v, namer_by_pointer) : NULL;
}

void report_namer_free(struct report_namer *nm)
{
    free(nm->v);
    memset(nm, 0, sizeof *nm);
}

void report_cut_middle(const char *s, size_t max, char *buf, size_t n)
{
    size_t len = strlen(s), head;
    if (len <= max || max < 8 || n <= max) {
        snprintf(buf, n, "%s", s);
        return;
    }
    head = (max - 3) / 3; /* the end tells names apart: keep more of it */
    snprintf(buf, n, "%.*s...%s", (int)head, s, s + len - (max - 3 - head));
}

void report_xml_text(FILE *out, const char *s, size_t max)
{
    size_t n = 0;
    for (; *s && n < max; s++, n++) {
        unsigned char c = (unsigned char)*s;
        if (c == '<')
            fputs("&lt;", out);
        else if (c == '>')
            fputs("&gt;", out);
        else if (c == '&')
            fputs("&amp;", out);
        else if (c == '"')
            fputs("&quot;", out);
        else if (c < 0x20 || c >= 0x80)
            fputc('?', out); /* keep the file valid XML whatever the name holds */
        else
            fputc(c, out);
    }
    if (*s)
        fputs("...", out);
}
