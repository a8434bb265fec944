/* plat_win32: the platform layer on Windows; see plat.h. Paths and
 * arguments are UTF-8 inside the tool and wide strings at the Win32 API;
 * children are started with CreateProcessW (never through cmd.exe), in a
 * job object so that their whole tree ends with them. */
#ifdef _WIN32
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include "plat.h"

#include "textio.h"

#include <windows.h>
#include <shellapi.h>

#include <errno.h>
#include <fcntl.h>
#include <io.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#ifndef ENABLE_VIRTUAL_TERMINAL_PROCESSING
#define ENABLE_VIRTUAL_TERMINAL_PROCESSING 0x0004
#endif
#ifndef LOAD_LIBRARY_SEARCH_SYSTEM32
#define LOAD_LIBRARY_SEARCH_SYSTEM32 0x00000800
#endif
#ifndef STATUS_CONTROL_C_EXIT
#define STATUS_CONTROL_C_EXIT 0xC000013AUL
#endif

/* ---- UTF-8 and wide strings */

/* s as a malloc'd wide string; NULL (errno ENOMEM or EINVAL) on failure. */
static wchar_t *to_wide(const char *s)
{
    int n = MultiByteToWideChar(CP_UTF8, 0, s, -1, NULL, 0);
    wchar_t *w;
    if (n <= 0) {
        errno = EINVAL;
        return NULL;
    }
    if (!(w = malloc((size_t)n * sizeof *w))) {
        errno = ENOMEM;
        return NULL;
    }
    MultiByteToWideChar(CP_UTF8, 0, s, -1, w, n);
    return w;
}

/* w as UTF-8 into out; 0, or -1 when it does not fit. */
static int from_wide(const wchar_t *w, char *out, size_t outlen)
{
    int n = WideCharToMultiByte(CP_UTF8, 0, w, -1, out, (int)outlen, NULL, NULL);
    return n > 0 ? 0 : -1;
}

static char *from_wide_alloc(const wchar_t *w)
{
    int n = WideCharToMultiByte(CP_UTF8, 0, w, -1, NULL, 0, NULL, NULL);
    char *s;
    if (n <= 0 || !(s = malloc((size_t)n)))
        return NULL;
    WideCharToMultiByte(CP_UTF8, 0, w, -1, s, n, NULL, NULL);
    return s;
}

/* errno for the last Win32 error. */
static int errno_of(DWORD e)
{
    switch (e) {
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND:
    case ERROR_INVALID_NAME:
    case ERROR_BAD_NETPATH:
    case ERROR_MOD_NOT_FOUND:
        return ENOENT;
    case ERROR_ACCESS_DENIED:
    case ERROR_SHARING_VIOLATION:
    case ERROR_LOCK_VIOLATION:
        return EACCES;
    case ERROR_FILE_EXISTS:
    case ERROR_ALREADY_EXISTS:
        return EEXIST;
    case ERROR_NOT_SAME_DEVICE:
        return EXDEV;
    case ERROR_DISK_FULL:
    case ERROR_HANDLE_DISK_FULL:
        return ENOSPC;
    case ERROR_NOT_ENOUGH_MEMORY:
    case ERROR_OUTOFMEMORY:
        return ENOMEM;
    case ERROR_DIRECTORY:
        return ENOTDIR;
    case ERROR_BAD_EXE_FORMAT:
        return ENOEXEC;
    case ERROR_DIR_NOT_EMPTY:
        return ENOTEMPTY;
    default:
        return EIO;
    }
}

static int fail_errno(void)
{
    errno = errno_of(GetLastError());
    return -1;
}

/* An environment variable in UTF-8 into out: out, or NULL when it is
 * unset or does not fit. */
static const char *env_utf8(const wchar_t *name, char *out, size_t outlen)
{
    wchar_t w[32768];
    DWORD n = GetEnvironmentVariableW(name, w, 32768);
    if (n == 0 || n >= 32768 || from_wide(w, out, outlen) != 0)
        return NULL;
    return out;
}

/* fn (DeleteFileW, RemoveDirectoryW, make_dir_w) on path as a wide
 * string: 0, or -1 with errno. */
static int path_call(const char *path, BOOL(WINAPI *fn)(LPCWSTR))
{
    wchar_t *w = to_wide(path);
    int rc = 0;
    if (!w)
        return -1;
    if (!fn(w))
        rc = fail_errno();
    free(w);
    return rc;
}

static BOOL WINAPI make_dir_w(LPCWSTR path)
{
    return CreateDirectoryW(path, NULL);
}

/* ---- start-up */

static void console_setup(DWORD which)
{
    HANDLE h = GetStdHandle(which);
    DWORD mode;
    if (h && h != INVALID_HANDLE_VALUE && GetConsoleMode(h, &mode))
        SetConsoleMode(h, mode | ENABLE_VIRTUAL_TERMINAL_PROCESSING);
}

void plat_init(int *argc, char ***argv)
{
    int n, i;
    wchar_t **wargv = CommandLineToArgvW(GetCommandLineW(), &n);
    char **args;
    _setmode(_fileno(stdin), _O_BINARY);
    _setmode(_fileno(stdout), _O_BINARY);
    _setmode(_fileno(stderr), _O_BINARY);
    SetConsoleOutputCP(CP_UTF8);
    console_setup(STD_OUTPUT_HANDLE);
    console_setup(STD_ERROR_HANDLE);
    if (!wargv)
        return; /* the C library's arguments, in the ANSI code page */
    if (!(args = calloc((size_t)n + 1, sizeof *args)))
        return;
    for (i = 0; i < n; i++)
        if (!(args[i] = from_wide_alloc(wargv[i])))
            return;
    LocalFree(wargv);
    *argc = n;
    *argv = args; /* kept for the whole run */
}

/* ---- files */

FILE *plat_fopen(const char *path, const char *mode)
{
    wchar_t wmode[8], *wpath;
    size_t i, n = 0;
    FILE *f;
    for (i = 0; mode[i] && n < 5; i++)
        if (mode[i] != 'b' && mode[i] != 't')
            wmode[n++] = (wchar_t)mode[i];
    wmode[n++] = L'b';
    wmode[n++] = L'N'; /* not inherited by the children we start */
    wmode[n] = 0;
    if (!(wpath = to_wide(path)))
        return NULL;
    f = _wfopen(wpath, wmode);
    free(wpath);
    return f;
}

