package analysis

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pcaplab/pcaplab/analysis/internal/chain"
	"github.com/pcaplab/pcaplab/analysis/internal/decode"
	"github.com/pcaplab/pcaplab/analysis/internal/ingest"
	"github.com/pcaplab/pcaplab/flow"
	"github.com/pcaplab/pcaplab/store"
)

// IngestReport says what Ingest did: the files read for the first time
// (or merged from another store), those already in the store (same
// content), those of the store read again from their packet logs because
// a file landed before them, the files of a directory that are not
// captures, the packets read from captures and those replayed from
// packet logs, and the flow rows written.
type IngestReport struct {
	Added, Skipped, Reread, Ignored []string
	Warnings                        []string // a new capture read only in part: why (its packets up to there are in)
	Packets, Replayed               uint64
	Flows                           int
	Elapsed                         time.Duration
}

// Ingest adds capture files (or the captures in a directory) to the flow
// store in dir (package store; made if needed). A store is one input: its
// files are read in order of their first packet, each going on from the
// state the one before left (the flows, TCP connections, fragments, DNS
// queries and DHCP transactions still open), so the store equals one pass
// over all of them whatever order and batches they were ingested in. A
// file already in the store (same SHA-256) adds nothing. The store keeps
// each file's packet log (what the engine read of every packet, 6–14
// bytes a packet): a file that lands before files already in the store
// makes those be replayed from their logs, until the state at the end of
// one of them is what the store held, so no capture is needed again once
// ingested. An input that is itself a store (made on another machine,
// say) merges its files the same way. The options are the store's: a
// store made with other options, or by another model version, is refused,
// and so is merging such a store. Options.MaxFlows applies as in one pass.
func Ingest(dir string, inputs []string, opts ...Option) (IngestReport, error) {
	o := resolve(opts)
	cfg := o.config()
	r, err := chain.Ingest(dir, inputs, cfg, modelVersion, labeler{})
	return IngestReport(r), err
}

// labeler computes the labels the store keeps, by this package's
// definitions.
type labeler struct{}

func (labeler) Flow(f *flow.Flow) flow.Labels { return (*Capture)(nil).Label(f) }

// Host labels an address with the embedded country data (Country), as a
// Capture without UseGeoIP looks it up.
func (labeler) Host(a netip.Addr) chain.HostLabels {
	code, name := Country(a)
	return chain.HostLabels{Kind: AddressKind(a), Scope: AddressScope(a), Country: code, CountryName: name}
}

func (labeler) DNS(t *ingest.DNSTransaction) string {
	if t.QueryTime == 0 {
		return "" // a response whose query was not seen: no request to judge
	}
	return dnsFailure(*t)
}

func (labeler) ICMP(e *ingest.ICMPError) (failure, signal string) {
	if sig := icmpSignal(*e); sig != "" {
		return "", sig
	}
	return unreachableClass(*e), ""
}

// OpenStore opens a flow store made by Ingest as a Capture: the same
// questions, answered from the store. The packet-level counters (hosts,
// ports, time bins, IP protocols …) and the evidence of failures are read
// into memory (their size grows with addresses and time, not with flows);
// the flows are read from the Parquet files anew by every question that
// needs them, so memory stays flat in the number of flows, as for a
// capture whose flows were spilled to disk (Flows().Slice reads them all),
// in start order.
// As there, only the DNS transactions that failed are kept. The options
// are the store's.
func OpenStore(dir string) (*Capture, error) {
	if !isStore(dir) {
		return nil, fmt.Errorf("%s: %v", dir, store.ErrNoStore)
	}
	man, err := store.ReadManifest(dir)
	if err != nil {
		return nil, err
	}
	o, err := storeOptions(man.Options)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", dir, err)
	}
	m := &ingest.Model{Hosts: map[netip.Addr]*ingest.HostStats{}, TCPPorts: make([]ingest.PortStats, 65536),
		UDPPorts: make([]ingest.PortStats, 65536), LinkTypes: map[uint16]*ingest.Counter{}, NonIP: map[string]*ingest.Counter{},
		Skipped: map[string]uint64{}, Bins: map[int64]*ingest.Counter{}, BinWidth: int64(o.BinWidth), BinOrigin: man.AnchorNS}
	for _, load := range []func(string, *store.Manifest, *ingest.Model) error{loadSources, loadHosts, loadPorts, loadCounters,
		loadBins, loadDNS, loadICMP, loadDHCP} {
		if err := load(dir, man, m); err != nil {
			return nil, err
		}
	}
	n, err := store.Rows(dir, man, "flows")
	if err != nil {
		return nil, err
	}
	m.FlowSource(int(n), func(fn func(*flow.Flow)) error {
		return store.EachFlow(dir, man, func(r *flow.Record) error {
			fn(&r.Flow)
			return nil
		})
	})
	return &Capture{m: m, opt: o}, nil
}

