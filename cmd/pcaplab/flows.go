package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// cmdFlows writes the flow records as CSV (the columns of
// flow.Schema), to standard output or to a file.
func cmdFlows(args []string, stdout, stderr io.Writer) error {
	fs := command("flows", "pcaplab flows [-o FILE.csv] [--idle-timeout D] [--quiet] CAPTURE...", stderr)
	out := fs.String("o", "", "write the CSV to this file, or to DIR/flows.csv for a directory (replaced only once complete), instead of standard output")
	var cf captureFlags
	cf.register(fs)
	paths, err := parsePaths(fs, args)
	if err != nil {
		return err
	}
	if *out != "" {
		if *out, err = csvTarget(*out); err != nil {
			return err
		}
		for _, p := range paths {
			if sameFile(p, *out) {
				return fmt.Errorf("-o %s is one of the inputs: refusing to overwrite it", *out)
			}
		}
	}
	c, err := openCaptures(paths, &cf, stderr)
	if err != nil {
		return err
	}
	if *out == "" {
		return c.Flows().WriteCSV(stdout)
	}
	return writeAtomically(*out, func(w io.Writer) error { return c.Flows().WriteCSV(w) })
}

// csvTarget is the file -o names: DIR/flows.csv for a directory, else the
// name itself, which must not be anything but a regular file (a device, a
// FIFO or a symbolic link would be replaced by a regular file).
func csvTarget(out string) (string, error) {
	if st, err := os.Stat(out); err == nil && st.IsDir() {
		out = filepath.Join(out, "flows.csv")
	}
	st, err := os.Lstat(out)
	switch {
	case err == nil && !st.Mode().IsRegular():
		return "", fmt.Errorf("-o %s: not a regular file (a %s): write to a file or a directory", out, fileKind(st.Mode()))
	case err == nil, os.IsNotExist(err):
		return out, writableDir(filepath.Dir(out))
	}
	return "", fmt.Errorf("-o %s: %v", out, unwrapPathError(err))
}

func fileKind(m os.FileMode) string {
	switch {
	case m&os.ModeSymlink != 0:
		return "symbolic link"
	case m&os.ModeNamedPipe != 0:
		return "FIFO"
	case m&os.ModeDevice != 0:
		return "device"
	case m&os.ModeSocket != 0:
		return "socket"
	}
	return "special file"
}

// sameFile reports whether two names are the same existing file.
func sameFile(a, b string) bool {
	sa, err1 := os.Stat(a)
	sb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(sa, sb)
}

// writeAtomically writes to a temporary file beside path and renames it
// over path only when the write succeeded, so a failed run loses nothing.
func writeAtomically(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("%s: %v", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