static DWORD attributes(const char *path)
{
    wchar_t *w = to_wide(path);
    DWORD a;
    if (!w)
        return INVALID_FILE_ATTRIBUTES;
    a = GetFileAttributesW(w);
    free(w);
    return a;
}

/* path opened to ask about it (no access, shared with everyone; flags
 * FILE_FLAG_BACKUP_SEMANTICS for folders and what links point to), or
 * INVALID_HANDLE_VALUE with errno. */
static HANDLE query_handle(const char *path, DWORD flags)
{
    wchar_t *w = to_wide(path);
    HANDLE h;
    if (!w)
        return INVALID_HANDLE_VALUE;
    h = CreateFileW(w, 0, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL, OPEN_EXISTING, flags, NULL);
    if (h == INVALID_HANDLE_VALUE)
        fail_errno();
    free(w);
    return h;
}

/* The attributes of what a link points to. */
static DWORD target_attributes(const char *path)
{
    BY_HANDLE_FILE_INFORMATION info;
    HANDLE h = query_handle(path, FILE_FLAG_BACKUP_SEMANTICS);
    DWORD a = INVALID_FILE_ATTRIBUTES;
    if (h == INVALID_HANDLE_VALUE)
        return a;
    if (GetFileInformationByHandle(h, &info))
        a = info.dwFileAttributes;
    CloseHandle(h);
    return a;
}

/* Whether path is a file on a disk, not a device such as NUL, CON or a
 * serial port, which have file attributes too. */
static int on_disk(const char *path)
{
    HANDLE h = query_handle(path, 0);
    DWORD type;
    if (h == INVALID_HANDLE_VALUE)
        return 1; /* cannot look (locked, no rights): a file, as its attributes say */
    type = GetFileType(h);
    CloseHandle(h);
    return type == FILE_TYPE_DISK;
}

static enum plat_kind kind_of(const char *path, DWORD a)
{
    if (a == INVALID_FILE_ATTRIBUTES)
        return PLAT_ABSENT;
    if (a & FILE_ATTRIBUTE_DIRECTORY)
        return PLAT_DIR;
    if ((a & FILE_ATTRIBUTE_DEVICE) || !on_disk(path))
        return PLAT_OTHER;
    return PLAT_FILE;
}

enum plat_kind plat_kind(const char *path)
{
    DWORD a = attributes(path);
    if (a != INVALID_FILE_ATTRIBUTES && (a & FILE_ATTRIBUTE_REPARSE_POINT))
        a = target_attributes(path);
    return kind_of(path, a);
}

enum plat_kind plat_link_kind(const char *path)
{
    DWORD a = attributes(path);
    if (a != INVALID_FILE_ATTRIBUTES && (a & FILE_ATTRIBUTE_REPARSE_POINT))
        return PLAT_LINK;
    return kind_of(path, a);
}

int plat_exists(const char *path)
{
    return attributes(path) != INVALID_FILE_ATTRIBUTES;
}

/* Whether name ends in one of the extensions CreateProcess runs itself. */
static int runnable_ext(const char *name)
{
    size_t n = strlen(name);
    return n > 4 && (_stricmp(name + n - 4, ".exe") == 0 || _stricmp(name + n - 4, ".com") == 0);
}

int plat_is_executable(const char *path)
{
    return plat_kind(path) == PLAT_FILE && runnable_ext(path);
}

int plat_replace(const char *from, const char *to)
{
    wchar_t *wf = to_wide(from), *wt = to_wide(to);
    int rc = 0;
    if (!wf || !wt)
        rc = -1;
    else if (!MoveFileExW(wf, wt, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH))
        rc = fail_errno();
    free(wf);
    free(wt);
    return rc;
}

int plat_remove(const char *path)
{
    return path_call(path, DeleteFileW);
}

int plat_remove_dir(const char *path)
{
    return path_call(path, RemoveDirectoryW);
}

/* Replaces the trailing XXXXXX of tmpl with letters and digits, different
 * each call. */
