#!/usr/bin/env bash
# Measures the flow store on one capture: one pass (pcaplab summary) and
# ingest side by side, the store's size, and each SQL query's time on
# DuckDB (median of 3 runs). Needs node and sql/duckdb's package (npm ci).
#
#   scripts/store-bench.sh CAPTURE [STORE_DIR]
#   go run ./scripts/gencapture -packets 14000000 -o /tmp/steady.pcap   # ≈ 1.08 M flows, 10 GB
#   scripts/store-bench.sh /tmp/steady.pcap
set -euo pipefail
cap=$1
store=${2:-$(mktemp -d)/store}
cd "$(dirname "$0")/.."
go build -o /tmp/pcaplab-bench ./cmd/pcaplab
timed() { /usr/bin/time -f "%e s, %M KB max RSS" "$@"; }
echo "== one pass (pcaplab summary)"
timed /tmp/pcaplab-bench summary --quiet "$cap" | grep -E '^(packets|flows) '
echo "== ingest"
rm -rf "$store"
timed /tmp/pcaplab-bench ingest --store "$store" "$cap"
echo "== store size"
for d in "$store" "$store"/flows "$store"/edges "$store"/logs; do du -sh "$d"; done # one at a time: du counts a directory once
queries=$(cd sql && ls *.sql | sed 's/\.sql$//')
echo "== DuckDB, ms per query (median of 3 runs)"
for i in 1 2 3; do node sql/duckdb/run.mjs "$store" sql $queries; done | python3 -c '
import json, sys, statistics
runs = [json.loads(l) for l in sys.stdin]
for q in runs[0]:
    print("%-22s %8.0f" % (q, statistics.median(r[q]["ms"] for r in runs)))'
