package analysis

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/pcaplab/pcaplab/analysis/internal/ingest"
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

// modelFingerprint describes the cached model's type; when it changes,
// modelVersion must change too, or notebooks would read old caches as new.
func modelFingerprint() string {
	seen := map[reflect.Type]bool{}
	var b strings.Builder
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map {
			if t.Kind() == reflect.Map {
				walk(t.Key())
			}
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || seen[t] || t.PkgPath() == "net/netip" {
			return
		}
		seen[t] = true
		b.WriteString(t.String() + "{")
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if f.IsExported() {
				b.WriteString(f.Name + " " + f.Type.String() + ";")
				walk(f.Type)
			}
		}
		b.WriteString("}")
	}
	walk(reflect.TypeOf(ingest.Model{}))
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:8])
}

func TestModelVersionFollowsTheModel(t *testing.T) {
	const fingerprint, version = "2bc68e1ab3b78a3c", "pcaplab-model-4"
	if got := modelFingerprint(); got != fingerprint || modelVersion != version {
		t.Fatalf("the cached model's type is now %s (was %s): bump modelVersion in cache.go and update both constants here", got, fingerprint)
	}
}
