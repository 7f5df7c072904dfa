package ingest

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gopacket/gopacket/layers"
	"github.com/pcaplab/pcaplab/analysis/internal/capfile"
	"github.com/pcaplab/pcaplab/analysis/internal/decode"
	"github.com/pcaplab/pcaplab/flow"
)

// batch carries decoded packets from the reading goroutine to the model.
type batch struct {
	recs  []capfile.Record
	pkts  []decode.Packet
	aside []aside      // why a record is set aside, if it is
	dns   []dnsMessage // DNS messages parsed here, for the model (ok false: none)
	arena []byte       // payloads the model reads (DNS), copied out of the reader's buffer
	offs  []int        // where each packet's kept payload starts in arena (-1: none)
}

// aside says why a record is set aside: counted, and in nothing else.
type aside uint8

const (
	kept     aside = iota
	noTime         // no usable timestamp (capfile.Record.BadTime)
	timeJump       // more than MaxTimeJump from both its neighbours
)

const batchSize = 1024

// MaxTimeJump is how far a record's timestamp may lie from both the
// record before it and the record after it: 7 days. A record further from
// both (one garbled timestamp in a capture) is set aside and counted in
// Dropped.TimeJumps, so one bad header cannot stretch the capture's
// duration and its time bins over years. A pause in a capture moves away
// from one neighbour only, and is kept.
const MaxTimeJump = 7 * 24 * int64(time.Hour)

// keepPayload reports whether the model needs a packet's payload bytes,
// not just their number: DHCP's (DNS messages are parsed here).
func keepPayload(p *decode.Packet) bool {
	return p.HasPorts && p.Proto == flow.UDP && isDHCP(p) && p.PayloadLen > 0
}

// keptLen is how much of a kept payload is kept: all of a UDP datagram's,
// at most 64 KiB (maxLogPayload). Only a frame whose IPv4 total length is
// 0 (TSO's "unknown": its payload runs to the end of the frame) has more,
// and a DHCP message ends long before.
func keptLen(p *decode.Packet) int { return min(p.PayloadLen, maxLogPayload) }

