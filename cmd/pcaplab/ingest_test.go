package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// pcaplab ingest makes a store; the same file again adds nothing; other
// options are refused in one line; a directory that is not a store is
// never written into.
func TestIngestCommand(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "store")
	code, out, errOut := runCLI("ingest", "--store", dir, "../../testdata/sample.pcapng")
	if code != 0 || !strings.Contains(out, "1 file added, 0 already there, 0 earlier replayed; 1\u202f659 packets read from captures, 0 replayed from packet logs; 59 flow rows") {
		t.Fatalf("exit %d: %q %q", code, out, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "flows", "date=2025-10-14", "hour=09")); err != nil {
		t.Errorf("flow partition missing: %v", err)
	}
	code, out, _ = runCLI("ingest", "--store", dir, "../../testdata/sample.pcapng")
	if code != 0 || !strings.Contains(out, "0 files added, 1 already there") {
		t.Errorf("re-ingest: exit %d: %q", code, out)
	}
	code, _, errOut = runCLI("ingest", "--store", dir, "--idle-timeout", "0", "../../testdata/sample.pcapng")
	if code != 1 || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "store made with TCP idle timeout 5m0s, UDP idle timeout 1m0s, other idle timeout 1m0s, closed TCP timeout 30s, not TCP idle timeout 0s") {
		t.Errorf("other options: exit %d: %q", code, errOut)
	}
	other := t.TempDir()
	os.WriteFile(filepath.Join(other, "notes.txt"), []byte("mine"), 0o644)
	code, _, errOut = runCLI("ingest", "--store", other, "../../testdata/sample.pcapng")
	if code != 1 || !strings.Contains(errOut, "not empty and not a pcaplab store") {
		t.Errorf("foreign directory: exit %d: %q", code, errOut)
	}
	if code, _, errOut = runCLI("ingest", "../../testdata/sample.pcapng"); code != 2 || !strings.Contains(errOut, "--store DIR is required") {
		t.Errorf("no store: exit %d: %q", code, errOut)
	}
}

// A capture read only in part is ingested with a warning that says where
// it stopped; one without packets is refused in one line.
func TestIngestWarnsAndRefusesEmpty(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "store")
	code, out, errOut := runCLI("ingest", "--quiet", "--store", dir, "../../testdata/malformed/gzip-cut.pcap.gz")
	if code != 0 || !strings.Contains(out, "1 packet read from captures") ||
		!strings.Contains(errOut, "malformed/gzip-cut.pcap.gz: packet 2: record truncated") {
		t.Errorf("cut capture: exit %d: %q %q", code, out, errOut)
	}
	code, _, errOut = runCLI("ingest", "--quiet", "--store", dir, "../../testdata/malformed/header-only.pcap")
	if code != 1 || errOut != "pcaplab: ../../testdata/malformed/header-only.pcap: no packets in the capture, nothing to add\n" {
		t.Errorf("capture without packets: exit %d: %q", code, errOut)
	}
}