static void fill_template(char *tmpl)
{
    static const char digits[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    static unsigned long long state;
    size_t n = strlen(tmpl), i;
    LARGE_INTEGER t;
    QueryPerformanceCounter(&t);
    state = state * 6364136223846793005ull + (unsigned long long)t.QuadPart + GetCurrentProcessId() + 1442695040888963407ull;
    for (i = n >= 6 ? n - 6 : 0; i < n; i++) {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        tmpl[i] = digits[(state >> 33) % (sizeof digits - 1)];
    }
}

char *plat_make_temp_dir(char *tmpl)
{
    int tries;
    for (tries = 0; tries < 100; tries++) {
        fill_template(tmpl);
        if (path_call(tmpl, make_dir_w) == 0)
            return tmpl;
        if (errno != EEXIST)
            return NULL;
    }
    errno = EEXIST;
    return NULL;
}

/* A new file at path (CREATE_NEW), as a stream; flags are CreateFileW's. */
static FILE *create_new(const char *path, DWORD access, DWORD flags, const char *mode, int *exists)
{
    wchar_t *w = to_wide(path);
    HANDLE h;
    int fd;
    FILE *f;
    *exists = 0;
    if (!w)
        return NULL;
    h = CreateFileW(w, access, FILE_SHARE_READ | FILE_SHARE_DELETE, NULL, CREATE_NEW, flags, NULL);
    free(w);
    if (h == INVALID_HANDLE_VALUE) {
        *exists = GetLastError() == ERROR_FILE_EXISTS || GetLastError() == ERROR_ALREADY_EXISTS;
        fail_errno();
        return NULL;
    }
    fd = _open_osfhandle((intptr_t)h, _O_BINARY | (access & GENERIC_READ ? _O_RDWR : _O_WRONLY));
    if (fd < 0) {
        CloseHandle(h);
        return NULL;
    }
    if (!(f = _fdopen(fd, mode)))
        _close(fd);
    return f;
}

FILE *plat_create_temp(char *tmpl)
{
    int tries, exists;
    for (tries = 0; tries < 100; tries++) {
        FILE *f;
        fill_template(tmpl);
        if ((f = create_new(tmpl, GENERIC_WRITE, FILE_ATTRIBUTE_NORMAL, "wb", &exists)) != NULL || !exists)
            return f;
    }
    errno = EEXIST;
    return NULL;
}

FILE *plat_memstream_open(void)
{
    char path[MAX_PATH * 3];
    int tries, exists;
    for (tries = 0; tries < 100; tries++) {
        FILE *f;
        snprintf(path, sizeof path, "%s\\gpu_profiler.XXXXXX", plat_temp_root());
        fill_template(path);
        f = create_new(path, GENERIC_READ | GENERIC_WRITE, FILE_ATTRIBUTE_TEMPORARY | FILE_FLAG_DELETE_ON_CLOSE,
                       "w+b", &exists);
        if (f || !exists)
            return f;
    }
    return NULL;
}

int plat_sync(FILE *f)
{
    HANDLE h = (HANDLE)_get_osfhandle(_fileno(f));
    if (fflush(f) != 0)
        return -1;
    if (h != INVALID_HANDLE_VALUE && !FlushFileBuffers(h) && GetLastError() != ERROR_INVALID_HANDLE)
        return fail_errno();
    return 0;
}

char *plat_real_path(const char *path)
{
    wchar_t buf[32768], *p = buf;
    HANDLE h = query_handle(path, FILE_FLAG_BACKUP_SEMANTICS);
    DWORD n = 0;
    if (h == INVALID_HANDLE_VALUE)
        return NULL;
    n = GetFinalPathNameByHandleW(h, buf, 32768, 0);
    CloseHandle(h);
    if (n == 0 || n >= 32768) {
        fail_errno();
        return NULL;
    }
    if (wcsncmp(p, L"\\\\?\\UNC\\", 8) == 0) {
        p += 6;
        *p = L'\\';
    } else if (wcsncmp(p, L"\\\\?\\", 4) == 0) {
        p += 4;
    }
    return from_wide_alloc(p);
}

/* path as a full path (the current folder and drive put in, . and ..
 * taken out), malloc'd wide, or NULL. */
static wchar_t *full_path(const char *path)
{
    wchar_t *w = to_wide(path), *full = NULL;
    DWORD n;
    if (w && (n = GetFullPathNameW(w, 0, NULL, NULL)) > 0 && (full = malloc((size_t)n * sizeof *full)) &&
        GetFullPathNameW(w, n, full, NULL) == 0) {
        free(full);
        full = NULL;
    }
    free(w);
    return full;
}

/* The volume and file index of an existing file; 0, or -1. */
static int file_id(const char *path, BY_HANDLE_FILE_INFORMATION *info)
{
    HANDLE h = query_handle(path, FILE_FLAG_BACKUP_SEMANTICS);
    int ok;
    if (h == INVALID_HANDLE_VALUE)
        return -1;
    ok = GetFileInformationByHandle(h, info) != 0;
    CloseHandle(h);
    return ok ? 0 : -1;
}

int plat_same_file(const char *a, const char *b)
{
    BY_HANDLE_FILE_INFORMATION ia, ib;
    int ea = file_id(a, &ia) == 0, eb = file_id(b, &ib) == 0, same;
    wchar_t *fa, *fb;
    if (ea && eb)
        return ia.dwVolumeSerialNumber == ib.dwVolumeSerialNumber && ia.nFileIndexHigh == ib.nFileIndexHigh &&
               ia.nFileIndexLow == ib.nFileIndexLow;
    if (ea != eb)
        return 0;
    fa = full_path(a);
    fb = full_path(b);
    /* file names are case-insensitive on Windows: PREDICTIONS.csv is predictions.csv */
    same = fa && fb ? CompareStringOrdinal(fa, -1, fb, -1, TRUE) == CSTR_EQUAL : strcmp(a, b) == 0;
    free(fa);
    free(fb);
    return same;
}

int plat_file_id(const char *path, unsigned long long id[2])
{
    BY_HANDLE_FILE_INFORMATION info;
    if (file_id(path, &info) != 0)
        return -1;
    id[0] = info.dwVolumeSerialNumber;
    id[1] = (unsigned long long)info.nFileIndexHigh << 32 | info.nFileIndexLow;
    return 0;
}

const char *plat_temp_root(void)
{
    static char root[MAX_PATH * 3];
    wchar_t w[MAX_PATH + 1];
    DWORD n = GetTempPathW(MAX_PATH + 1, w);
    size_t len;
    if (n == 0 || n > MAX_PATH || from_wide(w, root, sizeof root) != 0)
        return ".";
    len = strlen(root);
    if (len > 3 && (root[len - 1] == '\\' || root[len - 1] == '/'))
        root[len - 1] = '\0';
    return root;
}

int plat_cache_dir(char *out, size_t outlen)
{
    return env_utf8(L"LOCALAPPDATA", out, outlen) ? 0 : -1;
}

int plat_make_dir(const char *path)
{
    return path_call(path, make_dir_w);
}

struct plat_dir {
    HANDLE h;
    int first;        /* data holds the first entry, not returned yet */
    WIN32_FIND_DATAW data;
    char name[MAX_PATH * 3];
};

struct plat_dir *plat_dir_open(const char *path)
{
    size_t n = strlen(path);
    char *pattern = malloc(n + 3);
    wchar_t *w;
    struct plat_dir *d;
    if (!pattern)
        return NULL;
    snprintf(pattern, n + 3, "%s%s*", path, n && (path[n - 1] == '/' || path[n - 1] == '\\') ? "" : "\\");
    w = to_wide(pattern);
    free(pattern);
    if (!w)
        return NULL;
    if (!(d = calloc(1, sizeof *d))) {
        free(w);
        return NULL;
    }
    d->h = FindFirstFileW(w, &d->data);
    free(w);
    if (d->h == INVALID_HANDLE_VALUE) {
        DWORD e = GetLastError();
        free(d);
        errno = e == ERROR_FILE_NOT_FOUND ? ENOENT : errno_of(e);
        return NULL;
    }
    d->first = 1;
    return d;
}

const char *plat_dir_next(struct plat_dir *d)
{
    for (;;) {
        if (!d->first && !FindNextFileW(d->h, &d->data))
            return NULL;
        d->first = 0;
        if (wcscmp(d->data.cFileName, L".") == 0 || wcscmp(d->data.cFileName, L"..") == 0)
            continue;
        if (from_wide(d->data.cFileName, d->name, sizeof d->name) == 0)
            return d->name;
    }
}

void plat_dir_close(struct plat_dir *d)
{
    if (d) {
        FindClose(d->h);
        free(d);
    }
}

/* ---- paths */

int plat_is_sep(int c)
{
    return c == '/' || c == '\\';
}

const char *plat_base_name(const char *path)
{
    const char *base = path, *p;
    for (p = path; *p; p++)
        if (*p == '/' || *p == '\\' || (*p == ':' && p == path + 1))
            base = p + 1;
    return base;
}

int plat_has_dir(const char *path)
{
    return strpbrk(path, "/\\") != NULL || (path[0] && path[1] == ':');
}

int plat_is_absolute(const char *path)
{
    if (path[0] == '/' || path[0] == '\\')
        return 1; /* rooted on the current drive, or \\server\share */
    return ((path[0] >= 'A' && path[0] <= 'Z') || (path[0] >= 'a' && path[0] <= 'z')) && path[1] == ':' &&
           (path[2] == '/' || path[2] == '\\');
}

/* The extensions to try after a name without one: %PATHEXT%'s, less
 * those CreateProcess cannot run (.bat and .cmd need cmd.exe). */
static size_t program_exts(char exts[][16], size_t max)
{
    char buf[1024];
    const char *p = env_utf8(L"PATHEXT", buf, sizeof buf);
    size_t n = 0;
    if (!p)
        p = ".COM;.EXE";
    while (*p && n < max) {
        size_t len = strcspn(p, ";");
        if (len == 4 && (_strnicmp(p, ".exe", 4) == 0 || _strnicmp(p, ".com", 4) == 0)) {
            memcpy(exts[n], p, len);
            exts[n++][len] = '\0';
        }
        p += len;
        if (*p == ';')
            p++;
    }
    return n;
}

/* name in folder dir (length n), as given when it has a runnable
 * extension, else with each of exts. */
static int try_folder(const char *dir, size_t n, const char *name, char exts[][16], size_t nexts, char *out,
                      size_t outlen)
{
    size_t i;
    const char *sep = n && (dir[n - 1] == '/' || dir[n - 1] == '\\') ? "" : "\\";
    if (runnable_ext(name))
        return (size_t)snprintf(out, outlen, "%.*s%s%s", (int)n, dir, sep, name) < outlen && plat_is_executable(out)
                   ? 0 : -1;
    for (i = 0; i < nexts; i++)
        if ((size_t)snprintf(out, outlen, "%.*s%s%s%s", (int)n, dir, sep, name, exts[i]) < outlen &&
            plat_kind(out) == PLAT_FILE)
            return 0;
    return -1;
}

int plat_find_in_path(const char *name, char *out, size_t outlen)
{
    static char path[32768 * 3];
    char exts[16][16];
    size_t nexts = program_exts(exts, 16);
    const char *p = env_utf8(L"PATH", path, sizeof path);
    while (p && *p) {
        size_t n = strcspn(p, ";");
        const char *dir = p;
        size_t dn = n;
        if (dn >= 2 && dir[0] == '"' && dir[dn - 1] == '"') { /* a quoted entry */
            dir++;
            dn -= 2;
        }
        if (dn > 0 && try_folder(dir, dn, name, exts, nexts, out, outlen) == 0)
            return 0;
        p += n;
        if (*p == ';')
            p++;
    }
    return -1;
}

int plat_find_installed_ncu(char *out, size_t outlen, char *searched, size_t searchedlen)
{
    static const char tail[] = "\\target\\windows-desktop-win7-x64\\ncu.exe";
    char pf[1024], base[1200], best[1400] = "", cand[1400], cuda[1024];
    const char *root = env_utf8(L"ProgramW6432", pf, sizeof pf), *name;
    struct plat_dir *d;
    if (!root)
        root = env_utf8(L"ProgramFiles", pf, sizeof pf);
    if (!root)
        root = "C:\\Program Files";
    snprintf(base, sizeof base, "%s\\NVIDIA Corporation", root);
    snprintf(searched, searchedlen, "%s\\Nsight Compute *%s and %%CUDA_PATH%%\\bin", base, tail);
    if ((d = plat_dir_open(base)) != NULL) {
        while ((name = plat_dir_next(d)) != NULL) {
            if (strncmp(name, "Nsight Compute ", 15) != 0 ||
                (size_t)snprintf(cand, sizeof cand, "%s\\%s%s", base, name, tail) >= sizeof cand ||
                !plat_is_executable(cand))
                continue;
            if (!best[0] || text_version_cmp(cand, best) > 0)
                snprintf(best, sizeof best, "%s", cand);
        }
        plat_dir_close(d);
    }
    if (best[0])
        return (size_t)snprintf(out, outlen, "%s", best) < outlen ? 0 : -1;
    if (env_utf8(L"CUDA_PATH", cuda, sizeof cuda) &&
        (size_t)snprintf(out, outlen, "%s\\bin\\ncu.exe", cuda) < outlen && plat_is_executable(out))
        return 0;
    return -1;
}

int plat_self_path(char *out, size_t outlen)
{
    wchar_t w[32768];
    DWORD n = GetModuleFileNameW(NULL, w, 32768);
    if (n == 0 || n >= 32768)
        return -1;
    return from_wide(w, out, outlen);
}

int plat_cwd(char *out, size_t outlen)
{
    wchar_t w[32768];
    DWORD n = GetCurrentDirectoryW(32768, w);
    if (n == 0 || n >= 32768)
        return -1;
    return from_wide(w, out, outlen);
}

int plat_setenv(const char *name, const char *value)
{
    size_t n = strlen(name) + (value ? strlen(value) : 0) + 2;
    char *both = malloc(n);
    wchar_t *w;
    int rc;
    if (!both)
        return -1;
    snprintf(both, n, "%s=%s", name, value ? value : "");
    w = to_wide(both);
    free(both);
    if (!w)
        return -1;
    rc = _wputenv(w) == 0 ? 0 : -1; /* the C library's copy and the process's both: children inherit it */
    free(w);
    return rc;
}

int plat_hostname(char *out, size_t outlen)
{
    wchar_t w[256];
    DWORD n = 256;
    if (!GetComputerNameExW(ComputerNameDnsHostname, w, &n))
        return -1;
    return from_wide(w, out, outlen);
}

/* ---- dynamic libraries */

const char *plat_lib_file(enum plat_lib which)
{
    return which == PLAT_LIB_CUDA ? "nvcuda.dll" : "nvml.dll";
}

static void last_error_text(char *err, size_t errlen)
{
    wchar_t w[512];
    DWORD e = GetLastError();
    size_t n;
    if (!FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, e, 0, w, 512, NULL) ||
        from_wide(w, err, errlen) != 0)
        snprintf(err, errlen, "Windows error %lu", (unsigned long)e);
    n = strlen(err);
    while (n && (err[n - 1] == '\n' || err[n - 1] == '\r' || err[n - 1] == ' ' || err[n - 1] == '.'))
        err[--n] = '\0';
}

