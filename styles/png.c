/* png.c: PNG encoding into a bounded tl_buf and decoding for tests and tools, with libpng.
 * libpng reports errors by longjmp: the one setjmp lives in write_png() below. */
#include <isa-l/igzip_lib.h>
#include <stdint.h>
#include <png.h>
#include <stdlib.h>
#include <string.h>

#include "styles/styles_int.h"
#include "tiled/base/tl_util.h"

#define MAX_SIDE 32768               /* pixels, either side */
#define MAX_DECODE_PIXELS (1u << 26) /* 64 Mpx: 256 MiB of RGBA */

/* RGBA tiles: libpng writes the container (signature, IHDR, chunk CRCs, IEND); the image
 * data is compressed by ISA-L's igzip (level 2, zlib format) into one IDAT chunk,
 * unfiltered. Measured on the 300 PNGs of the benchmark list (medium demo data, 256 px,
 * all five layers; bench/png/pngz.c compressing the same unfiltered scanlines), mean per
 * tile: libdeflate level 1 0.71 ms 41.4 KB (used before); igzip level 0 0.31 ms 51.2 KB,
 * level 1 0.32 ms 44.7 KB, level 2 0.34 ms 43.7 KB, level 3 0.57 ms 44.4 KB. Level 2 halves
 * the encoding time (12 % of a tile's) for 5.6 % more bytes -- still fewer than MapServer
 * (44.7 KB) or Mapnik (48.7 KB) on the same tiles. Earlier, with zlib and libdeflate: SUB
 * or UP filters +15-35 % bytes at the same level (the small anti-aliased parcels defeat
 * them), and slower; Z_RLE + SUB 72.6 KB; adaptive filtering 76 KB. */
#define IGZIP_LEVEL 2
#define IGZIP_LEVEL_BUF ISAL_DEF_LVL2_DEFAULT

struct sty__png_enc {
    struct isal_zstream zs; /* igzip's state (~80 KB), reset for every image */
    uint8_t *level_buf;     /* IGZIP_LEVEL_BUF bytes of hash tables */
    uint8_t *raw;           /* scanlines, each a filter byte and the row */
    size_t raw_cap;
    uint8_t *z; /* compressed */
    size_t z_cap;
};

sty__png_enc *sty__png_enc_new(void)
{
    sty__png_enc *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->level_buf = malloc(IGZIP_LEVEL_BUF);
    if (!e->level_buf) {
        free(e);
        return NULL;
    }
    return e;
}

void sty__png_enc_free(sty__png_enc *e)
{
    if (!e)
        return;
    free(e->level_buf);
    free(e->raw);
    free(e->z);
    free(e);
}

/* Grow *buf to hold n bytes. */
static int reserve(uint8_t **buf, size_t *cap, size_t n)
{
    if (*cap >= n)
        return 0;
    uint8_t *p = realloc(*buf, n);
    if (!p)
        return -1;
    *buf = p;
    *cap = n;
    return 0;
}

/* Where the bytes go, and the first libpng error message. */
typedef struct png_sink {
    tl_buf *out;
    tl_err *err;
    char msg[200];
} png_sink;

static void sink_write(png_structp png, png_bytep data, size_t len)
{
    png_sink *k = png_get_io_ptr(png);
    if (tl_buf_add(k->out, data, len, k->err) < 0)
        png_error(png, "the image is larger than the output limit");
}

static void sink_flush(png_structp png)
{
    (void)png;
}

static void on_error(png_structp png, png_const_charp msg)
{
    png_sink *k = png_get_error_ptr(png);
    if (k && !k->msg[0])
        tl_strlcpy(k->msg, msg ? msg : "unknown error", sizeof k->msg);
    png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp msg)
{
    (void)png;
    (void)msg;
}

/* An image of only 0, 0, 0, 0 pixels? (Stops at the first other byte.) */
static int all_clear(const uint8_t *rgba, int w, int h, size_t stride)
{
    for (int y = 0; y < h; y++) {
        const uint8_t *row = rgba + (size_t)y * stride;
        for (size_t i = 0; i < (size_t)w * 4; i++)
            if (row[i])
                return 0;
    }
    return 1;
}

/* The only function that calls setjmp. It keeps no state of its own across the jump:
 * on -1 the caller reads the message from the sink. `clear` writes the compact form of
 * a fully transparent image: 1-bit grey with tRNS, about 100 bytes at 256 x 256; otherwise
 * the IDAT chunk is z[0..zlen), already compressed. */
static int write_png(png_structp png, png_infop info, int w, int h, int clear,
                     const uint8_t *z, size_t zlen)
{
    static const uint8_t zero_row[(MAX_SIDE + 7) / 8];
    if (setjmp(png_jmpbuf(png)))
        return -1;
    if (clear) {
        png_color_16 trans = {0, 0, 0, 0, 0};
        png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 1, PNG_COLOR_TYPE_GRAY,
                     PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
        png_set_tRNS(png, info, NULL, 0, &trans);
        png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_NONE);
        png_set_compression_level(png, 9);
        png_write_info(png, info);
        for (int y = 0; y < h; y++)
            png_write_row(png, zero_row);
        png_write_end(png, NULL);
        return 0;
    }
    png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8, PNG_COLOR_TYPE_RGB_ALPHA,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    png_write_chunk(png, (png_const_bytep) "IDAT", z, zlen);
    png_write_chunk(png, (png_const_bytep) "IEND", NULL, 0);
    return 0;
}

