package report

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/pcaplab/pcaplab/table"
)

// tinyReport is a report with the given figures and tables, whose contents
// say which version (gen) they belong to.
func tinyReport(gen string, figures, tables []string) *Report {
	r := &Report{Title: "report " + gen}
	for _, f := range figures {
		r.Figures = append(r.Figures, &Figure{Name: f, PNG: []byte("\x89PNG " + gen + " " + f)})
	}
	for _, t := range tables {
		tb := table.New(table.Column{Name: "v"})
		tb.Add(gen + " " + t)
		r.Tables = append(r.Tables, &Table{Name: t, data: tb})
	}
	return r
}

// The user's files — in the directory, in figures/ and tables/, even the
// capture being analysed — survive every report; the files only the old
// report wrote go.
func TestWriteTouchesOnlyItsOwnFiles(t *testing.T) {
	dir := t.TempDir()
	mine := map[string]string{"mine.txt": "keep", "figures/my-own-plot.png": "mine", "tables/x.pcap": "capture",
		"tables/notes.csv": "my table", "figures/sub/a.png": "deep"}
	for n, v := range mine {
		writeFile(filepath.Join(dir, n), []byte(v))
	}
	if err := tinyReport("old", []string{"a", "gone"}, []string{"t", "gone"}).Write(dir, Output{}); err != nil {
		t.Fatal(err)
	}
	if err := tinyReport("new", []string{"a", "b"}, []string{"t"}).Write(dir, Output{}); err != nil {
		t.Fatal(err)
	}
	for n, v := range mine {
		if b, err := os.ReadFile(filepath.Join(dir, n)); err != nil || string(b) != v {
			t.Errorf("%s: %q, %v; want %q untouched", n, b, err, v)
		}
	}
	for _, n := range []string{"figures/gone.png", "tables/gone.csv"} {
		if _, err := os.Stat(filepath.Join(dir, n)); err == nil {
			t.Errorf("%s: the old report's file was left behind", n)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "figures/b.png")); !bytes.Contains(b, []byte("new b")) {
		t.Errorf("figures/b.png = %q", b)
	}
}

func TestWriteRefusesAFileAndASecondRun(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "file")
	os.WriteFile(f, []byte("x"), 0o644)
	if err := tinyReport("x", nil, nil).Write(f, Output{}); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("-o onto a file: %v", err)
	}
	od, err := openOutDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer od.close()
	if err := tinyReport("x", nil, nil).Write(dir, Output{}); err == nil || !strings.Contains(err.Error(), "another pcaplab report") {
		t.Errorf("a second run into a locked directory: %v", err)
	}
	link := filepath.Join(t.TempDir(), "out")
	os.Mkdir(link, 0o755)
	os.Symlink(t.TempDir(), filepath.Join(link, "figures"))
	if err := tinyReport("x", []string{"a"}, nil).Write(link, Output{}); err == nil {
		t.Error("figures/ as a symbolic link should be refused")
	}
}

// killHelper is run in a child process: it writes the "new" report and
// kills itself with SIGKILL just before rename number PCAPLAB_KILL_AT.
func TestKillHelper(t *testing.T) {
	dir, at := os.Getenv("PCAPLAB_KILL_DIR"), os.Getenv("PCAPLAB_KILL_AT")
	if dir == "" {
		t.Skip("helper for TestKillAtEachRename")
	}
	n, _ := strconv.Atoi(at)
	i := 0
	beforeRename = func(string) {
		if i == n {
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
		}
		i++
	}
	tinyReport("new", []string{"a", "b"}, []string{"t", "u"}).Write(dir, Output{})
}

// A report killed at any rename leaves every file complete, old or new,
// none missing, and the next run completes it and cleans up.
func TestKillAtEachRename(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a process per rename")
	}
	oldR := tinyReport("old", []string{"a", "c"}, []string{"t", "u"})
	newR := tinyReport("new", []string{"a", "b"}, []string{"t", "u"})
	renames := 2 + 2 + 2 + 1 // figures, tables, html+md, manifest
	for at := 0; at < renames; at++ {
		dir := t.TempDir()
		if err := oldR.Write(dir, Output{}); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, "mine.txt"), []byte("keep"), 0o644)
		cmd := exec.Command(os.Args[0], "-test.run=^TestKillHelper$")
		cmd.Env = append(os.Environ(), "PCAPLAB_KILL_DIR="+dir, "PCAPLAB_KILL_AT="+strconv.Itoa(at))
		cmd.Run()
		for _, name := range []string{"report.html", "report.md", "figures/a.png", "figures/c.png", "tables/t.csv", "tables/u.csv"} {
			b, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Errorf("killed at rename %d: %s missing", at, name)
				continue
			}
			if !bytes.Contains(b, []byte("old")) && !bytes.Contains(b, []byte("new")) {
				t.Errorf("killed at rename %d: %s is neither old nor new: %q", at, name, b)
			}
		}
		html, _ := os.ReadFile(filepath.Join(dir, "report.html"))
		if wantOld := at <= 5; bytes.Contains(html, []byte("report old")) != wantOld { // report.html is rename 5
			t.Errorf("killed at rename %d: report.html = %.40q (the kill did not happen where it should)", at, html)
		}
		if err := newR.Write(dir, Output{}); err != nil {
			t.Fatalf("after a kill at rename %d: %v", at, err)
		}
		if got, want := listDir(t, dir), ".pcaplab-report figures/a.png figures/b.png mine.txt report.html report.md tables/t.csv tables/u.csv"; got != want {
			t.Errorf("killed at rename %d, then rerun: %s\nwant %s", at, got, want)
		}
	}
}

func listDir(t *testing.T, dir string) string {
	var names []string
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			names = append(names, filepath.ToSlash(rel))
		}
		return nil
	})
	sort.Strings(names)
	return fmt.Sprint(strings.Join(names, " "))
}