void *plat_lib_open(enum plat_lib which, char *err, size_t errlen)
{
    wchar_t file[64], path[1200], pf[1024];
    HMODULE h;
    MultiByteToWideChar(CP_UTF8, 0, plat_lib_file(which), -1, file, 64);
    /* System32 only: never a DLL of that name from the current or the application's folder */
    h = LoadLibraryExW(file, NULL, LOAD_LIBRARY_SEARCH_SYSTEM32);
    if (!h && which == PLAT_LIB_NVML) {
        DWORD n = GetEnvironmentVariableW(L"ProgramW6432", pf, 1024);
        if (n == 0 || n >= 1024)
            wcscpy(pf, L"C:\\Program Files");
        _snwprintf(path, 1200, L"%ls\\NVIDIA Corporation\\NVSMI\\nvml.dll", pf);
        path[1199] = 0;
        h = LoadLibraryExW(path, NULL, 0);
    }
    if (!h)
        last_error_text(err, errlen);
    return (void *)h;
}

void *plat_lib_open_file(const char *file, char *err, size_t errlen)
{
    wchar_t w[1200];
    HMODULE h;
    if (!MultiByteToWideChar(CP_UTF8, 0, file, -1, w, 1200)) {
        snprintf(err, errlen, "the name is too long");
        return NULL;
    }
    /* a path: its own folder for its dependencies; a bare name: System32 only */
    h = wcschr(w, L'\\') || wcschr(w, L'/') ? LoadLibraryExW(w, NULL, LOAD_WITH_ALTERED_SEARCH_PATH)
                                          : LoadLibraryExW(w, NULL, LOAD_LIBRARY_SEARCH_SYSTEM32);
    if (!h)
        last_error_text(err, errlen);
    return (void *)h;
}

