#!/bin/sh
# Writes a C file that embeds each profile YAML given as an argument, as
# ih_embedded_profiles[] = {name, text}, for the built-in --profile names.
set -eu
printf '#include <stddef.h>\n\n'
printf 'struct ih_embedded_profile { const char *name; const char *text; };\n\n'
for f in "$@"; do
    name=$(basename "$f" .yaml)
    printf 'static const char profile_%s[] = {\n' "$name"
    od -An -v -tx1 "$f" | sed 's/ *\([0-9a-f][0-9a-f]\)/0x\1,/g'
    printf '0x00};\n\n'
done
printf 'const struct ih_embedded_profile ih_embedded_profiles[] = {\n'
for f in "$@"; do
    name=$(basename "$f" .yaml)
    printf '    {"%s", profile_%s},\n' "$name" "$name"
done
printf '    {NULL, NULL},\n};\n'
