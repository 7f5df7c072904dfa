package analysis

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
	"github.com/pcaplab/pcaplab/analysis/internal/capfile"
	"github.com/pcaplab/pcaplab/internal/synth"
	"github.com/pcaplab/pcaplab/store"
)

// splitCapture writes a capture's records as pieces (pcapng, nanosecond
// timestamps, one interface per link type), cutting before the given
// record numbers (1-based, ascending); it returns the pieces' paths.
func splitCapture(t *testing.T, path, dir string, cuts []int) []string {
	t.Helper()
	r, err := capfile.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var paths []string
	var f *os.File
	var bw *bufio.Writer
	var w *pcapgo.NgWriter
	ifaces := map[layers.LinkType]int{}
	closePiece := func() {
		if w != nil {
			must(t, w.Flush())
			must(t, bw.Flush())
			must(t, f.Close())
		}
	}
	for n := 1; ; n++ {
		data, rec, err := r.Next()
		if errors.Is(err, io.EOF) || err != nil && n > 1 {
			break
		}
		must(t, err)
		if n == 1 || len(cuts) > 0 && n == cuts[0] {
			for len(cuts) > 0 && cuts[0] <= n {
				cuts = cuts[1:]
			}
			closePiece()
			p := filepath.Join(dir, fmt.Sprintf("piece-%03d.pcapng", len(paths)))
			paths = append(paths, p)
			f, err = os.Create(p)
			must(t, err)
			bw = bufio.NewWriter(f)
			w, err = pcapgo.NewNgWriterInterface(bw, pcapgo.NgInterface{LinkType: rec.LinkType, TimestampResolution: 9, SnapLength: 0}, pcapgo.DefaultNgWriterOptions)
			must(t, err)
			ifaces = map[layers.LinkType]int{rec.LinkType: 0}
		}
		id, ok := ifaces[rec.LinkType]
		if !ok {
			id, err = w.AddInterface(pcapgo.NgInterface{LinkType: rec.LinkType, TimestampResolution: 9})
			must(t, err)
			ifaces[rec.LinkType] = id
		}
		ci := gopacket.CaptureInfo{Timestamp: time.Unix(0, rec.Time), CaptureLength: len(data), Length: rec.WireLen, InterfaceIndex: id}
		must(t, w.WritePacket(ci, data))
	}
	closePiece()
	return paths
}

// samplePieces opens the sample and splits it before the given records.
func samplePieces(t *testing.T, cuts ...int) (*Capture, []string) {
	t.Helper()
	sample := filepath.Join("..", "testdata", "sample.pcapng")
	one, err := Open(sample)
	must(t, err)
	return one, splitCapture(t, sample, t.TempDir(), cuts)
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// storeRecords reads every flow of a store back, as text, sorted.
func storeRecords(t *testing.T, dir string) []string {
	m, err := store.ReadManifest(dir)
	must(t, err)
	var out []string
	err = store.Each(dir, m, "flows", func(r *store.Flow) error {
		rec, err := r.Record()
		out = append(out, fmt.Sprintf("%+v", rec))
		return err
	})
	must(t, err)
	sort.Strings(out)
	return out
}

func captureRecords(c *Capture) []string {
	var out []string
	for _, r := range c.Flows().Records() {
		out = append(out, fmt.Sprintf("%+v", r))
	}
	sort.Strings(out)
	return out
}

// sameRecords reports the first difference between two sorted record lists.
func sameRecords(t *testing.T, what string, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d flows, one pass has %d", what, len(got), len(want))
	}
	for i := 0; i < len(got) && i < len(want); i++ {
		if got[i] != want[i] {
			t.Errorf("%s: flow %d differs:\nstore    %s\none pass %s", what, i, got[i], want[i])
			return
		}
	}
}

