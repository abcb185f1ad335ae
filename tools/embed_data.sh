#!/bin/sh
# Writes a C file that embeds each data list given as an argument (paths
# under data/), as ih_embedded_data[] = {name, text, length}, so that
# profiles can name them as builtin:NAME, such as builtin:ddns/providers.txt.
set -eu
printf '#include <stddef.h>\n\n'
printf 'struct ih_embedded_data { const char *name; const char *text; size_t len; };\n\n'
i=0
for f in "$@"; do
    printf 'static const char data_%d[] = {\n' "$i"
    od -An -v -tx1 "$f" | sed 's/ *\([0-9a-f][0-9a-f]\)/0x\1,/g'
    printf '0x00};\n\n'
    i=$((i + 1))
done
printf 'const struct ih_embedded_data ih_embedded_data[] = {\n'
i=0
for f in "$@"; do
    name=${f#data/}
    printf '    {"%s", data_%d, sizeof(data_%d) - 1},\n' "$name" "$i" "$i"
    i=$((i + 1))
done
printf '    {NULL, NULL, 0},\n};\n'
