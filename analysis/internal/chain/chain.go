// Package chain fills a flow store (package store) from capture files:
// the files are read in time order (of their first packet) as one input,
// each as one segment that goes on from the engine's state at the end of
// the file before it (ingest.Edge) and leaves its own state for the file
// after it. A file that lands before files already in the store is read,
// and every file after it replayed from its packet log (ingest.
// ReplaySegment) from the state before it, until the state at the end of
// one is what the store held: the store always equals one continuous pass
// over all its files in time order, and needs none of the captures again.
// The sources of another store (made elsewhere) merge the same way.
package chain

import (
	"bufio"
	"crypto/sha256"
	"encoding/gob"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/pcaplab/pcaplab/analysis/internal/capfile"
	"github.com/pcaplab/pcaplab/analysis/internal/ingest"
	"github.com/pcaplab/pcaplab/flow"
	"github.com/pcaplab/pcaplab/store"
)

// Labeler computes the labels stored with flows, hosts and evidence (the
// analysis package's definitions).
type Labeler interface {
	Flow(f *flow.Flow) flow.Labels
	Host(a netip.Addr) HostLabels
	DNS(t *ingest.DNSTransaction) string
	ICMP(e *ingest.ICMPError) (failure, signal string)
}

// HostLabels are the labels stored with an address: what it is (kind,
// scope) and where the country data places it (ISO code and name; for an
// address without a country, code "" and what the address is).
type HostLabels struct {
	Kind, Scope          string
	Country, CountryName string
}

// Report says what an ingest did.
type Report struct {
	Added    []string // files read for the first time
	Skipped  []string // files already in the store (same content)
	Reread   []string // files of the store replayed from their packet logs (a file landed before them and changed the state they start from)
	Ignored  []string // files of a directory that are not captures: "name: why"
	Warnings []string // what went wrong reading a new capture ("name: why"), its packets before that kept
	Packets  uint64   // packets read from captures
	Replayed uint64   // packets replayed from packet logs
	Flows    int      // flow rows written
	Elapsed  time.Duration
}

// Ingest adds captures (files, or directories of them) to the store in
// dir, made if needed. model is the model's version; a store made with
// other options or another model version is refused.
func Ingest(dir string, inputs []string, cfg ingest.Config, model string, lab Labeler) (Report, error) {
	start := time.Now()
	var rep Report
	files, stores, ignored, err := expand(inputs)
	if err != nil {
		return rep, err
	}
	rep.Ignored = ignored
	unlock, err := store.Lock(dir)
	if err != nil {
		return rep, err
	}
	defer unlock()
	m, err := openManifest(dir, cfg, model)
	if err != nil {
		return rep, err
	}
	srcs, from, err := plan(dir, m, files, stores, &rep)
	if err != nil {
		return rep, err
	}
	if from < 0 {
		rep.Elapsed = time.Since(start)
		return rep, nil
	}
	w := &writer{dir: dir, cfg: cfg, lab: lab}
	if err := w.run(m, srcs, from, &rep); err != nil {
		return rep, err
	}
	rep.Elapsed = time.Since(start)
	return rep, nil
}

// expand lists the capture files of the inputs: files as given, the
// regular files of a directory (not its subdirectories) in name order,
// leaving out those that are not captures; and the inputs that are flow
// stores, whose sources are to be merged in.
func expand(inputs []string) (files, stores, ignored []string, err error) {
	var dirs []string
	for _, in := range inputs {
		st, err := os.Stat(in)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("%s: %v", in, errors.Unwrap(err))
		}
		if !st.IsDir() {
			files = append(files, in)
			continue
		}
		if _, err := os.Stat(filepath.Join(in, store.ManifestName)); err == nil {
			stores = append(stores, in)
			continue
		}
		ents, err := os.ReadDir(in)
		if err != nil {
			return nil, nil, nil, err
		}
		dirs = append(dirs, in)
		for _, e := range ents {
			p := filepath.Join(in, e.Name())
			if !e.Type().IsRegular() || e.Name()[0] == '.' {
				continue
			}
			if _, err := capfile.FirstTime(p); err != nil {
				ignored = append(ignored, err.Error())
				continue
			}
			files = append(files, p)
		}
	}
	switch {
	case len(files)+len(stores) > 0:
	case len(dirs) > 0:
		return nil, nil, ignored, fmt.Errorf("%s: no capture file in it", strings.Join(dirs, ", "))
	default:
		return nil, nil, ignored, errors.New("no capture file given")
	}
	return files, stores, ignored, nil
}