// Each shared capture split at random packet counts and ingested in
// shuffled batches gives exactly the flows of one pass over the pieces in
// time order (and re-ingesting a piece adds nothing).
func TestStoreShuffledBatchesEqualOnePass(t *testing.T) {
	rng := rand.New(rand.NewSource(14))
	for _, path := range storeCaptures(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			one, err := Open(path)
			must(t, err)
			n := int(one.Packets())
			var cuts []int
			for i := 0; i < 2+rng.Intn(5); i++ {
				cuts = append(cuts, 2+rng.Intn(max(n-1, 1)))
			}
			sort.Ints(cuts)
			pieces := splitCapture(t, path, t.TempDir(), cuts)
			sorted := piecesInTimeOrder(t, pieces)
			ref, err := OpenFiles(sorted)
			must(t, err)
			want := captureRecords(ref)
			dir := t.TempDir()
			batches := shuffledBatches(rng, pieces)
			for _, batch := range batches {
				_, err := Ingest(dir, batch)
				must(t, err)
			}
			sameAnswers(t, dir, ref)
			got := storeRecords(t, dir)
			sameRecords(t, fmt.Sprintf("%d pieces", len(pieces)), got, want)
			if fmt.Sprint(sorted) == fmt.Sprint(pieces) { // pieces in file order: the same as one pass over the capture
				sameRecords(t, "pieces in file order", got, captureRecords(one))
			}
			r, err := Ingest(dir, pieces[:1])
			must(t, err)
			if len(r.Added) != 0 || len(r.Skipped) != 1 {
				t.Errorf("re-ingesting a piece: %+v", r)
			}
			machines := mergedFromMachines(t, rng, shuffledBatches(rng, pieces))
			sameRecords(t, "stores of other machines merged", storeRecords(t, machines), want)
			sameAnswers(t, machines, ref)
		})
	}
}

// shuffledBatches deals the pieces, shuffled, into batches of random size.
func shuffledBatches(rng *rand.Rand, pieces []string) [][]string {
	var out [][]string
	order := rng.Perm(len(pieces))
	for len(order) > 0 {
		k := 1 + rng.Intn(len(order))
		var batch []string
		for _, i := range order[:k] {
			batch = append(batch, pieces[i])
		}
		out = append(out, batch)
		order = order[k:]
	}
	return out
}

// mergedFromMachines ingests each batch into a store of its own, as other
// machines would, deletes the pieces (the stores must not need them), and
// merges the stores into one in shuffled order, some two at a time; it
// returns the merged store.
func mergedFromMachines(t *testing.T, rng *rand.Rand, batches [][]string) string {
	t.Helper()
	var stores []string
	for _, batch := range batches {
		d := t.TempDir()
		_, err := Ingest(d, batch)
		must(t, err)
		stores = append(stores, d)
	}
	for _, batch := range batches {
		for _, p := range batch {
			must(t, os.Remove(p))
		}
	}
	dir := t.TempDir()
	order := rng.Perm(len(stores))
	for len(order) > 0 {
		k := min(len(order), 1+rng.Intn(2))
		var in []string
		for _, i := range order[:k] {
			in = append(in, stores[i])
		}
		order = order[k:]
		_, err := Ingest(dir, in)
		must(t, err)
	}
	return dir
}

// piecesInTimeOrder orders files by their first packet, then name, as
// the store does.
func piecesInTimeOrder(t *testing.T, paths []string) []string {
	type p struct {
		name  string
		first int64
	}
	var l []p
	for _, path := range paths {
		r, err := capfile.Open(path)
		must(t, err)
		_, rec, err := r.Next()
		r.Close()
		must(t, err)
		l = append(l, p{path, rec.Time})
	}
	sort.SliceStable(l, func(i, j int) bool {
		if l[i].first != l[j].first {
			return l[i].first < l[j].first
		}
		return filepath.Base(l[i].name) < filepath.Base(l[j].name)
	})
	out := make([]string, len(l))
	for i := range l {
		out[i] = l[i].name
	}
	return out
}

