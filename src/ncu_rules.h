/* ncu_rules: the numbers in the rule texts of ncu's details page.
 *
 * A details page of --set detailed or --set full has, per kernel, rule rows:
 * an empty Metric Name, the rule's section identifier in Section Name, and
 * Rule Name / Rule Description columns. Some rules say what the metric rows
 * do not: which pipe is the busiest (HighPipeUtilization), the share of the
 * FP32 and FP64 peaks reached (SOLFPRoofline). This module reads them into
 * the rule metrics of the feature table (M_RULE_*).
 *
 * Only what ncu prints is read, keyed on the rule's name and the numbers in
 * its text, not on the whole sentence: "FMA is the highest-utilized pipeline
 * (75.2%)" gives the pipe's name before "is the highest-utilized pipeline"
 * and the first percentage after it, whatever the rest of the text says. A
 * known rule whose text has not the words it is keyed on is "not
 * understood" (its metrics stay absent); an unknown rule is ignored. */
#ifndef GPU_PROFILER_NCU_RULES_H
#define GPU_PROFILER_NCU_RULES_H

#include <stddef.h>

/* Bits of the rules read, for -v. */
enum {
    NCU_RULE_PIPE = 1u << 0,     /* HighPipeUtilization */
    NCU_RULE_ROOFLINE = 1u << 1, /* SOLFPRoofline */
    NCU_RULE_FP_INST = 1u << 2,  /* FPInstructions */
    NCU_RULE_ISSUE = 1u << 3,    /* IssueSlotUtilization */
    NCU_RULE_COUNT = 4
};

/* The name of rule bit i (0 .. NCU_RULE_COUNT-1). */
const char *ncu_rules_name(unsigned i);

enum { NCU_RULE_UNKNOWN = 0, NCU_RULE_READ = 1, NCU_RULE_NOT_UNDERSTOOD = -1 };

/* Reads rule `rule` with text `text` into value[] / have[] (indexed by
 * metric_id). Returns NCU_RULE_READ and sets *bit, NCU_RULE_UNKNOWN for a
 * rule this module does not read (nothing set), or NCU_RULE_NOT_UNDERSTOOD
 * when a rule it reads has a text without what it is keyed on (nothing
 * set; *bit says which rule). A rule's metrics are set only when the rule
 * has not been read yet for this kernel (have[] still 0): ncu prints some
 * rules twice (a second FPInstructions row for FP64, say). */
int ncu_rules_read(const char *rule, const char *text, double *value, unsigned char *have, unsigned *bit);

#endif
