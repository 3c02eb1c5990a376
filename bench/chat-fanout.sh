#!/usr/bin/env bash
# Chat fan-out across two gateway nodes: two Chute processes on RabbitMQ (bus and queue) and one
# PostgreSQL, a group of [members] users with a socket each (half per node), [senders] of them
# sending [messages] messages at [rate] messages/s over their sockets. Prints the rate achieved,
# the send -> message.created latency (p50, p99, max) over every (message, member) pair, and the
# frames missing: the clients reconnect with ?since= as the web client does (a socket closed
# with 4429 catches up from the replay log), and each member's distinct messages are counted
# against the messages stored. Runs [lanes] consumers of the incoming lane
# (chute.bus.worker-lanes) and first, in the same run, [baseline-lanes] (0: none).
# CHUTE_BENCH_QUICK=1 without arguments: 500 messages, no baseline. CHUTE_BENCH_RESULTS: JSON lines
# (bench/lib.sh). CHUTE_BENCH_JFR=dir: each node records a JFR profile there (jfr print/summary).
# Needs the machine's PostgreSQL (127.0.0.1:5432 or CHUTE_TEST_PG_URL) and RabbitMQ (127.0.0.1:5672,
# guest, rabbitmqctl).
# Usage: bench/chat-fanout.sh [messages] [rate] [members] [senders] [lanes] [baseline-lanes]
set -euo pipefail
cd "$(dirname "$0")/.."

. bench/lib.sh
bench_setup
"$java_bin" -Xmx768m -cp "$bench_cp" io.chute.chat.ChatFanoutBenchmark "$@"