// A directory of pieces is one input (non-captures in it are named and
// left out); a piece that lands before others in the store makes them be
// read again, from their packet logs: the later pieces may be gone.
func TestStoreDirectoryAndReread(t *testing.T) {
	pieces := splitCapture(t, filepath.Join("..", "testdata", "sample.pcapng"), t.TempDir(), []int{500, 1000})
	one, err := Open(filepath.Join("..", "testdata", "sample.pcapng"))
	must(t, err)
	src := filepath.Dir(pieces[0])
	must(t, os.WriteFile(filepath.Join(src, "README.txt"), []byte("not a capture"), 0o644))
	dir := t.TempDir()
	r, err := Ingest(dir, []string{src})
	must(t, err)
	if len(r.Added) != 3 || len(r.Ignored) != 1 || !strings.Contains(r.Ignored[0], "README.txt: not a pcap or pcapng file") {
		t.Errorf("directory: %+v", r)
	}
	sameRecords(t, "directory", storeRecords(t, dir), captureRecords(one))

	dir = t.TempDir()
	_, err = Ingest(dir, pieces[1:])
	must(t, err)
	r, err = Ingest(dir, pieces[:1])
	must(t, err)
	if len(r.Reread) != 2 {
		t.Errorf("reread %v, want the 2 later pieces", r.Reread)
	}
	sameRecords(t, "earlier piece last", storeRecords(t, dir), captureRecords(one))

	dir = t.TempDir()
	_, err = Ingest(dir, pieces[1:])
	must(t, err)
	must(t, os.Remove(pieces[1]))
	must(t, os.Remove(pieces[2]))
	r, err = Ingest(dir, pieces[:1])
	must(t, err)
	if len(r.Reread) != 2 {
		t.Errorf("reread %v, want the 2 later pieces, from their packet logs", r.Reread)
	}
	sameRecords(t, "later pieces deleted", storeRecords(t, dir), captureRecords(one))
	if _, err := os.Stat(filepath.Join(dir, ".staging")); err == nil {
		t.Error("staging directory left behind")
	}
}

// Steady traffic in three files of about 4 MB, ingested last file first:
// the same flows as one pass; and a file changed in its middle after it
// was ingested changes nothing: it is read again from its packet log,
// which holds what was ingested.
func TestStoreLargerFilesChanged(t *testing.T) {
	src := t.TempDir()
	gen := synth.NewSteady(time.Date(2025, 1, 1, 23, 59, 0, 0, time.UTC), 5000)
	var paths []string
	for i := 0; i < 3; i++ {
		p := filepath.Join(src, fmt.Sprintf("steady-%d.pcap", i))
		f, err := os.Create(p)
		must(t, err)
		w := pcapgo.NewWriterNanos(f)
		must(t, w.WriteFileHeader(65535, layers.LinkTypeEthernet))
		var c synth.Capture
		gen.Next(&c, 6000)
		must(t, c.WriteTo(w))
		must(t, f.Close())
		paths = append(paths, p)
	}
	one, err := OpenFiles(paths)
	must(t, err)
	dir := t.TempDir()
	for i := 2; i >= 0; i-- {
		_, err := Ingest(dir, paths[i:i+1])
		must(t, err)
	}
	sameRecords(t, "last file first", storeRecords(t, dir), captureRecords(one))
	sameAnswers(t, dir, one)

	dir = t.TempDir()
	_, err = Ingest(dir, paths[1:])
	must(t, err)
	data, err := os.ReadFile(paths[2])
	must(t, err)
	if len(data) < 3<<20 {
		t.Fatalf("file of %d bytes: too small for the test", len(data))
	}
	data[len(data)/2] ^= 0xff
	must(t, os.WriteFile(paths[2], data, 0o644))
	_, err = Ingest(dir, paths[:1])
	must(t, err)
	sameRecords(t, "third file changed after its ingest", storeRecords(t, dir), captureRecords(one))
}

