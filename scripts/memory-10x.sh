#!/usr/bin/env bash
# Peak memory of `pcaplab summary` on steady traffic (scripts/gencapture:
# 250 clients, 2 000 servers) streamed through a pipe, at about 1.1 GB
# (1.5 M packets) and at ten times that (10.8 GB, never stored): the longer
# run must stay within 1.5× the shorter one's peak.
#
#   scripts/memory-10x.sh
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/pcaplab" ./cmd/pcaplab
go build -o "$work/gencapture" ./scripts/gencapture
run() {
	"$work/gencapture" -packets "$1" -o - | /usr/bin/time -f "%M" -o "$work/mem" "$work/pcaplab" summary --quiet - > /dev/null
	cat "$work/mem"
}
a=$(run 1500000)
b=$(run 15000000)
awk -v a="$a" -v b="$b" 'BEGIN { printf "1.5 M packets: %.0f MB peak; 15 M packets: %.0f MB peak; ratio %.2f (limit 1.5)\n", a/1024, b/1024, b/a; exit (b/a > 1.5) }'
