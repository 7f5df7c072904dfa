package analysis

import (
	"path/filepath"
	"testing"
)

// A store keeps what each file's pass set aside (Dropped, as counter rows
// of kind dropped): its summary says what the capture's says.
func TestStoreKeepsDropped(t *testing.T) {
	for _, name := range []string{"time-jump.pcap", "pcapng-time-past-2262.pcapng"} {
		path := filepath.Join("..", "testdata", "malformed", name)
		c, err := Open(path)
		must(t, err)
		if c.Input().Dropped == (Dropped{}) {
			t.Fatalf("%s: nothing dropped: the test proves nothing", name)
		}
		dir := t.TempDir()
		_, err = Ingest(dir, []string{path})
		must(t, err)
		sameAnswers(t, dir, c)
		sc, err := OpenStore(dir)
		must(t, err)
		if got, want := sc.Input().Dropped, c.Input().Dropped; got != want {
			t.Errorf("%s: store's dropped %+v, capture's %+v", name, got, want)
		}
	}
}
