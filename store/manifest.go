package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// FormatVersion is the store's layout version, written in the manifest.
// Version 2 added the hosts' country and country_name columns, version 3
// a packet log per source (SourceEntry.Log) and the flows' pair_slot.
const FormatVersion = 3

// Manifest says what a store holds: its capture files in time order
// (with size and SHA-256, so re-ingesting a file adds nothing), and the
// options and model version every file was read with (a store is one
// input, read one way).
type Manifest struct {
	Format  int     `json:"format"`
	Model   string  `json:"model_version"`
	Options Options `json:"options"`
	// AnchorNS is where time bin 0 starts: the first packet of the
	// earliest file.
	AnchorNS int64         `json:"anchor_ns"`
	Sources  []SourceEntry `json:"sources"`
	// EdgeFiles are the files written for what was still open at the end
	// of the last source (flows, DNS queries, DHCP transactions).
	EdgeFiles []string `json:"edge_files"`
}

// Options are the reading options of a store, as text ("5m0s").
type Options struct {
	TCPTimeout    string `json:"tcp_timeout"`
	UDPTimeout    string `json:"udp_timeout"`
	OtherTimeout  string `json:"other_timeout"`
	ClosedTimeout string `json:"tcp_closed_timeout"`
	BinWidth      string `json:"bin_width"`
	TransferGap   string `json:"transfer_gap"`
	MaxFlows      int    `json:"max_flows"`
}

// SourceEntry is one capture file of a store.
type SourceEntry struct {
	Path   string `json:"path"` // absolute, as it was ingested from
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
	// Fingerprint is a SHA-256 of the size and the first and last MiB: a
	// file with another fingerprint is another file.
	Fingerprint string `json:"fingerprint"`
	FirstNS     int64  `json:"first_ns"` // first packet record's time: the store's time order
	// Files are the store files made from it (relative to the store),
	// Edge the engine's state after it, Log its packet log: what the
	// engine read of each packet, from which the source is read again
	// when a file lands before it (the capture itself is never needed
	// again).
	Files []string `json:"files"`
	Edge  string   `json:"edge"`
	Log   string   `json:"log"`
}

// Tag names a source's files: the first 12 hex digits of its SHA-256.
func (s SourceEntry) Tag() string { return s.SHA256[:12] }

// ManifestName is the manifest's file name in a store directory.
const ManifestName = "manifest.json"

// ErrNoStore is returned by ReadManifest for a directory without a manifest.
var ErrNoStore = errors.New("not a pcaplab store (no manifest.json)")

// ReadManifest reads a store's manifest.
func ReadManifest(dir string) (*Manifest, error) {
	data, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w", dir, ErrNoStore)
	}
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s: %v", filepath.Join(dir, ManifestName), err)
	}
	if m.Format != FormatVersion {
		return nil, fmt.Errorf("%s: store format %d, this pcaplab reads format %d: ingest its captures into a new store", dir, m.Format, FormatVersion)
	}
	return &m, nil
}

// Write replaces the store's manifest at once (a rename), so a reader
// sees the old or the new one whole.
func (m *Manifest) Write(dir string) error {
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, ".manifest.json.tmp")
	if err := os.WriteFile(tmp, append(data, '\n'), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, ManifestName))
}

// Lock takes the store's lock (a file made exclusively), so two ingests
// never write one store at once; the function returned releases it.
func Lock(dir string) (func(), error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	p := filepath.Join(dir, ".lock")
	f, err := os.OpenFile(p, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("%s: another ingest is writing this store (remove %s if none is)", dir, p)
		}
		return nil, err
	}
	fmt.Fprintf(f, "%d\n", os.Getpid())
	f.Close()
	return func() { os.Remove(p) }, nil
}
