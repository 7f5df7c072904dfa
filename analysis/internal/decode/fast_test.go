package decode

import (
	"bytes"
	"io"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"

	"github.com/gopacket/gopacket/layers"
	"github.com/pcaplab/pcaplab/analysis/internal/capfile"
)

// agree decodes a frame with the fast path and with gopacket alone, and
// reports whether the fast path took it; it fails when both decoded it and
// disagree.
func agree(t *testing.T, d *Decoder, data []byte, lt layers.LinkType, where string) bool {
	t.Helper()
	var fast, slow Packet
	fast.LinkType = lt
	if !d.fast(data, lt, &fast) {
		return false
	}
	slow.LinkType = lt
	d.slow(data, lt, &slow)
	fp, sp := fast.Payload, slow.Payload
	fast.Payload, slow.Payload = nil, nil
	if !reflect.DeepEqual(fast, slow) || !bytes.Equal(fp, sp) || (fp == nil) != (sp == nil) {
		t.Fatalf("%s: fast path\n%+v\ngopacket\n%+v", where, fast, slow)
	}
	return true
}

// The fast path decodes every packet of every real capture exactly as
// gopacket does, and takes most of them.
func TestFastPathAgrees(t *testing.T) {
	var paths []string
	for _, g := range []string{"../../../testdata/sample.pcapng", "../../../testdata/captures/*.pcap*", "../../../testdata/malformed/*.pcap*", "../../../../shared/captures/*.pcap*"} {
		p, _ := filepath.Glob(g)
		paths = append(paths, p...)
	}
	d := New()
	var total, fast int
	for _, path := range paths {
		r, err := capfile.Open(path)
		if err != nil {
			continue
		}
		for {
			data, rec, err := r.Next()
			if err != nil {
				break
			}
			total++
			if agree(t, d, data, rec.LinkType, filepath.Base(path)+": packet "+strconv.Itoa(rec.Index)) {
				fast++
			}
		}
		r.Close()
		if err != nil && err != io.EOF {
			t.Fatal(err)
		}
	}
	t.Logf("%d of %d packets on the fast path", fast, total)
	if total == 0 || fast < total/2 {
		t.Errorf("only %d of %d packets on the fast path", fast, total)
	}
}

// A frame with two 802.1Q tags counts both, under the outer tag's VLAN,
// on either path.
func TestOuterVLANTag(t *testing.T) {
	frame := []byte("\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x81\x00\x00\x05\x81\x00\x00\x07\x08\x00E\x00\x00(\x00\x00\x00\x00@\x06\x00\x00\xc0\xa8\x01\x01\xc0\xa8\x01\x02\x01\xbb\xc3P\x00\x00\x00\x01\x00\x00\x00\x00P\x12\x00\x00\x00\x00\x00\x00")
	d := New()
	var fast, slow Packet
	if !d.fast(frame, layers.LinkTypeEthernet, &fast) {
		t.Fatal("not on the fast path")
	}
	d.slow(frame, layers.LinkTypeEthernet, &slow)
	for _, p := range []Packet{fast, slow} {
		if p.VLANTags != 2 || p.VLANID != 5 || !p.HasPorts || p.SrcPort != 443 {
			t.Errorf("%+v", p)
		}
	}
}

// FuzzFastPath: on any frame the fast path takes, it agrees with gopacket.
func FuzzFastPath(f *testing.F) {
	f.Add(uint8(0), []byte("\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00E\x00\x00\x1c\x00\x00\x00\x00@\x11\x00\x00\xc0\xa8\x01\x01\xc0\xa8\x01\x02\x005\x005\x00\x08\x00\x00"))
	f.Add(uint8(4), []byte("`\x00\x00\x00\x00\x08\x11@ \x01\r\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01 \x01\r\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x005\x005\x00\x08\x00\x00"))
	f.Add(uint8(0), []byte("\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x81\x00\x00\x05\x08\x00E\x00\x00(\x00\x00\x00\x00@\x06\x00\x00\xc0\xa8\x01\x01\xc0\xa8\x01\x02\x01\xbb\xc3P\x00\x00\x00\x01\x00\x00\x00\x00P\x12\x00\x00\x00\x00\x00\x00"))
	f.Add(uint8(0), []byte("\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x81\x00\x00\x05\x81\x00\x00\x07\x08\x00E\x00\x00(\x00\x00\x00\x00@\x06\x00\x00\xc0\xa8\x01\x01\xc0\xa8\x01\x02\x01\xbb\xc3P\x00\x00\x00\x01\x00\x00\x00\x00P\x12\x00\x00\x00\x00\x00\x00"))
	d := New()
	f.Fuzz(func(t *testing.T, link uint8, data []byte) {
		agree(t, d, data, fuzzLinks[int(link)%len(fuzzLinks)], "fuzz")
	})
}
