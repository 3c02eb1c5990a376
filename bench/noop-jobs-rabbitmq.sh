#!/usr/bin/env bash
# No-op jobs/s through the RabbitMQ job queue (status in PostgreSQL), each round followed by the
# PostgreSQL queue on as many jobs at the same concurrency (the ratio RabbitMQ / PostgreSQL queue,
# target >= 0.80, is recorded by the Java benchmark); then the broker's ceiling on the same machine
# in the same run: RabbitMQ's PerfTest publishing and consuming on a quorum queue with persistent
# messages, publisher confirms and manual acks. Prints the medians and their ratios.
# CHUTE_BENCH_PREFETCH sets chute.jobs.rabbitmq.prefetch for the run (default: unset, derived from the job timeout: 16 for the one-minute no-op jobs).
# Needs the machine's PostgreSQL (127.0.0.1:5432 or CHUTE_TEST_PG_URL) and RabbitMQ (127.0.0.1:5672,
# guest, rabbitmqctl). Usage: bench/noop-jobs-rabbitmq.sh [jobs] [rounds] [concurrency] [perf-test-seconds] [owners]
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${1:-20000}; rounds=${2:-5}; concurrency=${3:-8}; seconds=${4:-20}; owners=${5:-1}

. bench/lib.sh
bench_setup
# why: not offline, so that a machine which never downloaded PerfTest resolves it from Maven Central
./mvnw -q -B -f bench/perf-test/pom.xml dependency:build-classpath -Dmdep.outputFile="$PWD/target/perf-test.classpath"

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "== Chute: no-op jobs through RabbitMQ, $rounds rounds of $jobs jobs, concurrency $concurrency"
"$java_bin" -Xmx1g ${CHUTE_BENCH_PREFETCH:+-Dchute.bench.prefetch=$CHUTE_BENCH_PREFETCH} -cp "$bench_cp" \
  io.chute.job.RabbitNoopJobsBenchmark "$jobs" "$rounds" "$concurrency" "$owners" | tee target/bench-rabbitmq.out
chute=$(sed -n 's/.*RabbitMQ queue (status in PostgreSQL): median \([0-9]*\) jobs\/s.*/\1/p' target/bench-rabbitmq.out)
postgres=$(sed -n 's/^PostgreSQL queue on the same jobs.*median \([0-9]*\) jobs\/s.*/\1/p' target/bench-rabbitmq.out)

vhost="chute-perftest-$$"
rabbitmqctl -q add_vhost "$vhost"
trap 'rabbitmqctl -q delete_vhost "$vhost" || true' EXIT
rabbitmqctl -q set_permissions -p "$vhost" guest '.*' '.*' '.*'
echo
echo "== Ceiling: RabbitMQ PerfTest, quorum queue, persistent, confirms (200 in flight), manual acks (prefetch 200), 36-byte bodies, 3 runs of ${seconds}s"
rates=()
for run in 1 2 3; do
  out=$("$java_bin" -cp "$(cat target/perf-test.classpath)" com.rabbitmq.perf.PerfTest \
    --uri "amqp://guest:guest@127.0.0.1:5672/$vhost" --quorum-queue --queue "perf-test-$run" --auto-delete false \
    --flag persistent --confirm 200 --qos 200 --size 36 --producers 1 --consumers 1 --time "$seconds" 2>&1)
  rate=$(echo "$out" | sed -n 's/.*receiving rate avg: \([0-9]*\) msg\/s.*/\1/p')
  echo "run $run: received $rate msg/s"
  rates+=("$rate")
done
ceiling=$(printf '%s\n' "${rates[@]}" | median)

echo
echo "no-op jobs through RabbitMQ (status in PostgreSQL): median $chute jobs/s"
echo "PostgreSQL queue, same jobs and concurrency, rounds interleaved: median $postgres jobs/s"
awk -v c="$chute" -v p="$postgres" 'BEGIN { printf "ratio: %.2f of the PostgreSQL queue (target >= 0.80)\n", c / p }'
echo "database ceiling (bare claim+complete SQL): median $(sed -n 's/.*baseline (bare claim+complete SQL, same threads) \([0-9]*\) jobs\/s.*/\1/p' target/bench-rabbitmq.out) jobs/s"
echo "PerfTest publish->consume ceiling on this machine: median $ceiling msg/s"
awk -v c="$chute" -v p="$ceiling" 'BEGIN { printf "ratio: %.2f of the broker ceiling\n", c / p }'

met=$(awk -v c="$chute" -v p="$ceiling" 'BEGIN { print (c / p >= 0.55) ? "true" : "false" }')
bench_result "RabbitMQ queue against the broker ceiling, no-op jobs, concurrency $concurrency" "$chute" "jobs/s" \
  "RabbitMQ PerfTest, quorum queue, confirms, manual acks" "$ceiling" "ratio >= 0.55" "$met"
