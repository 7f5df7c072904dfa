package report

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
)

// The output directory holds the user's files as well as the report's. The
// report touches only its own files — report.html, report.md, report.pdf,
// figures/NAME.png and tables/NAME.csv — and records their names in a
// manifest, so that the next report can remove the files the old one wrote
// and the new one does not, and nothing else. Each file is replaced by one
// rename, so at any moment (a kill included) every file of the report is
// either the old one or the new one, complete, and none is missing; the
// manifest is written last. A second run into the same directory waits for
// nothing: it fails at once with one line.
const (
	manifestName = ".pcaplab-report"
	tmpPrefix    = ".pcaplab-report-tmp-"
)

// beforeRename is called before each rename that puts a file of the new
// report in place (tests kill the process there).
var beforeRename = func(name string) {}

// outDir is an output directory locked for one report.
type outDir struct {
	path string
	lock *os.File
}

// openOutDir creates dir if needed, refuses anything that is not a
// directory, takes an advisory lock on it and removes temporary
// directories that an interrupted run left behind.
func openOutDir(dir string) (*outDir, error) {
	if st, err := os.Stat(dir); err == nil && !st.IsDir() {
		return nil, fmt.Errorf("-o %s: not a directory", dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("-o %s: %v", dir, unwrapPath(err))
	}
	f, err := os.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("-o %s: %v", dir, unwrapPath(err))
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("-o %s: another pcaplab report is being written there", dir)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.IsDir() && strings.HasPrefix(e.Name(), tmpPrefix) {
			os.RemoveAll(filepath.Join(dir, e.Name())) // stale: we hold the lock
		}
	}
	return &outDir{path: dir, lock: f}, nil
}

func (o *outDir) close() { o.lock.Close() }

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// ownNames are the only names a report writes (relative, slash-separated).
func ownName(name string) bool {
	switch {
	case name == "report.html" || name == "report.md" || name == "report.pdf":
		return true
	case strings.HasPrefix(name, "figures/") && strings.HasSuffix(name, ".png"):
		return !strings.Contains(name[len("figures/"):], "/")
	case strings.HasPrefix(name, "tables/") && strings.HasSuffix(name, ".csv"):
		return !strings.Contains(name[len("tables/"):], "/")
	}
	return false
}

// readManifest lists the files the previous report wrote (none when there
// was no report, or its manifest is not ours).
func (o *outDir) readManifest() []string {
	data, err := os.ReadFile(filepath.Join(o.path, manifestName))
	if err != nil {
		return nil
	}
	var out []string
	for _, l := range strings.Split(string(data), "\n") {
		if l = strings.TrimSpace(l); ownName(l) {
			out = append(out, l)
		}
	}
	return out
}

// install puts the files of a new report in place: each written into a
// temporary directory inside dir, then renamed over its old version, the
// HTML last; then the manifest; then the files only the old report had are
// removed.
func (o *outDir) install(files map[string]content, extra func(tmp string) (map[string][]byte, error)) error {
	tmp, err := os.MkdirTemp(o.path, tmpPrefix)
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	names := make([]string, 0, len(files))
	for name, write := range files {
		if !ownName(name) {
			return fmt.Errorf("internal error: the report may not write %q", name)
		}
		if err := writeContent(filepath.Join(tmp, name), write); err != nil {
			return fmt.Errorf("%s: %v", name, err)
		}
		names = append(names, name)
	}
	if extra != nil {
		more, err := extra(tmp)
		if err != nil {
			return err
		}
		for name := range more {
			names = append(names, name)
		}
	}
	sort.Slice(names, func(i, j int) bool { return installOrder(names[i]) < installOrder(names[j]) })
	for _, sub := range []string{"figures", "tables"} {
		if err := ownSubdir(filepath.Join(o.path, sub)); err != nil {
			return err
		}
	}
	old := o.readManifest()
	for _, name := range names {
		beforeRename(name)
		if err := os.Rename(filepath.Join(tmp, name), filepath.Join(o.path, name)); err != nil {
			return fmt.Errorf("-o %s: %v", o.path, unwrapPath(err))
		}
	}
	var man bytes.Buffer
	man.WriteString("# files written by pcaplab report; the next report replaces or removes these and nothing else\n")
	for _, n := range names {
		man.WriteString(n + "\n")
	}
	if err := writeFile(filepath.Join(tmp, manifestName), man.Bytes()); err != nil {
		return err
	}
	beforeRename(manifestName)
	if err := os.Rename(filepath.Join(tmp, manifestName), filepath.Join(o.path, manifestName)); err != nil {
		return err
	}
	o.removeStale(old, names)
	return nil
}

// installOrder puts figures and tables first and report.html last, so the
// page a reader opens is replaced when everything it points to is there.
func installOrder(name string) string {
	switch name {
	case "report.html":
		return "z2"
	case "report.md", "report.pdf":
		return "z1" + name
	}
	return "a" + name
}

// removeStale removes the files the old report wrote that the new one does
// not (a figure that is no longer drawn, a stale report.pdf).
func (o *outDir) removeStale(old, now []string) {
	keep := map[string]bool{}
	for _, n := range now {
		keep[n] = true
	}
	for _, n := range old {
		if !keep[n] {
			os.Remove(filepath.Join(o.path, filepath.FromSlash(n)))
		}
	}
}

// ownSubdir makes sure figures/ or tables/ is a real directory (not a
// symbolic link leading the report's files elsewhere).
func ownSubdir(p string) error {
	st, err := os.Lstat(p)
	switch {
	case os.IsNotExist(err):
		return os.Mkdir(p, 0o755)
	case err != nil:
		return err
	case !st.IsDir():
		return fmt.Errorf("%s exists and is not a directory: the report writes its files there", p)
	}
	return nil
}

func writeFile(p string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, data, 0o644)
}

// content writes a file's content: a file is written as it is made, so
// the flow table of ten million flows never lies in memory whole.
type content func(io.Writer) error

// bytesContent is content already in memory.
func bytesContent(b []byte) content {
	return func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	}
}

// writeContent writes a file through a buffer.
func writeContent(p string, write content) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	f, err := os.Create(p)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 256<<10)
	err = write(w)
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
