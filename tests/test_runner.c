/* Unit tests for runner.c's pure parts: the --kernel-id that --sample gives
 * ncu, checked by matching it (as a POSIX extended regular expression: it
 * uses only digits, a class, groups, '|', '*', '^' and '$', which ncu's
 * regular expressions read the same way) against invocation numbers. The
 * process handling is tested through the CLI (tests/cli.cases, signals.sh). */
#include <regex.h>

#include "runner.h"
#include "testlib.h"

static int matches(regex_t *re, long i)
{
    char num[24];
    snprintf(num, sizeof num, "%ld", i);
    return regexec(re, num, 0, NULL, 0) == 0;
}

/* every: the --sample N; full: check whole periods of the endings (slow for
 * large N), else numbers spread over the first 10^7 */
static void sample_case(long every, int full)
{
    static char id[16384];
    regex_t re;
    double weight = 0;
    long mod = 1, i, hits = 0, wrong = 0, by_residue[4][4] = { { 0 } };
    int p;
    CHECK(runner_sample_kernel_id(every, id, sizeof id, &weight) == 0);
    CHECK(strncmp(id, ":::", 3) == 0);
    if (strncmp(id, ":::", 3) != 0 || regcomp(&re, id + 3, REG_EXTENDED | REG_NOSUB) != 0) {
        fprintf(stderr, "  --sample %ld: kernel id '%.80s' does not compile\n", every, id);
        CHECK(0);
        return;
    }
    CHECK(weight > 0.995 * (double)every && weight < 1.005 * (double)every);
    while (mod < 100 * every)
        mod *= 10;
    if (full) {
        /* the same endings in every period of 10^k invocations, short numbers included */
        for (i = 1; i <= 3 * mod; i++) {
            int m = matches(&re, i);
            hits += m;
            if (i <= mod && m != matches(&re, i + mod) && wrong++ < 3)
                fprintf(stderr, "  --sample %ld: invocation %ld and %ld differ\n", every, i, i + mod);
            for (p = 2; m && p <= 4; p++)
                by_residue[p - 1][i % p]++;
        }
        /* 3 periods: each ending 3 times, so 3 * 10^k / weight */
        CHECK_NEAR((double)hits, 3.0 * (double)mod / weight, 1e-9);
        /* no aliasing with a kernel run 2, 3 or 4 times a step: every
         * position in the step is sampled, none more than 1.5x its share */
        for (p = 2; p <= 4; p++) {
            int r;
            for (r = 0; r < p; r++)
                CHECK(by_residue[p - 1][r] * p > hits / 2 && by_residue[p - 1][r] * p < hits * 3 / 2);
        }
    } else {
        for (i = 1; i < 10000000; i += 997) {
            hits += matches(&re, i);
            if (matches(&re, i) != matches(&re, i + mod) && wrong++ < 3)
                fprintf(stderr, "  --sample %ld: invocation %ld and %ld differ\n", every, i, i + mod);
        }
        CHECK(hits > 0);
    }
    CHECK(wrong == 0);
    /* the text around the numbers never matches */
    CHECK(!matches(&re, 0));
    CHECK(regexec(&re, "", 0, NULL, 0) != 0);
    CHECK(regexec(&re, "x1", 0, NULL, 0) != 0);
    regfree(&re);
}

int main(void)
{
    static const long big[] = { 100, 991, 1000, 6928, 9999, 10000 };
    char small[64];
    long every;
    size_t i;
    for (every = 2; every <= 12; every++)
        sample_case(every, 1);
    sample_case(25, 1);
    for (i = 0; i < sizeof big / sizeof big[0]; i++)
        sample_case(big[i], 0);
    /* out of range */
    CHECK(runner_sample_kernel_id(1, small, sizeof small, NULL) == -1);
    CHECK(runner_sample_kernel_id(0, small, sizeof small, NULL) == -1);
    CHECK(runner_sample_kernel_id(-10, small, sizeof small, NULL) == -1);
    CHECK(runner_sample_kernel_id(RUNNER_SAMPLE_MAX + 1, small, sizeof small, NULL) == -1);
    /* too small a buffer is refused, not cut */
    CHECK(runner_sample_kernel_id(10, small, sizeof small, NULL) == -1);
    return tl_done();
}
