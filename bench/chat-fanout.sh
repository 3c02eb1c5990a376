#!/usr/bin/env bash
# Chat fan-out across two gateway nodes: two Chute processes on RabbitMQ (bus and queue) and one
# PostgreSQL, a group of [members] users with a socket each (half per node), [senders] of them
# sending [messages] messages at [rate] messages/s over their sockets. Prints the rate achieved
# and the send -> message.created latency (p50, p99, max) over every (message, member) pair.
# Needs the machine's PostgreSQL (127.0.0.1:5432 or CHUTE_TEST_PG_URL) and RabbitMQ (127.0.0.1:5672,
# guest, rabbitmqctl). Usage: bench/chat-fanout.sh [messages] [rate] [members] [senders]
set -euo pipefail
cd "$(dirname "$0")/.."
messages=${1:-2000}; rate=${2:-100}; members=${3:-50}; senders=${4:-4}

. bench/lib.sh
bench_setup
"$java_bin" -Xmx512m -cp "$bench_cp" io.chute.chat.ChatFanoutBenchmark "$messages" "$rate" "$members" "$senders"
