package flow

import (
	"hash/fnv"
	"net/netip"
	"testing"
)

// PairSlot is the standard library's 32-bit FNV-1a over both addresses'
// 16-byte forms, lower first, folded to 16 bits, whatever order the
// addresses are given in.
func TestPairSlot(t *testing.T) {
	for _, c := range [][2]string{{"10.0.0.1", "10.0.0.2"}, {"192.168.1.23", "140.82.121.4"}, {"2001:db8::1", "10.0.0.1"}, {"::1", "::1"}} {
		a, b := netip.MustParseAddr(c[0]), netip.MustParseAddr(c[1])
		lo, hi := a, b
		if hi.Less(lo) {
			lo, hi = hi, lo
		}
		h := fnv.New32a()
		x, y := lo.As16(), hi.As16()
		h.Write(x[:])
		h.Write(y[:])
		sum := h.Sum32()
		want := uint16(sum>>16) ^ uint16(sum)
		if got, rev := PairSlot(a, b), PairSlot(b, a); got != want || rev != want {
			t.Errorf("PairSlot(%v, %v) = %d, reversed %d; want %d", a, b, got, rev, want)
		}
	}
}