// readFile reads and decodes on one goroutine and updates the model on
// this one, so both cores work on a large capture. With a packet log
// (builder.log), a third goroutine logs the batches between them: on the
// reading goroutine, the log made ingest 28 % slower (1.58 s instead of
// 1.23 s for 1.3 M packets); beside it, 5–8 % (1.29–1.33 s against
// 1.23–1.24 s, paired runs).
func (b *builder) readFile(r *capfile.Reader) error {
	fi := FileInfo{Name: r.Name(), Format: r.Format()}
	readErr, err := b.consume(&fi, r.Name(), r.Offset, func(free, full chan *batch, stop *atomic.Bool) error {
		if b.log == nil {
			return (&batcher{r: r, dec: decode.New(), free: free, full: full, stop: stop}).run()
		}
		logged := make(chan *batch, 2)
		done := make(chan struct{})
		go func() {
			defer close(done)
			for bt := range logged {
				b.logBatch(bt)
				full <- bt
			}
		}()
		defer func() { close(logged); <-done }()
		return (&batcher{r: r, dec: decode.New(), free: free, full: logged, stop: stop}).run()
	})
	if err != nil {
		return err
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
	if b.log != nil {
		if b.log.end(&fi); b.log.err != nil {
			return fmt.Errorf("%s: packet log: %v", r.Name(), b.log.err)
		}
	}
	return nil
}

// logBatch logs a batch; a panic (a bug) becomes the log's error, one
// line, instead of a crash.
func (b *builder) logBatch(bt *batch) {
	defer func() {
		if p := recover(); p != nil && b.log.err == nil {
			b.log.err = internalError{fmt.Sprintf("packet log: internal error: %v", p)}
		}
	}()
	b.log.batch(bt)
}

// consume runs produce on a goroutine of its own, which fills batches
// from free and sends them on full, and puts their records through the
// model here, counting them in fi. It returns what produce returned
// (readErr) and, apart, the error that stops the model (out of memory).
func (b *builder) consume(fi *FileInfo, name string, offset func() int64, produce func(free, full chan *batch, stop *atomic.Bool) error) (readErr, err error) {
	full := make(chan *batch, 2)
	free := make(chan *batch, 4)
	for i := 0; i < cap(free); i++ {
		free <- &batch{recs: make([]capfile.Record, 0, batchSize), pkts: make([]decode.Packet, batchSize),
			aside: make([]aside, batchSize), dns: make([]dnsMessage, batchSize), offs: make([]int, batchSize)}
	}
	var stop atomic.Bool // set when the model gives up (out of memory)
	go func() {
		defer close(full)
		// A mapped file that shrinks under the reader faults on access;
		// that becomes an error here, not a crash.
		defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
		defer func() {
			if p := recover(); p != nil {
				readErr = readPanic(name, p)
			}
		}()
		readErr = produce(free, full, &stop)
	}()
	for bt := range full {
		if err != nil {
			free <- bt // drain what the reader had read
			continue
		}
		err = b.batch(bt, fi, name, offset)
		if err != nil {
			stop.Store(true)
		}
		free <- bt
	}
	return readErr, err
}

// batch puts a batch's records through the model.
func (b *builder) batch(bt *batch, fi *FileInfo, name string, offset func() int64) error {
	for i := range bt.recs {
		rec := &bt.recs[i]
		if rec.Cut {
			b.model.Dropped.CutRecords++
		}
		switch bt.aside[i] {
		case noTime:
			b.model.Dropped.BadTime++
			continue
		case timeJump:
			b.model.Dropped.TimeJumps++
			continue
		}
		fi.add(rec)
		b.packetWith(rec, &bt.pkts[i], &bt.dns[i])
		if b.model.Packets&0xffff == 0 {
			if b.cfg.Progress != nil {
				b.cfg.Progress(b.model.Packets, b.readBefore+offset())
			}
			if err := b.memory.check(name, rec.Index); err != nil {
				return err
			}
		}
	}
	return nil
}

// batcher reads and decodes records into batches on the reading
// goroutine. Whether a record's time jumped depends on the record after
// it, so each record is judged when the next one is read, and a batch
// leaves once its last record is judged.
type batcher struct {
	r          *capfile.Reader
	dec        *decode.Decoder
	free, full chan *batch
	stop       *atomic.Bool
	cur, held  *batch // being filled; full, with its last record pending
	names      interner
	pending    *batch // the batch of the record not judged yet (nil: none)
	pendingAt  int    // its index there
	jumps      jumpRule
}

// run reads until the end of the file or an error, which it returns
// (io.EOF at the end).
func (t *batcher) run() error {
	t.cur = t.take()
	for {
		if len(t.cur.recs) == batchSize {
			t.held, t.cur = t.cur, t.take()
		}
		bt := t.cur
		i := len(bt.recs)
		bt.recs = bt.recs[:i+1]
		rec := &bt.recs[i]
		data, err := t.r.NextInto(rec)
		if err == nil && t.stop.Load() {
			err = io.EOF
		}
		if err != nil {
			bt.recs = bt.recs[:i]
			t.judge(0, false)
			t.send()
			return err
		}
		t.add(data, i)
		t.judge(rec.Time, !rec.BadTime)
		t.pending, t.pendingAt = bt, i
		if t.held != nil {
			t.finish(t.held)
			t.full <- t.held
			t.held = nil
		}
	}
}

func (t *batcher) take() *batch {
	bt := <-t.free
	bt.recs, bt.arena = bt.recs[:0], bt.arena[:0]
	return bt
}

// add decodes record i of the current batch, whose bytes are data.
func (t *batcher) add(data []byte, i int) {
	bt := t.cur
	rec := &bt.recs[i]
	p := &bt.pkts[i]
	bt.offs[i], bt.aside[i] = -1, kept
	if rec.BadTime {
		*p = decode.Packet{}
		bt.aside[i] = noTime
		return
	}
	t.dec.Decode(data, rec.LinkType, p)
	bt.dns[i] = dnsMessage{}
	if p.HasPorts && p.Proto == flow.UDP && (p.SrcPort == 53 || p.DstPort == 53) {
		bt.dns[i] = parseDNS(p.Payload, &t.names)
	}
	if keepPayload(p) {
		bt.offs[i] = len(bt.arena)
		bt.arena = append(bt.arena, p.Payload[:keptLen(p)]...)
	}
	p.Payload = nil
}

// judge decides whether the pending record is kept, now that the time of
// the record after it is known (next, when hasNext).
func (t *batcher) judge(next int64, hasNext bool) {
	bt := t.pending
	if bt == nil {
		return
	}
	t.pending = nil
	i := t.pendingAt
	if bt.aside[i] != kept {
		return
	}
	if !t.jumps.keep(bt.recs[i].Time, next, hasNext) {
		bt.aside[i] = timeJump
	}
}

// jumpRule sets aside the records whose time jumped (see MaxTimeJump) in
// one file's records, the same in the model's pass and in a second pass
// (Series).
type jumpRule struct {
	prev    int64 // time of the last record kept
	hasPrev bool
}

// keep reports whether a record at ts is kept, given the time of the record
// after it (next, when hasNext: not at the end, and that record has a
// time): it is set aside when it lies more than MaxTimeJump from both the
// last record kept and the next one.
func (j *jumpRule) keep(ts, next int64, hasNext bool) bool {
	far := func(a, b int64) bool { return a-b > MaxTimeJump || b-a > MaxTimeJump }
	if (j.hasPrev || hasNext) && (!j.hasPrev || far(ts, j.prev)) && (!hasNext || far(ts, next)) {
		return false
	}
	j.prev, j.hasPrev = ts, true
	return true
}

// send hands over what is left at the end.
func (t *batcher) send() {
	for _, bt := range []*batch{t.held, t.cur} {
		if bt != nil && len(bt.recs) > 0 {
			t.finish(bt)
			t.full <- bt
		} else if bt != nil {
			t.free <- bt
		}
	}
}

// finish points the kept payloads into the batch's arena, which may have
// moved as it grew.
func (t *batcher) finish(bt *batch) { bt.point() }

// point points the kept payloads into the arena.
func (bt *batch) point() {
	for i := range bt.recs {
		if o := bt.offs[i]; o >= 0 {
			bt.pkts[i].Payload = bt.arena[o : o+keptLen(&bt.pkts[i])]
		}
	}
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

func layersLinkType(v uint16) layers.LinkType      { return layers.LinkType(v) }
func layersEtherType(v uint16) layers.EthernetType { return layers.EthernetType(v) }

// add counts a record in its file's totals and time span.
func (fi *FileInfo) add(rec *capfile.Record) {
	if fi.Packets == 0 || rec.Time < fi.First {
		fi.First = rec.Time
	}
	fi.Last = max(fi.Last, rec.Time)
	fi.Packets++
	fi.Bytes += uint64(rec.WireLen)
}
