package analysis

import (
	"bytes"
	"crypto/sha256"
	"encoding/gob"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/pcaplab/pcaplab/analysis/internal/ingest"
)

// modelVersion changes whenever the model or its meaning changes, so that a
// new pcaplab never reads a model cached by an old one.
const modelVersion = "pcaplab-model-9"

// cacheFormat changes whenever the way the model is written to the cache
// changes (see cachecodec.go; codec-2: absolute file names); it is part of
// the key and of the file.
const cacheFormat = "codec-3"

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
	e := &encoder{}
	encodeFlows(e, m.Flows)
	encodeDNS(e, m.DNS)
	encodePorts(e, m.TCPPorts)
	encodePorts(e, m.UDPPorts)
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(cachedModel{Version: cacheVersion(), Model: &small, Big: e.b}); err != nil {
		return
	}
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, buf.Bytes(), 0o644); err != nil {
		return
	}
	os.Rename(tmp, p)
}
