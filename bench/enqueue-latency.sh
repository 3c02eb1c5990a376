#!/usr/bin/env bash
# Enqueue-to-start latency (from an upload's complete to PROCESSING) at a steady open-loop rate, on
# the PostgreSQL queue and on RabbitMQ, with the fair claim and with the claim as it was before fair
# shares, in the same run. Prints p50/p99 medians over the rounds; with CHUTE_BENCH_RESULTS set,
# appends one JSON line per figure to that file. Needs the machine's PostgreSQL (127.0.0.1:5432 or
# CHUTE_TEST_PG_URL) and RabbitMQ (127.0.0.1:5672, guest, rabbitmqctl).
# Usage: bench/enqueue-latency.sh [rate=200] [seconds=15] [rounds=3] [owners=50] [concurrency=8]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
bench_setup
exec "$java_bin" -Xmx1g -cp "$bench_cp" io.chute.job.EnqueueLatencyBenchmark "$@"
