package chain

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/gob"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pcaplab/pcaplab/analysis/internal/ingest"
	"github.com/pcaplab/pcaplab/flow"
	"github.com/pcaplab/pcaplab/store"
)

// writer reads segments and writes their tables: into a staging
// directory first (.staging, which no engine's glob reaches), moved into
// the store only once everything was written, so a failed ingest leaves
// the store as it was.
type writer struct {
	dir, out string // the store; where files are written (the staging directory)
	cfg      ingest.Config
	lab      Labeler

	progress    func(uint64, int64) // cfg.Progress, counted over all files read
	donePackets uint64
	doneBytes   int64
}

// run reads the sources from index from on, each going on from the edge
// of the one before, writes their tables and then what is still open at
// the end, and commits the manifest. A source already in the store whose
// starting state is the one it was read with keeps its files: after a
// file lands in the middle of the store, files are read again only until
// the state at their end is what it was.
func (w *writer) run(m *store.Manifest, srcs []source, from int, rep *Report) error {
	in, err := w.oldEdge(srcs, from)
	if err != nil {
		return err
	}
	w.out = filepath.Join(w.dir, ".staging")
	if err := os.RemoveAll(w.out); err != nil {
		return err
	}
	defer os.RemoveAll(w.out)
	w.progress, w.donePackets, w.doneBytes = w.cfg.Progress, 0, 0
	for i := from; i < len(srcs); i++ {
		s := &srcs[i]
		if !s.isNew {
			old, err := w.oldEdge(srcs, i)
			if err != nil {
				return err
			}
			same, err := sameEdge(in, old)
			if err != nil {
				return err
			}
			if same {
				if in, err = readEdge(filepath.Join(w.dir, s.Edge)); err != nil {
					return err
				}
				continue // its files stand
			}
			rep.Reread = append(rep.Reread, s.Path)
		}
		if in, err = w.readSource(s, in, rep); err != nil {
			return err
		}
	}
	edgeFiles, n, err := w.writeEnd(in)
	if err != nil {
		return err
	}
	rep.Flows += n
	m.AnchorNS, m.EdgeFiles, m.Sources = in.Anchor, edgeFiles, nil
	for _, s := range srcs {
		m.Sources = append(m.Sources, s.SourceEntry)
	}
	if err := commit(w.out, w.dir); err != nil {
		return err
	}
	if err := m.Write(w.dir); err != nil {
		return err
	}
	return cleanup(w.dir, m)
}

// oldEdge is the state the store holds at the end of the source before
// srcs[i] among those already in the store (nil: none before it).
func (w *writer) oldEdge(srcs []source, i int) (*ingest.Edge, error) {
	for j := i - 1; j >= 0; j-- {
		if !srcs[j].isNew {
			return readEdge(filepath.Join(w.dir, srcs[j].Edge))
		}
	}
	return nil, nil
}

// sameEdge reports whether two engine states are equal (nil: the start).
func sameEdge(a, b *ingest.Edge) (bool, error) {
	if a == nil || b == nil {
		return a == b, nil
	}
	var x, y bytes.Buffer
	if err := gob.NewEncoder(&x).Encode(a); err != nil {
		return false, err
	}
	if err := gob.NewEncoder(&y).Encode(b); err != nil {
		return false, err
	}
	return bytes.Equal(x.Bytes(), y.Bytes()), nil
}

