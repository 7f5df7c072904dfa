#!/usr/bin/env bash
# Peak memory of `pcaplab summary`, `pcaplab flows` and `pcaplab report` on
# steady traffic (scripts/gencapture: 250 clients, 2 000 servers) streamed
# through a pipe, at about 1 GB (1.3 M packets, 100 000 flows) and at ten
# times that (never stored): each command's peak at 10× must stay within
# 1.3× its peak at 1×.
#
#   scripts/memory-10x.sh [FLOWS]   (default 100000)
#
# Needs: go, /usr/bin/time (Debian: time).
set -euo pipefail
flows=${1:-100000}
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/pcaplab" ./cmd/pcaplab
go build -o "$work/gencapture" ./scripts/gencapture

peak() { # flows command...: the command's peak resident memory in KiB
	local n=$1
	shift
	"$work/gencapture" -flows "$n" -o - | /usr/bin/time -f "%M" -o "$work/mem" "$@" > /dev/null
	cat "$work/mem"
}

fail=0
for cmd in summary flows report; do
	case $cmd in
	summary) args=(summary --quiet -) ;;
	flows) args=(flows --quiet -o "$work/flows.csv" -) ;;
	report) args=(report --quiet -o "$work/report" -) ;;
	esac
	a=$(peak "$flows" "$work/pcaplab" "${args[@]}")
	b=$(peak $((flows * 10)) "$work/pcaplab" "${args[@]}")
	awk -v c="$cmd" -v a="$a" -v b="$b" -v f="$flows" 'BEGIN {
		printf "%-8s %d flows: %4.0f MB peak   %d flows: %4.0f MB peak   ratio %.2f (limit 1.3)\n", c, f, a/1024, f*10, b/1024, b/a
		exit (b/a > 1.3) }' || fail=1
done
exit $fail
