/* Unit tests for the platform layer (plat_posix.c on Linux, plat_win32.c
 * in make check-windows): paths, files replaced atomically over an existing
 * one, folders and devices told from files, binary reading past a 0x1A
 * byte, folder listing, memory streams, PATH search, and a child started
 * with awkward arguments that must reach it exactly (echo_args.exe on
 * Windows, the shell's printf on Linux); outfile_may_write, which checks an
 * output path before a long run, on the same platform layer. */
#include "outfile.h"
#include "plat.h"
#include "testlib.h"
#include "textio.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

static void test_paths(void)
{
    CHECK_STR(plat_base_name("a/b/c.csv"), "c.csv");
    CHECK_STR(plat_base_name("c.csv"), "c.csv");
    CHECK_STR(plat_base_name("/x/"), "");
    CHECK(plat_has_dir("./app") && plat_has_dir("a/b") && !plat_has_dir("app"));
    CHECK(plat_is_absolute("/usr/bin") && !plat_is_absolute("usr/bin") && !plat_is_absolute("./x"));
    CHECK(plat_is_sep('/'));
#if PLAT_WINDOWS
    CHECK_STR(plat_base_name("C:\\Program Files\\Nuke15.0v4\\Nuke15.0.exe"), "Nuke15.0.exe");
    CHECK_STR(plat_base_name("D:/nuke_graphs/blur_image.nk"), "blur_image.nk");
    CHECK_STR(plat_base_name("C:x.csv"), "x.csv");
    CHECK(plat_is_absolute("C:\\x") && plat_is_absolute("d:/x") && plat_is_absolute("\\\\server\\share"));
    CHECK(!plat_is_absolute("C:x") && plat_has_dir("C:x") && plat_has_dir("a\\b"));
    CHECK(plat_is_sep('\\'));
#else
    CHECK(!plat_is_sep('\\'));
    CHECK_STR(plat_base_name("a\\b"), "a\\b");
#endif
}

static void write_file(const char *path, const char *text, size_t n)
{
    FILE *f = plat_fopen(path, "w");
    CHECK(f != NULL);
    if (f) {
        CHECK(fwrite(text, 1, n, f) == n);
        fclose(f);
    }
}

/* the files of a fresh temporary folder */
static void test_files(void)
{
    char dir[1024], a[1100], b[1100], sub[1100], tmp[1100];
    const char *name;
    struct plat_dir *d;
    int seen = 0;
    size_t len;
    char *text;
    FILE *f;
    if (!plat_make_temp_dir(tl_temp_name(dir, sizeof dir, "gp_test_plat.XXXXXX"))) {
        CHECK(0);
        return;
    }
    CHECK(plat_kind(dir) == PLAT_DIR);
    snprintf(a, sizeof a, "%s/a.csv", dir);
    snprintf(b, sizeof b, "%s/b.csv", dir);
    CHECK(plat_kind(a) == PLAT_ABSENT && !plat_exists(a));
    /* binary both ways: a 0x1A byte (Ctrl-Z, end of file in text mode) and CR LF kept */
    write_file(a, "x\x1Ay\r\nz\n", 7);
    text = tl_slurp(a, &len);
    CHECK(text && len == 7 && memcmp(text, "x\x1Ay\r\nz\n", 7) == 0);
    free(text);
    CHECK(plat_kind(a) == PLAT_FILE && plat_link_kind(a) == PLAT_FILE && plat_exists(a));
    /* replaced over an existing file (rename() on Windows refuses) */
    write_file(b, "old\n", 4);
    CHECK(plat_replace(a, b) == 0);
    text = tl_slurp(b, &len);
    CHECK(text && len == 7);
    free(text);
    CHECK(!plat_exists(a));
    /* a temporary file beside it */
    snprintf(tmp, sizeof tmp, "%s/.b.csv.XXXXXX", dir);
    f = plat_create_temp(tmp);
    CHECK(f != NULL && strstr(tmp, "XXXXXX") == NULL);
    if (f) {
        fputs("t\n", f);
        CHECK(plat_sync(f) == 0);
        fclose(f);
    }
    CHECK(plat_kind(tmp) == PLAT_FILE);
    CHECK(plat_remove(tmp) == 0 && !plat_exists(tmp));
    CHECK(plat_remove(tmp) != 0);
    /* folders are not files; listing skips . and .. */
    write_file(a, "a\n", 2);
    snprintf(sub, sizeof sub, "%s/subXXXXXX", dir);
    CHECK(plat_make_temp_dir(sub) != NULL);
    CHECK(plat_kind(sub) == PLAT_DIR);
    d = plat_dir_open(dir);
    CHECK(d != NULL);
    while (d && (name = plat_dir_next(d)) != NULL) {
        CHECK(strcmp(name, ".") != 0 && strcmp(name, "..") != 0);
        seen++;
    }
    plat_dir_close(d);
    CHECK(seen == 3); /* a.csv, b.csv, the folder */
    CHECK(plat_dir_open(a) == NULL);
    CHECK(plat_remove_dir(sub) == 0);
    CHECK(plat_remove(a) == 0 && plat_remove(b) == 0);
    CHECK(plat_remove_dir(dir) == 0 && plat_kind(dir) == PLAT_ABSENT);
#if PLAT_WINDOWS
    CHECK(plat_kind("NUL") == PLAT_OTHER);
#else
    CHECK(plat_kind("/dev/null") == PLAT_OTHER);
#endif
}

