/* test_rank_tests.c - Mann-Whitney U and Wilcoxon signed-rank against values worked
 * out independently here: U by counting pairs, p by enumerating every permutation. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>

#include "eb_rank_tests.h"

/* U of b by definition: pairs with b > a, ties counting one half. */
static double u_by_pairs(const double *a, size_t na, const double *b, size_t nb)
{
    double u = 0;
    for (size_t i = 0; i < na; i++)
        for (size_t j = 0; j < nb; j++)
            u += b[j] > a[i] ? 1 : b[j] == a[i] ? 0.5 : 0;
    return u;
}

/* Two-sided exact p by enumerating every way to split the pooled values into groups of
 * na and nb (bit masks), computing U for each split by pair counting. */
static double p_by_enumeration(const double *a, size_t na, const double *b, size_t nb)
{
    size_t n = na + nb;
    double pool[24];
    for (size_t i = 0; i < na; i++)
        pool[i] = a[i];
    for (size_t j = 0; j < nb; j++)
        pool[na + j] = b[j];
    double u_obs = u_by_pairs(a, na, b, nb), mean = (double)na * (double)nb / 2;
    double dev = fabs(u_obs - mean);
    double hits = 0, total = 0;
    for (unsigned mask = 0; mask < (1u << n); mask++) {
        if ((size_t)__builtin_popcount(mask) != nb)
            continue;
        double ga[24], gb[24];
        size_t ka = 0, kb = 0;
        for (size_t i = 0; i < n; i++) {
            if (mask & (1u << i))
                gb[kb++] = pool[i];
            else
                ga[ka++] = pool[i];
        }
        total++;
        if (fabs(u_by_pairs(ga, ka, gb, kb) - mean) >= dev - 1e-9)
            hits++;
    }
    return hits / total;
}

Test(mannwhitney, separated_samples_give_textbook_p)
{
    /* five below five: U = 25 and only the two extreme splits of C(10,5) = 252 are as
     * extreme, so p = 2/252 */
    double a[] = {1, 2, 3, 4, 5}, b[] = {6, 7, 8, 9, 10};
    eb_mwu m;
    cr_assert_eq(eb_mann_whitney(a, 5, b, 5, &m), EB_OK);
    cr_assert_float_eq(m.u, 25.0, 1e-12);
    cr_assert_float_eq(m.effect, 1.0, 1e-12);
    cr_assert(m.exact);
    cr_assert_float_eq(m.p, 2.0 / 252.0, 1e-12, "p = %.12g", m.p);
    cr_assert(!m.ties);
    /* swapping the sides mirrors U and keeps the two-sided p */
    cr_assert_eq(eb_mann_whitney(b, 5, a, 5, &m), EB_OK);
    cr_assert_float_eq(m.u, 0.0, 1e-12);
    cr_assert_float_eq(m.p, 2.0 / 252.0, 1e-12);
}

Test(mannwhitney, exact_with_ties_matches_enumeration)
{
    double a[] = {1.0, 2.0, 2.0, 3.5, 4.0, 4.0, 7.0};
    double b[] = {2.0, 3.5, 4.0, 5.0, 6.0, 7.0, 7.0, 8.0};
    eb_mwu m;
    cr_assert_eq(eb_mann_whitney(a, 7, b, 8, &m), EB_OK);
    cr_assert(m.ties);
    cr_assert(m.exact);
    cr_assert_float_eq(m.u, u_by_pairs(a, 7, b, 8), 1e-12);
    double p = p_by_enumeration(a, 7, b, 8);
    cr_assert_float_eq(m.p, p, 1e-12, "library p %.12g, enumeration %.12g", m.p, p);
}

Test(mannwhitney, exact_matches_enumeration_on_random_small_sets)
{
    uint64_t s = 12345;
    for (int trial = 0; trial < 25; trial++) {
        size_t na = 3 + (size_t)(trial % 6), nb = 4 + (size_t)((trial * 7) % 7);
        double a[16], b[16];
        for (size_t i = 0; i < na; i++) {
            s = s * 6364136223846793005ull + 1442695040888963407ull;
            a[i] = (double)((s >> 33) % 9); /* few distinct values: many ties */
        }
        for (size_t j = 0; j < nb; j++) {
            s = s * 6364136223846793005ull + 1442695040888963407ull;
            b[j] = (double)((s >> 33) % 9) + (trial % 3);
        }
        eb_mwu m;
        cr_assert_eq(eb_mann_whitney(a, na, b, nb, &m), EB_OK);
        cr_assert_float_eq(m.u, u_by_pairs(a, na, b, nb), 1e-12);
        double p = p_by_enumeration(a, na, b, nb);
        cr_assert_float_eq(m.p, p, 1e-9, "trial %d: %.12g vs %.12g", trial, m.p, p);
    }
}

