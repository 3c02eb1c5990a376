#!/usr/bin/env bash
# The direct lane (POST /api/upload) with a [MiB]-MiB file (default 2048), [rounds] times per store: the
# embedded filesystem store and S3 (s3proxy in-process, as the tests run it), against dd bs=1M conv=fsync of
# the same file to the same disk in the same run. Chute runs at -Xmx256m with a GC log; prints MB/s, the ratio
# to dd, and the heap after GC during the uploads against before them.
# With --before REV, each store runs first with the build of git revision REV, in the same run.
# CHUTE_BENCH_STORES=filesystem (or s3) runs one store; CHUTE_BENCH_JFR=1 records Chute with Flight Recorder;
# curl sends the files; CHUTE_BENCH_CLIENT=java sends them with java.net.http instead.
# Needs the machine's PostgreSQL (127.0.0.1:5432 or CHUTE_TEST_PG_URL).
# Usage: bench/streaming-upload.sh [--before REV] [MiB] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
if [ "${1:-}" = --before ]; then bench_build_before "$2"; shift 2; fi
bench_setup
exec "$java_bin" -Xmx1g -cp "$bench_cp" io.chute.upload.StreamingUploadBenchmark "$@"