static void test_memstream(void)
{
    FILE *f = plat_memstream_open();
    size_t len = 0;
    char *text;
    CHECK(f != NULL);
    if (!f)
        return;
    fprintf(f, "line %d\n", 1);
    text = textio_take(f, &len);
    CHECK(text && len == 7 && strcmp(text, "line 1\n") == 0);
    free(text);
    fputs("more\x1A\n", f);
    text = textio_take(f, &len);
    CHECK(text && len == 13 && memcmp(text + 7, "more\x1A\n", 6) == 0);
    free(text);
    fclose(f);
}

static void test_env_and_time(void)
{
    char host[256], cwd[4096], self[4096];
    double t0 = plat_now_s(), t1;
    CHECK(plat_setenv("GP_TEST_PLAT", "v a l") == 0);
    CHECK(getenv("GP_TEST_PLAT") && strcmp(getenv("GP_TEST_PLAT"), "v a l") == 0);
    CHECK(plat_setenv("GP_TEST_PLAT", NULL) == 0);
    CHECK(!getenv("GP_TEST_PLAT") || !*getenv("GP_TEST_PLAT"));
    CHECK(plat_hostname(host, sizeof host) == 0 && host[0]);
    CHECK(plat_cwd(cwd, sizeof cwd) == 0 && plat_is_absolute(cwd));
    CHECK(plat_self_path(self, sizeof self) == 0 && strstr(plat_base_name(self), "test_plat") != NULL);
    plat_sleep_s(0.05);
    t1 = plat_now_s();
    CHECK(t1 - t0 >= 0.045 && t1 - t0 < 2.0);
}

struct collected {
    char buf[4096];
    size_t len;
};

static void collect(void *ctx, const char *buf, size_t n)
{
    struct collected *c = ctx;
    if (n > sizeof c->buf - 1 - c->len)
        n = sizeof c->buf - 1 - c->len;
    memcpy(c->buf + c->len, buf, n);
    c->len += n;
    c->buf[c->len] = '\0';
}

/* Arguments that a naive command line would break: spaces, quotes,
 * backslashes before a quote and at the end, empty ones, cmd.exe's
 * characters; each must reach the child as it was. */
