# embed.cmake: write the bytes of IN as a NUL-terminated C array into OUT.
file(READ ${IN} hex HEX)
string(LENGTH "${hex}" n)
math(EXPR len "${n} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," body "${hex}")
string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n" body "${body}")
file(WRITE ${OUT} "/* Generated from ${IN} by styles/embed.cmake. Do not edit. */\n"
     "#include <stddef.h>\n"
     "extern const char sty__builtin_sld[];\nextern const size_t sty__builtin_sld_len;\n"
     "const char sty__builtin_sld[] = {\n${body}0};\n"
     "const size_t sty__builtin_sld_len = ${len};\n")
