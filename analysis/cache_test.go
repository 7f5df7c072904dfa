package analysis

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pcaplab/pcaplab/analysis/internal/ingest"
	"github.com/pcaplab/pcaplab/table"
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
	if !reflect.DeepEqual(first.Summary(), second.Summary()) || !reflect.DeepEqual(first.Flows().Slice(), second.Flows().Slice()) {
		t.Fatal("the cached model differs from the built one")
	}
	if table.Of(first.Hosts().TopByBytes(15).Rows).Text() != table.Of(second.Hosts().TopByBytes(15).Rows).Text() {
		t.Fatal("a query differs on the cached model")
	}
	if !reflect.DeepEqual(first.DNS(), second.DNS()) || !reflect.DeepEqual(first.ICMPErrors(), second.ICMPErrors()) ||
		!reflect.DeepEqual(first.Ports().TopTCP(10), second.Ports().TopTCP(10)) || !reflect.DeepEqual(first.Ports().TopUDP(5), second.Ports().TopUDP(5)) {
		t.Fatal("DNS, ICMP errors or ports differ on the cached model")
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

// TestCacheKeyCoversEveryOption changes each option that changes the model,
// one at a time, and checks that the cache key changes: a field added to
// Options later without reaching the key fails here. Cache and Progress
// do not change the model, so they must not change the key.
func TestCacheKeyCoversEveryOption(t *testing.T) {
	paths := []string{"../testdata/sample.pcapng"}
	key := func(o Options) string {
		t.Helper()
		k, ok := cacheKey(paths, o)
		if !ok {
			t.Fatal("the sample cannot be cached")
		}
		return k
	}
	def := key(DefaultOptions())
	if again := key(DefaultOptions()); again != def {
		t.Fatalf("the key of the same options changed: %s, %s", def, again)
	}
	// change changes each leaf of a field of o in turn (a struct such as
	// Timeouts has several), calls fn, and restores it.
	var change func(v reflect.Value, name string, fn func(string))
	change = func(v reflect.Value, name string, fn func(string)) {
		switch v.Kind() {
		case reflect.Struct:
			for i := 0; i < v.NumField(); i++ {
				change(v.Field(i), name+"."+v.Type().Field(i).Name, fn)
			}
			return
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			old := v.Int()
			v.SetInt(old + 7)
			defer v.SetInt(old)
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			old := v.Uint()
			v.SetUint(old + 7)
			defer v.SetUint(old)
		case reflect.Float32, reflect.Float64:
			old := v.Float()
			v.SetFloat(old + 7)
			defer v.SetFloat(old)
		case reflect.Bool:
			old := v.Bool()
			v.SetBool(!old)
			defer v.SetBool(old)
		case reflect.String:
			old := v.String()
			v.SetString(old + "x")
			defer v.SetString(old)
		default:
			t.Fatalf("Options%s is a %s: teach this test how to change it", name, v.Kind())
		}
		fn(name)
	}
	typ := reflect.TypeFor[Options]()
	for i := 0; i < typ.NumField(); i++ {
		f := typ.Field(i)
		if f.Name == "Cache" || f.Name == "Progress" {
			continue
		}
		o := DefaultOptions()
		n := 0
		change(reflect.ValueOf(&o).Elem().Field(i), "."+f.Name, func(name string) {
			n++
			if key(o) == def {
				t.Errorf("changing Options%s leaves the cache key as it is: a model built with other options would be reused", name)
			}
		})
		if n == 0 {
			t.Errorf("Options.%s: nothing to change", f.Name)
		}
	}
	o := DefaultOptions()
	o.Cache, o.Progress = true, func(uint64, int64) {}
	if key(o) != def {
		t.Error("Cache or Progress changes the key, though neither changes the model")
	}
}

// A model cached without a cap on live flows is not reused for a capped
// Open: MaxFlows is part of the key.
func TestCachedOpenHonoursMaxFlows(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("HOME", t.TempDir())
	const sample = "../testdata/sample.pcapng"
	full, err := Open(sample, Cached())
	if err != nil {
		t.Fatal(err)
	}
	capped, err := Open(sample, Cached(), MaxFlows(5))
	if err != nil {
		t.Fatal(err)
	}
	if full.Input().Evicted != 0 || capped.Input().Evicted == 0 || capped.Flows().Count() == full.Flows().Count() {
		t.Errorf("uncapped: %d flows, %d evicted; MaxFlows(5): %d flows, %d evicted: the capped Open was served the uncapped model",
			full.Flows().Count(), full.Input().Evicted, capped.Flows().Count(), capped.Input().Evicted)
	}
	dir, _ := os.UserCacheDir()
	if files, _ := filepath.Glob(filepath.Join(dir, "pcaplab", "*.gob")); len(files) != 2 {
		t.Errorf("cache files: %v, want one per MaxFlows", files)
	}
	// and each is served from the cache as it was built
	again, err := Open(sample, Cached(), MaxFlows(5))
	if err != nil {
		t.Fatal(err)
	}
	if again.Input().Evicted != capped.Input().Evicted || again.Flows().Count() != capped.Flows().Count() {
		t.Errorf("MaxFlows(5) again: %d flows, %d evicted; first time %d, %d",
			again.Flows().Count(), again.Input().Evicted, capped.Flows().Count(), capped.Input().Evicted)
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
	const fingerprint, version = "c033f06ca86c9582", "pcaplab-model-11"
	if got := modelFingerprint(); got != fingerprint || modelVersion != version {
		t.Fatalf("the cached model's type is now %s (was %s): bump modelVersion in cache.go and update both constants here", got, fingerprint)
	}
}

// A model cached by a process in one folder and served to a process in
// another names its files absolutely, so the time series, which read the
// files again, still find them.
func TestCachedModelNamesFilesAbsolutely(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	abs, err := filepath.Abs("../testdata/sample.pcapng")
	if err != nil {
		t.Fatal(err)
	}
	built, err := Open("../testdata/sample.pcapng", Cached())
	if err != nil {
		t.Fatal(err)
	}
	want, err := built.Traffic().Series(Filter{}, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir())
	cached, err := Open(abs, Cached())
	if err != nil {
		t.Fatal(err)
	}
	if name := cached.Input().Files[0].Name; name != abs {
		t.Errorf("the cached model names its file %q, want %q", name, abs)
	}
	got, err := cached.Traffic().Series(Filter{}, 10*time.Second)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("series from the cached model in another folder: %v\n%v\nwant %v", err, got, want)
	}
}

// A model whose flows were spilled is cached too: its flows in a file
// beside, read back in start order, every answer equal; a flows file of
// another size sends Open back to the capture.
func TestCachedOpenSpilled(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("HOME", t.TempDir())
	const sample = "../testdata/sample.pcapng"
	built, err := Open(sample, Cached(), SpillAfter(10))
	if err != nil {
		t.Fatal(err)
	}
	if built.m.Spill() == nil {
		t.Fatal("the sample's flows were not spilled")
	}
	dir, _ := os.UserCacheDir()
	flows, _ := filepath.Glob(filepath.Join(dir, "pcaplab", "*.flows"))
	if len(flows) != 1 {
		t.Fatalf("flows files: %v", flows)
	}
	cached, err := Open(sample, Cached(), SpillAfter(10))
	if err != nil {
		t.Fatal(err)
	}
	inMemory, _ := Open(sample)
	var got, want bytes.Buffer
	cached.Flows().WriteCSV(&got)
	inMemory.Flows().WriteCSV(&want)
	if cached.m.Spill() == nil || got.String() != want.String() || !reflect.DeepEqual(cached.Flows().Sizes(), inMemory.Flows().Sizes()) ||
		!reflect.DeepEqual(cached.Failures().Summary(), built.Failures().Summary()) {
		t.Fatal("the cached spilled model differs")
	}
	if err := os.WriteFile(flows[0], []byte("short"), 0o644); err != nil {
		t.Fatal(err)
	}
	again, err := Open(sample, Cached(), SpillAfter(10))
	if err != nil || again.Flows().Count() != inMemory.Flows().Count() {
		t.Fatalf("with a damaged flows file: %v", err)
	}
	var back bytes.Buffer
	again.Flows().WriteCSV(&back)
	if back.String() != want.String() {
		t.Error("a damaged flows file was used")
	}
}
