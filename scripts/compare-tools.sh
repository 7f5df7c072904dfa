#!/usr/bin/env bash
# Times pcaplab's full model (`pcaplab summary`) against capinfos, tshark's
# TCP conversation table and nfpcapd (nfdump's pcap-to-flow converter) on
# one generated capture of steady traffic, and prints wall time, packets/s,
# the ratio to pcaplab and peak memory (GNU time's maximum resident set).
#
#   scripts/compare-tools.sh [PACKETS]      (default 1500000, about 1.1 GB)
#
# Needs: go, capinfos and tshark (Debian: tshark), nfpcapd (Debian: nfdump),
# /usr/bin/time (Debian: time). The capture is written to a temporary
# directory and removed afterwards; nothing is written into the repository.
set -euo pipefail
packets=${1:-1500000}
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

go build -o "$work/pcaplab" ./cmd/pcaplab
go run ./scripts/gencapture -packets "$packets" -o "$work/steady.pcap"
size=$(stat -c %s "$work/steady.pcap")
n=$("$work/pcaplab" summary --quiet --json "$work/steady.pcap" | sed -n 's/^  "packets": \([0-9]*\),/\1/p')
echo "capture: $n packets, $size bytes ($(nproc) cores)"
cat "$work/steady.pcap" > /dev/null # into the page cache, so every tool reads from memory

measure() { # name command...
	local name=$1
	shift
	/usr/bin/time -f "%e %M" -o "$work/time" "$@" > /dev/null 2> "$work/err" || {
		echo "$name failed:"
		cat "$work/err"
		return
	}
	read -r secs kb < "$work/time"
	echo "$secs $kb $name" >> "$work/results"
}

: > "$work/results"
measure "pcaplab summary" "$work/pcaplab" summary --quiet --json "$work/steady.pcap"
measure "capinfos" capinfos "$work/steady.pcap"
mkdir -p "$work/nf"
measure "nfpcapd" nfpcapd -r "$work/steady.pcap" -w "$work/nf"
measure "tshark -z conv,tcp" tshark -n -q -r "$work/steady.pcap" -z conv,tcp

base=$(awk 'NR==1 {print $1}' "$work/results")
printf '%-22s %9s %13s %12s %10s\n' tool "wall (s)" "packets/s" "time ÷ pcaplab" "peak MB"
while read -r secs kb name; do
	awk -v name="$name" -v s="$secs" -v kb="$kb" -v n="$n" -v base="$base" \
		'BEGIN { if (s < 0.01) s = 0.01; printf "%-22s %9.2f %13.0f %12.1f %10.0f\n", name, s, n / s, s / base, kb / 1024 }'
done < "$work/results"
