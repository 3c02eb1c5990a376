#!/usr/bin/env bash
# Every benchmark, each with its baseline measured in the same run, in one command. Each script appends
# its figures as JSON lines to the file CHUTE_BENCH_RESULTS names (fields: name, value, unit, baseline,
# baselineValue, ratio, target, met); this assembles them into target/bench/results.json (a list), writes
# the machine and date to target/bench/run.json, and prints the table (bench/table.sh). A benchmark that
# fails (or outlives its time limit: 5 minutes each with --quick, an hour otherwise) is reported and
# the others still run; the exit status is then 1. Each one's output is in target/bench/<name>.log.
#   --quick  small sizes: the whole run takes under 10 minutes on 2 cores
# Needs the machine's PostgreSQL and RabbitMQ (see the scripts), libvips-tools, nginx-light, wrk,
# postgresql-client (pgbench) and jq. Usage: bench/all.sh [--quick]
set -euo pipefail
cd "$(dirname "$0")/.."
quick=false
case "${1:-}" in
  --quick) quick=true ;;
  "") ;;
  *) echo "usage: bench/all.sh [--quick]" >&2; exit 2 ;;
esac
command -v jq >/dev/null || { echo "jq not found: apt-get install jq" >&2; exit 1; }

. bench/lib.sh
bench_setup
export CHUTE_BENCH_COMPILED=1
mkdir -p target/bench
export CHUTE_BENCH_RESULTS="$PWD/target/bench/results.jsonl"
: > "$CHUTE_BENCH_RESULTS"
limit=3600
if $quick; then export CHUTE_BENCH_QUICK=1; limit=300; fi

CHUTE_BENCH_CPU="$PWD/target/bench/cpu.jsonl"
: > "$CHUTE_BENCH_CPU"

# cpu_ticks: "busy iowait postgres rabbitmq" in clock ticks since boot. busy is every CPU's time
# outside idle and iowait (/proc/stat); postgres and rabbitmq sum each of their processes' own time
# and that of its children once reaped (a PostgreSQL backend's time goes to the postmaster when it
# exits, so the sum holds however many connections came and went).
cpu_ticks() {
  local machine
  machine=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $6 }' /proc/stat)
  # why: comm is the second field; neither postgres nor beam.smp has a space in it
  echo "$machine $(cat /proc/[0-9]*/stat 2>/dev/null | awk '
    $2 == "(postgres)" { pg += $14 + $15 + $16 + $17 }
    $2 == "(beam.smp)" { mq += $14 + $15 + $16 + $17 }
    END { print pg + 0, mq + 0 }')"
}

failed=()
bench() {
  local name=$1; shift
  local start=$SECONDS before after
  echo "== $name: $*"
  before=$(cpu_ticks)
  if timeout --kill-after=30 "$limit" "$@" > "target/bench/$name.log" 2>&1; then
    after=$(cpu_ticks)
    echo "   done in $((SECONDS - start)) s"
    # where the CPU went while it ran, in cores: what limited its figures (all of them busy: the CPU; the
    # database's or the broker's share of it; iowait: the disk)
    jq -nc --arg name "$name" --argjson seconds "$((SECONDS - start))" --argjson ticks "$(getconf CLK_TCK)" \
      --argjson cores "$(nproc)" --arg before "$before" --arg after "$after" '
      ($before | split(" ") | map(tonumber)) as $b | ($after | split(" ") | map(tonumber)) as $a
      | [range(0; 4) | ($a[.] - $b[.]) / $ticks / ([$seconds, 1] | max) * 100 | round / 100] as $c
      | {name: $name, seconds: $seconds, cores: $cores, busy: $c[0], iowait: $c[1], postgres: $c[2],
         rabbitmq: $c[3], other: ((($c[0] - $c[2] - $c[3]) * 100 | round) / 100)}' >> "$CHUTE_BENCH_CPU"
  else
    echo "   FAILED after $((SECONDS - start)) s; the end of target/bench/$name.log:"
    tail -n 15 "target/bench/$name.log" | sed 's/^/   | /'
    failed+=("$name")
  fi
}

if $quick; then
  bench noop-jobs-32        bench/noop-jobs.sh 3000 3 32
  bench noop-jobs-8         bench/noop-jobs.sh 1500 3 8
  bench noop-jobs-rabbitmq  bench/noop-jobs-rabbitmq.sh 3000 1 32 5
  bench thumbnails          bench/thumbnails.sh 4 1
  bench search              bench/search.sh 50000 50
  bench accept-path         bench/accept-path.sh 1000 5 3 50
  bench streaming-upload    bench/streaming-upload.sh 256 3
  bench chat-fanout         bench/chat-fanout.sh 500 100 50 4
  bench realtime-fanout     bench/realtime.sh fanout 2000 5 1 100
  bench realtime-idle       bench/realtime.sh idle 2000
else
  bench noop-jobs-32        bench/noop-jobs.sh 10000 3 32
  bench noop-jobs-8         bench/noop-jobs.sh 5000 3 8
  bench noop-jobs-rabbitmq  bench/noop-jobs-rabbitmq.sh 20000 5 32 10
  bench thumbnails          bench/thumbnails.sh 24 5
  bench search              bench/search.sh 1000000 200
  bench accept-path         bench/accept-path.sh 1000 20 10 50
  bench streaming-upload    bench/streaming-upload.sh 2048 3
  bench chat-fanout         bench/chat-fanout.sh 2000 100 50 4
  bench realtime-fanout     bench/realtime.sh fanout 2000 10 3 100
  bench realtime-idle       bench/realtime.sh idle 10000
fi

jq -s '.' "$CHUTE_BENCH_RESULTS" > target/bench/results.json
jq -s '.' "$CHUTE_BENCH_CPU" > target/bench/cpu.json
cpu=$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)
jq -n --arg date "$(date -u +%Y-%m-%d)" --argjson quick "$quick" \
  --arg machine "$(nproc) vCPUs ($cpu), $(free -g | awk '/^Mem:/ { print $2 }') GiB RAM, $(uname -sr); load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)" \
  '{date: $date, quick: $quick, machine: $machine}' > target/bench/run.json
echo
bench/table.sh target/bench/results.json
echo
echo "target/bench/results.json: $(jq length target/bench/results.json) figures"
if [ ${#failed[@]} -gt 0 ]; then
  echo "failed: ${failed[*]}" >&2
  exit 1
fi
