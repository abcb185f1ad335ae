#!/bin/sh
# Sets up, builds, and runs the main job on the built-in example: the
# reference rule (profile seed) over a small Defender export.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
sh "$ROOT/tools/setup.sh"
make -C "$ROOT" -j2 >/dev/null
exec "$ROOT/build/infrahunt" scan --profile seed "$ROOT/examples/defender-example.jsonl"
