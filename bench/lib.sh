# Shared by the benchmark scripts: compile the test classes, write their class path, and pick
# the newest JDK 21+ (the default java may be older). Sets java_bin and bench_cp.
bench_setup() {
  ./mvnw -q test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
  bench_cp="target/test-classes:target/classes:$(cat target/bench.classpath)"
  java_bin=java
  for jdk in ${JAVA_HOME:-} /usr/lib/jvm/*; do
    [ -x "$jdk/bin/java" ] || continue
    v=$("$jdk/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/ *java.specification.version = //p' || true)
    if [ -n "$v" ] && [ "${v%%.*}" -ge 21 ] 2>/dev/null; then java_bin="$jdk/bin/java"; fi
  done
}
