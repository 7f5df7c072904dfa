package notebook

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/pcaplab/pcaplab/analysis"
)

// exit ends the cell's program; a variable so that tests can catch it.
var exit = os.Exit

// Open opens a capture for a notebook cell with the model cache
// (analysis.Cached, so that only the first cell reads the capture) and the
// options given. It never returns nil: when the capture cannot be opened it
// shows one error naming the absolute path it tried and the folder a
// relative path starts from, and stops the cell with exit status 1, which
// Jupyter reports as the cell's failure, so "Run All" stops there instead
// of repeating the error in every later cell. Outside a notebook it writes
// the error to standard error and exits with status 1.
func Open(path string, opts ...analysis.Option) *analysis.Capture {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	c, err := analysis.Open(abs, append([]analysis.Option{analysis.Cached()}, opts...)...)
	if err == nil {
		return c
	}
	msg := err.Error()
	if !filepath.IsAbs(path) {
		dir, _ := os.Getwd()
		msg += fmt.Sprintf("\n(%q is relative to %s, the folder this notebook runs in)", path, dir)
	}
	Error(openError(msg))
	exit(1)
	return nil // only when a test replaced exit
}

type openError string

func (e openError) Error() string { return string(e) }
