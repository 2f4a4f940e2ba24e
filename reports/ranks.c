/* ranks.c - midranks (doubled, so they stay integers) and the tie term. */
#include <stdlib.h>

#include "ranks.h"

typedef struct {
    double v;
    size_t i;
} eb_ranked;

static int cmp_ranked(const void *pa, const void *pb)
{
    const eb_ranked *a = pa, *b = pb;
    if (a->v < b->v)
        return -1;
    if (a->v > b->v)
        return 1;
    return (a->i > b->i) - (a->i < b->i);
}

double eb_midranks2(const double *v, size_t n, long *rank2)
{
    eb_ranked *s = malloc((n ? n : 1) * sizeof *s);
    if (!s)
        return -1;
    for (size_t i = 0; i < n; i++)
        s[i] = (eb_ranked){v[i], i};
    qsort(s, n, sizeof *s, cmp_ranked);
    double ties = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j + 1 < n && s[j + 1].v == s[i].v)
            j++;
        /* positions i..j (0-based) hold ranks i+1..j+1; twice their mean is i+j+2 */
        for (size_t k = i; k <= j; k++)
            rank2[s[k].i] = (long)(i + j + 2);
        double t = (double)(j - i + 1);
        ties += t * t * t - t;
        i = j + 1;
    }
    free(s);
    return ties;
}
