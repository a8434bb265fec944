/* units: ncu prints every value in a unit it picks per value (ms or us, Kbyte or
 * Gbyte, Mhz or Ghz) and with thousands separators. This stage turns a
 * (unit, value) pair into a number in the unit's base form, so that the same
 * metric reads the same whichever page or --print-units mode produced it. */
#ifndef GPU_PROFILER_UNITS_H
#define GPU_PROFILER_UNITS_H

#include <stddef.h>

/* A parsed unit: multiply a printed value by scale to get it in base units.
 * base names the base unit ("s", "byte", "byte/s", "hz", "%", "inst", ...);
 * it points into static storage or into the caller's buffer given to
 * units_parse, never into the input string. */
struct unit {
    double scale;
    char base[64];
};

/* Parses a unit string as ncu prints it. Returns 0 on success, -1 if the unit
 * is not one ncu prints (the caller names it in its error). The empty unit is
 * valid and means a plain number. */
int units_parse(const char *text, struct unit *out);

enum number_status {
    NUMBER_OK = 0,
    NUMBER_ABSENT,  /* empty, "n/a", "N/A", "-": the metric was not collected */
    NUMBER_INVALID  /* text that is not a number, or nan/inf, or out of range */
};

/* Parses a value as ncu prints it ("3,400,623", "1.70", "-0.5", "1e+06").
 * Thousands separators are accepted only in groups of three. */
enum number_status units_parse_number(const char *text, double *out);

#endif