// storeOptions reads the options a store was made with.
func storeOptions(s store.Options) (Options, error) {
	o := DefaultOptions()
	var err error
	for _, f := range []struct {
		text string
		d    *time.Duration
	}{{s.TCPTimeout, &o.Timeouts.TCP}, {s.UDPTimeout, &o.Timeouts.UDP}, {s.OtherTimeout, &o.Timeouts.Other},
		{s.ClosedTimeout, &o.Timeouts.Closed}, {s.BinWidth, &o.BinWidth}, {s.TransferGap, &o.TransferGap}} {
		if *f.d, err = time.ParseDuration(f.text); err != nil {
			return o, fmt.Errorf("manifest options: %v", err)
		}
	}
	if o.BinWidth <= 0 {
		return o, fmt.Errorf("manifest options: bin width %v", o.BinWidth)
	}
	o.MaxFlows = s.MaxFlows
	return o, nil
}

func loadSources(dir string, man *store.Manifest, m *ingest.Model) error {
	logs := map[string]string{} // by SHA-256: the packet logs, which Series reads
	for _, s := range man.Sources {
		logs[s.SHA256] = s.Log
	}
	first := true
	return store.Each(dir, man, "sources", func(s *store.Source) error {
		log, ok := logs[s.SHA256]
		if !ok {
			return fmt.Errorf("%s: sources: %s (SHA-256 %.12s…) is not in the manifest", dir, s.Name, s.SHA256)
		}
		fi := ingest.FileInfo{Name: s.Name, Format: s.Format, Packets: uint64(s.Packets), Bytes: uint64(s.Bytes), Warning: s.Warning,
			Log: filepath.Join(dir, log)}
		if s.LinkTypes != "" {
			fi.LinkTypes = strings.Split(s.LinkTypes, ", ")
		}
		m.Files = append(m.Files, fi)
		m.Packets += uint64(s.Packets)
		m.Bytes += uint64(s.Bytes)
		if first || s.FirstNS < m.First {
			m.First = s.FirstNS
		}
		if first || s.LastNS > m.Last {
			m.Last = s.LastNS
		}
		first = false
		m.DNSAnswered += uint64(s.DNSAnswered)
		m.Evicted += uint64(s.Evicted)
		m.Fragments += uint64(s.Fragments)
		m.FragOrphans += uint64(s.FragOrphans)
		return nil
	})
}

func loadHosts(dir string, man *store.Manifest, m *ingest.Model) error {
	macFrom := map[netip.Addr]int64{}
	return store.Each(dir, man, "hosts", func(r *store.Host) error {
		a, err := netip.ParseAddr(r.Addr)
		if err != nil {
			return fmt.Errorf("%s: hosts: %v", dir, err)
		}
		h := m.Hosts[a]
		if h == nil {
			h = &ingest.HostStats{}
			m.Hosts[a] = h
		}
		h.Packets += uint64(r.Packets)
		h.Bytes += uint64(r.Bytes)
		h.Sent.Packets += uint64(r.SentPackets)
		h.Sent.Bytes += uint64(r.SentBytes)
		h.Received.Packets += uint64(r.ReceivedPackets)
		h.Received.Bytes += uint64(r.ReceivedBytes)
		h.Flows += uint64(r.Flows)
		h.Originated += uint64(r.Originated)
		if s, seen := macFrom[a]; r.MAC != "" && (!seen || r.SourceFirstNS < s) { // the first file's hardware address
			if hw, err := net.ParseMAC(r.MAC); err == nil && len(hw) == 6 {
				copy(h.MAC[:], hw)
				macFrom[a] = r.SourceFirstNS
			}
		}
		return nil
	})
}

func loadPorts(dir string, man *store.Manifest, m *ingest.Model) error {
	return store.Each(dir, man, "ports", func(r *store.Port) error {
		ports := m.TCPPorts
		if r.Proto == "UDP" {
			ports = m.UDPPorts
		}
		p := &ports[uint16(r.Port)]
		p.Packets += uint64(r.Packets)
		p.Bytes += uint64(r.Bytes)
		p.AsSource += uint64(r.AsSource)
		p.AsDest += uint64(r.AsDest)
		return nil
	})
}

