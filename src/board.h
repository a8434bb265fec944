/* board: a built-in model adjusted to the board in use. Boards of one GPU
 * differ by several percent (the same memory-bound loop drew 604 W on one
 * H200 and 642 W on another), mostly as a scale and an offset: calibrate
 * --quick measures a few configurations that pin them (idle, FP32, integer,
 * tensor, DRAM), and
 *     P_board = offset_w + scale * P_built_in
 * is fitted by least squares over them. The adjusted model is the built-in
 * one with every coefficient transformed (intercepts a + b c0, the others
 * b c_i), so each target, component and the cap keep their meaning; it is
 * kept in the user's cache folder under the board's serial (or UUID), and
 * `gpu_profiler -a` uses it when the GPU it profiles is that board. */
#ifndef GPU_PROFILER_BOARD_H
#define GPU_PROFILER_BOARD_H

#include <stddef.h>

#include "dataset.h"
#include "model.h"

#define BOARD_MAX_POINTS 64
/* The scales a board may differ by before --quick refuses: outside, the
 * board is not the built-in model's kind, and the full calibrate is due. */
#define BOARD_SCALE_MIN 0.8
#define BOARD_SCALE_MAX 1.25

struct board_fit {
    size_t n;                        /* configurations fitted on */
    char config[BOARD_MAX_POINTS][48];
    double built_in_w[BOARD_MAX_POINTS], measured_w[BOARD_MAX_POINTS], adjusted_w[BOARD_MAX_POINTS];
    double scale, offset_w;
    double built_in_mape_pct;        /* the built-in model on these configurations */
    double adjusted_mape_pct;        /* the adjusted one, fitted on them */
    double loo_mape_pct;             /* the adjusted one, each configuration left out of its fit */
};

/* Adjusts base to the board whose quick dataset is ds (its rows; the probes
 * are ignored): out is base transformed, with ds's board, power limit, idle
 * power and provenance. Returns 0, or -1 with err (too few configurations,
 * a metric missing, a scale outside BOARD_SCALE_MIN..MAX). */
int board_adjust(const struct model *base, const struct dataset *ds, const char *dataset_name, struct model *out,
                 struct board_fit *fit, char *err, size_t errlen);

/* Where the board's adjusted model is kept: CACHE/gpu_profiler/BOARD.model
 * (BOARD_fast.model for the fast variant). 0, or -1 where there is no cache
 * folder or the board has no id. */
int board_model_path(const char *board, const char *variant, char *out, size_t outlen);
/* CACHE/gpu_profiler/BOARD followed by suffix ("_quick_dataset.csv"). */
int board_file(const char *board, const char *suffix, char *out, size_t outlen);

/* The folder of board_model_path, made if missing. 0, or -1 with err. */
int board_make_cache(char *err, size_t errlen);

/* Whether m is base adjusted by m's own board_adjust scale and offset (the
 * features the same, every coefficient scale x base's, the intercept plus
 * the offset): false for a board model made from another version of base. */
int board_model_adjusts(const struct model *m, const struct model *base);

/* The board model for this board and GPU, when one is kept: 0 with it in
 * m, 1 when there is none, -1 with err when the file is there but unusable
 * or, base given, adjusts another model than base (board_model_adjusts). */
int board_model_load(const char *board, const char *gpu, const char *variant, const struct model *base,
                     struct model *m, char *err, size_t errlen);

#endif