int sty__png_encode(sty__png_enc *e, const uint8_t *rgba, int w, int h, size_t stride,
                    int clear, tl_buf *out, tl_err *err)
{
    if (w < 1 || h < 1 || w > MAX_SIDE || h > MAX_SIDE || stride < (size_t)w * 4) {
        TL_FAIL(err, TL_EINVAL, "cannot encode a %d x %d image with stride %zu", w, h, stride);
        return -1;
    }
    size_t row = (size_t)w * 4 + 1, zlen = 0;
    if (clear < 0)
        clear = all_clear(rgba, w, h, stride);
    if (!clear) {
        size_t rawlen = row * (size_t)h;
        if (rawlen > UINT32_MAX - 65536) { /* igzip counts in 32 bits */
            TL_FAIL(err, TL_ETOOBIG, "a %d x %d PNG is too large to encode", w, h);
            return -1;
        }
        /* igzip: at most the input plus stored-block headers; zlib adds 6 bytes */
        size_t bound = rawlen + 5 * (rawlen / 65535 + 1) + 1024;
        if (reserve(&e->raw, &e->raw_cap, rawlen) < 0 ||
            reserve(&e->z, &e->z_cap, bound) < 0) {
            TL_FAIL(err, TL_ENOMEM, "out of memory for a %d x %d PNG", w, h);
            return -1;
        }
        for (int y = 0; y < h; y++) {
            e->raw[(size_t)y * row] = 0; /* filter: none */
            memcpy(e->raw + (size_t)y * row + 1, rgba + (size_t)y * stride, row - 1);
        }
        struct isal_zstream *zs = &e->zs;
        isal_deflate_stateless_init(zs);
        zs->level = IGZIP_LEVEL;
        zs->level_buf = e->level_buf;
        zs->level_buf_size = IGZIP_LEVEL_BUF;
        zs->gzip_flag = IGZIP_ZLIB;
        zs->flush = NO_FLUSH;
        zs->end_of_stream = 1;
        zs->next_in = e->raw;
        zs->avail_in = (uint32_t)rawlen;
        zs->next_out = e->z;
        zs->avail_out = (uint32_t)bound; /* below 2^32: rawlen was checked above */
        int zrc = isal_deflate_stateless(zs);
        if (zrc != COMP_OK) {
            TL_FAIL(err, TL_EINTERNAL, "igzip: error %d compressing a %d x %d PNG", zrc, w, h);
            return -1;
        }
        zlen = zs->total_out;
    }
    png_sink sink = {out, err, {0}};
    size_t start = out->len;
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &sink, on_error,
                                              on_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!info) {
        png_destroy_write_struct(&png, NULL);
        TL_FAIL(err, TL_ENOMEM, "libpng: out of memory");
        return -1;
    }
    png_set_write_fn(png, &sink, sink_write, sink_flush);
    int rc = write_png(png, info, w, h, clear, e->z, zlen);
    png_destroy_write_struct(&png, &info);
    if (rc < 0) {
        /* the sink has set TL_ETOOBIG when the limit was the cause; that code wins */
        TL_FAIL(err, TL_EINTERNAL, "libpng: %s", sink.msg);
        out->len = start;
        if (out->data)
            out->data[start] = '\0';
        return -1;
    }
    return 0;
}

int sty_png_encode_rgba(const uint8_t *rgba, int w, int h, size_t stride, tl_buf *out,
                        tl_err *err)
{
    sty__png_enc *e = sty__png_enc_new();
    if (!e) {
        TL_FAIL(err, TL_ENOMEM, "out of memory for a PNG encoder");
        return -1;
    }
    int rc = sty__png_encode(e, rgba, w, h, stride, -1, out, err);
    sty__png_enc_free(e);
    return rc;
}

int sty_png_decode_rgba(const uint8_t *png, size_t len, uint8_t **rgba, int *w, int *h,
                        tl_err *err)
{
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    *rgba = NULL;
    if (!png_image_begin_read_from_memory(&img, png, len)) {
        TL_FAIL(err, TL_EINVAL, "not a readable PNG: %s", img.message);
        png_image_free(&img);
        return -1;
    }
    if (img.width > MAX_SIDE || img.height > MAX_SIDE ||
        (size_t)img.width * img.height > MAX_DECODE_PIXELS) {
        TL_FAIL(err, TL_ETOOBIG, "PNG of %u x %u pixels is too large to decode", img.width,
                img.height);
        png_image_free(&img);
        return -1;
    }
    img.format = PNG_FORMAT_RGBA;
    uint8_t *buf = malloc(PNG_IMAGE_SIZE(img));
    if (!buf) {
        TL_FAIL(err, TL_ENOMEM, "out of memory decoding a %u x %u PNG", img.width, img.height);
        png_image_free(&img);
        return -1;
    }
    if (!png_image_finish_read(&img, NULL, buf, 0, NULL)) {
        TL_FAIL(err, TL_EINVAL, "corrupt PNG: %s", img.message);
        free(buf);
        png_image_free(&img);
        return -1;
    }
    *rgba = buf;
    *w = (int)img.width;
    *h = (int)img.height;
    return 0;
}
