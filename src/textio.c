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
