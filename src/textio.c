/* textio: see textio.h. */
#include "textio.h"

#include <stdlib.h>
#include <string.h>

static int grow(char **buf, size_t *cap, size_t need)
{
    size_t ncap = *cap ? *cap : 256;
    char *nb;
    while (ncap < need)
        ncap *= 2;
    if (ncap == *cap)
        return 0;
    nb = realloc(*buf, ncap);
    if (!nb)
        return -1;
    *buf = nb;
    *cap = ncap;
    return 0;
}

int textio_getline(FILE *f, char **buf, size_t *cap, size_t max, size_t *len)
{
    size_t n = 0;
    int c;
    if (grow(buf, cap, 256) != 0)
        return -2;
    while ((c = getc(f)) != EOF) {
        if (n == max)
            return -1;
        if (n + 2 > *cap && grow(buf, cap, n + 2) != 0)
            return -2;
        (*buf)[n++] = (char)c;
        if (c == '\n')
            break;
    }
    (*buf)[n] = '\0';
    *len = n;
    return n > 0 ? 1 : 0;
}

/* Compares version-like names ("2025.3.1" > "2024.10.0") numerically. */
int text_version_cmp(const char *a, const char *b)
{
    while (*a && *b) {
        if (*a >= '0' && *a <= '9' && *b >= '0' && *b <= '9') {
            unsigned long x = 0, y = 0;
            for (; *a >= '0' && *a <= '9'; a++)
                x = x * 10 + (unsigned long)(*a - '0');
            for (; *b >= '0' && *b <= '9'; b++)
                y = y * 10 + (unsigned long)(*b - '0');
            if (x != y)
                return x < y ? -1 : 1;
        } else {
            if (*a != *b)
                return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
            a++;
            b++;
        }
    }
    return (*a != 0) - (*b != 0);
}

char *textio_take(FILE *f, size_t *len)
{
    long end;
    char *buf;
    size_t got;
    if (fseek(f, 0, SEEK_END) != 0 || (end = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) /* fseek flushes */
        return NULL;
    if (!(buf = malloc((size_t)end + 1)))
        return NULL;
    got = fread(buf, 1, (size_t)end, f);
    fseek(f, 0, SEEK_END);
    if (got != (size_t)end) {
        free(buf);
        return NULL;
    }
    buf[got] = '\0';
    *len = got;
    return buf;
}
