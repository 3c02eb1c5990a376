#!/usr/bin/env bash
# Prints target/bench/results.json (or the file given) as the Markdown table of the README's
# "Benchmarks" section, headed by the machine and the date of the run (target/bench/run.json,
# written by bench/all.sh beside it), then where the CPU went while each benchmark ran (cpu.json beside
# it, when there). Usage: bench/table.sh [results.json]
set -euo pipefail
cd "$(dirname "$0")/.."
results=${1:-target/bench/results.json}
run="$(dirname "$results")/run.json"
[ -s "$results" ] || { echo "no $results: run bench/all.sh first" >&2; exit 1; }
if [ -s "$run" ]; then
  jq -r '"Measured on \(.date) with `bench/all.sh\(if .quick then " --quick" else "" end)` on \(.machine)."' "$run"
  echo
fi
jq -r '
  def num: if . == null then "" elif . >= 100 then (round | tostring) else tostring end;
  def cell: if . == null then "" else tostring | gsub("\\|"; "\\|") end;
  "| benchmark | result | baseline in the same run | ratio | target | met |",
  "|---|---|---|---|---|---|",
  (.[] |
    "| \(.name | cell) | \(.value | num) \(.unit) | \(if .baseline == null then "" else "\(.baseline): \(.baselineValue | num)" end | cell) | \(.ratio | cell) | \(.target | cell) | \(if .met == null then "" elif .met then "yes" else "**no**" end) |")
' "$results"
cpu="$(dirname "$results")/cpu.json"
if [ -s "$cpu" ]; then
  echo
  jq -r '
    "Where the CPU went while each benchmark ran, in cores (of \(.[0].cores // "?")): all of them busy means the"
    + " figure was CPU-bound, and the shares say whose CPU; iowait is time waiting on the disk.",
    "",
    "| benchmark | seconds | busy | PostgreSQL | RabbitMQ | the rest (JVMs, nginx, wrk, curl) | iowait |",
    "|---|---|---|---|---|---|---|",
    (.[] | "| \(.name) | \(.seconds) | \(.busy) | \(.postgres) | \(.rabbitmq) | \(.other) | \(.iowait) |")
  ' "$cpu"
fi