void *plat_lib_sym(void *lib, const char *name)
{
    FARPROC p = GetProcAddress((HMODULE)lib, name);
    void *v;
    memcpy(&v, &p, sizeof v);
    return v;
}

void plat_lib_close(void *lib)
{
    if (lib)
        FreeLibrary((HMODULE)lib);
}

/* ---- time */

double plat_now_s(void)
{
    static LARGE_INTEGER freq;
    LARGE_INTEGER t;
    if (!freq.QuadPart)
        QueryPerformanceFrequency(&freq);
    QueryPerformanceCounter(&t);
    return (double)(t.QuadPart / freq.QuadPart) + (double)(t.QuadPart % freq.QuadPart) / (double)freq.QuadPart;
}

#ifndef CREATE_WAITABLE_TIMER_HIGH_RESOLUTION
#define CREATE_WAITABLE_TIMER_HIGH_RESOLUTION 0x00000002
#endif

void plat_sleep_s(double s)
{
    HANDLE t;
    if (s <= 0)
        return;
    /* a high-resolution timer where Windows has one (10 1803 and later):
     * Sleep() rounds up to the 15.6 ms tick, too coarse for 5 ms polling */
    t = CreateWaitableTimerExW(NULL, NULL, CREATE_WAITABLE_TIMER_HIGH_RESOLUTION, TIMER_ALL_ACCESS);
    if (t) {
        LARGE_INTEGER due;
        due.QuadPart = -(LONGLONG)(s * 1e7); /* relative, in 100 ns */
        if (SetWaitableTimer(t, &due, 0, NULL, NULL, FALSE))
            WaitForSingleObject(t, INFINITE);
        else
            Sleep((DWORD)(s * 1e3 + 0.5));
        CloseHandle(t);
        return;
    }
    Sleep((DWORD)(s * 1e3 + 0.5));
}

int plat_utc(time_t t, struct tm *out)
{
    struct tm *g = gmtime(&t); /* the C runtime keeps it per thread */
    if (!g)
        return -1;
    *out = *g;
    return 0;
}

/* ---- terminal */

static HANDLE handle_of(FILE *f)
{
    return (HANDLE)_get_osfhandle(_fileno(f));
}

int plat_isatty(FILE *f)
{
    DWORD mode;
    return GetConsoleMode(handle_of(f), &mode) != 0; /* a console, not NUL (which _isatty calls one) */
}

int plat_term_columns(FILE *f)
{
    CONSOLE_SCREEN_BUFFER_INFO info;
    if (!GetConsoleScreenBufferInfo(handle_of(f), &info))
        return 0;
    return info.srWindow.Right - info.srWindow.Left + 1;
}

/* ---- processes */

int plat_exit_failed(struct plat_exit e)
{
    return e.started && (e.signal != 0 || e.code != 0);
}

struct plat_child_os {
    HANDLE process, job, read_pipe;
    LONG old_mode;    /* what Ctrl-C did before, put back at the end */
};

/* What Ctrl-C, Ctrl-Break and closing the console do to us now. */
enum ctrl_mode { CTRL_DEFAULT, CTRL_CHILD, CTRL_HELD };
static volatile LONG ctrl_mode, signal_seen, held_signal, self_interrupt;
static LONG hold_saved_mode;