// readSource reads one source from the state in, writes its tables and
// its edge, and returns the state at its end. A new capture file is read
// (and hashed, and its packet log written); a source of this store or of
// another one is replayed from its packet log.
func (w *writer) readSource(s *source, in *ingest.Edge, rep *Report) (*ingest.Edge, error) {
	cfg := w.cfg
	if p := w.progress; p != nil { // counts from the first file read, not per file
		done, doneBytes := w.donePackets, w.doneBytes
		cfg.Progress = func(n uint64, b int64) { p(done+n, doneBytes+b) }
	}
	var mod *ingest.Model
	var out *ingest.Edge
	var err error
	counted := &rep.Packets
	if s.isNew && s.logFrom == "" {
		mod, out, err = w.readCapture(s, cfg, in)
	} else {
		mod, out, err = w.replay(s, cfg, in)
		counted = &rep.Replayed // or read around a damaged log: counted as replayed still
	}
	if err != nil {
		return nil, err
	}
	files, n, err := w.writeSource(s, mod)
	if err != nil {
		return nil, err
	}
	s.Edge = filepath.Join("edges", s.Tag()+".edge")
	if err := writeEdge(filepath.Join(w.out, s.Edge), out); err != nil {
		return nil, err
	}
	s.Files = files
	*counted += mod.Packets
	if counted == &rep.Packets {
		for _, f := range mod.Files {
			if f.Warning != "" {
				rep.Warnings = append(rep.Warnings, f.Warning)
			}
		}
	}
	rep.Flows += n
	w.donePackets += mod.Packets
	w.doneBytes += s.Size
	return out, nil
}

// readCapture reads a new capture file, hashing it and writing its
// packet log into the staging directory as it goes (one read).
func (w *writer) readCapture(s *source, cfg ingest.Config, in *ingest.Edge) (*ingest.Model, *ingest.Edge, error) {
	if err := os.MkdirAll(filepath.Join(w.out, "logs"), 0o755); err != nil {
		return nil, nil, err
	}
	f, err := os.CreateTemp(filepath.Join(w.out, "logs"), ".new-*")
	if err != nil {
		return nil, nil, err
	}
	if err := f.Chmod(0o644); err != nil { // as the store's other files
		f.Close()
		return nil, nil, err
	}
	defer os.Remove(f.Name()) // once renamed, this does nothing
	bw := bufio.NewWriterSize(f, 1<<20)
	h := sha256.New()
	mod, out, err := ingest.BuildSegment([]string{s.Path}, cfg, in, h, bw)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, nil, err
	}
	switch sum := hex.EncodeToString(h.Sum(nil)); {
	case s.SHA256 == "":
		s.SHA256 = sum
	case sum != s.SHA256: // hashed when planned, changed since
		return nil, nil, fmt.Errorf("%s: its content changed (its SHA-256 is no longer %s…)", s.Path, s.SHA256[:12])
	}
	s.Log = filepath.Join("logs", s.Tag()+".log")
	return mod, out, os.Rename(f.Name(), filepath.Join(w.out, s.Log))
}

// replay reads a source again from its packet log: this store's, or
// (logFrom) another store's, which is copied into this one. When the log
// is missing or damaged but the capture is where it was ingested from,
// unchanged, the capture is read instead and its log written anew.
func (w *writer) replay(s *source, cfg ingest.Config, in *ingest.Edge) (*ingest.Model, *ingest.Edge, error) {
	mod, out, err := w.replayLog(s, cfg, in)
	if err == nil {
		return mod, out, nil
	}
	if size, fp, ferr := fingerprint(s.Path); ferr != nil || size != s.Size || fp != s.Fingerprint {
		return nil, nil, err
	}
	mod, out, rerr := w.readCapture(s, cfg, in)
	if rerr != nil {
		return nil, nil, fmt.Errorf("%v; and reading the capture instead: %v", err, rerr)
	}
	return mod, out, nil
}

func (w *writer) replayLog(s *source, cfg ingest.Config, in *ingest.Edge) (*ingest.Model, *ingest.Edge, error) {
	path := filepath.Join(w.dir, s.Log)
	if s.logFrom != "" {
		path = s.logFrom
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: the packet log of %s: %v", path, s.Path, errors.Unwrap(err))
	}
	defer f.Close()
	mod, out, err := ingest.ReplaySegment(path, f, cfg, in)
	if err != nil || s.logFrom == "" {
		return mod, out, err
	}
	s.Log = filepath.Join("logs", s.Tag()+".log")
	return mod, out, copyFile(path, filepath.Join(w.out, s.Log))
}

