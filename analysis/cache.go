package analysis

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/gob"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pcaplab/pcaplab/analysis/internal/ingest"
)

// modelVersion changes whenever the model or its meaning changes, so that a
// new pcaplab never reads a model cached by an old one.
const modelVersion = "pcaplab-model-11"

// cacheFormat changes whenever the way the model is written to the cache
// changes (see cachecodec.go; codec-2: absolute file names; codec-4: flows
// as compact records, a spilled model's in a file beside; codec-5: records
// with varints); it is part of
// the key and of the file.
const cacheFormat = "codec-5"

// cacheKey hashes the model's version, every option that changes the
// model (the whole Options struct but for Cache and Progress, which do not)
// and each file's path, size, modification time and first MiB.
func cacheKey(paths []string, o Options) (string, bool) {
	h := sha256.New()
	o.Cache, o.Progress = false, nil
	fmt.Fprintf(h, "%s %s\n%#v\n", modelVersion, cacheFormat, o)
	for _, p := range paths {
		if p == "-" {
			return "", false
		}
		abs, err := filepath.Abs(p)
		if err != nil {
			return "", false
		}
		f, err := os.Open(p)
		if err != nil {
			return "", false
		}
		st, err := f.Stat()
		if err != nil {
			f.Close()
			return "", false
		}
		fmt.Fprintf(h, "%s\n%d %d\n", abs, st.Size(), st.ModTime().UnixNano())
		io.Copy(h, io.LimitReader(f, 1<<20))
		f.Close()
	}
	return hex.EncodeToString(h.Sum(nil))[:32], true
}

func cachePath(key string) (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "pcaplab", key+".gob"), nil
}

// cachedModel is what the cache file holds: the model's small parts as
// gob, its big parts in the codec of cachecodec.go.
type cachedModel struct {
	Version string
	Model   *ingest.Model // without Flows, DNS, TCPPorts and UDPPorts
	Big     []byte        // those four, encoded
	// FlowsSize, when not 0, is the size of the file beside (KEY.flows)
	// that holds the flows of a model whose flows were spilled, as
	// compact records in start order (ingest.Model.WriteFlows): they are
	// read from there, one at a time, as from the spill file.
	FlowsSize int64
}

func cacheVersion() string { return modelVersion + " " + cacheFormat }

func loadCached(key string) *ingest.Model {
	p, err := cachePath(key)
	if err != nil {
		return nil
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return nil
	}
	var cm cachedModel
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(&cm); err != nil || cm.Version != cacheVersion() || cm.Model == nil {
		return nil
	}
	m := cm.Model
	if cm.FlowsSize > 0 && !loadFlowsFile(p, cm.FlowsSize, m) {
		return nil
	}
	d := &decoder{b: cm.Big, strings: map[string]string{}}
	m.Flows = decodeFlows(d)
	m.DNS = decodeDNS(d)
	m.TCPPorts = decodePorts(d)
	m.UDPPorts = decodePorts(d)
	if d.err != nil || len(d.b) != 0 {
		return nil
	}
	return m
}

func storeCached(key string, m *ingest.Model) {
	p, err := cachePath(key)
	if err != nil {
		return
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return
	}
	small := *m // the model itself stays as it is: the caller goes on with it
	small.Flows, small.DNS, small.TCPPorts, small.UDPPorts = nil, nil, nil, nil
	// The key holds each file's absolute path, so the model may be served to
	// a process in another folder: its file names must be absolute too, or
	// Traffic.Series, which reads the files again, would look in the wrong
	// place.
	small.Files = slices.Clone(m.Files)
	for i := range small.Files {
		if abs, err := filepath.Abs(small.Files[i].Name); err == nil {
			small.Files[i].Name = abs
		}
	}
	var flowsSize int64
	if m.Spill() != nil {
		if flowsSize, err = storeFlowsFile(p, m); err != nil {
			return
		}
	}
	e := &encoder{}
	encodeFlows(e, m.Flows)
	encodeDNS(e, m.DNS)
	encodePorts(e, m.TCPPorts)
	encodePorts(e, m.UDPPorts)
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(cachedModel{Version: cacheVersion(), Model: &small, Big: e.b, FlowsSize: flowsSize}); err != nil {
		return
	}
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, buf.Bytes(), 0o644); err != nil {
		return
	}
	os.Rename(tmp, p)
}

// flowsPath is the file beside the cache file p that holds a spilled
// model's flows.
func flowsPath(p string) string { return strings.TrimSuffix(p, ".gob") + ".flows" }

// storeFlowsFile writes a spilled model's flows beside the cache file p
// and returns its size.
func storeFlowsFile(p string, m *ingest.Model) (int64, error) {
	fp := flowsPath(p)
	tmp := fp + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return 0, err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	err = m.WriteFlows(w)
	if err == nil {
		err = w.Flush()
	}
	var size int64
	if st, serr := f.Stat(); err == nil && serr == nil {
		size = st.Size()
	} else if err == nil {
		err = serr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && size > 0 {
		err = os.Rename(tmp, fp)
	}
	if err != nil || size == 0 {
		os.Remove(tmp)
		return 0, fmt.Errorf("caching flows: %v", err)
	}
	return size, nil
}

// loadFlowsFile makes m read its flows from the file beside the cache file
// p, when it is there with the size the cache file recorded.
func loadFlowsFile(p string, size int64, m *ingest.Model) bool {
	f, err := os.Open(flowsPath(p))
	if err != nil {
		return false
	}
	if st, err := f.Stat(); err != nil || st.Size() != size {
		f.Close()
		return false
	}
	m.ReadFlowsFrom(f, size)
	return true
}
