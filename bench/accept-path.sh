#!/usr/bin/env bash
# The accept path of the signed lane: presign (POST /api/uploads), complete (POST /api/uploads/{id}/complete)
# and status (GET /api/jobs/{id}), open loop at [rate] requests/s for [seconds] s each (latency from each
# request's intended start), against nginx answering a static 202 in the same run; then each at saturation
# with wrk (64 connections) for [saturation] s, against pgbench's single-row insert and primary-key read rates
# on the same PostgreSQL. Chute runs in its own JVM (API role) with a flight recording whose hottest methods
# are printed. Needs the machine's PostgreSQL (127.0.0.1:5432 or CHUTE_TEST_PG_URL), nginx (nginx-light),
# wrk and pgbench (postgresql-client).
# With --before REV, the build of git revision REV is measured first in the same run, and the change printed.
# Usage: bench/accept-path.sh [--before REV] [rate] [seconds] [saturation] [users]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
if [ "${1:-}" = --before ]; then bench_build_before "$2"; shift 2; fi
for tool in nginx wrk pgbench; do
  command -v "$tool" >/dev/null || { echo "$tool not found: apt-get install nginx-light wrk postgresql-client" >&2; exit 1; }
done
bench_setup
exec "$java_bin" -Xmx1g -cp "$bench_cp" io.chute.upload.AcceptPathBenchmark "$@"
