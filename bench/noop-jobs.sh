#!/usr/bin/env bash
# No-op jobs/s through the PostgreSQL job queue against a bare-SQL baseline, on the machine's
# PostgreSQL (127.0.0.1:5432 or CHUTE_TEST_PG_URL). Usage: bench/noop-jobs.sh [jobs] [rounds] [concurrency] [owners]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
bench_setup
exec "$java_bin" -Xmx1g -cp "$bench_cp" io.chute.job.NoopJobsBenchmark "$@"
