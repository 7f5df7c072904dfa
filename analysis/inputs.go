package analysis

import (
	"fmt"
	"os"
	"sort"
	"time"

	"github.com/pcaplab/pcaplab/analysis/internal/capfile"
	"github.com/pcaplab/pcaplab/analysis/internal/ingest"
	"github.com/pcaplab/pcaplab/units"
)

// orderInputs prepares several capture files to be read as one input: a
// file identical to an earlier one (same size and SHA-256) is read once, and
// the files are read in the order of their first packet's time (rotated
// captures given in any order, or by a shell glob that sorts file10 before
// file2). It returns the paths to read and warnings for each change made.
func orderInputs(paths []string) ([]string, []string) {
	if len(paths) < 2 {
		return paths, nil
	}
	var warnings []string
	kept := dropDuplicates(paths, &warnings)
	type file struct {
		path  string
		first int64
		ok    bool
	}
	files := make([]file, len(kept))
	for i, p := range kept {
		files[i].path = p
		first, err := capfile.FirstTime(p)
		files[i].first, files[i].ok = first, err == nil
	}
	sorted := sort.SliceIsSorted(files, func(i, j int) bool { return files[i].ok && files[j].ok && files[i].first < files[j].first })
	sort.SliceStable(files, func(i, j int) bool { return files[i].ok && files[j].ok && files[i].first < files[j].first })
	out := make([]string, len(files))
	for i, f := range files {
		out[i] = f.path
	}
	if !sorted {
		warnings = append(warnings, fmt.Sprintf("the captures are read in the order of their first packets, not as given: %v", out))
	}
	return out, warnings
}

// dropDuplicates leaves out files identical to an earlier one. Only files
// of equal size are hashed.
func dropDuplicates(paths []string, warnings *[]string) []string {
	bySize := map[int64][]int{}
	for i, p := range paths {
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			bySize[st.Size()] = append(bySize[st.Size()], i)
		}
	}
	drop := map[int]bool{}
	for _, idx := range bySize {
		seen := map[[32]byte]int{}
		for _, i := range idx {
			if len(idx) < 2 {
				break
			}
			_, h, err := capfile.Hash(paths[i])
			if err != nil {
				continue // unreadable: the read that follows says why
			}
			if j, dup := seen[h]; dup {
				drop[i] = true
				*warnings = append(*warnings, fmt.Sprintf("%s is identical to %s (same size and SHA-256): read once", paths[i], paths[j]))
				continue
			}
			seen[h] = i
		}
	}
	var out []string
	for i, p := range paths {
		if !drop[i] {
			out = append(out, p)
		}
	}
	return out
}

// overlaps warns of files whose time spans overlap (files are read in the
// order of their first packet): rotated captures of one link never do, so
// an overlap means the same traffic twice (two captures of one link,
// counted twice) or two links (two interfaces, which is fine).
func overlaps(files []ingest.FileInfo) []string {
	var out []string
	for i := 1; i < len(files); i++ {
		a, b := files[i-1], files[i]
		if a.Packets == 0 || b.Packets == 0 || b.First >= a.Last {
			continue
		}
		out = append(out, fmt.Sprintf("%s and %s overlap in time by %s: if they captured the same link, its packets are counted twice; if two links, that is expected",
			a.Name, b.Name, units.Duration(time.Duration(min(a.Last, b.Last)-b.First))))
	}
	return out
}
