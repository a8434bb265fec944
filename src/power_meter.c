/* power_meter: see power_meter.h. */
#include "power_meter.h"

#include "plat.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct nvml_device *nvml_device;

/* nvmlFieldValue_t as laid out by nvml.h (stable since NVML 10). */
struct nvml_field_value {
    unsigned field_id;
    unsigned scope_id;
    long long timestamp;
    long long latency_us;
    int value_type; /* 0 double, 1 uint, 2 ulong, 3 ulonglong, 4 slonglong, 5 sint */
    int nvml_return;
    union {
        double d;
        unsigned u;
        unsigned long ul;
        unsigned long long ull;
        long long sll;
        int si;
    } value;
};

enum { NVML_FI_DEV_POWER_INSTANT = 186, NVML_CLOCK_SM = 1, NVML_TEMPERATURE_GPU = 0 };

struct power_meter {
    void *lib;
    nvml_device dev;
    int (*init)(void);
    int (*shutdown)(void);
    int (*by_pci)(const char *, nvml_device *);
    int (*by_index)(unsigned, nvml_device *);
    int (*by_uuid)(const char *, nvml_device *); /* optional */
    int (*get_name)(nvml_device, char *, unsigned);
    int (*get_serial)(nvml_device, char *, unsigned); /* optional, as is get_uuid */
    int (*get_uuid)(nvml_device, char *, unsigned);
    int (*nvlink_state)(nvml_device, unsigned, int *); /* optional */
    char board[64];
    int (*energy)(nvml_device, unsigned long long *);
    int (*field_values)(nvml_device, int, struct nvml_field_value *);
    int (*power_usage)(nvml_device, unsigned *);
    int (*clock_info)(nvml_device, int, unsigned *);
    int (*temperature)(nvml_device, int, unsigned *);
    int (*power_limit)(nvml_device, unsigned *);
    int (*driver_version)(char *, unsigned);
    const char *(*error_string)(int);
    char name[96];
    char driver[80];
    double limit_w;
    int have_instant;

    pthread_t thread;
    pthread_mutex_t lock;
    int running, stop;
    unsigned period_us;
    struct power_sample *s;
    size_t n, cap;
    int fail_rc;
};

double power_meter_now(void)
{
    return plat_now_s();
}

static const char *nvml_err(const struct power_meter *pm, int rc)
{
    static char buf[32];
    if (pm->error_string)
        return pm->error_string(rc);
    snprintf(buf, sizeof buf, "NVML error %d", rc);
    return buf;
}

/* The board's serial number, or its UUID where the board has none (NVML
 * gives no serial on some boards), made safe as a file name. */
static void board_id(struct power_meter *pm)
{
    char buf[96] = "";
    size_t i, n = 0;
    if (!(pm->get_serial && pm->get_serial(pm->dev, buf, sizeof buf) == 0 && buf[0] && strcmp(buf, "N/A") != 0) &&
        !(pm->get_uuid && pm->get_uuid(pm->dev, buf, sizeof buf) == 0 && buf[0]))
        buf[0] = '\0';
    for (i = 0; buf[i] && n < sizeof pm->board - 1; i++)
        if ((buf[i] >= '0' && buf[i] <= '9') || (buf[i] >= 'a' && buf[i] <= 'z') || (buf[i] >= 'A' && buf[i] <= 'Z') ||
            buf[i] == '-' || buf[i] == '_')
            pm->board[n++] = buf[i];
    pm->board[n] = '\0';
}

/* The driver's NVML, loaded; NULL with the reason in err. */
static void *load_nvml(char *err, size_t errlen)
{
    char why[512];
    void *lib = plat_lib_open(PLAT_LIB_NVML, why, sizeof why);
    if (!lib)
        snprintf(err, errlen, "cannot load NVML (%s): %s; power is measured through the NVIDIA driver's NVML "
                 "library", plat_lib_file(PLAT_LIB_NVML), why);
    return lib;
}

#define LOAD(field, name)                                                                         \
    do {                                                                                          \
        void *f_ = plat_lib_sym(pm->lib, name);                                                   \
        if (!f_) {                                                                                \
            snprintf(err, errlen, "NVML (%s) lacks %s; the driver is too old",                    \
                     plat_lib_file(PLAT_LIB_NVML), name);                                         \
            goto fail;                                                                            \
        }                                                                                         \
        memcpy(&pm->field, &f_, sizeof f_);                                                       \
    } while (0)

