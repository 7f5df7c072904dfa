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

	"github.com/pcaplab/pcaplab/analysis/internal/ingest"
)

// modelVersion changes whenever the model or its meaning changes, so that a
// new pcaplab never reads a model cached by an old one.
const modelVersion = "pcaplab-model-4"

// Cached makes Open keep the model it builds in the user's cache directory
// (os.UserCacheDir()/pcaplab/) and reuse it when the same files are opened
// again with the same options: the key is each file's path, size,
// modification time and a SHA-256 of its first MiB, the options, and the
// model's version. Notebooks, which re-run earlier cells, open a capture
// once. Standard input is never cached; a cache that cannot be read or
// written is ignored.
func Cached() Option {
	return func(o *ingest.Options) { o.Cache = true }
}

func cacheKey(paths []string, o ingest.Options) (string, bool) {
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%d %d %d %d %d\n", modelVersion, o.TCPTimeout, o.UDPTimeout, o.OtherTimeout, o.ClosedTimeout, o.BinWidth)
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

// cachedModel is what the cache file holds.
type cachedModel struct {
	Version string
	Model   *ingest.Model
}

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
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(&cm); err != nil || cm.Version != modelVersion || cm.Model == nil {
		return nil
	}
	return cm.Model
}

func storeCached(key string, m *ingest.Model) {
	p, err := cachePath(key)
	if err != nil {
		return
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return
	}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(cachedModel{Version: modelVersion, Model: m}); err != nil {
		return
	}
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, buf.Bytes(), 0o644); err != nil {
		return
	}
	os.Rename(tmp, p)
}
