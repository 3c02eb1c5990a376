#!/usr/bin/env bash
# Images/s for the three standard renditions of 4000x3000 photos: vipsthumbnail run directly (one
# command per image and size) against Chute's libvips and pure-Java engines, in one run. Needs the
# libvips tools (Debian: apt-get install libvips-tools). Photos are generated once into
# target/bench-images. Usage: bench/thumbnails.sh [images] [rounds] [parallelism]
set -euo pipefail
cd "$(dirname "$0")/.."
command -v vipsthumbnail >/dev/null || { echo "vipsthumbnail not found: apt-get install libvips-tools" >&2; exit 1; }
./mvnw -q -o test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
java_bin=java
for jdk in ${JAVA_HOME:-} /usr/lib/jvm/*; do
  [ -x "$jdk/bin/java" ] || continue
  v=$("$jdk/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/ *java.specification.version = //p' || true)
  if [ -n "$v" ] && [ "${v%%.*}" -ge 21 ] 2>/dev/null; then java_bin="$jdk/bin/java"; fi
done
exec "$java_bin" -Xmx1g -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" io.chute.processing.image.ThumbnailsBenchmark "$@"