// A file that lands between files of the store makes the files after it be
// read again only until the state at their end is what it was: here four
// hours of traffic an hour apart, the second ingested last.
func TestStoreRereadStopsWhenStateConverges(t *testing.T) {
	src := t.TempDir()
	var paths []string
	for i := 0; i < 4; i++ {
		gen := synth.NewSteady(time.Date(2025, 3, 1, 8+i, 0, 0, 0, time.UTC), 5000)
		p := filepath.Join(src, fmt.Sprintf("hour-%d.pcap", i))
		f, err := os.Create(p)
		must(t, err)
		w := pcapgo.NewWriterNanos(f)
		must(t, w.WriteFileHeader(65535, layers.LinkTypeEthernet))
		var c synth.Capture
		gen.Next(&c, 3000)
		must(t, c.WriteTo(w))
		must(t, f.Close())
		paths = append(paths, p)
	}
	dir := t.TempDir()
	_, err := Ingest(dir, []string{paths[0], paths[2], paths[3]})
	must(t, err)
	r, err := Ingest(dir, paths[1:2])
	must(t, err)
	if len(r.Reread) != 1 || filepath.Base(r.Reread[0]) != "hour-2.pcap" {
		t.Errorf("read again %v, want hour-2.pcap only", r.Reread)
	}
	one, err := OpenFiles(paths)
	must(t, err)
	sameRecords(t, "second hour last", storeRecords(t, dir), captureRecords(one))
	sameAnswers(t, dir, one)
}

// A store merges only with stores made with its options and model
// version, and not into itself: one line each, and nothing changes.
func TestStoreMergeRefused(t *testing.T) {
	sample := filepath.Join("..", "testdata", "sample.pcapng")
	a, b := t.TempDir(), t.TempDir()
	_, err := Ingest(a, []string{sample})
	must(t, err)
	o := DefaultOptions()
	o.Timeouts.UDP = 2 * time.Minute
	_, err = Ingest(b, []string{sample}, WithOptions(o))
	must(t, err)
	before := storeRecords(t, a)
	for _, c := range []struct{ in, want string }{
		{b, "store made with UDP idle timeout 2m0s, but " + a + " with UDP idle timeout 1m0s"},
		{a, "a store cannot be ingested into itself"},
	} {
		_, err := Ingest(a, []string{c.in})
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("merging %s: %v, want one line with %q", c.in, err, c.want)
		}
	}
	sameRecords(t, "after refused merges", storeRecords(t, a), before)
}

// A damaged packet log is read around when its capture is still where it
// was ingested from, unchanged (and the log is written anew); when the
// capture is gone too, the ingest fails in one line that names the log,
// and the store is as it was.
func TestStoreDamagedLog(t *testing.T) {
	one, pieces := samplePieces(t, 500, 1000)
	dir := t.TempDir()
	_, err := Ingest(dir, pieces[1:])
	must(t, err)
	m, err := store.ReadManifest(dir)
	must(t, err)
	damage := func() string {
		log := filepath.Join(dir, m.Sources[1].Log)
		data, err := os.ReadFile(log)
		must(t, err)
		must(t, os.WriteFile(log, data[:len(data)/2], 0o644))
		return log
	}
	log := damage()
	r, err := Ingest(dir, pieces[:1])
	must(t, err)
	if len(r.Reread) != 2 {
		t.Errorf("reread %v, want the 2 later pieces", r.Reread)
	}
	sameRecords(t, "a damaged log read around", storeRecords(t, dir), captureRecords(one))
	merged := t.TempDir() // replays every log: the damaged one was written anew
	_, err = Ingest(merged, []string{dir})
	must(t, err)
	sameRecords(t, "its logs replayed", storeRecords(t, merged), captureRecords(one))

	dir = t.TempDir()
	_, err = Ingest(dir, pieces[1:])
	must(t, err)
	m, err = store.ReadManifest(dir)
	must(t, err)
	log = damage()
	before := storeRecords(t, dir)
	must(t, os.Remove(pieces[2]))
	_, err = Ingest(dir, pieces[:1])
	if err == nil || !strings.HasPrefix(err.Error(), log+": damaged packet log") || strings.Contains(err.Error(), "\n") {
		t.Errorf("damaged log, capture gone: %v", err)
	}
	sameRecords(t, "store after a refused ingest", storeRecords(t, dir), before)
}
