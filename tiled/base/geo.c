/* geo.c: spherical Web Mercator formulas (the definition of EPSG:3857) and tile bounds. */
#include "tiled/base/tl_geo.h"

#include <math.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

void tl_lonlat_to_merc(double lon, double lat, double *x, double *y)
{
    if (lat > TL_MAX_LAT)
        lat = TL_MAX_LAT;
    if (lat < -TL_MAX_LAT)
        lat = -TL_MAX_LAT;
    *x = TL_MERC_R * lon * M_PI / 180.0;
    *y = TL_MERC_R * log(tan(M_PI / 4.0 + lat * M_PI / 360.0));
}

void tl_merc_to_lonlat(double x, double y, double *lon, double *lat)
{
    *lon = x / TL_MERC_R * 180.0 / M_PI;
    *lat = (2.0 * atan(exp(y / TL_MERC_R)) - M_PI / 2.0) * 180.0 / M_PI;
}

tl_bbox tl_tile_bbox(int z, uint32_t x, uint32_t y)
{
    double size = 2.0 * TL_MERC_HALF / (double)(1ULL << z);
    tl_bbox b;
    b.minx = -TL_MERC_HALF + (double)x * size;
    b.maxx = b.minx + size;
    b.maxy = TL_MERC_HALF - (double)y * size;
    b.miny = b.maxy - size;
    return b;
}

double tl_tile_resolution(int z)
{
    return 2.0 * TL_MERC_HALF / 256.0 / (double)(1ULL << z);
}

double tl_tile_scale_denom(int z)
{
    return tl_tile_resolution(z) / TL_OGC_PIXEL_M;
}

int tl_bbox_intersects(const tl_bbox *a, const tl_bbox *b)
{
    return a->minx <= b->maxx && b->minx <= a->maxx && a->miny <= b->maxy && b->miny <= a->maxy;
}
