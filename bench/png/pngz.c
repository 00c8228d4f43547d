/* pngz.c: how long the image data of RGBA tiles takes to compress, and to how many bytes,
 * with libdeflate and ISA-L's igzip at their fast levels (unfiltered scanlines, zlib
 * format: what styles/png.c puts in a tile's IDAT chunk). A measuring tool, not part of
 * the build:
 *
 *   gcc -O2 -o /tmp/pngz bench/png/pngz.c -lpng -ldeflate -lisal
 *   /tmp/pngz $(find /tmp/tiled-bench/run-medium/saved/tiled -name '*.png')
 *
 * (bench/tiles/run.sh saves every server's PNGs there; libdeflate-dev is not one of
 * tiled's build dependencies: apt-get install libdeflate-dev to compare.) Each
 * configuration runs over all tiles twice; the second pass is printed. */
#include <isa-l/igzip_lib.h>
#include <libdeflate.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

typedef struct tile {
    unsigned char *raw; /* scanlines, each a filter byte (0) and the row */
    size_t len;
} tile;

static int load(const char *path, tile *t)
{
    png_image im;
    memset(&im, 0, sizeof im);
    im.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&im, path))
        return -1;
    im.format = PNG_FORMAT_RGBA;
    unsigned char *px = malloc(PNG_IMAGE_SIZE(im));
    if (!px || !png_image_finish_read(&im, NULL, px, 0, NULL)) {
        free(px);
        png_image_free(&im);
        return -1;
    }
    size_t row = (size_t)im.width * 4;
    t->len = (row + 1) * im.height;
    t->raw = malloc(t->len);
    for (size_t y = 0; y < im.height; y++) {
        t->raw[y * (row + 1)] = 0;
        memcpy(t->raw + y * (row + 1) + 1, px + y * row, row);
    }
    free(px);
    return 0;
}

int main(int argc, char **argv)
{
    int n = 0;
    tile *tiles = calloc((size_t)argc, sizeof *tiles);
    size_t maxlen = 0;
    for (int i = 1; i < argc; i++) {
        if (load(argv[i], &tiles[n]) != 0) {
            fprintf(stderr, "pngz: cannot read %s\n", argv[i]);
            continue;
        }
        maxlen = tiles[n].len > maxlen ? tiles[n].len : maxlen;
        n++;
    }
    if (n == 0) {
        fprintf(stderr, "usage: pngz TILE.png...\n");
        return 2;
    }
    size_t cap = 2 * maxlen + 4096;
    unsigned char *out = malloc(cap);
    for (int lvl = 1; lvl <= 2; lvl++) {
        struct libdeflate_compressor *c = libdeflate_alloc_compressor(lvl);
        double t0 = 0;
        size_t tot = 0;
        for (int pass = 0; pass < 2; pass++) {
            t0 = now();
            tot = 0;
            for (int i = 0; i < n; i++)
                tot += libdeflate_zlib_compress(c, tiles[i].raw, tiles[i].len, out, cap);
        }
        printf("libdeflate level %d: %.3f ms a tile, %.1f KB\n", lvl, (now() - t0) * 1e3 / n,
               (double)tot / 1024.0 / n);
        libdeflate_free_compressor(c);
    }
    static const unsigned lbs[] = {0, ISAL_DEF_LVL1_DEFAULT, ISAL_DEF_LVL2_DEFAULT,
                                   ISAL_DEF_LVL3_DEFAULT};
    for (int lvl = 0; lvl <= 3; lvl++) {
        unsigned char *lb = lbs[lvl] ? malloc(lbs[lvl]) : NULL;
        double t0 = 0;
        size_t tot = 0;
        for (int pass = 0; pass < 2; pass++) {
            t0 = now();
            tot = 0;
            for (int i = 0; i < n; i++) {
                struct isal_zstream s;
                isal_deflate_stateless_init(&s);
                s.level = (uint32_t)lvl;
                s.level_buf = lb;
                s.level_buf_size = lbs[lvl];
                s.gzip_flag = IGZIP_ZLIB;
                s.end_of_stream = 1;
                s.flush = NO_FLUSH;
                s.next_in = tiles[i].raw;
                s.avail_in = (uint32_t)tiles[i].len;
                s.next_out = out;
                s.avail_out = (uint32_t)cap;
                if (isal_deflate_stateless(&s) != COMP_OK) {
                    fprintf(stderr, "pngz: igzip failed\n");
                    return 1;
                }
                tot += s.total_out;
            }
        }
        printf("igzip level %d: %.3f ms a tile, %.1f KB\n", lvl, (now() - t0) * 1e3 / n,
               (double)tot / 1024.0 / n);
        free(lb);
    }
    return 0;
}
