/* ncu_rules: numbers from the rule texts of the details page; see ncu_rules.h.
 * The texts were read on the recorded pages of tests/fixtures (ncu 2025.3.1,
 * H100 and H200) and on what ncu's rules print elsewhere ("based on active
 * cycles" in older versions, "Shared FMA Heavy" with a second, instruction-
 * based pipe after it): the first sentence's pipe and percentage are read,
 * nothing else. */
#include "ncu_rules.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "feature_table.h"

static const char *const rule_names[NCU_RULE_COUNT] = {
    "HighPipeUtilization", "SOLFPRoofline", "FPInstructions", "IssueSlotUtilization",
};

const char *ncu_rules_name(unsigned i)
{
    return i < NCU_RULE_COUNT ? rule_names[i] : "";
}

/* First occurrence of key in s, ignoring ASCII case, or NULL. */
static const char *find_ci(const char *s, const char *key)
{
    size_t n = strlen(key);
    for (; *s; s++) {
        size_t i;
        for (i = 0; i < n && s[i] && tolower((unsigned char)s[i]) == tolower((unsigned char)key[i]); i++)
            ;
        if (i == n)
            return s;
    }
    return NULL;
}

/* The number that ends just before p (spaces and a '%' between them
 * allowed, thousands separators inside), not looking further back than
 * start. Returns 0 with *v, or -1 when there is none. */
static int number_before(const char *start, const char *p, double *v)
{
    char buf[48];
    const char *e, *b;
    size_t n = 0;
    while (p > start && (p[-1] == ' ' || p[-1] == '%'))
        p--;
    e = p;
    for (b = e; b > start && (isdigit((unsigned char)b[-1]) || b[-1] == '.' || b[-1] == ','); b--)
        ;
    while (b < e && !isdigit((unsigned char)*b)) /* "of ,5" is no number */
        b++;
    if (b == e)
        return -1;
    for (; b < e && n + 1 < sizeof buf; b++)
        if (*b != ',')
            buf[n++] = *b;
    buf[n] = '\0';
    *v = strtod(buf, NULL);
    return 0;
}

/* The first number at or after p (before the end of its sentence). */
static int number_after(const char *p, double *v)
{
    char *end;
    for (; *p && !isdigit((unsigned char)*p); p++)
        if (*p == '.' && (p[1] == ' ' || p[1] == '\0'))
            return -1;
    if (!*p)
        return -1;
    *v = strtod(p, &end);
    return end > p ? 0 : -1;
}

/* Which rule metric a pipe's name is: -1 for a pipe the tool reads no
 * metric of (ADU, LSU, TMA, XU, ...), -2 for a name that says no one pipe
 * (Shared without its sub-pipeline, FP16 on either pipe). */
static int pipe_metric(const char *name, size_t len)
{
    char buf[64];
    size_t i;
    if (len >= sizeof buf)
        len = sizeof buf - 1;
    for (i = 0; i < len; i++)
        buf[i] = (char)tolower((unsigned char)name[i]);
    buf[len] = '\0';
    if (strstr(buf, "tensor"))
        return strstr(buf, "(dp)") ? M_RULE_PIPE_FP64 : M_RULE_PIPE_TENSOR;
    if (strstr(buf, "fp64") || strstr(buf, "dmma"))
        return M_RULE_PIPE_FP64;
    if (strstr(buf, "fp16"))
        return -2;
    if (strstr(buf, "fma"))
        return M_RULE_PIPE_FMA;
    if (strstr(buf, "alu"))
        return M_RULE_PIPE_ALU;
    if (strstr(buf, "shared"))
        return -2;
    return -1;
}

/* The pipe named before `key` in its sentence, as pipe_metric gives it;
 * a Shared pipe by the sub-pipeline the text says dominates it. */
static int named_pipe(const char *text, const char *key)
{
    const char *s = key, *sub;
    int m;
    while (s > text && !(s[-1] == ' ' && s - 1 > text && s[-2] == '.'))
        s--;
    while (*s == ' ')
        s++;
    m = pipe_metric(s, (size_t)(key - s));
    if (m == -2 && (sub = find_ci(key, "dominated by its "))) {
        const char *e;
        sub += strlen("dominated by its ");
        e = find_ci(sub, " sub-pipeline");
        if (e)
            m = pipe_metric(sub, (size_t)(e - sub));
    }
    return m;
}