// copyFile copies a file whole.
func copyFile(from, to string) error {
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return err
	}
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.Create(to)
	if err != nil {
		return err
	}
	_, err = io.Copy(dst, src)
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	return err
}

// commit moves the staged files into the store, replacing their old
// versions.
func commit(stage, dir string) error {
	return filepath.WalkDir(stage, func(p string, de os.DirEntry, err error) error {
		if err != nil || de.IsDir() {
			return err
		}
		rel, err := filepath.Rel(stage, p)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, rel)), 0o755); err != nil {
			return err
		}
		return os.Rename(p, filepath.Join(dir, rel))
	})
}

// writeFlows labels and writes flows with the given file tag.
func (w *writer) writeFlows(tag string, each func(func(*flow.Flow)) error) ([]string, int, error) {
	fw := store.NewFlowWriter(w.out, tag)
	n := 0
	var werr error
	err := each(func(f *flow.Flow) {
		if werr == nil {
			r := flow.Record{Flow: *f, Labels: w.lab.Flow(f)}
			werr = fw.Write(store.FlowOf(&r))
			n++
		}
	})
	if err == nil {
		err = werr
	}
	if err == nil {
		err = fw.Close()
	}
	return fw.Files, n, err
}

// writeSource writes one segment's tables, named after its source.
func (w *writer) writeSource(s *source, m *ingest.Model) ([]string, int, error) {
	tag := s.Tag()
	files, n, err := w.writeFlows(tag, m.EachFlow) // in memory, compact or spilled
	if err != nil {
		return nil, 0, err
	}
	part := "part-" + tag + ".parquet"
	tables := []struct {
		dir   string
		write func(string) error
	}{
		{"bins", func(p string) error { return store.WriteFile(p, bins(m)) }},
		{"hosts", func(p string) error { return store.WriteFile(p, w.hosts(m, s.FirstNS)) }},
		{"ports", func(p string) error { return store.WriteFile(p, ports(m)) }},
		{"counters", func(p string) error { return store.WriteFile(p, counters(m)) }},
		{"sources", func(p string) error { return store.WriteFile(p, []store.Source{sourceRow(s, m)}) }},
		{"dns", func(p string) error { return store.WriteFile(p, w.dns(m.DNS)) }},
		{"icmp", func(p string) error { return store.WriteFile(p, w.icmp(m.ICMPErrors)) }},
	}
	for _, t := range tables {
		rel := filepath.Join(t.dir, part)
		if err := t.write(filepath.Join(w.out, rel)); err != nil {
			return nil, 0, err
		}
		files = append(files, rel)
	}
	return files, n, nil
}