struct power_meter *power_meter_open(const char *pci_bus_id, char *err, size_t errlen)
{
    struct power_meter *pm = calloc(1, sizeof *pm);
    unsigned mw = 0;
    int rc;
    struct nvml_field_value fv;
    if (!pm) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    pm->lib = load_nvml(err, errlen);
    if (!pm->lib) {
        free(pm);
        return NULL;
    }
    LOAD(error_string, "nvmlErrorString");
    LOAD(init, "nvmlInit_v2");
    LOAD(shutdown, "nvmlShutdown");
    LOAD(by_pci, "nvmlDeviceGetHandleByPciBusId_v2");
    LOAD(by_index, "nvmlDeviceGetHandleByIndex_v2");
    LOAD(get_name, "nvmlDeviceGetName");
    LOAD(energy, "nvmlDeviceGetTotalEnergyConsumption");
    LOAD(field_values, "nvmlDeviceGetFieldValues");
    LOAD(power_usage, "nvmlDeviceGetPowerUsage");
    LOAD(clock_info, "nvmlDeviceGetClockInfo");
    LOAD(temperature, "nvmlDeviceGetTemperature");
    LOAD(power_limit, "nvmlDeviceGetEnforcedPowerLimit");
    LOAD(driver_version, "nvmlSystemGetDriverVersion");
    {
        void *f = plat_lib_sym(pm->lib, "nvmlDeviceGetHandleByUUID");
        memcpy(&pm->by_uuid, &f, sizeof f);
        f = plat_lib_sym(pm->lib, "nvmlDeviceGetSerial");
        memcpy(&pm->get_serial, &f, sizeof f);
        f = plat_lib_sym(pm->lib, "nvmlDeviceGetUUID");
        memcpy(&pm->get_uuid, &f, sizeof f);
        f = plat_lib_sym(pm->lib, "nvmlDeviceGetNvLinkState");
        memcpy(&pm->nvlink_state, &f, sizeof f);
    }
    if ((rc = pm->init()) != 0) {
        snprintf(err, errlen, "NVML did not start: %s", nvml_err(pm, rc));
        goto fail;
    }
    /* "#N" names an NVML index, "GPU-..." a UUID (as CUDA_VISIBLE_DEVICES may) */
    if (!pci_bus_id || pci_bus_id[0] == '#')
        rc = pm->by_index(pci_bus_id ? (unsigned)atoi(pci_bus_id + 1) : 0, &pm->dev);
    else if (strncmp(pci_bus_id, "GPU-", 4) == 0 && pm->by_uuid)
        rc = pm->by_uuid(pci_bus_id, &pm->dev);
    else
        rc = pm->by_pci(pci_bus_id, &pm->dev);
    if (rc != 0) {
        snprintf(err, errlen, "NVML cannot open the GPU %s: %s",
                 pci_bus_id ? pci_bus_id + (pci_bus_id[0] == '#') : "0", nvml_err(pm, rc));
        pm->shutdown();
        goto fail;
    }
    if (pm->get_name(pm->dev, pm->name, sizeof pm->name) != 0)
        snprintf(pm->name, sizeof pm->name, "unknown");
    board_id(pm);
    if (pm->driver_version(pm->driver, sizeof pm->driver) != 0)
        snprintf(pm->driver, sizeof pm->driver, "unknown");
    if (pm->power_limit(pm->dev, &mw) == 0)
        pm->limit_w = mw / 1000.0;
    {
        unsigned long long mj;
        if ((rc = pm->energy(pm->dev, &mj)) != 0) {
            snprintf(err, errlen, "NVML cannot read the energy counter of %s: %s (calibrate needs a Volta or "
                     "newer data-centre or workstation GPU)", pm->name, nvml_err(pm, rc));
            pm->shutdown();
            goto fail;
        }
    }
    memset(&fv, 0, sizeof fv);
    fv.field_id = NVML_FI_DEV_POWER_INSTANT;
    pm->have_instant = pm->field_values(pm->dev, 1, &fv) == 0 && fv.nvml_return == 0;
    pthread_mutex_init(&pm->lock, NULL);
    return pm;
fail:
    plat_lib_close(pm->lib);
    free(pm);
    return NULL;
}

void power_meter_close(struct power_meter *pm)
{
    if (!pm)
        return;
    power_meter_stop(pm);
    pm->shutdown();
    plat_lib_close(pm->lib);
    pthread_mutex_destroy(&pm->lock);
    free(pm->s);
    free(pm);
}

const char *power_meter_gpu_name(const struct power_meter *pm) { return pm->name; }

int power_meter_nvlinks(const struct power_meter *pm)
{
    enum { NVML_NVLINK_MAX_LINKS = 18 };
    unsigned link;
    int active = 0, answered = 0;
    if (!pm->nvlink_state)
        return -1;
    for (link = 0; link < NVML_NVLINK_MAX_LINKS; link++) {
        int on = 0;
        if (pm->nvlink_state(pm->dev, link, &on) == 0) {
            answered = 1;
            active += on != 0;
        }
    }
    return answered ? active : 0;
}
const char *power_meter_driver(const struct power_meter *pm) { return pm->driver; }
double power_meter_limit_w(const struct power_meter *pm) { return pm->limit_w; }

