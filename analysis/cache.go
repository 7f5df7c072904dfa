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
const modelVersion = "pcaplab-model-8"

// cacheKey hashes the model's version, every option that changes the
// model (the whole Options struct but for Cache and Progress, which do not)
// and each file's path, size, modification time and first MiB.
func cacheKey(paths []string, o Options) (string, bool) {
	h := sha256.New()
	o.Cache, o.Progress = false, nil
	fmt.Fprintf(h, "%s\n%#v\n", modelVersion, o)
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
