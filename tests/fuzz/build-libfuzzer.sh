#!/bin/sh
# Builds the fuzz harnesses with clang's libFuzzer, AddressSanitizer and
# UndefinedBehaviorSanitizer into build-libfuzzer/, then runs each for the
# given number of seconds.
#
# Usage: tests/fuzz/build-libfuzzer.sh [SECONDS] [HARNESS...]
#   SECONDS   run time per harness (default 60; 0 builds only)
#   HARNESS   names such as fuzz_json (default: every tests/fuzz/fuzz_*.c)
#
# Each harness reads its corpus, tests/fuzz/corpus/NAME (NAME is the harness
# name without "fuzz_"), and writes the inputs it finds to
# build-libfuzzer/corpus/NAME, so they stay out of the repository until
# chosen (see tests/fuzz/README.md). Crashes are written to
# build-libfuzzer/crashes/NAME/.
#
# Needs clang with the libFuzzer runtime; on Debian 12:
#   apt-get install clang libclang-rt-14-dev
# Environment: CLANG (default clang), JOBS (parallel compiles, default 2).
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$ROOT/build-libfuzzer
CLANG=${CLANG:-clang}
JOBS=${JOBS:-2}
SECONDS_EACH=${1:-60}
[ $# -gt 0 ] && shift

if ! command -v "$CLANG" >/dev/null 2>&1; then
    echo "build-libfuzzer: $CLANG not found; install clang and libclang-rt-14-dev" >&2
    exit 2
fi

PKGS="zlib libzstd libpcre2-8 yaml-0.1 libpcap"
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
CFLAGS="-std=c11 -D_GNU_SOURCE -O1 -g $SAN $(pkg-config --cflags $PKGS)"
LIBS="$(pkg-config --libs $PKGS) -lpthread -lm"

# The library: every source but main.c, compiled for coverage without
# libFuzzer's main(), and archived so that each harness links only what it uses.
mkdir -p "$OUT/obj" "$OUT/bin"
cd "$ROOT"
find src -name '*.c' ! -path src/main.c | sort | xargs -P "$JOBS" -I{} sh -c '
    obj="$1/obj/$(echo "$2" | tr / _ | sed "s/\.c$/.o/")"
    if [ ! -f "$obj" ] || [ "$2" -nt "$obj" ] || [ -n "$(find src -name "*.h" -newer "$obj")" ]; then
        $3 $4 -fsanitize=fuzzer-no-link -c -o "$obj" "$2" || exit 255
    fi' sh "$OUT" {} "$CLANG" "$CFLAGS"
rm -f "$OUT/libinfrahunt.a"
ar rcs "$OUT/libinfrahunt.a" "$OUT"/obj/*.o

if [ $# -eq 0 ]; then
    set -- $(cd tests/fuzz && ls fuzz_*.c | sed 's/\.c$//')
fi
for h in "$@"; do
    echo "== build $h"
    $CLANG $CFLAGS -fsanitize=fuzzer -o "$OUT/bin/$h" "tests/fuzz/$h.c" "$OUT/libinfrahunt.a" $LIBS
done
[ "$SECONDS_EACH" -gt 0 ] || exit 0

status=0
for h in "$@"; do
    name=${h#fuzz_}
    corpus=$OUT/corpus/$name
    crashes=$OUT/crashes/$name
    mkdir -p "$corpus" "$crashes"
    echo "== run $h for $SECONDS_EACH s"
    # -rss_limit_mb leaves room for a 16 MiB line copied a few times; -timeout
    # reports an input that takes more than 10 s as a hang.
    if ! "$OUT/bin/$h" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
        -max_len=65536 -artifact_prefix="$crashes/" -print_final_stats=1 \
        "$corpus" "tests/fuzz/corpus/$name" >"$OUT/$h.log" 2>&1; then
        echo "FAIL $h: see $OUT/$h.log and $crashes/"
        status=1
    fi
    grep -E '^(#[0-9]+.*DONE|stat::number_of_executed_units|stat::new_units_added)' "$OUT/$h.log" || true
done
exit $status
