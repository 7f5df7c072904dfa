package ingest

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/gopacket/gopacket/layers"
	"github.com/pcaplab/pcaplab/analysis/internal/capfile"
	"github.com/pcaplab/pcaplab/analysis/internal/decode"
	"github.com/pcaplab/pcaplab/flow"
)

// batch carries decoded packets from the reading goroutine to the model.
type batch struct {
	recs  []capfile.Record
	pkts  []decode.Packet
	arena []byte // payloads the model reads (DNS), copied out of the reader's buffer
	offs  []int  // where each packet's kept payload starts in arena (-1: none)
}

const batchSize = 1024

// keepPayload reports whether the model needs a packet's payload bytes,
// not just their number.
func keepPayload(p *decode.Packet) bool {
	return p.HasPorts && p.Proto == flow.UDP && (p.SrcPort == 53 || p.DstPort == 53 || isDHCP(p)) && p.PayloadLen > 0
}

// readFile reads and decodes on one goroutine and updates the model on
// this one, so both cores work on a large capture.
func (b *builder) readFile(r *capfile.Reader) error {
	fi := FileInfo{Name: r.Name(), Format: r.Format()}
	full := make(chan *batch, 4)
	free := make(chan *batch, 8)
	for i := 0; i < cap(free); i++ {
		free <- &batch{recs: make([]capfile.Record, 0, batchSize), pkts: make([]decode.Packet, batchSize), offs: make([]int, batchSize)}
	}
	var readErr error
	go func() {
		defer close(full)
		// A mapped file that shrinks under the reader faults on access;
		// that becomes an error here, not a crash.
		defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
		defer func() {
			if p := recover(); p != nil {
				readErr = readPanic(r.Name(), p)
			}
		}()
		dec := decode.New()
		for readErr == nil {
			bt := <-free
			readErr = fill(bt, r, dec)
			if len(bt.recs) > 0 {
				full <- bt
			}
		}
	}()
	for bt := range full {
		for i := range bt.recs {
			rec := &bt.recs[i]
			if rec.Cut {
				b.cutRecords++
			}
			if rec.BadTime {
				b.badTime++ // set aside: a time nothing can be computed from
				continue
			}
			fi.Packets++
			fi.Bytes += uint64(rec.WireLen)
			b.packet(rec, &bt.pkts[i])
			if b.cfg.Progress != nil && b.model.Packets&0xffff == 0 {
				b.cfg.Progress(b.model.Packets, b.readBefore+r.Offset())
			}
		}
		free <- bt
	}
	if err := readErr; err != io.EOF {
		var ie internalError
		if errors.As(err, &ie) {
			return err
		}
		var re *capfile.RecordError
		if errors.As(err, &re) && re.Kept == 0 && b.model.Packets == 0 && !re.Truncated() {
			return err
		}
		fi.Warning = err.Error()
	}
	for _, lt := range r.LinkTypes() {
		fi.LinkTypes = append(fi.LinkTypes, LinkTypeName(uint16(lt)))
	}
	b.model.Files = append(b.model.Files, fi)
	b.readBefore += r.Offset()
	return nil
}

// internalError is a panic of the reading goroutine that is not about the
// file: a bug, reported as one line instead of a crash.
type internalError struct{ msg string }

func (e internalError) Error() string { return e.msg }

// readPanic turns a panic while reading into an error: a memory fault on a
// mapped file (it shrank, or its disk failed) is a problem with the file;
// anything else is an internal error.
func readPanic(name string, p any) error {
	if err, ok := p.(runtime.Error); ok && strings.Contains(err.Error(), "fault") {
		return fmt.Errorf("%s: the file changed or failed while it was read (%v)", name, err)
	}
	return internalError{fmt.Sprintf("%s: internal error while reading: %v", name, p)}
}

// fill reads and decodes up to batchSize records into bt; it returns the
// read error that stopped it (io.EOF at the end), or nil.
func fill(bt *batch, r *capfile.Reader, dec *decode.Decoder) error {
	bt.recs, bt.arena = bt.recs[:0], bt.arena[:0]
	var err error
	for len(bt.recs) < batchSize {
		var data []byte
		var rec capfile.Record
		if data, rec, err = r.Next(); err != nil {
			break
		}
		i := len(bt.recs)
		bt.recs = append(bt.recs, rec)
		p := &bt.pkts[i]
		bt.offs[i] = -1
		if rec.BadTime {
			p.Payload = nil
			continue
		}
		dec.Decode(data, rec.LinkType, p)
		if keepPayload(p) {
			bt.offs[i] = len(bt.arena)
			bt.arena = append(bt.arena, p.Payload...)
		}
		p.Payload = nil
	}
	for i := range bt.recs {
		if o := bt.offs[i]; o >= 0 {
			bt.pkts[i].Payload = bt.arena[o : o+bt.pkts[i].PayloadLen]
		}
	}
	return err
}

func layersLinkType(v uint16) layers.LinkType      { return layers.LinkType(v) }
func layersEtherType(v uint16) layers.EthernetType { return layers.EthernetType(v) }
