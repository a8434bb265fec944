/* power_meter: NVML loaded at run time with dlopen("libnvidia-ml.so.1"), no
 * header, and a sampler thread that polls the energy counter, the instant
 * power field, the SM clock and the temperature every few milliseconds, so
 * a measurement window's average, minimum and peak power follow MEASURE.md:
 * average from the energy counter (between the first and last moments it
 * changed inside the window, which removes the counter's update
 * granularity), minimum and peak from the instant field. */
#ifndef GPU_PROFILER_POWER_METER_H
#define GPU_PROFILER_POWER_METER_H

#include <stddef.h>

struct power_meter; /* opaque */

struct power_window {
    double avg_w;          /* energy counter: delta energy / delta time */
    double min_w, peak_w;  /* instant-power field, min and max over the window */
    double duration_s;     /* window length */
    double energy_span_s;  /* time between the energy counter's first and last change */
    double sm_clock_mhz;   /* mean of the polled SM clock */
    double temp_c;         /* max temperature seen */
    size_t samples;        /* polls in the window */
};

/* Opens NVML for the GPU with the given PCI bus id ("0000:01:00.0"), the
 * NVML index N given as "#N", a UUID ("GPU-..."), or the first GPU when
 * pci_bus_id is NULL. Returns NULL with a message in err. */
struct power_meter *power_meter_open(const char *pci_bus_id, char *err, size_t errlen);
void power_meter_close(struct power_meter *pm);

/* Static facts: name, driver version, enforced power limit (W). */
const char *power_meter_gpu_name(const struct power_meter *pm);
const char *power_meter_driver(const struct power_meter *pm);
double power_meter_limit_w(const struct power_meter *pm);
/* The board's serial number, or its UUID where it has none: what board
 * models are kept under (board.h); "" where NVML gives neither. */
const char *power_meter_board(const struct power_meter *pm);

/* How many of the GPU's NVLinks are active (0 where it has none, which
 * NVML says as "not supported"), or -1 where NVML has no such call. */
int power_meter_nvlinks(const struct power_meter *pm);

/* Starts and stops the sampler thread (period in microseconds). */
int power_meter_start(struct power_meter *pm, unsigned period_us, char *err, size_t errlen);
void power_meter_stop(struct power_meter *pm);

/* Current time on the sampler's clock (CLOCK_MONOTONIC, s). */
double power_meter_now(void);

/* One poll of NVML. */
struct power_sample {
    double t;                    /* power_meter_now() */
    unsigned long long energy_mj;
    double instant_w;            /* < 0: not read */
    unsigned sm_clock_mhz;
    unsigned temp_c;
};

/* Summarises samples[0..count) (in time order) between t0 and t1: avg_w
 * from the energy counter over the window, min_w and peak_w from the
 * instant power of the samples at or after t_instant only (the instant
 * field follows a change of load with a lag: on an H200 it still read idle
 * 50 ms after back-to-back kernels began). Returns as power_meter_window. */
int power_summary(const struct power_sample *samples, size_t count, double t0, double t1, double t_instant,
                  struct power_window *w, char *err, size_t errlen);

/* power_meter_window with min and peak from t_instant on (power_summary). */
int power_meter_window_settled(struct power_meter *pm, double t0, double t1, double t_instant,
                               struct power_window *w, char *err, size_t errlen);

/* Summarises the samples taken between t0 and t1 (power_meter_now times).
 * Returns 0; -1 if the window holds too few samples (message in err); -2 if
 * everything but avg_w (left NaN) was filled but the energy counter changed
 * too rarely in the window to give an average. */
int power_meter_window(struct power_meter *pm, double t0, double t1, struct power_window *w, char *err,
                       size_t errlen);

/* Reads the energy counter now, in joules. Returns 0 or -1. */
int power_meter_energy_j(struct power_meter *pm, double *joules);

/* How many GPUs NVML sees. Returns 0, or -1 with a message in err. */
int power_meter_gpu_count(unsigned *count, char *err, size_t errlen);

/* The instant power of the last sample taken at or before t (W); NaN when
 * there is none. Several meters read at the same t give the sum of GPUs. */
double power_meter_instant_at(struct power_meter *pm, double t);

/* Drops samples older than t (bounded memory over a long calibration). */
void power_meter_forget_before(struct power_meter *pm, double t);

#endif
