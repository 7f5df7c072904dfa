package main

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// cgroupLimit is the memory limit of the control group the process runs
// in (a container's, a systemd unit's), or false when there is none: in a
// container of 2 GB on a 64 GB machine, three quarters of MemTotal would
// be a limit the kernel kills the process long before. cgroup v2 keeps it
// in memory.max ("max": none), v1 in memory.limit_in_bytes (about 2^63:
// none).
func cgroupLimit() (int64, bool) {
	f, err := os.Open("/proc/self/cgroup")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	var best int64
	for _, p := range cgroupFiles(f) {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		if n, ok := parseLimit(string(b)); ok && (best == 0 || n < best) {
			best = n
		}
	}
	return best, best > 0
}

// cgroupFiles lists the files that may hold the process's memory limit,
// from /proc/self/cgroup's lines: "0::/path" (v2) and "N:memory:/path"
// (v1), each under its group's path and at the hierarchy's root (what a
// container sees of its own group).
func cgroupFiles(r io.Reader) []string {
	var out []string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.SplitN(sc.Text(), ":", 3)
		if len(f) != 3 {
			continue
		}
		switch {
		case f[0] == "0" && f[1] == "":
			out = append(out, filepath.Join("/sys/fs/cgroup", f[2], "memory.max"), "/sys/fs/cgroup/memory.max")
		case strings.Contains(","+f[1]+",", ",memory,"):
			out = append(out, filepath.Join("/sys/fs/cgroup/memory", f[2], "memory.limit_in_bytes"),
				"/sys/fs/cgroup/memory/memory.limit_in_bytes")
		}
	}
	return out
}

// parseLimit reads a limit file's number; "max" and values of 2^62 or more
// (v1's "unlimited" is 2^63 rounded down to a page) are no limit.
func parseLimit(s string) (int64, bool) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	return n, err == nil && n > 0 && n < 1<<62
}