static BOOL WINAPI on_ctrl(DWORD event)
{
    LONG sig = event == CTRL_C_EVENT || event == CTRL_BREAK_EVENT ? PLAT_SIGINT : PLAT_SIGTERM;
    if (event == CTRL_C_EVENT && InterlockedExchange(&self_interrupt, 0))
        return TRUE; /* the one we sent the child, through the console we share */
    if (ctrl_mode == CTRL_HELD)
        held_signal = sig;
    else if (ctrl_mode == CTRL_CHILD)
        signal_seen = sig; /* the child, on our console, has it too: Ctrl-C reaches it directly */
    else
        return FALSE;
    if (event == CTRL_CLOSE_EVENT || event == CTRL_LOGOFF_EVENT || event == CTRL_SHUTDOWN_EVENT)
        /* Windows ends us when this returns: wait while the main thread stops
         * ncu and the application (the job object) and removes the temporary
         * files; it exits the process itself (issue 32, as SIGHUP on POSIX) */
        Sleep(4500);
    return TRUE;
}

static void set_ctrl_mode(LONG mode)
{
    static int installed;
    if (!installed) {
        SetConsoleCtrlHandler(on_ctrl, TRUE);
        installed = 1;
    }
    ctrl_mode = mode;
}

void plat_hold_signals(void)
{
    set_ctrl_mode(CTRL_HELD);
}

int plat_held_signal(void)
{
    return (int)held_signal;
}

void plat_hold_begin(void)
{
    hold_saved_mode = ctrl_mode;
    set_ctrl_mode(CTRL_HELD);
}

void plat_hold_end(void)
{
    set_ctrl_mode(hold_saved_mode);
}

void plat_reraise(int sig)
{
    fflush(NULL);
    exit(128 + sig);
}

/* Appends arg to cmd as CommandLineToArgvW and the C runtime read it back:
 * quoted when empty or holding blanks or quotes, a quote escaped with a
 * backslash, backslashes doubled only before a quote or the closing quote.
 * cmd.exe's characters (% & ^ | < >) are nothing special here: no shell
 * reads this line. */
static void quote_arg(char *cmd, size_t *len, const char *arg)
{
    size_t n = *len;
    const char *p;
    if (n)
        cmd[n++] = ' ';
    if (*arg && !strpbrk(arg, " \t\n\v\"")) {
        memcpy(cmd + n, arg, strlen(arg));
        *len = n + strlen(arg);
        return;
    }
    cmd[n++] = '"';
    for (p = arg;; p++) {
        size_t slashes = 0, i;
        while (*p == '\\') {
            slashes++;
            p++;
        }
        if (!*p) {
            for (i = 0; i < 2 * slashes; i++)
                cmd[n++] = '\\';
            break;
        }
        if (*p == '"') {
            for (i = 0; i < 2 * slashes + 1; i++)
                cmd[n++] = '\\';
        } else {
            for (i = 0; i < slashes; i++)
                cmd[n++] = '\\';
        }
        cmd[n++] = *p;
    }
    cmd[n++] = '"';
    *len = n;
}

/* The whole command line, as a wide string; NULL out of memory. */
static wchar_t *command_line(char *const *argv)
{
    size_t cap = 1, len = 0, i;
    char *cmd;
    wchar_t *w;
    for (i = 0; argv[i]; i++)
        cap += 2 * strlen(argv[i]) + 3;
    if (!(cmd = malloc(cap)))
        return NULL;
    for (i = 0; argv[i]; i++)
        quote_arg(cmd, &len, argv[i]);
    cmd[len] = '\0';
    w = to_wide(cmd);
    free(cmd);
    return w;
}

static HANDLE inheritable(HANDLE h)
{
    HANDLE dup = NULL;
    if (!h || h == INVALID_HANDLE_VALUE ||
        !DuplicateHandle(GetCurrentProcess(), h, GetCurrentProcess(), &dup, 0, TRUE, DUPLICATE_SAME_ACCESS))
        return NULL;
    return dup;
}

/* The child's standard handles, inheritable copies: its stdout to
 * out_file, a pipe to us, or ours. */
static int child_handles(struct plat_child *c, HANDLE std[3])
{
    SECURITY_ATTRIBUTES sa = { sizeof sa, NULL, TRUE };
    HANDLE rd, wr;
    std[0] = inheritable(GetStdHandle(STD_INPUT_HANDLE));
    std[2] = inheritable(GetStdHandle(STD_ERROR_HANDLE));
    if (c->out_file) {
        fflush(c->out_file);
        std[1] = inheritable(handle_of(c->out_file));
        return std[1] ? 0 : fail_errno();
    }
    if (!c->capture) {
        std[1] = inheritable(GetStdHandle(STD_OUTPUT_HANDLE));
        return 0;
    }
    if (!CreatePipe(&rd, &wr, &sa, 1 << 16))
        return fail_errno();
    SetHandleInformation(rd, HANDLE_FLAG_INHERIT, 0); /* our end stays ours */
    c->os->read_pipe = rd;
    std[1] = wr;
    return 0;
}

static void close_handles(HANDLE *h, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (h[i])
            CloseHandle(h[i]);
}

/* The job the child's tree lives in: everything in it ends when the last
 * handle to it closes (ours, at the latest when we end). */
static HANDLE new_job(void)
{
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION lim;
    HANDLE job = CreateJobObjectW(NULL, NULL);
    if (!job)
        return NULL;
    memset(&lim, 0, sizeof lim);
    lim.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
    SetInformationJobObject(job, JobObjectExtendedLimitInformation, &lim, sizeof lim);
    return job;
}

/* ---- a child's environment, built for it: ours is never changed to
 * pass variables on (other threads may be reading it, NVML's among them) */

struct env_list {
    const wchar_t **v; /* into the current block or extra[] */
    size_t n;
    size_t fixed;      /* v[0..fixed) are the "=C:" entries, kept first as they came */
    wchar_t **extra;   /* the caller's entries, wide, owned */
    size_t nextra;
};

/* An entry's name: up to its '=' (a leading '=' is part of the name). */
static size_t env_name_len(const wchar_t *e)
{
    const wchar_t *eq = wcschr(e + (e[0] == L'='), L'=');
    return eq ? (size_t)(eq - e) : wcslen(e);
}