Test(mannwhitney, normal_approximation_with_ties_matches_hand_formula)
{
    /* 40 + 40 values with heavy ties: beyond the exact limit */
    double a[40], b[40];
    for (int i = 0; i < 40; i++) {
        a[i] = (double)(i / 4);     /* 0..9, four of each */
        b[i] = (double)(i / 4 + 2); /* 2..11 */
    }
    eb_mwu m;
    cr_assert_eq(eb_mann_whitney(a, 40, b, 40, &m), EB_OK);
    cr_assert(!m.exact);
    double u = u_by_pairs(a, 40, b, 40);
    cr_assert_float_eq(m.u, u, 1e-9);
    /* tie groups worked out by hand: values 0,1,10,11 appear 4 times, 2..9 appear 8 */
    double n = 80, ties = 4 * (4.0 * 4 * 4 - 4) + 8 * (8.0 * 8 * 8 - 8);
    double var = 40.0 * 40 / 12 * ((n + 1) - ties / (n * (n - 1)));
    double z = (fabs(u - 800) - 0.5) / sqrt(var);
    double p = erfc(z / sqrt(2.0));
    cr_assert_float_eq(m.z, z, 1e-9, "z %.9g vs %.9g", m.z, z);
    cr_assert_float_eq(m.p, p, 1e-12);
    cr_assert(m.p < 0.01, "a shift of two steps in ten is significant: p = %g", m.p);
}

Test(mannwhitney, identical_values_give_p_one)
{
    double a[70], b[70];
    for (int i = 0; i < 70; i++)
        a[i] = b[i] = 3.0;
    eb_mwu m;
    cr_assert_eq(eb_mann_whitney(a, 70, b, 70, &m), EB_OK);
    cr_assert_float_eq(m.p, 1.0, 1e-12);
    cr_assert_float_eq(m.effect, 0.5, 1e-12);
    cr_assert_eq(eb_mann_whitney(a, 5, b, 5, &m), EB_OK); /* exact route too */
    cr_assert_float_eq(m.p, 1.0, 1e-12);
}

Test(mannwhitney, bad_input_is_refused)
{
    double a[] = {1, NAN}, b[] = {1, 2};
    eb_mwu m;
    cr_assert_eq(eb_mann_whitney(a, 2, b, 2, &m), EB_ERR_ARG);
    cr_assert_eq(eb_mann_whitney(b, 0, b, 2, &m), EB_ERR_ARG);
}

Test(mannwhitney, min_p)
{
    cr_assert_float_eq(eb_mann_whitney_min_p(5, 5), 2.0 / 252, 1e-12);
    cr_assert_float_eq(eb_mann_whitney_min_p(3, 3), 0.1, 1e-12);
    cr_assert(eb_mann_whitney_min_p(100, 100) < 1e-50);
}

/* Two-sided signed-rank p by enumerating all 2^n sign patterns of |d| (zeros dropped),
 * with W+ computed from midranks found by brute-force comparison. */
static double signed_rank_by_enumeration(const double *d, size_t n, double *w_obs)
{
    double ad[20];
    int pos[20];
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (d[i] != 0) {
            ad[m] = fabs(d[i]);
            pos[m++] = d[i] > 0;
        }
    double rank[20], total = 0;
    for (size_t i = 0; i < m; i++) {
        double below = 0, equal = 0;
        for (size_t j = 0; j < m; j++) {
            below += ad[j] < ad[i];
            equal += ad[j] == ad[i];
        }
        rank[i] = below + (equal + 1) / 2;
        total += rank[i];
    }
    double w = 0;
    for (size_t i = 0; i < m; i++)
        w += pos[i] ? rank[i] : 0;
    *w_obs = w;
    double mean = total / 2, dev = fabs(w - mean), hits = 0;
    for (unsigned mask = 0; mask < (1u << m); mask++) {
        double s = 0;
        for (size_t i = 0; i < m; i++)
            if (mask & (1u << i))
                s += rank[i];
        hits += fabs(s - mean) >= dev - 1e-9;
    }
    return hits / (double)(1u << m);
}

Test(signed_rank, matches_enumeration)
{
    double d[] = {0.12, -0.03, 0.05, 0.05, 0.2, 0.0, -0.05, 0.07, 0.11, 0.09, 0.03, 0.15};
    size_t n = sizeof d / sizeof d[0];
    eb_signed_rank r;
    cr_assert_eq(eb_wilcoxon_signed_rank(d, n, &r), EB_OK);
    double w;
    double p = signed_rank_by_enumeration(d, n, &w);
    cr_assert_eq(r.n, n - 1, "the zero is dropped");
    cr_assert(r.exact);
    cr_assert_float_eq(r.w_plus, w, 1e-12);
    cr_assert_float_eq(r.p, p, 1e-12, "%.12g vs %.12g", r.p, p);
}

Test(signed_rank, all_positive_ten)
{
    /* ten positive differences: only all-plus and all-minus are as extreme: 2/1024 */
    double d[10];
    for (int i = 0; i < 10; i++)
        d[i] = 0.1 + 0.01 * i;
    eb_signed_rank r;
    cr_assert_eq(eb_wilcoxon_signed_rank(d, 10, &r), EB_OK);
    cr_assert_float_eq(r.w_plus, 55, 1e-12);
    cr_assert_float_eq(r.p, 2.0 / 1024, 1e-12);
}

Test(signed_rank, all_zero_is_p_one)
{
    double d[4] = {0, 0, 0, 0};
    eb_signed_rank r;
    cr_assert_eq(eb_wilcoxon_signed_rank(d, 4, &r), EB_OK);
    cr_assert_eq(r.n, 0);
    cr_assert_float_eq(r.p, 1.0, 1e-12);
}
