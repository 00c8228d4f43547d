/* tl_geo.h: Web Mercator (EPSG:3857) and XYZ tile arithmetic shared by every module.
 * Pure functions; thread-safe. */
#ifndef TL_GEO_H
#define TL_GEO_H

#include <stdint.h>

#define TL_MERC_HALF 20037508.342789244 /* half the EPSG:3857 world width, metres */
#define TL_MERC_R 6378137.0
#define TL_MAX_ZOOM 24
#define TL_MAX_LAT 85.05112877980659
/* OGC standard rendering pixel: 0.28 mm */
#define TL_OGC_PIXEL_M 0.00028

/** A bounding box; units depend on use (EPSG:3857 metres unless said otherwise). */
typedef struct tl_bbox {
    double minx, miny, maxx, maxy;
} tl_bbox;

/** Longitude/latitude (degrees, WGS 84) to EPSG:3857 metres. Latitude clamped to ±TL_MAX_LAT. */
void tl_lonlat_to_merc(double lon, double lat, double *x, double *y);
/** EPSG:3857 metres to longitude/latitude degrees. */
void tl_merc_to_lonlat(double x, double y, double *lon, double *lat);
/** EPSG:3857 bounds of XYZ tile z/x/y (y counted from the north). */
tl_bbox tl_tile_bbox(int z, uint32_t x, uint32_t y);
/** Metres per pixel for a 256 px tile at zoom z (at the equator, i.e. in 3857 units). */
double tl_tile_resolution(int z);
/** OGC scale denominator (0.28 mm pixel) of a 256 px tile at zoom z, at the equator. */
double tl_tile_scale_denom(int z);
/** 1 if bboxes intersect (touching counts). */
int tl_bbox_intersects(const tl_bbox *a, const tl_bbox *b);

#endif
