package analysis

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pcaplab/pcaplab/flow"
)

// A store directory given where captures go (pcaplab report STORE) opens
// the store; a directory without a manifest is not taken for one.
func TestOpenFilesOnAStore(t *testing.T) {
	dir := t.TempDir()
	if _, err := Ingest(dir, []string{"../testdata/sample.pcapng"}); err != nil {
		t.Fatal(err)
	}
	c, err := OpenFiles([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	if c.Packets() != 1659 || c.Flows().Count() != 59 {
		t.Errorf("store opened as %d packets, %d flows; want 1659 and 59", c.Packets(), c.Flows().Count())
	}
	empty := t.TempDir()
	os.WriteFile(filepath.Join(empty, "notes.txt"), []byte("x"), 0o644)
	if _, err := OpenStore(empty); err == nil || !strings.Contains(err.Error(), "not a pcaplab store") {
		t.Errorf("OpenStore on a plain directory: %v", err)
	}
}

// Time series of a store are read from its packet logs: equal to the
// capture's, for the whole traffic, a host, a port and a flow, with the
// pieces ingested deleted (a store never needs its captures again).
func TestStoreSeriesFromLogs(t *testing.T) {
	one, pieces := samplePieces(t, 600, 1200)
	dir := t.TempDir()
	_, err := Ingest(dir, pieces)
	must(t, err)
	for _, p := range pieces {
		must(t, os.Remove(p))
	}
	sc, err := OpenStore(dir)
	must(t, err)
	biggest := one.Flows().Slice()[0]
	for _, f := range one.Flows().Slice() {
		if f.Bytes() > biggest.Bytes() {
			biggest = f
		}
	}
	filters := []Filter{{}, HostFilter(one.Hosts().TopByBytes(1).Rows[0].Host), PortFilter(flow.UDP, 53), FlowFilter(&biggest)}
	for _, f := range filters {
		want, err := one.Traffic().Series(f, 5*time.Second)
		must(t, err)
		got, err := sc.Traffic().Series(f, 5*time.Second)
		must(t, err)
		if !reflect.DeepEqual(got, want) || len(want) < 10 {
			t.Errorf("filter %+v: store %d bins, capture %d:\n%v\n%v", f, len(got), len(want), got, want)
		}
	}
}