const char *power_meter_board(const struct power_meter *pm) { return pm->board; }

static double field_as_watts(const struct nvml_field_value *fv)
{
    double mw;
    switch (fv->value_type) {
    case 0: mw = fv->value.d; break;
    case 1: mw = fv->value.u; break;
    case 2: mw = (double)fv->value.ul; break;
    case 3: mw = (double)fv->value.ull; break;
    case 4: mw = (double)fv->value.sll; break;
    default: mw = fv->value.si; break;
    }
    return mw / 1000.0;
}

static void *sampler(void *arg)
{
    struct power_meter *pm = arg;
    unsigned k = 0;
    unsigned temp = 0;
    for (;;) {
        struct power_sample s;
        pthread_mutex_lock(&pm->lock);
        if (pm->stop) {
            pthread_mutex_unlock(&pm->lock);
            break;
        }
        pthread_mutex_unlock(&pm->lock);
        memset(&s, 0, sizeof s);
        s.instant_w = -1.0;
        if (pm->energy(pm->dev, &s.energy_mj) != 0) {
            pm->fail_rc = 1;
            break;
        }
        s.t = power_meter_now();
        if (pm->have_instant) {
            struct nvml_field_value fv;
            memset(&fv, 0, sizeof fv);
            fv.field_id = NVML_FI_DEV_POWER_INSTANT;
            if (pm->field_values(pm->dev, 1, &fv) == 0 && fv.nvml_return == 0)
                s.instant_w = field_as_watts(&fv);
        } else {
            unsigned mw;
            if (pm->power_usage(pm->dev, &mw) == 0)
                s.instant_w = mw / 1000.0;
        }
        if (pm->clock_info(pm->dev, NVML_CLOCK_SM, &s.sm_clock_mhz) != 0)
            s.sm_clock_mhz = 0;
        if (k++ % 20 == 0 && pm->temperature(pm->dev, NVML_TEMPERATURE_GPU, &temp) != 0)
            temp = 0;
        s.temp_c = temp;
        pthread_mutex_lock(&pm->lock);
        if (pm->n == pm->cap) {
            size_t cap = pm->cap ? pm->cap * 2 : 4096;
            struct power_sample *ns = realloc(pm->s, cap * sizeof *ns);
            if (!ns) {
                pm->fail_rc = 2;
                pthread_mutex_unlock(&pm->lock);
                break;
            }
            pm->s = ns;
            pm->cap = cap;
        }
        pm->s[pm->n++] = s;
        pthread_mutex_unlock(&pm->lock);
        plat_sleep_s((double)pm->period_us * 1e-6);
    }
    return NULL;
}

int power_meter_start(struct power_meter *pm, unsigned period_us, char *err, size_t errlen)
{
    int rc;
    if (pm->running)
        return 0;
    pm->period_us = period_us;
    pm->stop = 0;
    pm->fail_rc = 0;
    rc = pthread_create(&pm->thread, NULL, sampler, pm);
    if (rc != 0) {
        snprintf(err, errlen, "cannot start the power sampler thread: %s", strerror(rc));
        return -1;
    }
    pm->running = 1;
    return 0;
}

void power_meter_stop(struct power_meter *pm)
{
    if (!pm->running)
        return;
    pthread_mutex_lock(&pm->lock);
    pm->stop = 1;
    pthread_mutex_unlock(&pm->lock);
    pthread_join(pm->thread, NULL);
    pm->running = 0;
}

int power_meter_energy_j(struct power_meter *pm, double *joules)
{
    unsigned long long mj;
    if (pm->energy(pm->dev, &mj) != 0)
        return -1;
    *joules = (double)mj / 1000.0;
    return 0;
}

void power_meter_forget_before(struct power_meter *pm, double t)
{
    size_t i = 0;
    pthread_mutex_lock(&pm->lock);
    while (i < pm->n && pm->s[i].t < t)
        i++;
    memmove(pm->s, pm->s + i, (pm->n - i) * sizeof *pm->s);
    pm->n -= i;
    pthread_mutex_unlock(&pm->lock);
}