static void test_child_arguments(void)
{
    static const char *const tricky[] = { "two words", "q\"uote", "trailing\\", "a\\\\b\\\"c", "", "%PATH%",
                                          "a&b^c|d<e>f", "C:\\Program Files\\Nuke15.0v4\\", "tab\there", NULL };
    char *argv[16], want[4096] = "", line[600];
    struct collected got;
    struct plat_child c;
    struct plat_exit e;
    size_t i, n = 0;
#if PLAT_WINDOWS
    argv[n++] = (char *)(uintptr_t) "build-win/stand-ins/echo_args.exe";
#else
    argv[n++] = (char *)(uintptr_t) "/bin/sh";
    argv[n++] = (char *)(uintptr_t) "-c";
    argv[n++] = (char *)(uintptr_t) "for a in \"$@\"; do printf 'arg[%s]\\n' \"$a\"; done";
    argv[n++] = (char *)(uintptr_t) "sh";
#endif
    for (i = 0; tricky[i]; i++) {
        argv[n++] = (char *)(uintptr_t)tricky[i];
        snprintf(line, sizeof line, "arg[%s]\n", tricky[i]);
        strcat(want, line);
    }
    argv[n] = NULL;
    memset(&c, 0, sizeof c);
    memset(&got, 0, sizeof got);
    c.capture = 1;
    c.hold_signals = 1;
    c.on_output = collect;
    c.ctx = &got;
    CHECK(plat_child_start(&c, argv) == 0);
    e = plat_child_finish(&c);
    CHECK(e.started && !plat_exit_failed(e));
    CHECK_STR(got.buf, want);
    /* a program that is not there */
    argv[0] = (char *)(uintptr_t) "no/such/program.exe";
    memset(&c, 0, sizeof c);
    c.hold_signals = 1;
    if (plat_child_start(&c, argv) == 0) { /* POSIX: it starts, and cannot run what is not there */
        e = plat_child_finish(&c);
        CHECK(plat_exit_failed(e));
    }
}

/* Issue 32 (3): one file by any name, existing or not yet. */
static void test_same_file(void)
{
    char dir[1024], a[1100], a2[1100], b[1100], sub[1100], up[1200];
    if (!plat_make_temp_dir(tl_temp_name(dir, sizeof dir, "gp_test_same.XXXXXX"))) {
        CHECK(0);
        return;
    }
    snprintf(a, sizeof a, "%s/r.svg", dir);
    snprintf(a2, sizeof a2, "%s/./r.svg", dir);
    snprintf(b, sizeof b, "%s/other.svg", dir);
    snprintf(sub, sizeof sub, "%s/sub", dir);
    snprintf(up, sizeof up, "%s/sub/../r.svg", dir);
    CHECK(plat_make_dir(sub) == 0);
    CHECK(plat_same_file(a, a2) && plat_same_file(a, up)); /* neither exists yet */
    CHECK(!plat_same_file(a, b));
    write_file(a, "x", 1);
    CHECK(plat_same_file(a, a2) && plat_same_file(up, a)); /* both exist */
    CHECK(!plat_same_file(a, b));                          /* one exists, one does not */
    write_file(b, "x", 1);
    CHECK(!plat_same_file(a, b));
#if PLAT_WINDOWS
    {
        char upper[1100];
        snprintf(upper, sizeof upper, "%s/R.SVG", dir);
        CHECK(plat_same_file(a, upper)); /* Windows' names are case-insensitive */
        plat_remove(a);
        CHECK(plat_same_file(a, upper));
    }
#endif
    plat_remove(a);
    plat_remove(b);
    plat_remove_dir(sub);
    plat_remove_dir(dir);
}

#if PLAT_WINDOWS
/* The block a child's environment goes in (ours is never changed for it):
 * a name in another case replaced, new ones added (more than a few), an
 * empty value removing one, the "=C:" entries first as they were, the rest
 * sorted as Windows sorts them, in upper case ('_' after the letters). */
