/* ab_proto.c - parsers of the ab <-> ab-worker line protocol (ab_proto.h). */
#include "ab_proto.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A number as the worker prints it ("%.6f", or any strtod form without leading blanks);
 * *end is set past it. */
static bool number(const char *p, const char **end, double *v)
{
    if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\0')
        return false;
    char *e;
    errno = 0;
    *v = strtod(p, &e);
    *end = e;
    return e != p && errno != ERANGE && isfinite(*v);
}

eb_status eb_ab_parse_samples(const char *line, double **x, size_t *n, char *err,
                              size_t errlen)
{
    *x = NULL;
    *n = 0;
    if (strncmp(line, "samples ", 8) != 0) {
        snprintf(err, errlen, "expected a 'samples <n> <ms>...' line");
        return EB_ERR_PROTOCOL;
    }
    /* the count: a plain decimal without leading zeros, checked against the bound
     * before anything is allocated from it */
    const char *p = line + 8;
    size_t count = 0;
    if (*p < '1' || *p > '9') {
        snprintf(err, errlen, "the samples line does not start with a count");
        return EB_ERR_PROTOCOL;
    }
    for (; *p >= '0' && *p <= '9'; p++) {
        count = count * 10 + (size_t)(*p - '0');
        if (count > EB_AB_MAX_SAMPLES) {
            snprintf(err, errlen, "the samples line announces more than %d samples",
                     EB_AB_MAX_SAMPLES);
            return EB_ERR_PROTOCOL;
        }
    }
    /* every value takes at least two characters (" 1"): a count the line cannot hold is
     * refused before allocating */
    size_t rest = strlen(p);
    if (count > rest / 2) {
        snprintf(err, errlen, "the samples line announces %zu samples but carries fewer",
                 count);
        return EB_ERR_PROTOCOL;
    }
    double *v = malloc(count * sizeof *v);
    if (!v) {
        snprintf(err, errlen, "out of memory for %zu samples", count);
        return EB_ERR_NOMEM;
    }
    size_t k = 0;
    for (; k < count; k++) {
        const char *end;
        if (*p != ' ' || !number(p + 1, &end, &v[k]) || v[k] < 0)
            break;
        p = end;
    }
    if (k != count || *p != '\0') {
        free(v);
        snprintf(err, errlen, "the samples line does not hold %zu finite non-negative times",
                 count);
        return EB_ERR_PROTOCOL;
    }
    *x = v;
    *n = count;
    return EB_OK;
}

bool eb_ab_parse_measure(const char *line, double *secs)
{
    if (strncmp(line, "measure ", 8) != 0)
        return false;
    const char *end;
    double s;
    if (!number(line + 8, &end, &s))
        return false;
    while (*end == '\r' || *end == '\n')
        end++;
    if (*end != '\0' || !(s > 0 && s < 3600))
        return false;
    *secs = s;
    return true;
}