/* Names compared as Windows sorts them: ordinal, in upper case. */
static int env_name_cmp(const wchar_t *a, const wchar_t *b)
{
    return CompareStringOrdinal(a, (int)env_name_len(a), b, (int)env_name_len(b), TRUE) - CSTR_EQUAL;
}

static int env_order(const void *a, const void *b)
{
    return env_name_cmp(*(const wchar_t *const *)a, *(const wchar_t *const *)b);
}

/* The current block's entries, the '=' ones first; room for nextra more. */
static int env_load(struct env_list *l, const wchar_t *current, size_t nextra)
{
    const wchar_t *e;
    size_t count = 0;
    for (e = current; e && *e; e += wcslen(e) + 1)
        count++;
    if (!(l->v = malloc((count + nextra + 1) * sizeof *l->v)))
        return -1;
    for (e = current; e && *e; e += wcslen(e) + 1)
        if (e[0] == L'=')
            l->v[l->n++] = e;
    l->fixed = l->n;
    for (e = current; e && *e; e += wcslen(e) + 1)
        if (e[0] != L'=')
            l->v[l->n++] = e;
    return 0;
}

/* One NAME=VALUE in place of the variable of that name, or added; an
 * empty VALUE removes it (as _putenv("NAME=") does). */
static void env_put(struct env_list *l, const wchar_t *entry)
{
    size_t i, len = env_name_len(entry);
    int drop = entry[len] == L'\0' || entry[len + 1] == L'\0';
    for (i = l->fixed; i < l->n && env_name_cmp(l->v[i], entry) != 0; i++)
        ;
    if (i < l->n && drop)
        l->v[i] = l->v[--l->n];
    else if (!drop)
        l->v[i == l->n ? l->n++ : i] = entry;
}

/* The caller's entries, wide; those without a name or '=' are left out. */
static int env_add_extra(struct env_list *l, const char *const *extra)
{
    size_t i;
    for (i = 0; extra && extra[i]; i++) {
        const char *eq = strchr(extra[i], '=');
        if (!eq || eq == extra[i])
            continue;
        if (!(l->extra[l->nextra] = to_wide(extra[i])))
            return -1;
        env_put(l, l->extra[l->nextra++]);
    }
    return 0;
}

/* The entries as one block: each ended by a NUL, the whole by another. */
static wchar_t *env_join(const struct env_list *l)
{
    size_t i, len = 2, at = 0; /* the last NUL, and one more for an empty block */
    wchar_t *block;
    for (i = 0; i < l->n; i++)
        len += wcslen(l->v[i]) + 1;
    if (!(block = malloc(len * sizeof *block)))
        return NULL;
    for (i = 0; i < l->n; i++) {
        size_t k = wcslen(l->v[i]) + 1;
        memcpy(block + at, l->v[i], k * sizeof *block);
        at += k;
    }
    block[at] = block[at + 1] = L'\0';
    return block;
}

wchar_t *plat_env_block(const wchar_t *current, const char *const *extra)
{
    struct env_list l = { NULL, 0, 0, NULL, 0 };
    size_t i, n = 0;
    wchar_t *block = NULL;
    while (extra && extra[n])
        n++;
    if (env_load(&l, current, n) == 0 && (l.extra = calloc(n + 1, sizeof *l.extra)) != NULL &&
        env_add_extra(&l, extra) == 0) {
        qsort(l.v + l.fixed, l.n - l.fixed, sizeof *l.v, env_order);
        block = env_join(&l);
    }
    for (i = 0; i < l.nextra; i++)
        free(l.extra[i]);
    free(l.extra);
    free(l.v);
    if (!block)
        errno = ENOMEM;
    return block;
}

/* *block: our environment with c->env's variables, or NULL where c->env
 * has none (the child inherits ours). 0, or -1 with errno. */
static int child_env_block(const struct plat_child *c, wchar_t **block)
{
    wchar_t *current;
    *block = NULL;
    if (!c->env || !c->env[0])
        return 0;
    if (!(current = GetEnvironmentStringsW()))
        return fail_errno();
    *block = plat_env_block(current, c->env);
    FreeEnvironmentStringsW(current);
    return *block ? 0 : -1;
}

/* CreateProcessW with exactly the standard handles inherited (a handle
 * list where Windows has one), suspended, so that it is in its job before
 * it runs a single instruction. */
static int create_process(struct plat_child *c, char *const *argv, HANDLE std[3], PROCESS_INFORMATION *pi)
{
    STARTUPINFOEXW si;
    SIZE_T size = 0;
    LPPROC_THREAD_ATTRIBUTE_LIST list = NULL;
    HANDLE handles[3];
    DWORD nh = 0, flags = CREATE_SUSPENDED | EXTENDED_STARTUPINFO_PRESENT, i;
    wchar_t *app = to_wide(argv[0]), *cmd = command_line(argv), *env = NULL;
    BOOL ok = FALSE;
    memset(&si, 0, sizeof si);
    si.StartupInfo.cb = sizeof si;
    si.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
    si.StartupInfo.hStdInput = std[0];
    si.StartupInfo.hStdOutput = std[1];
    si.StartupInfo.hStdError = std[2];
    for (i = 0; i < 3; i++)
        if (std[i])
            handles[nh++] = std[i];
    InitializeProcThreadAttributeList(NULL, 1, 0, &size);
    if (nh && size && (list = malloc(size)) != NULL &&
        (!InitializeProcThreadAttributeList(list, 1, 0, &size) ||
         !UpdateProcThreadAttribute(list, 0, PROC_THREAD_ATTRIBUTE_HANDLE_LIST, handles, nh * sizeof handles[0],
                                    NULL, NULL))) {
        free(list);
        list = NULL;
    }
    si.lpAttributeList = list;
    if (!list)
        si.StartupInfo.cb = sizeof si.StartupInfo;
    if (!list)
        flags &= ~(DWORD)EXTENDED_STARTUPINFO_PRESENT;
    if (c->hold_signals)
        flags |= CREATE_NEW_PROCESS_GROUP; /* Ctrl-C does not reach it: it finishes its work */
    if (app && cmd && child_env_block(c, &env) == 0) {
        ok = CreateProcessW(app, cmd, NULL, NULL, TRUE, flags | CREATE_UNICODE_ENVIRONMENT, env, NULL,
                            &si.StartupInfo, pi);
        if (!ok)
            fail_errno();
    }
    if (list) {
        DeleteProcThreadAttributeList(list);
        free(list);
    }
    free(app);
    free(cmd);
    free(env);
    return ok ? 0 : -1;
}

