package analysis

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkCachedOpen opens a capture from the model cache in a new process
// each time, as every notebook cell does: the bundled sample, and the
// capture named by $PCAPLAB_BENCH_FILE when set, e.g.
//
//	go run ./scripts/gencapture -o /tmp/steady.pcap    # 1.5 M packets, 1.1 GB
//	PCAPLAB_BENCH_FILE=/tmp/steady.pcap go test -run - -bench CachedOpen ./analysis/
//
// open-ms is Open's own time in the child (the notebooks' budget: 50 ms for
// the sample, 200 ms for the 1.1 GB capture); ns/op adds the start of the
// process.
func BenchmarkCachedOpen(b *testing.B) {
	paths := []string{"../testdata/sample.pcapng"}
	if p := os.Getenv("PCAPLAB_BENCH_FILE"); p != "" {
		paths = append(paths, p)
	}
	cache := b.TempDir()
	for _, path := range paths {
		b.Run(filepath.Base(path), func(b *testing.B) {
			b.Setenv("XDG_CACHE_HOME", cache)
			if _, err := Open(path, Cached()); err != nil { // fills the cache
				b.Fatal(err)
			}
			var total time.Duration
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				cmd := exec.Command(os.Args[0], "-test.run=^TestCachedOpenChild$")
				cmd.Env = append(os.Environ(), "PCAPLAB_CACHED_OPEN="+path)
				out, err := cmd.Output()
				if err != nil {
					b.Fatalf("child: %v\n%s", err, out)
				}
				f := strings.Fields(string(out))
				if len(f) == 0 {
					b.Fatalf("child printed %q", out)
				}
				ns, err := strconv.ParseInt(f[0], 10, 64)
				if err != nil {
					b.Fatalf("child printed %q", out)
				}
				total += time.Duration(ns)
			}
			b.ReportMetric(float64(total)/1e6/float64(b.N), "open-ms")
		})
	}
}

// TestCachedOpenChild is BenchmarkCachedOpen's child: it opens
// $PCAPLAB_CACHED_OPEN with Cached and prints how long that took, in ns.
func TestCachedOpenChild(t *testing.T) {
	path := os.Getenv("PCAPLAB_CACHED_OPEN")
	if path == "" {
		t.Skip("run by BenchmarkCachedOpen")
	}
	start := time.Now()
	if _, err := Open(path, Cached()); err != nil {
		t.Fatal(err)
	}
	os.Stdout.WriteString(strconv.FormatInt(int64(time.Since(start)), 10) + "\n")
}
