/* Unit tests for runner.c's pure parts: the --kernel-id that --sample gives
 * ncu, checked by matching it (as a POSIX extended regular expression: it
 * uses only digits, classes, groups, '|', '*', '^' and '$', read the same by
 * ncu's regex engine) against every invocation number up to 30000. The
 * process handling is tested through the CLI (tests/cli.cases, signals.sh). */
#include <regex.h>

#include "runner.h"
#include "testlib.h"

static void sample_case(long every)
{
    char id[8192];
    regex_t re;
    long i, wrong = 0;
    CHECK(runner_sample_kernel_id(every, id, sizeof id) == 0);
    CHECK(strncmp(id, ":::", 3) == 0);
    if (strncmp(id, ":::", 3) != 0 || regcomp(&re, id + 3, REG_EXTENDED | REG_NOSUB) != 0) {
        fprintf(stderr, "  --sample %ld: kernel id '%.80s' does not compile\n", every, id);
        CHECK(0);
        return;
    }
    for (i = 1; i <= 30000; i++) {
        char num[16];
        int want = i % every == 1 % every, got;
        snprintf(num, sizeof num, "%ld", i);
        got = regexec(&re, num, 0, NULL, 0) == 0;
        if (got != want && wrong++ < 3)
            fprintf(stderr, "  --sample %ld: invocation %ld %s\n", every, i, got ? "matched" : "not matched");
    }
    CHECK(wrong == 0);
    /* the text around the numbers never matches */
    CHECK(regexec(&re, "", 0, NULL, 0) != 0);
    CHECK(regexec(&re, "x1", 0, NULL, 0) != 0);
    regfree(&re);
}

int main(void)
{
    long every;
    char small[64];
    size_t n = 0;
    for (every = 1; every <= RUNNER_SAMPLE_MAX; every++)
        if (RUNNER_SAMPLE_MAX % every == 0) {
            sample_case(every);
            n++;
        }
    CHECK(n == 25); /* the divisors of 10000 */
    /* numbers whose remainder no set of last digits decides, and out of range */
    CHECK(runner_sample_kernel_id(3, small, sizeof small) == -1);
    CHECK(runner_sample_kernel_id(12, small, sizeof small) == -1);
    CHECK(runner_sample_kernel_id(0, small, sizeof small) == -1);
    CHECK(runner_sample_kernel_id(-10, small, sizeof small) == -1);
    CHECK(runner_sample_kernel_id(20000, small, sizeof small) == -1);
    /* too small a buffer is refused, not cut */
    CHECK(runner_sample_kernel_id(16, small, sizeof small) == -1);
    CHECK(runner_sample_kernel_id(10, small, sizeof small) == 0);
    CHECK_STR(small, ":::^([0-9]*(1))$");
    CHECK(runner_sample_kernel_id(4, small, sizeof small) == -1 || strlen(small) < sizeof small);
    return tl_done();
}