// writeEnd writes what is still open after the last source: its flows
// end there (end reason eof), its DNS queries stay unanswered, and the
// DHCP transactions are complete.
func (w *writer) writeEnd(e *ingest.Edge) ([]string, int, error) {
	open := e.Flows(w.cfg)
	files, n, err := w.writeFlows("edge", func(fn func(*flow.Flow)) error {
		for i := range open {
			fn(&open[i])
		}
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	if len(files) == 0 { // keep one flows file, so that engines always find the table
		rel := filepath.Join(store.Partition(e.Anchor), "part-edge-0.parquet")
		if err := store.WriteFile(filepath.Join(w.out, rel), []store.Flow{}); err != nil {
			return nil, 0, err
		}
		files = append(files, rel)
	}
	dns, dhcp := filepath.Join("dns", "part-edge.parquet"), filepath.Join("dhcp", "part-edge.parquet")
	if err := store.WriteFile(filepath.Join(w.out, dns), w.dns(e.DNSOpen)); err != nil {
		return nil, 0, err
	}
	if err := store.WriteFile(filepath.Join(w.out, dhcp), dhcpRows(e.DHCP)); err != nil {
		return nil, 0, err
	}
	return append(files, dns, dhcp), n, nil
}

// tableDirs are the directories a store's files live in.
var tableDirs = []string{"flows", "bins", "hosts", "ports", "counters", "sources", "dns", "icmp", "dhcp", "edges", "logs"}

// cleanup removes the files of the table directories that the manifest
// does not name: those of an earlier version of a re-read source, or of an
// ingest that was interrupted.
func cleanup(dir string, m *store.Manifest) error {
	keep := map[string]bool{}
	for _, s := range m.Sources {
		for _, f := range s.Files {
			keep[f] = true
		}
		keep[s.Edge], keep[s.Log] = true, true
	}
	for _, f := range m.EdgeFiles {
		keep[f] = true
	}
	for _, d := range tableDirs {
		err := filepath.WalkDir(filepath.Join(dir, d), func(p string, de os.DirEntry, err error) error {
			if err != nil || de.IsDir() {
				return nil
			}
			if rel, _ := filepath.Rel(dir, p); !keep[rel] {
				return os.Remove(p)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func bins(m *ingest.Model) []store.Bin {
	out := make([]store.Bin, 0, len(m.Bins))
	for k, c := range m.Bins {
		start := m.BinOrigin + k*m.BinWidth
		out = append(out, store.Bin{StartNS: start, Start: store.Micros(start), WidthNS: m.BinWidth, Packets: int64(c.Packets), Bytes: int64(c.Bytes)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].StartNS < out[j].StartNS })
	return out
}

func (w *writer) hosts(m *ingest.Model, sourceFirst int64) []store.Host {
	out := make([]store.Host, 0, len(m.Hosts))
	for a, h := range m.Hosts {
		if h.Packets == 0 && h.Flows == 0 {
			continue // the host of a flow carried over from an earlier file, silent here
		}
		l := w.lab.Host(a)
		fam := "IPv6"
		if a.Is4() {
			fam = "IPv4"
		}
		mac := ""
		if h.MAC != ([6]byte{}) {
			mac = net.HardwareAddr(h.MAC[:]).String()
		}
		out = append(out, store.Host{Addr: a.String(), AddrKey: flow.AddrKey(a), Family: fam, Kind: l.Kind, Scope: l.Scope,
			Country: l.Country, CountryName: l.CountryName,
			Packets: int64(h.Packets), Bytes: int64(h.Bytes), SentPackets: int64(h.Sent.Packets), SentBytes: int64(h.Sent.Bytes),
			ReceivedPackets: int64(h.Received.Packets), ReceivedBytes: int64(h.Received.Bytes), Flows: int64(h.Flows),
			Originated: int64(h.Originated), MAC: mac, SourceFirstNS: sourceFirst})
	}
	sort.Slice(out, func(i, j int) bool { return string(out[i].AddrKey) < string(out[j].AddrKey) })
	return out
}

func ports(m *ingest.Model) []store.Port {
	var out []store.Port
	for _, t := range []struct {
		name  string
		ports []ingest.PortStats
	}{{"TCP", m.TCPPorts}, {"UDP", m.UDPPorts}} {
		for p, s := range t.ports {
			if s.Packets > 0 {
				out = append(out, store.Port{Proto: t.name, Port: int32(p), Packets: int64(s.Packets), Bytes: int64(s.Bytes),
					AsSource: int64(s.AsSource), AsDest: int64(s.AsDest)})
			}
		}
	}
	return out
}

func counters(m *ingest.Model) []store.Counter {
	var out []store.Counter
	add := func(kind, name string, num int64, c ingest.Counter) {
		out = append(out, store.Counter{Kind: kind, Name: name, Number: num, Packets: int64(c.Packets), Bytes: int64(c.Bytes)})
	}
	for p, c := range m.IPProtocols {
		if c.Packets > 0 {
			add("ip_protocol", flow.Proto(p).String(), int64(p), c)
		}
	}
	for lt, c := range m.LinkTypes {
		add("link_type", ingest.LinkTypeName(lt), int64(lt), *c)
	}
	for name, c := range m.NonIP {
		add("non_ip", name, 0, *c)
	}
	for reason, n := range m.Skipped {
		add("skipped", reason, 0, ingest.Counter{Packets: n})
	}
	if m.VLAN.Single+m.VLAN.Double > 0 {
		add("vlan", "single", 0, ingest.Counter{Packets: m.VLAN.Single})
		add("vlan", "double", 0, ingest.Counter{Packets: m.VLAN.Double})
	}
	for id, n := range m.VLAN.IDs {
		add("vlan_id", fmt.Sprint(id), int64(id), ingest.Counter{Packets: n})
	}
	for name, n := range m.Dropped.Counts() {
		if *n > 0 {
			add("dropped", name, 0, ingest.Counter{Packets: *n})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		return a.Number < b.Number || a.Number == b.Number && a.Name < b.Name
	})
	return out
}

func sourceRow(s *source, m *ingest.Model) store.Source {
	r := store.Source{Name: s.Path, SHA256: s.SHA256, FirstNS: m.First, LastNS: m.Last, Packets: int64(m.Packets),
		Bytes: int64(m.Bytes), FlowsEnded: int64(m.NFlows), DNSAnswered: int64(m.DNSAnswered), Evicted: int64(m.Evicted),
		Fragments: int64(m.Fragments), FragOrphans: int64(m.FragOrphans)}
	for _, f := range m.Files {
		r.Format, r.LinkTypes, r.Warning = f.Format, strings.Join(f.LinkTypes, ", "), f.Warning
	}
	return r
}

func (w *writer) dns(l []ingest.DNSTransaction) []store.DNS {
	out := make([]store.DNS, len(l))
	for i := range l {
		t := &l[i]
		out[i] = store.DNS{Client: t.Client.String(), ClientKey: flow.AddrKey(t.Client), Server: t.Server.String(), ServerKey: flow.AddrKey(t.Server),
			ClientPort: int32(t.ClientPort), ID: int32(t.ID), Name: t.Name, QType: int32(t.QType), QueryNS: t.QueryTime,
			ResponseNS: t.ResponseTime, Answered: t.Answered, RCode: int32(t.RCode), Answers: int32(t.Answers), Failure: w.lab.DNS(t)}
	}
	return out
}

func (w *writer) icmp(l []ingest.ICMPError) []store.ICMP {
	out := make([]store.ICMP, len(l))
	for i := range l {
		e := &l[i]
		q := e.Quoted
		k := flow.MakeKey(q.Proto, q.Src, q.Dst, q.SrcPort, q.DstPort)
		dir := "orig"
		if e.QuotedDir == flow.FromResp {
			dir = "resp"
		}
		fail, sig := w.lab.ICMP(e)
		out[i] = store.ICMP{TimeNS: e.Time, From: e.From.String(), To: e.To.String(), V6: e.V6, Type: int32(e.Type), Code: int32(e.Code),
			QProto: q.Proto.String(), QSrc: q.Src.String(), QDst: q.Dst.String(), QDstKey: flow.AddrKey(q.Dst), QSrcPort: int32(q.SrcPort),
			QDstPort: int32(q.DstPort), QHasPorts: q.HasPorts,
			QFlowKey: fmt.Sprintf("%s %s:%d %s:%d", k.Proto, k.A, k.PortA, k.B, k.PortB),
			Matched:  e.Matched, QuotedDir: dir, Answered: e.Answered, Failure: fail, Signal: sig}
	}
	return out
}

func dhcpRows(l []ingest.DHCPTransaction) []store.DHCP {
	out := make([]store.DHCP, len(l))
	for i, t := range l {
		srv := ""
		if t.Server.IsValid() {
			srv = t.Server.String()
		}
		out[i] = store.DHCP{Client: net.HardwareAddr(t.Client[:]).String(), XID: int64(t.XID), Discovers: int32(t.Discovers),
			Offers: int32(t.Offers), Requests: int32(t.Requests), Informs: int32(t.Informs), Acks: int32(t.Acks), Naks: int32(t.Naks),
			FirstDiscover: t.FirstDiscover, FirstOffer: t.FirstOffer, FirstRequest: t.FirstRequest, FirstAck: t.FirstAck,
			Server: srv, ServerKey: flow.AddrKey(t.Server)}
	}
	return out
}
