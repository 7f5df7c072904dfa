package analysis

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