static void test_env_block(void)
{
    static const wchar_t current[] = L"=D:=D:\\y\0=C:=C:\\x\0Path=C:\\w\0gp_a=1\0ZED=z\0A_B=1\0GP_GONE=x\0AB=2\0";
    const char *extra[] = { "GP_A=2", "NEW=n", "GP_GONE=", "MISSING=", "no_equals", "=C:=nope", "X1=1", "X2=2",
                            "X3=3", "X4=4", "X5=5", "X6=6", "X7=7", "X8=8", "X9=9", NULL };
    const wchar_t *want[] = { L"=D:=D:\\y", L"=C:=C:\\x", L"AB=2", L"A_B=1", L"GP_A=2", L"NEW=n", L"Path=C:\\w",
                              L"X1=1", L"X2=2", L"X3=3", L"X4=4", L"X5=5", L"X6=6", L"X7=7", L"X8=8", L"X9=9",
                              L"ZED=z", NULL };
    const char *one[] = { "ONLY=1", NULL };
    wchar_t *block = plat_env_block(current, extra);
    const wchar_t *e = block;
    size_t i;
    CHECK(block != NULL);
    for (i = 0; block && want[i]; e += wcslen(e) + 1, i++)
        CHECK(wcscmp(e, want[i]) == 0);
    CHECK(!block || *e == L'\0');
    free(block);
    block = plat_env_block(L"", NULL);
    CHECK(block && block[0] == L'\0' && block[1] == L'\0');
    free(block);
    block = plat_env_block(L"", one);
    CHECK(block && wcscmp(block, L"ONLY=1") == 0 && block[7] == L'\0');
    free(block);
}
#endif

static int write_sig(FILE *f, void *ctx)
{
    (void)ctx;
    return fputs("gp_sig,1\n", f) < 0 ? -1 : 0;
}

/* Each answer of outfile_may_write, and that a check leaves no file behind. */
static void test_may_write(void)
{
    char dir[1024], path[1100], why[256];
    struct plat_dir *d;
    int n = 0;
    if (!plat_make_temp_dir(tl_temp_name(dir, sizeof dir, "gp_test_out.XXXXXX"))) {
        CHECK(0);
        return;
    }
    snprintf(path, sizeof path, "%s/new.csv", dir);
    CHECK(outfile_may_write(path, "gp_sig", 0, why, sizeof why) == OUTFILE_OK);
    CHECK(plat_kind(path) == PLAT_ABSENT);
    if ((d = plat_dir_open(dir)) != NULL) { /* the probe file is gone too */
        while (plat_dir_next(d))
            n++;
        plat_dir_close(d);
    }
    CHECK(n == 0);
    snprintf(path, sizeof path, "%s/none/new.csv", dir);
    CHECK(outfile_may_write(path, "gp_sig", 1, why, sizeof why) == OUTFILE_ERR);
    CHECK(strstr(why, "cannot create a file in its folder") != NULL);
    CHECK(outfile_may_write(dir, "gp_sig", 1, why, sizeof why) == OUTFILE_ERR);
    CHECK(strcmp(why, "is a directory") == 0);
    snprintf(path, sizeof path, "%s/none/", dir); /* a folder's name, not a file's */
    CHECK(outfile_may_write(path, "gp_sig", 1, why, sizeof why) == OUTFILE_ERR);
    CHECK(strstr(why, "names no file") != NULL);
    CHECK(outfile_may_write("", "gp_sig", 1, why, sizeof why) == OUTFILE_ERR);
    snprintf(path, sizeof path, "%s/user.csv", dir);
    write_file(path, "user data\n", 10);
    CHECK(outfile_may_write(path, "gp_sig", 0, why, sizeof why) == OUTFILE_FOREIGN);
    CHECK(strstr(why, "not written by gpu_profiler") != NULL);
    CHECK(outfile_may_write(path, "gp_sig", 1, why, sizeof why) == OUTFILE_OK);
    CHECK(outfile_write(path, "gp_sig", 1, write_sig, NULL, why, sizeof why) == OUTFILE_OK);
    CHECK(outfile_may_write(path, "gp_sig", 0, why, sizeof why) == OUTFILE_OK); /* ours now */
    plat_remove(path);
    plat_remove_dir(dir);
}

int main(void)
{
    test_may_write();
    test_same_file();
    test_paths();
    test_files();
    test_memstream();
    test_env_and_time();
    test_child_arguments();
#if PLAT_WINDOWS
    test_env_block();
#endif
    return tl_done();
}
