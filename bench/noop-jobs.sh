#!/usr/bin/env bash
# No-op jobs/s through the PostgreSQL job queue against a bare-SQL baseline, on the machine's
# PostgreSQL (127.0.0.1:5432 or CHUTE_TEST_PG_URL). Usage: bench/noop-jobs.sh [jobs] [rounds] [concurrency]
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -o test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
java_bin=java
for jdk in ${JAVA_HOME:-} /usr/lib/jvm/*; do
  [ -x "$jdk/bin/java" ] || continue
  v=$("$jdk/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/ *java.specification.version = //p' || true)
  if [ -n "$v" ] && [ "${v%%.*}" -ge 21 ] 2>/dev/null; then java_bin="$jdk/bin/java"; fi
done
exec "$java_bin" -Xmx1g -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" io.chute.job.NoopJobsBenchmark "$@"
