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

double model_builtin_measured(const char *gpu_name, const char *variant, enum model_measured k)
{
    const struct model *m = model_builtin_for(gpu_name, variant);
    return m ? model_measured(m, k) : -1;
}

size_t model_builtin_gpus(char *buf, size_t n)
{
    size_t i, j, o = 0, count = 0;
    load_all();
    if (n)
        buf[0] = '\0';
    for (i = 0; i < nparsed; i++) {
        for (j = 0; j < i && strcmp(parsed[j].gpu, parsed[i].gpu) != 0; j++)
            ;
        if (j < i)
            continue; /* another tier of a GPU already listed */
        if (o < n)
            o += (size_t)snprintf(buf + o, n - o, "%s%s", count ? ", " : "", parsed[i].gpu);
        count++;
    }
    return count;
}
