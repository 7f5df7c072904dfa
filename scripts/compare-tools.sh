#!/usr/bin/env bash
# Times pcaplab's full model (`pcaplab summary`) against nfpcapd (nfdump's
# pcap-to-flow converter), capinfos and tshark's TCP conversation table on
# one generated capture of steady traffic, paired: every round runs each
# tool once, in turn, so that a noisy machine slows all of them alike.
# Prints, per tool, the median wall time with its range over the rounds,
# packets per second, the median of the per-round ratios of its time to
# pcaplab's (with their range) and its median peak memory (GNU time's
# maximum resident set), and the load average before and after the rounds
# (other work on the machine slows the tools unevenly: pcaplab's two
# goroutines share the cores with it, the per-round ratios spread).
#
#   scripts/compare-tools.sh [FLOWS] [ROUNDS]   (default 100000 flows, about
#                                                1.3 M packets and 0.95 GB; 5 rounds)
#   TOOLS="pcaplab nfpcapd" scripts/compare-tools.sh   (a subset)
#
# Needs: go, nfpcapd (Debian: nfdump), capinfos and tshark (Debian: tshark),
# /usr/bin/time (Debian: time). The capture is written to a temporary
# directory and removed afterwards; nothing is written into the repository.
set -euo pipefail
flows=${1:-100000}
rounds=${2:-5}
tools=${TOOLS:-pcaplab nfpcapd capinfos tshark}
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

go build -o "$work/pcaplab" ./cmd/pcaplab
go run ./scripts/gencapture -flows "$flows" -o "$work/steady.pcap"
size=$(stat -c %s "$work/steady.pcap")
n=$("$work/pcaplab" summary --quiet --json "$work/steady.pcap" | sed -n 's/^  "packets": \([0-9]*\),/\1/p')
f=$("$work/pcaplab" summary --quiet --json "$work/steady.pcap" | sed -n 's/^  "flows": \([0-9]*\),/\1/p')
echo "capture: $n packets, $f flows, $size bytes; $(nproc) cores; $rounds rounds"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
cat "$work/steady.pcap" > /dev/null # into the page cache, so every tool reads from memory

run() { # tool: the command line
	case $1 in
	pcaplab) echo "$work/pcaplab summary --quiet --json $work/steady.pcap" ;;
	nfpcapd) echo "nfpcapd -r $work/steady.pcap -w $work/nf" ;;
	capinfos) echo "capinfos $work/steady.pcap" ;;
	tshark) echo "tshark -n -q -r $work/steady.pcap -z conv,tcp" ;;
	esac
}

: > "$work/results"
for r in $(seq "$rounds"); do
	for t in $tools; do
		rm -rf "$work/nf" && mkdir -p "$work/nf"
		# shellcheck disable=SC2046
		if ! /usr/bin/time -f "%e %M" -o "$work/time" $(run "$t") > /dev/null 2> "$work/err"; then
			echo "$t failed:" && cat "$work/err" && exit 1
		fi
		echo "$r $t $(cat "$work/time")" >> "$work/results"
	done
done

# per tool: median and range of wall time, median peak, and the median and
# range of the per-round ratio to pcaplab
awk -v n="$n" -v tools="$tools" '
function sortv(a, k,   i, j, x) { for (i = 2; i <= k; i++) { x = a[i]; for (j = i - 1; j > 0 && a[j] > x; j--) a[j+1] = a[j]; a[j+1] = x } }
function median(a, k) { sortv(a, k); return k % 2 ? a[(k+1)/2] : (a[k/2] + a[k/2+1]) / 2 }
{ t[$1, $2] = ($3 < 0.01 ? 0.01 : $3); m[$1, $2] = $4; rounds[$1] = 1 }
END {
	printf "%-10s %16s %13s %22s %9s\n", "tool", "wall s (range)", "packets/s", "time / pcaplab (range)", "peak MB"
	split(tools, tl, " ")
	for (i = 1; i in tl; i++) {
		k = 0
		for (r in rounds) { k++; w[k] = t[r, tl[i]]; q[k] = t[r, tl[i]] / t[r, "pcaplab"]; mm[k] = m[r, tl[i]] }
		lo = hi = w[1]; qlo = qhi = q[1]
		for (j = 1; j <= k; j++) { if (w[j] < lo) lo = w[j]; if (w[j] > hi) hi = w[j]; if (q[j] < qlo) qlo = q[j]; if (q[j] > qhi) qhi = q[j] }
		mw = median(w, k); mq = median(q, k); mp = median(mm, k)
		printf "%-10s %5.2f (%.2f–%.2f) %13.0f %8.2f× (%.2f–%.2f) %9.0f\n", tl[i], mw, lo, hi, n / mw, mq, qlo, qhi, mp / 1024
	}
}' "$work/results"
echo "load average (1, 5, 15 min): $load_before before the rounds, $(cut -d' ' -f1-3 /proc/loadavg) after"