func loadCounters(dir string, man *store.Manifest, m *ingest.Model) error {
	add := func(c *ingest.Counter, r *store.Counter) {
		c.Packets += uint64(r.Packets)
		c.Bytes += uint64(r.Bytes)
	}
	named := func(l map[string]*ingest.Counter, k string) *ingest.Counter {
		if l[k] == nil {
			l[k] = &ingest.Counter{}
		}
		return l[k]
	}
	return store.Each(dir, man, "counters", func(r *store.Counter) error {
		switch r.Kind {
		case "ip_protocol":
			add(&m.IPProtocols[uint8(r.Number)], r)
		case "link_type":
			if m.LinkTypes[uint16(r.Number)] == nil {
				m.LinkTypes[uint16(r.Number)] = &ingest.Counter{}
			}
			add(m.LinkTypes[uint16(r.Number)], r)
		case "non_ip":
			add(named(m.NonIP, r.Name), r)
		case "skipped":
			m.Skipped[r.Name] += uint64(r.Packets)
		case "vlan":
			if r.Name == "single" {
				m.VLAN.Single += uint64(r.Packets)
			} else {
				m.VLAN.Double += uint64(r.Packets)
			}
		case "vlan_id":
			if m.VLAN.IDs == nil {
				m.VLAN.IDs = map[uint16]uint64{}
			}
			m.VLAN.IDs[uint16(r.Number)] += uint64(r.Packets)
		case "dropped":
			if n := m.Dropped.Counts()[r.Name]; n != nil {
				*n += uint64(r.Packets)
			}
		}
		return nil
	})
}

func loadBins(dir string, man *store.Manifest, m *ingest.Model) error {
	return store.Each(dir, man, "bins", func(r *store.Bin) error {
		k := ingest.FloorDiv(r.StartNS-m.BinOrigin, m.BinWidth)
		c := m.Bins[k]
		if c == nil {
			c = &ingest.Counter{}
			m.Bins[k] = c
		}
		c.Packets += uint64(r.Packets)
		c.Bytes += uint64(r.Bytes)
		return nil
	})
}

// loadDNS keeps the transactions that failed or got no answer; the
// successful ones are counted (as for a capture whose flows spilled).
func loadDNS(dir string, man *store.Manifest, m *ingest.Model) error {
	return store.Each(dir, man, "dns", func(r *store.DNS) error {
		if r.Answered && r.RCode == 0 {
			m.DNSAnswered++
			return nil
		}
		c, err1 := netip.ParseAddr(r.Client)
		s, err2 := netip.ParseAddr(r.Server)
		if err1 != nil || err2 != nil {
			return fmt.Errorf("%s: dns: bad address %q or %q", dir, r.Client, r.Server)
		}
		m.DNS = append(m.DNS, ingest.DNSTransaction{Client: c, Server: s, ClientPort: uint16(r.ClientPort), ID: uint16(r.ID),
			Name: r.Name, QType: uint16(r.QType), QueryTime: r.QueryNS, ResponseTime: r.ResponseNS, Answered: r.Answered,
			RCode: uint8(r.RCode), Answers: uint16(r.Answers)})
		return nil
	})
}

func loadICMP(dir string, man *store.Manifest, m *ingest.Model) error {
	return store.Each(dir, man, "icmp", func(r *store.ICMP) error {
		var a [4]netip.Addr
		for i, s := range []string{r.From, r.To, r.QSrc, r.QDst} {
			var err error
			if a[i], err = netip.ParseAddr(s); err != nil {
				return fmt.Errorf("%s: icmp: %v", dir, err)
			}
		}
		proto, _ := flow.ParseProto(r.QProto)
		e := ingest.ICMPError{Time: r.TimeNS, From: a[0], To: a[1], V6: r.V6, Type: uint8(r.Type), Code: uint8(r.Code),
			Quoted: decode.Quote{Valid: true, Proto: proto, Src: a[2], Dst: a[3], HasPorts: r.QHasPorts,
				SrcPort: uint16(r.QSrcPort), DstPort: uint16(r.QDstPort)},
			Matched: r.Matched, Answered: r.Answered}
		if r.QuotedDir == "resp" {
			e.QuotedDir = flow.FromResp
		}
		m.ICMPErrors = append(m.ICMPErrors, e)
		return nil
	})
}

func loadDHCP(dir string, man *store.Manifest, m *ingest.Model) error {
	return store.Each(dir, man, "dhcp", func(r *store.DHCP) error {
		t := ingest.DHCPTransaction{XID: uint32(r.XID), Discovers: uint16(r.Discovers), Offers: uint16(r.Offers),
			Requests: uint16(r.Requests), Informs: uint16(r.Informs), Acks: uint16(r.Acks), Naks: uint16(r.Naks), FirstDiscover: r.FirstDiscover,
			FirstOffer: r.FirstOffer, FirstRequest: r.FirstRequest, FirstAck: r.FirstAck}
		if hw, err := net.ParseMAC(r.Client); err == nil && len(hw) == 6 {
			copy(t.Client[:], hw)
		}
		if r.Server != "" {
			t.Server, _ = netip.ParseAddr(r.Server)
		}
		m.DHCP = append(m.DHCP, t)
		return nil
	})
}

// isStore reports whether path is a directory holding a store's manifest.
func isStore(path string) bool {
	st, err := os.Stat(filepath.Join(path, store.ManifestName))
	return err == nil && st.Mode().IsRegular()
}