static const int pipe_metrics[] = { M_RULE_PIPE_FMA, M_RULE_PIPE_ALU, M_RULE_PIPE_FP64, M_RULE_PIPE_TENSOR };

static int read_pipe(const char *text, double *value, unsigned char *have)
{
    static const char key_busiest[] = " is the highest-utilized pipeline";
    const char *k = find_ci(text, key_busiest);
    double pct = 0;
    int named = -1;
    size_t i;
    if (k) {
        named = named_pipe(text, k);
        if (named == -2 || number_after(k + strlen(key_busiest), &pct) != 0 || pct > 200)
            return NCU_RULE_NOT_UNDERSTOOD;
    } else if (!find_ci(text, "under-utilized")) {
        return NCU_RULE_NOT_UNDERSTOOD; /* "No compute pipeline is over-utilized" says no pipe, no number */
    }
    for (i = 0; i < sizeof pipe_metrics / sizeof pipe_metrics[0]; i++) {
        value[pipe_metrics[i]] = pipe_metrics[i] == named ? pct : 0;
        have[pipe_metrics[i]] = 1;
    }
    return NCU_RULE_READ;
}

/* The percentage that comes last before key, after start, with at most a
 * few words between ("75% of this device's FP32 peak"). */
static int pct_before(const char *start, const char *key, double *v)
{
    const char *p = key;
    while (p > start && p[-1] != '%' && key - p < 40)
        p--;
    if (p == start || p[-1] != '%')
        return -1;
    return number_before(start, p, v);
}

static int read_roofline(const char *text, double *value, unsigned char *have)
{
    const char *p32 = find_ci(text, "FP32 peak"), *p64 = find_ci(text, "FP64 peak");
    double v32, v64;
    if (!p32 || !p64 || p64 < p32 || pct_before(text, p32, &v32) != 0 || pct_before(p32, p64, &v64) != 0 ||
        v32 > 200 || v64 > 200)
        return NCU_RULE_NOT_UNDERSTOOD;
    value[M_RULE_FP32_PEAK] = v32;
    value[M_RULE_FP64_PEAK] = v64;
    have[M_RULE_FP32_PEAK] = have[M_RULE_FP64_PEAK] = 1;
    return NCU_RULE_READ;
}

static int read_fp_inst(const char *text, double *value, unsigned char *have)
{
    const char *nf = find_ci(text, "non-fused FP32"), *f = find_ci(text, " fused and ");
    double fused, nonfused;
    if (!nf && find_ci(text, "non-fused FP64"))
        return NCU_RULE_UNKNOWN; /* the rule's row about FP64 */
    if (!nf || !f || f > nf || number_before(text, f, &fused) != 0 || number_before(text, nf, &nonfused) != 0)
        return NCU_RULE_NOT_UNDERSTOOD;
    value[M_RULE_FP32_FUSED] = fused;
    value[M_RULE_FP32_NONFUSED] = nonfused;
    have[M_RULE_FP32_FUSED] = have[M_RULE_FP32_NONFUSED] = 1;
    return NCU_RULE_READ;
}

static int read_issue(const char *text, double *value, unsigned char *have)
{
    static const char key[] = "issues an instruction every";
    const char *k = find_ci(text, key);
    double v;
    if (!k || number_after(k + strlen(key), &v) != 0 || !(v >= 1))
        return NCU_RULE_NOT_UNDERSTOOD;
    value[M_RULE_ISSUE_EVERY] = v;
    have[M_RULE_ISSUE_EVERY] = 1;
    return NCU_RULE_READ;
}

int ncu_rules_read(const char *rule, const char *text, double *value, unsigned char *have, unsigned *bit)
{
    static int (*const readers[NCU_RULE_COUNT])(const char *, double *, unsigned char *) = {
        read_pipe, read_roofline, read_fp_inst, read_issue,
    };
    static const int first_metric[NCU_RULE_COUNT] = {
        M_RULE_PIPE_FMA, M_RULE_FP32_PEAK, M_RULE_FP32_FUSED, M_RULE_ISSUE_EVERY,
    };
    unsigned i;
    for (i = 0; i < NCU_RULE_COUNT; i++)
        if (strcmp(rule, rule_names[i]) == 0) {
            *bit = 1u << i;
            if (have[first_metric[i]])
                return NCU_RULE_READ; /* read already: ncu's second row of the rule says more of the same */
            return readers[i](text, value, have);
        }
    return NCU_RULE_UNKNOWN;
}
