package store

import (
	"fmt"
	"math"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/pcaplab/pcaplab/flow"
)

// Files lists the store's files of one table (flows, bins, hosts, ports,
// counters, sources, dns, icmp, dhcp), in the time order of their sources,
// then the files of what was open at the end.
func (m *Manifest) Files(table string) []string {
	var out []string
	add := func(f string) {
		if strings.HasPrefix(f, table+string(filepath.Separator)) || strings.HasPrefix(f, table+"/") {
			out = append(out, f)
		}
	}
	for _, s := range m.Sources {
		for _, f := range s.Files {
			add(f)
		}
	}
	for _, f := range m.EdgeFiles {
		add(f)
	}
	return out
}

// Each calls fn for every row of a table of the store in dir, file by
// file in the manifest's order; the row passed is reused.
func Each[T any](dir string, m *Manifest, table string, fn func(*T) error) error {
	for _, f := range m.Files(table) {
		if err := ReadFile(filepath.Join(dir, f), fn); err != nil {
			return err
		}
	}
	return nil
}

// Record reads a row back into a flow and its labels.
func (r *Flow) Record() (flow.Record, error) {
	f := flow.Flow{First: r.StartNS, Last: r.EndNS, OrigPort: uint16(r.OrigPort), RespPort: uint16(r.RespPort),
		OrigPackets: uint64(r.OrigPackets), RespPackets: uint64(r.RespPackets), OrigBytes: uint64(r.OrigBytes),
		RespBytes: uint64(r.RespBytes), OrigPayload: uint64(r.OrigPayload), RespPayload: uint64(r.RespPayload),
		OrigFlags: flow.Flags(r.OrigFlags), RespFlags: flow.Flags(r.RespFlags), History: r.History, RTT: time.Duration(r.RTTNS),
		App: r.PayloadApp, ServerName: r.ServerName, OrigTransfer: seconds(r.OrigTransferS), RespTransfer: seconds(r.RespTransferS)}
	var ok [5]bool
	var err1, err2, err3 error
	f.Proto, ok[0] = parseProto(r.Proto)
	f.State, ok[1] = flow.ParseState(r.State)
	f.Ended, ok[2] = flow.ParseEndReason(r.EndReason)
	f.Opening, ok[3] = flow.ParseMsg(r.Opening)
	f.Orig, err1 = addrOf(r.OrigAddrKey, r.OrigAddr)
	f.Resp, err2 = addrOf(r.RespAddrKey, r.RespAddr)
	f.ICMPError, err3 = parseICMPError(r.ICMPError)
	ok[4] = err1 == nil && err2 == nil && err3 == nil
	for i, good := range ok {
		if !good {
			return flow.Record{}, fmt.Errorf("flow starting at %d: bad %s", r.StartNS, [...]string{"proto", "state", "end_reason", "opening", "address or icmp_error"}[i])
		}
	}
	return flow.Record{Flow: f, Labels: flow.Labels{Application: r.Application, IdentifiedBy: r.IdentifiedBy, Failure: r.Failure, RespKind: r.RespKind}}, nil
}

// seconds is a duration written as float seconds, back in ns (exact for
// durations below 2^51 ns, 26 days).
func seconds(s float64) time.Duration { return time.Duration(math.Round(s * 1e9)) }

func parseICMPError(s string) (flow.ICMPError, error) {
	if s == "" {
		return 0, nil
	}
	t, c, ok := strings.Cut(s, "/")
	tv, err1 := strconv.ParseUint(t, 10, 8)
	cv, err2 := strconv.ParseUint(c, 10, 8)
	if !ok || err1 != nil || err2 != nil {
		return 0, fmt.Errorf("bad icmp_error %q", s)
	}
	return flow.MakeICMPError(uint8(tv), uint8(cv)), nil
}

// Rows counts the rows of a table of the store from the files' footers,
// without reading the rows.
func Rows(dir string, m *Manifest, table string) (int64, error) {
	var n int64
	for _, f := range m.Files(table) {
		fh, err := os.Open(filepath.Join(dir, f))
		if err != nil {
			return 0, err
		}
		st, err := fh.Stat()
		if err == nil {
			var pf *parquet.File
			if pf, err = parquet.OpenFile(fh, st.Size()); err == nil {
				n += pf.NumRows()
			}
		}
		fh.Close()
		if err != nil {
			return 0, fmt.Errorf("%s: %v", f, err)
		}
	}
	return n, nil
}

// addrOf reads an address from its sort key (cheaper than its text), or
// from the text when the key is not one.
func addrOf(key []byte, text string) (netip.Addr, error) {
	switch {
	case len(key) == 5 && key[0] == 4:
		return netip.AddrFrom4([4]byte(key[1:])), nil
	case len(key) == 17 && key[0] == 6:
		return netip.AddrFrom16([16]byte(key[1:])), nil
	}
	return netip.ParseAddr(text)
}

// protoNames caches ParseProto, which a store reads once per flow.
var protoNames sync.Map // string → flow.Proto

func parseProto(name string) (flow.Proto, bool) {
	if p, ok := protoNames.Load(name); ok {
		return p.(flow.Proto), true
	}
	p, ok := flow.ParseProto(name)
	if ok {
		protoNames.Store(name, p)
	}
	return p, ok
}
