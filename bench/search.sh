#!/usr/bin/env bash
# Search latency on a large chat: fills a fresh database on the machine's PostgreSQL
# (127.0.0.1:5432 or CHUTE_TEST_PG_URL) with [messages] messages (default 1,000,000), files and
# document texts, then runs each kind of query [rounds] times through GET /api/search's SQL and
# prints p50, p99 and max, and the EXPLAIN ANALYZE of a frequent word.
# Usage: bench/search.sh [messages] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
messages=${1:-1000000}; rounds=${2:-200}

. bench/lib.sh
bench_setup
"$java_bin" -Xmx512m -cp "$bench_cp" io.chute.search.SearchBenchmark "$messages" "$rounds"
