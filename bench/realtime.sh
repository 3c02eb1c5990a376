#!/usr/bin/env bash
# Real-time benchmarks on the machine's RabbitMQ and PostgreSQL.
#   bench/realtime.sh fanout [rate] [seconds] [rounds] [users]  events/s and latency across two gateway nodes
#   bench/realtime.sh idle [connections] [opening]              idle WebSockets held by one node, and its heap
#                                                               ([opening] handshakes at once, default 16)
# CHUTE_BENCH_QUICK=1 without sizes: fanout for 5 s, 1 round; idle with 2,000 sockets.
# CHUTE_BENCH_RESULTS names a file: each figure is appended to it as a JSON line (see bench/lib.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
bench_setup
exec "$java_bin" -Xmx2g -cp "$bench_cp" io.chute.realtime.RealtimeBenchmark "$@"