// fileHash is a file's size and SHA-256 in hex, as the manifest keeps it.
func fileHash(path string) (int64, string, error) {
	n, sum, err := capfile.Hash(path)
	return n, hex.EncodeToString(sum[:]), err
}

// fingerprint is a cheap stand-in for a file's SHA-256: its size and a
// SHA-256 of its first and last MiB. Files with other fingerprints differ;
// files with the same one are told apart by their whole hash, which
// otherwise is computed while the file is read for the store (one read,
// not two: hashing a 10 GB capture alone takes 17 s here).
func fingerprint(path string) (int64, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, "", err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0, "", err
	}
	h := sha256.New()
	fmt.Fprintf(h, "%d\n", st.Size())
	parts := []io.Reader{f} // a small file whole
	if size := st.Size(); size > 2<<20 {
		parts = []io.Reader{io.NewSectionReader(f, 0, 1<<20), io.NewSectionReader(f, size-1<<20, 1<<20)}
	}
	for _, r := range parts {
		if _, err := io.Copy(h, r); err != nil {
			return 0, "", fmt.Errorf("%s: %v", path, err)
		}
	}
	return st.Size(), hex.EncodeToString(h.Sum(nil)), nil
}

// Options is how the manifest writes a Config.
func Options(cfg ingest.Config) store.Options {
	t := cfg.Timeouts
	return store.Options{TCPTimeout: t.TCP.String(), UDPTimeout: t.UDP.String(), OtherTimeout: t.Other.String(),
		ClosedTimeout: t.Closed.String(), BinWidth: cfg.BinWidth.String(), TransferGap: cfg.TransferGap.String(), MaxFlows: cfg.MaxFlows}
}

// openManifest reads the store's manifest, or starts one; the options
// and model version must be the store's.
func openManifest(dir string, cfg ingest.Config, model string) (*store.Manifest, error) {
	m, err := store.ReadManifest(dir)
	if errors.Is(err, store.ErrNoStore) {
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			if e.Name()[0] != '.' { // the lock, or what an interrupted first ingest left
				return nil, fmt.Errorf("%s: not empty and not a pcaplab store: refusing to write into it", dir)
			}
		}
		return &store.Manifest{Format: store.FormatVersion, Model: model, Options: Options(cfg)}, nil
	}
	if err != nil {
		return nil, err
	}
	if m.Model != model {
		return nil, fmt.Errorf("%s: store made by model %s, this pcaplab is %s: ingest into a new store", dir, m.Model, model)
	}
	if o := Options(cfg); o != m.Options {
		have, want := describe(m.Options, o)
		return nil, fmt.Errorf("%s: store made with %s, not %s: use the store's options or a new store", dir, have, want)
	}
	return m, nil
}

func describe(a, b store.Options) (string, string) {
	var x, y []string
	for _, f := range []struct{ name, a, b string }{
		{"TCP idle timeout", a.TCPTimeout, b.TCPTimeout}, {"UDP idle timeout", a.UDPTimeout, b.UDPTimeout},
		{"other idle timeout", a.OtherTimeout, b.OtherTimeout}, {"closed TCP timeout", a.ClosedTimeout, b.ClosedTimeout},
		{"bins", a.BinWidth, b.BinWidth}, {"transfer gap", a.TransferGap, b.TransferGap},
		{"max flows", fmt.Sprint(a.MaxFlows), fmt.Sprint(b.MaxFlows)},
	} {
		if f.a != f.b {
			x, y = append(x, f.name+" "+f.a), append(y, f.name+" "+f.b)
		}
	}
	return strings.Join(x, ", "), strings.Join(y, ", ")
}

// source is one capture file of the plan.
type source struct {
	store.SourceEntry
	isNew   bool
	logFrom string // the packet log in another store, for a source merged from it
}

