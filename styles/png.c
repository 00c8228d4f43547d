/* png.c: PNG encoding into a bounded tl_buf and decoding for tests and tools, with libpng.
 * libpng reports errors by longjmp: the one setjmp lives in write_png() below. */
#include <png.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "styles/styles_int.h"
#include "tiled/base/tl_util.h"

#define MAX_SIDE 32768               /* pixels, either side */
#define MAX_DECODE_PIXELS (1u << 26) /* 64 Mpx: 256 MiB of RGBA */

/* Measured on the 300 tiles of the benchmark list (demo data, medium; 256 px, all five
 * layers), mean per tile: no filter, level 2: 1.69 ms, 60.7 KB. Level 1: 1.61 ms, 62.0 KB;
 * level 6: 3.35 ms, 56.6 KB; SUB or UP filters: +15-25 % bytes at the same level (the
 * small anti-aliased parcels defeat them); Z_RLE + SUB: 1.33 ms but 72.6 KB; adaptive
 * (all filters): 3.1 ms, 76 KB at level 1. */
#define PNG_LEVEL 2
#define PNG_FILTERS PNG_FILTER_NONE
#define PNG_STRATEGY Z_DEFAULT_STRATEGY

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
 * a fully transparent image: 1-bit grey with tRNS, about 100 bytes at 256 x 256. */
static int write_png(png_structp png, png_infop info, const uint8_t *rgba, int w, int h,
                     size_t stride, int clear)
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
    } else {
        png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8, PNG_COLOR_TYPE_RGB_ALPHA,
                     PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
        png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTERS);
        png_set_compression_level(png, PNG_LEVEL);
        png_set_compression_strategy(png, PNG_STRATEGY);
    }
    png_write_info(png, info);
    for (int y = 0; y < h; y++)
        png_write_row(png, clear ? zero_row : rgba + (size_t)y * stride);
    png_write_end(png, NULL);
    return 0;
}

int sty_png_encode_rgba(const uint8_t *rgba, int w, int h, size_t stride, tl_buf *out,
                        tl_err *err)
{
    if (w < 1 || h < 1 || w > MAX_SIDE || h > MAX_SIDE || stride < (size_t)w * 4) {
        TL_FAIL(err, TL_EINVAL, "cannot encode a %d x %d image with stride %zu", w, h, stride);
        return -1;
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
    int rc = write_png(png, info, rgba, w, h, stride, all_clear(rgba, w, h, stride));
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