int power_summary(const struct power_sample *smp, size_t count, double t0, double t1, double t_instant,
                  struct power_window *w, char *err, size_t errlen)
{
    size_t i, n = 0, nclk = 0;
    double clk = 0, first_t = 0, last_t = 0, ninst = 0;
    unsigned long long e_first = 0, e_last = 0, e_prev = 0;
    int have_prev = 0, have_first = 0;
    const struct power_sample *before = NULL;
    memset(w, 0, sizeof *w);
    w->min_w = 1e300;
    w->peak_w = -1e300;
    w->duration_s = t1 - t0;
    for (i = 0; i < count; i++) {
        const struct power_sample *s = &smp[i];
        if (s->t < t0) {
            before = s;
            continue;
        }
        if (s->t > t1)
            break;
        n++;
        if (s->instant_w >= 0 && s->t >= t_instant) {
            if (s->instant_w < w->min_w)
                w->min_w = s->instant_w;
            if (s->instant_w > w->peak_w)
                w->peak_w = s->instant_w;
            ninst++;
        }
        if (s->sm_clock_mhz) {
            clk += s->sm_clock_mhz;
            nclk++;
        }
        if (s->temp_c > w->temp_c)
            w->temp_c = s->temp_c;
        /* the energy counter's change points inside the window */
        if (!have_prev) {
            e_prev = before ? before->energy_mj : s->energy_mj;
            have_prev = 1;
            if (!before)
                continue;
        }
        if (s->energy_mj != e_prev) {
            if (!have_first) {
                have_first = 1;
                first_t = s->t;
                e_first = s->energy_mj;
            }
            last_t = s->t;
            e_last = s->energy_mj;
        }
        e_prev = s->energy_mj;
    }
    w->samples = n;
    if (n < 10 || ninst == 0) {
        snprintf(err, errlen, "only %zu power samples in a %.2f s window", n, t1 - t0);
        return -1;
    }
    w->sm_clock_mhz = nclk ? clk / (double)nclk : 0.0;
    if (!have_first || last_t - first_t < 0.5 * (t1 - t0)) {
        snprintf(err, errlen, "the energy counter changed too rarely in a %.2f s window to give an average",
                 t1 - t0);
        w->avg_w = NAN;
        return -2;
    }
    w->energy_span_s = last_t - first_t;
    w->avg_w = (double)(e_last - e_first) / 1000.0 / (last_t - first_t);
    return 0;
}

int power_meter_window_settled(struct power_meter *pm, double t0, double t1, double t_instant,
                               struct power_window *w, char *err, size_t errlen)
{
    int rc;
    pthread_mutex_lock(&pm->lock);
    if (pm->fail_rc) {
        pthread_mutex_unlock(&pm->lock);
        memset(w, 0, sizeof *w);
        snprintf(err, errlen, "the power sampler stopped (%s)", pm->fail_rc == 1 ? "NVML read failed" : "out of memory");
        return -1;
    }
    rc = power_summary(pm->s, pm->n, t0, t1, t_instant, w, err, errlen);
    pthread_mutex_unlock(&pm->lock);
    return rc;
}

int power_meter_window(struct power_meter *pm, double t0, double t1, struct power_window *w, char *err,
                       size_t errlen)
{
    return power_meter_window_settled(pm, t0, t1, t0, w, err, errlen);
}

int power_meter_gpu_count(unsigned *count, char *err, size_t errlen)
{
    void *lib = load_nvml(err, errlen), *f_init, *f_count, *f_shutdown;
    int (*init)(void), (*get_count)(unsigned *), (*shutdown)(void);
    int rc;
    if (!lib)
        return -1;
    f_init = plat_lib_sym(lib, "nvmlInit_v2");
    f_count = plat_lib_sym(lib, "nvmlDeviceGetCount_v2");
    f_shutdown = plat_lib_sym(lib, "nvmlShutdown");
    if (!f_init || !f_count || !f_shutdown) {
        snprintf(err, errlen, "NVML (%s) lacks nvmlDeviceGetCount_v2; the driver is too old",
                 plat_lib_file(PLAT_LIB_NVML));
        plat_lib_close(lib);
        return -1;
    }
    memcpy(&init, &f_init, sizeof f_init);
    memcpy(&get_count, &f_count, sizeof f_count);
    memcpy(&shutdown, &f_shutdown, sizeof f_shutdown);
    if ((rc = init()) != 0) {
        snprintf(err, errlen, "NVML did not start (error %d)", rc);
        plat_lib_close(lib);
        return -1;
    }
    rc = get_count(count);
    shutdown();
    plat_lib_close(lib);
    if (rc != 0) {
        snprintf(err, errlen, "NVML cannot count the GPUs (error %d)", rc);
        return -1;
    }
    return 0;
}

double power_meter_instant_at(struct power_meter *pm, double t)
{
    size_t lo = 0, hi;
    double w = NAN;
    pthread_mutex_lock(&pm->lock);
    hi = pm->n;
    /* the last sample taken at or before t */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (pm->s[mid].t <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    while (lo > 0 && pm->s[lo - 1].instant_w < 0)
        lo--;
    if (lo > 0)
        w = pm->s[lo - 1].instant_w;
    pthread_mutex_unlock(&pm->lock);
    return w;
}
