/* Unit tests for units.c: every unit ncu prints, thousands separators,
 * absent values, and what must be refused. */
#include "testlib.h"
#include "units.h"

static void unit_case(const char *text, double scale, const char *base)
{
    struct unit u;
    int rc = units_parse(text, &u);
    CHECK(rc == 0);
    if (rc == 0) {
        CHECK_NEAR(u.scale, scale, 1e-12);
        CHECK_STR(u.base, base);
    } else {
        fprintf(stderr, "  unit '%s' refused\n", text);
    }
}

int main(void)
{
    static const char *const bad_units[] = { "furlong", "Xbyte", "byte/", "/s", "byte/s/s", "KKbyte",
                                             "kbyte", "Bytes", "ms/", "%%", NULL };
    static const struct { const char *text; enum number_status st; double v; } numbers[] = {
        { "3,400,623", NUMBER_OK, 3400623 },
        { "3,395,428.70", NUMBER_OK, 3395428.70 },
        { "1.70", NUMBER_OK, 1.70 },
        { "0", NUMBER_OK, 0 },
        { "-0.5", NUMBER_OK, -0.5 },
        { "1e+06", NUMBER_OK, 1e6 },
        { " 42 ", NUMBER_OK, 42 },
        { "2,618,952,506.10", NUMBER_OK, 2618952506.10 },
        { "", NUMBER_ABSENT, 0 },
        { "n/a", NUMBER_ABSENT, 0 },
        { "N/A", NUMBER_ABSENT, 0 },
        { "-", NUMBER_ABSENT, 0 },
        { "nan", NUMBER_INVALID, 0 },
        { "inf", NUMBER_INVALID, 0 },
        { "-inf", NUMBER_INVALID, 0 },
        { "0x10", NUMBER_INVALID, 0 },
        { "1,23", NUMBER_INVALID, 0 },
        { "12,3456", NUMBER_INVALID, 0 },
        { "1234,567", NUMBER_INVALID, 0 },
        { ",123", NUMBER_INVALID, 0 },
        { "1.2.3", NUMBER_INVALID, 0 },
        { "1e999", NUMBER_INVALID, 0 },
        { "12abc", NUMBER_INVALID, 0 },
        { "(256, 1, 1)", NUMBER_INVALID, 0 },
        { "+", NUMBER_INVALID, 0 },
    };
    size_t i;

    /* time */
    unit_case("ns", 1e-9, "s");
    unit_case("us", 1e-6, "s");
    unit_case("ms", 1e-3, "s");
    unit_case("s", 1, "s");
    unit_case("nsecond", 1e-9, "s");
    unit_case("usecond", 1e-6, "s");
    unit_case("msecond", 1e-3, "s");
    /* bytes: SI prefixes, as ncu prints 32,768 bytes as 32.77 Kbyte */
    unit_case("byte", 1, "byte");
    unit_case("Kbyte", 1e3, "byte");
    unit_case("Mbyte", 1e6, "byte");
    unit_case("Gbyte", 1e9, "byte");
    unit_case("Tbyte", 1e12, "byte");
    unit_case("byte/s", 1, "byte/s");
    unit_case("Kbyte/s", 1e3, "byte/s");
    unit_case("Mbyte/s", 1e6, "byte/s");
    unit_case("Gbyte/s", 1e9, "byte/s");
    unit_case("Tbyte/s", 1e12, "byte/s");
    unit_case("byte/block", 1, "byte/block");
    unit_case("Kbyte/block", 1e3, "byte/block");
    unit_case("Kbyte/cycle", 1e3, "byte/cycle");
    unit_case("byte/sector", 1, "byte/sector");
    /* clocks */
    unit_case("hz", 1, "hz");
    unit_case("Khz", 1e3, "hz");
    unit_case("Mhz", 1e6, "hz");
    unit_case("Ghz", 1e9, "hz");
    unit_case("cycle/nsecond", 1e9, "hz");
    unit_case("cycle/s", 1, "hz");
    /* counts and ratios */
    unit_case("", 1, "");
    unit_case("%", 1, "%");
    unit_case("inst", 1, "inst");
    unit_case("inst/cycle", 1, "inst/cycle");
    unit_case("cycle", 1, "cycle");
    unit_case("warp", 1, "warp");
    unit_case("sector", 1, "sector");
    unit_case("sectors", 1, "sector");
    unit_case("sector/cycle", 1, "sector/cycle");
    unit_case("sector/ns", 1e9, "sector/s");
    unit_case("sector/us", 1e6, "sector/s");
    unit_case("sector/ms", 1e3, "sector/s");
    unit_case("sector/s", 1, "sector/s");
    unit_case("register/thread", 1, "register/thread");
    unit_case("%/register", 1, "%/register");
    unit_case("%/Kbyte", 1e-3, "%/byte");
    unit_case("block", 1, "block");
    unit_case("thread", 1, "thread");
    unit_case("SM", 1, "SM");
    unit_case("pass", 1, "pass");
    unit_case("cluster", 1, "cluster");
    unit_case("sample", 1, "sample");
    unit_case("branches", 1, "branch");
    unit_case("request", 1, "request");

    for (i = 0; bad_units[i]; i++) {
        struct unit u;
        int rc = units_parse(bad_units[i], &u);
        CHECK(rc != 0);
        if (rc == 0)
            fprintf(stderr, "  unit '%s' accepted\n", bad_units[i]);
    }
    {
        char longu[200];
        struct unit u;
        memset(longu, 'b', sizeof longu - 1);
        longu[sizeof longu - 1] = '\0';
        CHECK(units_parse(longu, &u) != 0);
    }

    for (i = 0; i < sizeof numbers / sizeof numbers[0]; i++) {
        double v = -12345;
        enum number_status st = units_parse_number(numbers[i].text, &v);
        CHECK(st == numbers[i].st);
        if (st != numbers[i].st)
            fprintf(stderr, "  number '%s': status %d\n", numbers[i].text, (int)st);
        if (st == NUMBER_OK && numbers[i].st == NUMBER_OK)
            CHECK_NEAR(v, numbers[i].v, 1e-12);
    }
    return tl_done();
}
