package ingest

import (
	"encoding/binary"
	"iter"
	"math/bits"
	"math/rand/v2"

	"github.com/pcaplab/pcaplab/flow"
)

// liveIndex finds the live flows by key: open addressing with linear
// probing over a power-of-two array of 8-byte slots, at most half full.
// A packet's key is hashed once (packetRef) and only the entry whose hash
// matches has its 56-byte key compared. It replaced a Go map
// (map[flow.Key]*entry), whose lookups, inserts and deletes took 0.08 s of
// the model goroutine's 0.2 s on a capture of 100 000 flows (1.3 M
// packets); a slot holds no pointer, so the index costs the collector
// nothing either.
type liveIndex struct {
	slots []liveSlot
	n     int    // live flows indexed
	seed  uint64 // of keyHash: random, so that a crafted capture cannot make keys collide
}

// liveSlot is one slot: the low 32 bits of the flow's key hash, which
// give its home slot, and its entry's id plus one (0: the slot is empty).
type liveSlot struct {
	tag uint32
	ref int32
}

// minLiveSlots is the index's first size: 1 024 slots, 8 KiB.
const minLiveSlots = 1024

func newLiveIndex() liveIndex {
	return liveIndex{slots: make([]liveSlot, minLiveSlots), seed: rand.Uint64()}
}

// keyHash hashes a flow key with the index's seed: the two addresses (as
// 16 bytes; a zone is left to the key comparison), the ports and the
// protocol, mixed by 64-bit multiplications; two IPv4 addresses take one
// multiplication (hash4).
func keyHash(seed uint64, k *flow.Key) uint64 {
	if k.A.Is4() && k.B.Is4() {
		return hash4(seed, k.A.As4(), k.B.As4(), k.PortA, k.PortB, k.Proto)
	}
	a, b := k.A.As16(), k.B.As16()
	h := mix(binary.LittleEndian.Uint64(a[:8])^seed, binary.LittleEndian.Uint64(a[8:])^0x9e3779b97f4a7c15)
	h = mix(h^binary.LittleEndian.Uint64(b[:8]), binary.LittleEndian.Uint64(b[8:])^0xbf58476d1ce4e5b9)
	return mix(h^(uint64(k.PortA)<<32|uint64(k.PortB)<<16|uint64(k.Proto)), 0x94d049bb133111eb)
}

// hash4 is keyHash of a key between two IPv4 addresses.
func hash4(seed uint64, a, b [4]byte, pa, pb uint16, proto flow.Proto) uint64 {
	ab := uint64(binary.BigEndian.Uint32(a[:]))<<32 | uint64(binary.BigEndian.Uint32(b[:]))
	return mix(ab^seed, uint64(pa)<<32|uint64(pb)<<16|uint64(proto)|0x9e3779b97f4a7c15)
}

func mix(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return hi ^ lo
}

// hash is keyHash with this table's seed.
func (t *flowTable) hash(k *flow.Key) uint64 { return keyHash(t.live.seed, k) }

// find returns the live flow with key k (hash h), nil when there is none.
func (t *flowTable) find(k *flow.Key, h uint64) *entry {
	s := t.live.slots
	mask := len(s) - 1
	tag := uint32(h)
	for i := int(tag) & mask; ; i = (i + 1) & mask {
		switch {
		case s[i].ref == 0:
			return nil
		case s[i].tag == tag:
			if e := t.entry(s[i].ref - 1); e.hash == h && e.key == *k {
				return e
			}
		}
	}
}

// index adds a live flow, whose key (e.key, e.hash) is not indexed yet.
func (t *flowTable) index(e *entry) {
	x := &t.live
	if 2*(x.n+1) > len(x.slots) {
		x.grow()
	}
	x.put(liveSlot{tag: uint32(e.hash), ref: e.id + 1})
	x.n++
}

// put stores a slot in the first empty slot from its home on.
func (x *liveIndex) put(s liveSlot) {
	mask := len(x.slots) - 1
	i := int(s.tag) & mask
	for x.slots[i].ref != 0 {
		i = (i + 1) & mask
	}
	x.slots[i] = s
}

// grow doubles the slots; each moves by its tag, no entry is read.
func (x *liveIndex) grow() {
	old := x.slots
	x.slots = make([]liveSlot, 2*len(old))
	for _, s := range old {
		if s.ref != 0 {
			x.put(s)
		}
	}
}

// unindex removes a live flow. The slots after it that would no longer be
// found from their home move back into the hole (backward-shift
// deletion), so no tombstones accumulate.
func (t *flowTable) unindex(e *entry) {
	s := t.live.slots
	mask := len(s) - 1
	i := int(uint32(e.hash)) & mask
	for s[i].ref != e.id+1 {
		i = (i + 1) & mask
	}
	t.live.n--
	for j := i; ; {
		s[i] = liveSlot{}
		for {
			j = (j + 1) & mask
			if s[j].ref == 0 {
				return
			}
			// s[j] may fill the hole at i unless its home lies cyclically
			// in (i, j]: then it would be probed past.
			home := int(s[j].tag) & mask
			if (i < j && (home <= i || home > j)) || (i > j && home <= i && home > j) {
				s[i] = s[j]
				i = j
				break
			}
		}
	}
}

// liveFlows is every live flow, in the order the entries lie in memory.
func (t *flowTable) liveFlows() iter.Seq[*entry] {
	return func(yield func(*entry) bool) {
		for _, slab := range t.slabs {
			for i := range slab {
				if e := &slab[i]; e.live && !yield(e) {
					return
				}
			}
		}
	}
}
