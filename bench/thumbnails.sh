#!/usr/bin/env bash
# Images/s for the three standard renditions of 4000x3000 photos: vipsthumbnail run directly (one
# command per image and size) against Chute's libvips and pure-Java engines, in one run. Needs the
# libvips tools (Debian: apt-get install libvips-tools). Photos are generated once into
# target/bench-images. Usage: bench/thumbnails.sh [images] [rounds] [parallelism]
set -euo pipefail
cd "$(dirname "$0")/.."
command -v vipsthumbnail >/dev/null || { echo "vipsthumbnail not found: apt-get install libvips-tools" >&2; exit 1; }
. bench/lib.sh
bench_setup
exec "$java_bin" -Xmx1g -cp "$bench_cp" io.chute.processing.image.ThumbnailsBenchmark "$@"
