/* demo_rng.c: the demo generator's deterministic random numbers (xoshiro256**), its local
 * metric plane and date arithmetic; no libc randomness, no locale, no time zone. */
#include <math.h>
#include <stdio.h>

#include "import/import_int.h"
#include "tiled/base/tl_util.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* Random numbers ------------------------------------------------------------------- */

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

void imp__rng_seed(imp__rng *r, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t imp__rng_next(imp__rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double imp__rng_unif(imp__rng *r)
{
    return (double)(imp__rng_next(r) >> 11) * 0x1.0p-53;
}

double imp__rng_range(imp__rng *r, double lo, double hi)
{
    return lo + (hi - lo) * imp__rng_unif(r);
}

double imp__rng_normal(imp__rng *r)
{
    double u1 = 1.0 - imp__rng_unif(r); /* (0, 1] */
    double u2 = imp__rng_unif(r);
    return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

int imp__rng_poisson(imp__rng *r, double lam)
{
    /* Knuth's product method: fine for the small means used here. */
    double lim = exp(-lam), p = 1.0;
    int k = 0;
    do {
        k++;
        p *= imp__rng_unif(r);
    } while (p > lim && k < 1000);
    return k - 1;
}

double imp__rng_gamma4(imp__rng *r)
{
    double p = 1.0;
    for (int i = 0; i < 4; i++)
        p *= 1.0 - imp__rng_unif(r);
    return -log(p);
}

int imp__rng_pick(imp__rng *r, const double *w, int n)
{
    double tot = 0.0;
    for (int i = 0; i < n; i++)
        tot += w[i];
    double x = imp__rng_unif(r) * tot, acc = 0.0;
    int last = 0;
    for (int i = 0; i < n; i++) {
        if (w[i] <= 0.0)
            continue;
        acc += w[i];
        last = i;
        if (x < acc)
            return i;
    }
    return last;
}

/* Working plane ---------------------------------------------------------------------- */

/* Equirectangular around 106.65E 11.15N with the WGS 84 radii of curvature there
 * (metres per degree of longitude and of latitude): affine, so valid polygons stay valid
 * when converted, and within 0.2% of true distances over the province. */
#define LON0 106.65
#define LAT0 11.15
#define M_PER_DEG_LON 109231.92888477353
#define M_PER_DEG_LAT 110615.81011386059

void imp__ll2xy(double lon, double lat, double *x, double *y)
{
    *x = (lon - LON0) * M_PER_DEG_LON;
    *y = (lat - LAT0) * M_PER_DEG_LAT;
}

void imp__xy2ll(double x, double y, double *lon, double *lat)
{
    *lon = LON0 + x / M_PER_DEG_LON;
    *lat = LAT0 + y / M_PER_DEG_LAT;
}

/* Dates ------------------------------------------------------------------------------ */

/* Days since 1970-01-01 to the civil date (H. Hinnant's algorithm, proleptic Gregorian). */
static void civil_from_days(long z, int *y, int *m, int *d)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

void imp__date_str(int days, char out[11])
{
    int y, m, dd;
    char tmp[40];
    civil_from_days(15340L + days, &y, &m, &dd); /* 15340 = 2012-01-01 */
    snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", y, m, dd);
    tl_strlcpy(out, tmp, 11);
}
