# Shared by the benchmark scripts: compile the test classes, write their class path, and pick
# the newest JDK 21+ (the default java may be older). Sets java_bin and bench_cp.
# bench/all.sh compiles once and sets CHUTE_BENCH_COMPILED=1 so that the scripts it runs do not.
bench_setup() {
  if [ "${CHUTE_BENCH_COMPILED:-}" != 1 ] || [ ! -s target/bench.classpath ]; then
    ./mvnw -q test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
  fi
  bench_cp="target/test-classes:target/classes:$(cat target/bench.classpath)"
  java_bin=java
  for jdk in ${JAVA_HOME:-} /usr/lib/jvm/*; do
    [ -x "$jdk/bin/java" ] || continue
    v=$("$jdk/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/ *java.specification.version = //p' || true)
    if [ -n "$v" ] && [ "${v%%.*}" -ge 21 ] 2>/dev/null; then java_bin="$jdk/bin/java"; fi
  done
}

# bench_result NAME VALUE UNIT BASELINE BASELINE_VALUE TARGET MET
# Appends one figure as a JSON line to the file CHUTE_BENCH_RESULTS names (nothing without it): the
# fields every benchmark writes (see bench/all.sh). BASELINE, BASELINE_VALUE and TARGET may be
# empty (null); MET is true, false or empty (null: no target). The ratio is VALUE / BASELINE_VALUE.
bench_result() {
  [ -n "${CHUTE_BENCH_RESULTS:-}" ] || return 0
  jq -nc --arg name "$1" --argjson value "$2" --arg unit "$3" --arg baseline "$4" --arg baselineValue "$5" \
    --arg target "$6" --arg met "$7" '{
      name: $name, value: $value, unit: $unit,
      baseline: (if $baseline == "" then null else $baseline end),
      baselineValue: (if $baselineValue == "" then null else ($baselineValue | tonumber) end),
      ratio: (if $baselineValue == "" or ($baselineValue | tonumber) == 0 then null
              else ($value / ($baselineValue | tonumber) * 1000 | round / 1000) end),
      target: (if $target == "" then null else $target end),
      met: (if $met == "" then null else ($met == "true") end)
    }' >> "$CHUTE_BENCH_RESULTS"
}

# bench_build_before REV
# Builds git revision REV apart (target/bench/before-src) so that a benchmark can run it first in the
# same run: exports CHUTE_BENCH_BEFORE_CP (its class path) and CHUTE_BENCH_BEFORE_NAME.
bench_build_before() {
  local src="$PWD/target/bench/before-src"
  rm -rf "$src"; mkdir -p "$src"
  git archive "$1" | tar -x -C "$src"
  ./mvnw -q -f "$src/pom.xml" compile dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile="$src/target/runtime.classpath"
  export CHUTE_BENCH_BEFORE_CP="$src/target/classes:$(cat "$src/target/runtime.classpath")"
  export CHUTE_BENCH_BEFORE_NAME="$(git log -1 --format='%h %s' "$1")"
}
