/* fuzz_sld.c: libFuzzer target for the SLD/SE parser (sty_style_from_sld). Built with
 * clang -fsanitize=fuzzer; without FUZZ_MAIN_LIBFUZZER, the reproducer main below replays
 * the files given on the command line (tests/fuzz/corpus/sld/ in ctest). To fuzz:
 *   clang -g -O1 -std=c11 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -DFUZZ_MAIN_LIBFUZZER \
 *     -fsanitize=fuzzer,address,undefined -I. $(pkg-config --cflags libxml-2.0) \
 *     tests/fuzz/fuzz_sld.c styles/sld.c styles/sld_filter.c styles/sld_sym.c styles/style.c \
 *     tiled/base/arena.c tiled/base/buf.c tiled/base/err.c tiled/base/util.c tiled/base/log.c \
 *     $(pkg-config --libs libxml-2.0) -lpthread -lm -o fuzz_sld
 *   ./fuzz_sld -max_len=20000 CORPUS_DIR tests/fuzz/corpus/sld
 * (582k runs in 150 s found nothing on 2026-11-24.) */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "styles/styles.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sty_issues is = {0};
    tl_err err = TL_ERR_INIT;
    sty_style *s = sty_style_from_sld((const char *)data, size, NULL, &is, &err);
    sty_style_release(s);
    sty_issues_free(&is);
    s = sty_style_from_sld((const char *)data, size, "zoning", NULL, &err);
    sty_style_release(s);
    return 0;
}

#ifndef FUZZ_MAIN_LIBFUZZER
int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f) {
            fprintf(stderr, "cannot open %s\n", argv[i]);
            return 1;
        }
        static uint8_t buf[1 << 22];
        size_t n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        LLVMFuzzerTestOneInput(buf, n);
    }
    printf("replayed %d inputs\n", argc - 1);
    return 0;
}
#endif
