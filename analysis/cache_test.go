package analysis

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

func TestCachedOpen(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("HOME", t.TempDir())
	data, err := os.ReadFile("../testdata/sample.pcapng")
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "s.pcapng")
	os.WriteFile(p, data, 0o644)

	first, err := Open(p, Cached())
	if err != nil {
		t.Fatal(err)
	}
	dir, _ := os.UserCacheDir()
	files, _ := filepath.Glob(filepath.Join(dir, "pcaplab", "*.gob"))
	if len(files) != 1 {
		t.Fatalf("cache files: %v", files)
	}
	second, err := Open(p, Cached())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(first.Summary(), second.Summary()) || !reflect.DeepEqual(first.Flows(), second.Flows()) {
		t.Fatal("the cached model differs from the built one")
	}
	if FormatTable(first.TopHostsByBytes(15)) != FormatTable(second.TopHostsByBytes(15)) {
		t.Fatal("a query differs on the cached model")
	}
	// Other options: another model.
	if third, _ := Open(p, Cached(), IdleTimeout(0)); third.Summary().UDPFlows == first.Summary().UDPFlows {
		t.Error("the cache ignored the options")
	}
	// A changed file is read again, not taken from the cache.
	os.WriteFile(p, data[:len(data)-100], 0o644)
	os.Chtimes(p, time.Now().Add(time.Hour), time.Now().Add(time.Hour))
	changed, err := Open(p, Cached())
	if err != nil {
		t.Fatal(err)
	}
	if changed.Packets() == first.Packets() {
		t.Error("a changed file was served from the cache")
	}
	// A corrupt cache file is ignored.
	files, _ = filepath.Glob(filepath.Join(dir, "pcaplab", "*.gob"))
	for _, f := range files {
		os.WriteFile(f, []byte("garbage"), 0o644)
	}
	if again, err := Open(p, Cached()); err != nil || again.Packets() != changed.Packets() {
		t.Errorf("with a corrupt cache: %v", err)
	}
}