// plan merges the new files, and the sources of other stores, into the
// store's sources in time order and says from which one on the sources
// must be read (-1: nothing new). A file whose content is already in the
// store (or earlier in the list) is skipped.
func plan(dir string, m *store.Manifest, files, stores []string, rep *Report) ([]source, int, error) {
	var srcs []source
	for _, s := range m.Sources {
		srcs = append(srcs, source{SourceEntry: s})
	}
	for _, p := range files {
		abs, err := filepath.Abs(p)
		if err != nil {
			return nil, 0, err
		}
		size, fp, err := fingerprint(p)
		if err != nil {
			return nil, 0, err
		}
		dup, err := duplicate(srcs, fp, func() (string, error) { _, h, err := fileHash(abs); return h, err })
		if err != nil {
			return nil, 0, err
		}
		if dup {
			rep.Skipped = append(rep.Skipped, p)
			continue
		}
		first, err := capfile.FirstTime(p)
		if err != nil {
			return nil, 0, err
		}
		srcs = append(srcs, source{SourceEntry: store.SourceEntry{Path: abs, Size: size, Fingerprint: fp, FirstNS: first}, isNew: true})
		rep.Added = append(rep.Added, p)
	}
	for _, st := range stores {
		var err error
		if srcs, err = merge(dir, m, st, srcs, rep); err != nil {
			return nil, 0, err
		}
	}
	sort.SliceStable(srcs, func(i, j int) bool {
		if srcs[i].FirstNS != srcs[j].FirstNS {
			return srcs[i].FirstNS < srcs[j].FirstNS
		}
		return filepath.Base(srcs[i].Path) < filepath.Base(srcs[j].Path) // then as they came: the store's first
	})
	from := -1
	for i, s := range srcs {
		if s.isNew && from < 0 {
			from = i
		}
	}
	return srcs, from, nil
}

// merge plans the sources of another store (made with the same options
// and model version, on this machine or another) into this one: each is
// read from its packet log, which is copied in, so the captures are not
// needed.
func merge(dir string, m *store.Manifest, other string, srcs []source, rep *Report) ([]source, error) {
	if a, b := absPath(dir), absPath(other); a == b {
		return nil, fmt.Errorf("%s: a store cannot be ingested into itself", other)
	}
	om, err := store.ReadManifest(other)
	if err != nil {
		return nil, err
	}
	if om.Model != m.Model {
		return nil, fmt.Errorf("%s: store made by model %s, but %s by %s: stores merge only when made by one version", other, om.Model, dir, m.Model)
	}
	if om.Options != m.Options {
		theirs, ours := describe(om.Options, m.Options)
		return nil, fmt.Errorf("%s: store made with %s, but %s with %s: stores merge only when made with the same options", other, theirs, dir, ours)
	}
	for _, e := range om.Sources {
		dup, err := duplicate(srcs, e.Fingerprint, func() (string, error) { return e.SHA256, nil })
		if err != nil {
			return nil, err
		}
		if dup {
			rep.Skipped = append(rep.Skipped, e.Path)
			continue
		}
		e.Files, e.Edge = nil, ""
		srcs = append(srcs, source{SourceEntry: e, isNew: true, logFrom: filepath.Join(other, e.Log)})
		rep.Added = append(rep.Added, e.Path)
	}
	return srcs, nil
}

func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		p = a
	}
	if r, err := filepath.EvalSymlinks(p); err == nil {
		p = r
	}
	return p
}

// duplicate reports whether content with fingerprint fp (whole hash:
// sum) is a source already planned, comparing whole hashes when the
// fingerprints are equal.
func duplicate(srcs []source, fp string, sum func() (string, error)) (bool, error) {
	whole := ""
	for i := range srcs {
		s := &srcs[i]
		if s.Fingerprint != fp {
			continue
		}
		if whole == "" {
			var err error
			if whole, err = sum(); err != nil {
				return false, err
			}
		}
		if s.SHA256 == "" { // a new file of this batch: hash it now
			_, h, err := fileHash(s.Path)
			if err != nil {
				return false, err
			}
			s.SHA256 = h
		}
		if s.SHA256 == whole {
			return true, nil
		}
	}
	return false, nil
}

// readEdge and writeEdge keep an ingest.Edge as a gob file.
func readEdge(path string) (*ingest.Edge, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var e ingest.Edge
	if err := gob.NewDecoder(bufio.NewReader(f)).Decode(&e); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return &e, nil
}

func writeEdge(path string, e *ingest.Edge) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	err = gob.NewEncoder(w).Encode(e)
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, path)
}
