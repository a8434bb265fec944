/* outfile: atomic, non-clobbering output files; see outfile.h. */
#include "outfile.h"

/* The longest file name most file systems take (NAME_MAX on Linux). */
#define OUTFILE_NAME_MAX 255

#include "plat.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int outfile_is_ours(const char *path, const char *signature)
{
    char line[128];
    FILE *f;
    int ours = 0;
    if (!signature)
        return 0;
    f = plat_fopen(path, "r");
    if (!f)
        return 0;
    if (fgets(line, sizeof line, f))
        ours = strncmp(line, signature, strlen(signature)) == 0;
    fclose(f);
    return ours;
}

static int check_target(const char *target, const char *signature, int force, char *err, size_t errlen);

void outfile_refusal_message(char *buf, size_t n, const char *path, int w, const char *why, const char *advice,
                             int advise_err)
{
    if (w == OUTFILE_FOREIGN)
        snprintf(buf, n, "%s %s; %s or use --force", path, why, advice);
    else
        snprintf(buf, n, "%s: %s%s%s", path, why, advise_err ? "; " : "", advise_err ? advice : "");
}

static char *resolve(const char *path, char *err, size_t errlen);
static FILE *create_temp_beside(const char *path, char **tmp_out, char *err, size_t errlen);

/* An absent target: a file can be made in its folder (a temporary one is
 * made and removed), so that a missing or read-only folder is found before a
 * long run, not after it. */
static int check_folder(const char *path, char *err, size_t errlen)
{
    const char *base = plat_base_name(path);
    char *tmp;
    FILE *f;
    if (!base[0]) {
        snprintf(err, errlen, "names no file (empty, or ends in a folder separator)");
        return OUTFILE_ERR;
    }
    if (strlen(base) > OUTFILE_NAME_MAX) {
        snprintf(err, errlen, "cannot be created: %s", strerror(ENAMETOOLONG));
        return OUTFILE_ERR;
    }
    if (!(f = create_temp_beside(path, &tmp, err, errlen)))
        return OUTFILE_ERR;
    fclose(f);
    plat_remove(tmp);
    free(tmp);
    return OUTFILE_OK;
}

int outfile_may_write(const char *path_given, const char *signature, int force, char *why, size_t whylen)
{
    char *path = resolve(path_given, why, whylen);
    int w;
    if (!path)
        return OUTFILE_ERR;
    w = check_target(path, signature, force, why, whylen);
    if (w == OUTFILE_OK) /* absent, ours or forced: outfile_write makes its temporary file there either way */
        w = check_folder(path, why, whylen);
    free(path);
    return w;
}

/* What path names: the file a symbolic link points to (written through,
 * the link kept), else path itself. NULL with err for a link to nothing. */
static char *resolve(const char *path, char *err, size_t errlen)
{
    char *real;
    if (plat_link_kind(path) != PLAT_LINK)
        return strdup(path);
    real = plat_real_path(path);
    if (!real && plat_kind(path) != PLAT_ABSENT)
        return strdup(path); /* to a pipe, say (/dev/stdout): check_target names what it is */
    if (!real)
        snprintf(err, errlen, "is a symbolic link to nothing (%s); name a file", strerror(errno));
    return real;
}

/* An existing target: a regular file, and ours or forced. */
static int check_target(const char *target, const char *signature, int force, char *err, size_t errlen)
{
    enum plat_kind kind = plat_kind(target);
    if (kind == PLAT_ABSENT)
        return OUTFILE_OK;
    if (kind == PLAT_DIR) {
        snprintf(err, errlen, "is a directory");
        return OUTFILE_ERR;
    }
    if (kind != PLAT_FILE) {
        snprintf(err, errlen, "is not a regular file (a device, pipe or socket); name a file, or '-' for stdout");
        return OUTFILE_ERR;
    }
    if (force || outfile_is_ours(target, signature))
        return OUTFILE_OK;
    snprintf(err, errlen, "exists and was not written by gpu_profiler");
    return OUTFILE_FOREIGN;
}

/* A new hidden file beside path (same folder, so that rename is atomic;
 * hidden, so that a listing shows no half-written file), open for writing;
 * its name in *tmp_out (freed by the caller). NULL with err where the folder
 * takes none. */
static FILE *create_temp_beside(const char *path, char **tmp_out, char *err, size_t errlen)
{
    size_t dirlen = (size_t)(plat_base_name(path) - path);
    char *tmp = malloc(strlen(path) + 32);
    FILE *f;
    *tmp_out = NULL;
    if (!tmp) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    memcpy(tmp, path, dirlen);
    if (strlen(path + dirlen) + 8 <= OUTFILE_NAME_MAX)
        sprintf(tmp + dirlen, ".%s.XXXXXX", path + dirlen);
    else /* a name near the file system's limit: the temporary one must fit too */
        sprintf(tmp + dirlen, ".gpu_profiler.XXXXXX");
    if (!(f = plat_create_temp(tmp))) {
        snprintf(err, errlen, "cannot create a file in its folder: %s", strerror(errno));
        free(tmp);
        return NULL;
    }
    *tmp_out = tmp;
    return f;
}

int outfile_write(const char *path_given, const char *signature, int force, int (*write_fn)(FILE *f, void *ctx),
                  void *ctx, char *err, size_t errlen)
{
    char *tmp, *path = resolve(path_given, err, errlen);
    int rc = OUTFILE_ERR;
    FILE *f;

    if (!path)
        return OUTFILE_ERR;
    if ((rc = check_target(path, signature, force, err, errlen)) != OUTFILE_OK) {
        free(path);
        return rc;
    }
    rc = OUTFILE_ERR;
    if (!(f = create_temp_beside(path, &tmp, err, errlen))) {
        free(path);
        return OUTFILE_ERR;
    }
    errno = 0;
    if (write_fn(f, ctx) != 0 || fflush(f) != 0 || ferror(f)) {
        snprintf(err, errlen, "write failed: %s", strerror(errno ? errno : EIO));
        fclose(f);
        plat_remove(tmp);
    } else if (plat_sync(f) != 0) {
        snprintf(err, errlen, "write failed: %s", strerror(errno));
        fclose(f);
        plat_remove(tmp);
    } else if (fclose(f) != 0) {
        snprintf(err, errlen, "write failed: %s", strerror(errno));
        plat_remove(tmp);
    } else if (plat_replace(tmp, path) != 0) {
        snprintf(err, errlen, "cannot replace it: %s", strerror(errno));
        plat_remove(tmp);
    } else {
        rc = OUTFILE_OK;
    }
    free(tmp);
    free(path);
    return rc;
}
