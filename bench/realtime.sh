#!/usr/bin/env bash
# Real-time benchmarks on the machine's RabbitMQ and PostgreSQL.
#   bench/realtime.sh fanout [rate] [seconds] [rounds] [users]  events/s and latency across two gateway nodes
#   bench/realtime.sh idle [connections]                        idle WebSockets held by one node, and its heap
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
bench_setup
exec "$java_bin" -Xmx2g -cp "$bench_cp" io.chute.realtime.RealtimeBenchmark "$@"
