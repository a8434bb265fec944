/* units: normalises ncu's per-value units and number formatting; see units.h. */
#include "units.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct prefix { char letter; double scale; };
static const struct prefix prefixes[] = {
    { 'K', 1e3 }, { 'M', 1e6 }, { 'G', 1e9 }, { 'T', 1e12 }, { 'P', 1e15 },
};

/* Units that take an SI prefix (ncu uses powers of 1000: 32,768 bytes print
 * as "32.77 Kbyte"). */
static const char *const prefixable[] = { "byte", "bit", "hz" };

static const struct { const char *name; double seconds; } times[] = {
    { "ns", 1e-9 }, { "nsecond", 1e-9 }, { "us", 1e-6 }, { "usecond", 1e-6 },
    { "ms", 1e-3 }, { "msecond", 1e-3 }, { "s", 1.0 }, { "second", 1.0 },
};

/* Counted things: scale 1, base is the name itself (plurals folded). */
static const struct { const char *name; const char *base; } counts[] = {
    { "%", "%" },           { "inst", "inst" },       { "cycle", "cycle" },
    { "cycles", "cycle" },  { "sector", "sector" },   { "sectors", "sector" },
    { "warp", "warp" },     { "warps", "warp" },      { "block", "block" },
    { "blocks", "block" },  { "thread", "thread" },   { "threads", "thread" },
    { "request", "request" }, { "requests", "request" },
    { "register", "register" }, { "registers", "register" },
    { "SM", "SM" },         { "pass", "pass" },       { "passes", "pass" },
    { "cluster", "cluster" }, { "clusters", "cluster" },
    { "sample", "sample" }, { "samples", "sample" },  { "branch", "branch" },
    { "branches", "branch" }, { "wavefront", "wavefront" },
    { "wavefronts", "wavefront" }, { "transaction", "transaction" },
    { "transactions", "transaction" }, { "instance", "instance" },
    { "bank", "bank" },     { "x", "x" },             { "CTA", "block" },
};

/* One side of a unit ("Kbyte", "ms", "inst"). is_time tells whether it is a
 * duration, which matters when it is a denominator. */
static int parse_part(const char *s, double *scale, const char **base, int *is_time)
{
    size_t i;
    *is_time = 0;
    for (i = 0; i < sizeof times / sizeof times[0]; i++)
        if (strcmp(s, times[i].name) == 0) {
            *scale = times[i].seconds;
            *base = "s";
            *is_time = 1;
            return 0;
        }
    for (i = 0; i < sizeof counts / sizeof counts[0]; i++)
        if (strcmp(s, counts[i].name) == 0) {
            *scale = 1.0;
            *base = counts[i].base;
            return 0;
        }
    for (i = 0; i < sizeof prefixable / sizeof prefixable[0]; i++) {
        const char *b = prefixable[i];
        size_t n = strlen(s), bn = strlen(b);
        size_t p;
        /* "hz" is printed "hz", "Mhz", "Ghz"; accept "Hz" spellings too. */
        if (n < bn || strcasecmp(s + n - bn, b) != 0)
            continue;
        if (strcmp(b, "hz") != 0 && strcmp(s + n - bn, b) != 0)
            continue;
        if (n == bn) {
            *scale = 1.0;
            *base = b;
            return 0;
        }
        if (n != bn + 1)
            continue;
        for (p = 0; p < sizeof prefixes / sizeof prefixes[0]; p++)
            if (s[0] == prefixes[p].letter) {
                *scale = prefixes[p].scale;
                *base = b;
                return 0;
            }
    }
    return -1;
}

int units_parse(const char *text, struct unit *out)
{
    char num[64], den[64];
    const char *slash, *nbase, *dbase;
    double nscale, dscale;
    int ntime, dtime;
    size_t len = strlen(text);

    if (len == 0) {
        out->scale = 1.0;
        out->base[0] = '\0';
        return 0;
    }
    if (len >= sizeof num)
        return -1;
    slash = strchr(text, '/');
    if (!slash) {
        if (parse_part(text, &nscale, &nbase, &ntime) != 0)
            return -1;
        out->scale = nscale;
        snprintf(out->base, sizeof out->base, "%s", nbase);
        return 0;
    }
    if (strchr(slash + 1, '/') || slash == text || slash[1] == '\0')
        return -1;
    memcpy(num, text, (size_t)(slash - text));
    num[slash - text] = '\0';
    snprintf(den, sizeof den, "%s", slash + 1);
    if (parse_part(num, &nscale, &nbase, &ntime) != 0 ||
        parse_part(den, &dscale, &dbase, &dtime) != 0)
        return -1;
    out->scale = nscale / dscale;
    /* A count per unit of time is a rate in base "x/s"; cycles per second is
     * a clock, which ncu's base units call "hz". */
    if (dtime && strcmp(nbase, "cycle") == 0)
        snprintf(out->base, sizeof out->base, "hz");
    else
        snprintf(out->base, sizeof out->base, "%s/%s", nbase, dbase);
    return 0;
}

static int is_absent(const char *s)
{
    return s[0] == '\0' || strcmp(s, "n/a") == 0 || strcmp(s, "N/A") == 0 ||
           strcmp(s, "-") == 0 || strcmp(s, "--") == 0;
}

enum number_status units_parse_number(const char *text, double *out)
{
    char buf[128];
    size_t o = 0, group = 0;
    int in_int = 1, seen_digit = 0, seen_comma = 0;
    const char *s = text, *end;
    char *stop;
    double v;

    while (*s == ' ')
        s++;
    end = s + strlen(s);
    while (end > s && end[-1] == ' ')
        end--;
    if (end - s >= (long)sizeof buf)
        return NUMBER_INVALID;
    memcpy(buf, s, (size_t)(end - s));
    buf[end - s] = '\0';
    if (is_absent(buf))
        return NUMBER_ABSENT;

    /* Copy without thousands separators, checking they sit every three
     * digits of the integer part ("1,234" yes, "1,23" and "12,3456" no). */
    for (s = buf; *s; s++) {
        char c = *s;
        if (c == ',') {
            if (!in_int || !seen_digit || (seen_comma && group != 3) ||
                (!seen_comma && group > 3))
                return NUMBER_INVALID;
            seen_comma = 1;
            group = 0;
            continue;
        }
        if (c >= '0' && c <= '9') {
            if (in_int) {
                group++;
                seen_digit = 1;
            }
        } else if (c == '.' || c == 'e' || c == 'E') {
            if (in_int && seen_comma && group != 3)
                return NUMBER_INVALID;
            in_int = 0;
        } else if (c == '+' || c == '-') {
            /* sign: strtod checks where it may stand */
        } else {
            return NUMBER_INVALID; /* letters: hex, nan, inf, junk */
        }
        buf[o++] = c;
    }
    if (in_int && seen_comma && group != 3)
        return NUMBER_INVALID;
    buf[o] = '\0';
    if (o == 0)
        return NUMBER_INVALID;
    errno = 0;
    v = strtod(buf, &stop);
    if (*stop != '\0' || stop == buf)
        return NUMBER_INVALID;
    if (errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL))
        return NUMBER_INVALID;
    if (!isfinite(v))
        return NUMBER_INVALID;
    *out = v;
    return NUMBER_OK;
}
