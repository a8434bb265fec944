/* outfile: writes the tool's output files without ever leaving a partial
 * file or overwriting one the tool did not write. The content goes to a
 * temporary file in the same folder, which is renamed over the target only
 * once complete. An existing target is replaced only if its first line is the
 * tool's own CSV signature, or when forced. */
#ifndef GPU_PROFILER_OUTFILE_H
#define GPU_PROFILER_OUTFILE_H

#include <stdio.h>

enum { OUTFILE_OK = 0, OUTFILE_FOREIGN, OUTFILE_ERR };

/* write_fn writes the content to f and returns 0 or -1. signature is the
 * prefix of the first line that marks a file as the tool's (NULL: any
 * existing file is foreign). Returns OUTFILE_*; on OUTFILE_ERR err holds the
 * reason. */
int outfile_write(const char *path, const char *signature, int force, int (*write_fn)(FILE *f, void *ctx),
                  void *ctx, char *err, size_t errlen);

/* Whether outfile_write would write path (before a long run): OUTFILE_OK
 * (absent and its folder takes a file, or ours, or forced), OUTFILE_FOREIGN,
 * or OUTFILE_ERR (a folder, a device, a link to nothing, a folder that is
 * missing or takes no file); why says which ("exists and was not written by
 * gpu_profiler", "is a directory", "cannot create a file in its folder: ..."). */
int outfile_may_write(const char *path, const char *signature, int force, char *why, size_t whylen);

/* The message for a refusal w (OUTFILE_FOREIGN or OUTFILE_ERR) of
 * outfile_may_write or outfile_write, whose reason is why, into buf:
 * "PATH exists and was not written by gpu_profiler; ADVICE or use --force",
 * or "PATH: WHY", with "; ADVICE" where advise_err. */
void outfile_refusal_message(char *buf, size_t n, const char *path, int w, const char *why, const char *advice,
                             int advise_err);

/* Whether path exists and its first line begins with signature (a file the
 * tool wrote). */
int outfile_is_ours(const char *path, const char *signature);

#endif