static void child_cleanup(struct plat_child *c)
{
    int e = errno;
    if (c->os->read_pipe)
        CloseHandle(c->os->read_pipe);
    if (c->os->process)
        CloseHandle(c->os->process);
    if (c->os->job)
        CloseHandle(c->os->job); /* ends whatever is left in it */
    if (!c->hold_signals)
        set_ctrl_mode(c->os->old_mode);
    free(c->os);
    c->os = NULL;
    errno = e;
}

int plat_child_start(struct plat_child *c, char *const *argv)
{
    HANDLE std[3] = { NULL, NULL, NULL };
    PROCESS_INFORMATION pi;
    int rc;
    c->stopped_by_deadline = 0;
    c->signal_received = 0;
    if (!(c->os = calloc(1, sizeof *c->os)))
        return -1;
    signal_seen = 0;
    c->os->old_mode = ctrl_mode;
    if (!c->hold_signals)
        set_ctrl_mode(CTRL_CHILD);
    rc = child_handles(c, std);
    if (rc == 0)
        rc = create_process(c, argv, std, &pi);
    close_handles(std, 3); /* the child has its own copies */
    if (rc != 0) {
        child_cleanup(c);
        return -1;
    }
    c->os->process = pi.hProcess;
    c->os->job = new_job();
    if (c->os->job && !AssignProcessToJobObject(c->os->job, pi.hProcess)) {
        CloseHandle(c->os->job); /* a job that does not allow it: the child alone, then */
        c->os->job = NULL;
    }
    ResumeThread(pi.hThread);
    CloseHandle(pi.hThread);
    return 0;
}

long plat_child_read(struct plat_child *c, char *buf, size_t n)
{
    DWORD got = 0;
    if (!c->os || !c->os->read_pipe)
        return -1;
    if (!ReadFile(c->os->read_pipe, buf, (DWORD)(n > 1u << 30 ? 1u << 30 : n), &got, NULL))
        return GetLastError() == ERROR_BROKEN_PIPE ? 0 : -1;
    return (long)got;
}

/* Hands what the child has written so far to on_output, without waiting. */
static void drain(struct plat_child *c)
{
    char buf[8192];
    DWORD avail, got;
    while (PeekNamedPipe(c->os->read_pipe, NULL, 0, NULL, &avail, NULL) && avail > 0 &&
           ReadFile(c->os->read_pipe, buf, avail < sizeof buf ? avail : (DWORD)sizeof buf, &got, NULL) && got > 0)
        c->on_output(c->ctx, buf, got);
}

/* Asks the child to stop as Ctrl-C does (ncu saves its report then): a
 * Ctrl-C on the console we share, which our handler lets pass; without a
 * console, it is ended. */
static void interrupt(struct plat_child *c)
{
    InterlockedExchange(&self_interrupt, 1);
    if (!GenerateConsoleCtrlEvent(CTRL_C_EVENT, 0)) {
        InterlockedExchange(&self_interrupt, 0);
        if (c->os->job)
            TerminateJobObject(c->os->job, 128 + PLAT_SIGINT);
        else
            TerminateProcess(c->os->process, 128 + PLAT_SIGINT);
    }
}

static void kill_child(struct plat_child *c)
{
    if (c->os->job)
        TerminateJobObject(c->os->job, 128 + 9);
    else
        TerminateProcess(c->os->process, 128 + 9);
}

/* Waits for the child, interrupting it at the deadline or on our signal
 * (which a Ctrl-C at the console gave it too) and killing it 30 s later. */
static void wait_child(struct plat_child *c)
{
    double start = plat_now_s(), sigint_at = -1;
    for (;;) {
        double t;
        if (c->on_output && c->os->read_pipe)
            drain(c);
        if (WaitForSingleObject(c->os->process, 20) != WAIT_TIMEOUT)
            return;
        t = plat_now_s();
        if (c->on_tick)
            c->on_tick(c->ctx, t - start);
        if (signal_seen && sigint_at < 0) {
            sigint_at = t;
            if (signal_seen == PLAT_SIGTERM)
                interrupt(c); /* a console being closed reaches us; pass it on as Ctrl-C */
        }
        if (c->stop_after_s > 0 && sigint_at < 0 && t - start >= c->stop_after_s) {
            interrupt(c);
            c->stopped_by_deadline = 1;
            sigint_at = t;
        }
        if (sigint_at >= 0 && t - sigint_at > 30.0) {
            kill_child(c);
            sigint_at = t + 1e9; /* once */
        }
    }
}

/* What is left of the child's job once the child has ended (an
 * application's background processes) is ended. */
static void end_job(struct plat_child *c)
{
    JOBOBJECT_BASIC_ACCOUNTING_INFORMATION acct;
    if (c->os->job && QueryInformationJobObject(c->os->job, JobObjectBasicAccountingInformation, &acct,
                                                sizeof acct, NULL) &&
        acct.ActiveProcesses > 0)
        TerminateJobObject(c->os->job, 1);
}

struct plat_exit plat_child_finish(struct plat_child *c)
{
    struct plat_exit e = { 0, 0, 0 };
    DWORD code;
    if (!c->os)
        return e;
    wait_child(c);
    if (GetExitCodeProcess(c->os->process, &code)) {
        e.started = 1;
        if (code == STATUS_CONTROL_C_EXIT)
            e.signal = PLAT_SIGINT;
        else
            e.code = (int)code;
    }
    if (c->on_output && c->os->read_pipe)
        drain(c);
    end_job(c);
    c->signal_received = (int)signal_seen;
    if (c->hold_signals && signal_seen && !held_signal)
        held_signal = signal_seen;
    child_cleanup(c);
    return e;
}
#endif
