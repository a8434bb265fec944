/* model_builtin: the models compiled into the binary (each models/NAME.model,
 * turned into strings by tools/embed at build time), parsed on first use. */
#include <stdio.h>
#include <string.h>

#include "model.h"

extern const char *const models_embedded[];
extern const size_t models_embedded_count;

#define BUILTIN_MAX 16
static struct model parsed[BUILTIN_MAX]; /* static: nothing to free at exit */
static size_t nparsed;

static void load_all(void)
{
    static int done;
    size_t i;
    char err[256];
    if (done)
        return;
    done = 1;
    for (i = 0; i < models_embedded_count && nparsed < BUILTIN_MAX; i++) {
        const char *t = models_embedded[i];
        /* a built-in model that does not parse is a build defect: the test
         * suite checks every one, so this only guards against a bad build */
        if (model_parse(t, strlen(t), &parsed[nparsed], err, sizeof err) == 0)
            nparsed++;
        else
            fprintf(stderr, "gpu_profiler: built-in model %zu: %s\n", i, err);
    }
}

size_t model_builtin_count(void)
{
    load_all();
    return nparsed;
}

const struct model *model_builtin(size_t i)
{
    load_all();
    return i < nparsed ? &parsed[i] : NULL;
}

const struct model *model_builtin_for(const char *gpu_name, const char *variant)
{
    size_t i;
    load_all();
    if (!variant)
        variant = "";
    for (i = 0; i < nparsed; i++)
        if (strcmp(parsed[i].gpu, gpu_name) == 0 && strcmp(parsed[i].variant, variant) == 0)
            return &parsed[i];
    return NULL;
}

/* What each built-in model's avg error is on the validation workloads (24
 * real applications, never fitted on; MAPE over the GPU-busy time), as
 * docs/ACCURACY.md measures it; tests/accuracy_doc.sh recomputes each
 * figure from the recorded runs and fails when one here differs. */
static const struct {
    const char *gpu, *variant;
    double avg_mape_pct;
} validated[] = {
    { "NVIDIA H100 80GB HBM3", "", 7.8 },       { "NVIDIA H100 80GB HBM3", "fast", 8.5 },
    { "NVIDIA H100 80GB HBM3", "detailed", 10.2 }, { "NVIDIA H100 80GB HBM3", "basic", 28.7 },
    { "NVIDIA H200", "", 7.1 },                 { "NVIDIA H200", "fast", 8.8 },
    { "NVIDIA H200", "full", 9.4 },             { "NVIDIA H200", "detailed", 10.2 },
    { "NVIDIA H200", "basic", 17.0 },
};

double model_builtin_validation_mape(const struct model *m)
{
    size_t i;
    load_all();
    for (i = 0; i < nparsed && m != &parsed[i]; i++)
        ;
    if (i == nparsed)
        return -1; /* a model file: never validated by the tool */
    for (i = 0; i < sizeof validated / sizeof validated[0]; i++)
        if (strcmp(validated[i].gpu, m->gpu) == 0 && strcmp(validated[i].variant, m->variant) == 0)
            return validated[i].avg_mape_pct;
    return -1;
}
