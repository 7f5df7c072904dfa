package analysis

import (
	"net/netip"
	"reflect"
	"testing"

	"github.com/pcaplab/pcaplab/analysis/internal/ingest"
	"github.com/pcaplab/pcaplab/flow"
)

// fill sets every field of v (a struct, recursively) to a value that is not
// zero and differs from the other fields', so that a field the cache codec
// forgets comes back different.
func fill(t *testing.T, v reflect.Value, n *uint64) {
	t.Helper()
	*n++
	switch v.Kind() {
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[netip.Addr]() {
			if *n%2 == 0 {
				v.Set(reflect.ValueOf(netip.AddrFrom4([4]byte{10, 0, byte(*n >> 8), byte(*n)})))
			} else {
				v.Set(reflect.ValueOf(netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 14: byte(*n >> 8), 15: byte(*n)})))
			}
			return
		}
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				fill(t, v.Field(i), n)
			}
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(-int64(*n%100 + 1))
		if v.Type() == reflect.TypeFor[int64]() && v.CanAddr() {
			v.SetInt(1_700_000_000_000_000_000 + int64(*n)) // a timestamp in ns
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(*n%200 + 1)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.String:
		v.SetString("s" + string(rune('a'+*n%26)))
	default:
		t.Fatalf("a %s field (%s): teach fill and the cache codec about it", v.Kind(), v.Type())
	}
}

// TestCacheCodecCoversEveryField round-trips flows, DNS transactions and
// port arrays whose every field is set: a field added to flow.Flow,
// ingest.DNSTransaction or ingest.PortStats that cachecodec.go does not
// write fails here, instead of coming back as zero from the cache.
func TestCacheCodecCoversEveryField(t *testing.T) {
	var n uint64
	flows := make([]flow.Flow, 3)
	dns := make([]ingest.DNSTransaction, 2)
	for i := range flows {
		fill(t, reflect.ValueOf(&flows[i]).Elem(), &n)
	}
	flows[2].Last = flows[2].First - 5 // out of order: a negative span still round-trips
	for i := range dns {
		fill(t, reflect.ValueOf(&dns[i]).Elem(), &n)
	}
	ports := make([]ingest.PortStats, 65536)
	for _, i := range []int{0, 443, 65535} {
		fill(t, reflect.ValueOf(&ports[i]).Elem(), &n)
	}
	for _, empty := range []bool{false, true} {
		e := &encoder{}
		f, d, p := flows, dns, ports
		if empty {
			f, d, p = nil, []ingest.DNSTransaction{}, nil
		}
		encodeFlows(e, f)
		encodeDNS(e, d)
		encodePorts(e, p)
		dec := &decoder{b: e.b, strings: map[string]string{}}
		gf, gd, gp := decodeFlows(dec), decodeDNS(dec), decodePorts(dec)
		if dec.err != nil || len(dec.b) != 0 {
			t.Fatalf("decoding: %v, %d bytes left", dec.err, len(dec.b))
		}
		if !reflect.DeepEqual(gf, f) || !reflect.DeepEqual(gd, d) || !reflect.DeepEqual(gp, p) {
			t.Errorf("empty=%v: the cache codec lost a field:\nflows %+v\nwant  %+v\ndns %+v\nwant %+v", empty, gf, f, gd, d)
		}
	}
	// Cut anywhere, the encoding is an error, never a panic or a model.
	e := &encoder{}
	encodeFlows(e, flows)
	encodeDNS(e, dns)
	for cut := 0; cut < len(e.b); cut++ {
		dec := &decoder{b: e.b[:cut], strings: map[string]string{}}
		decodeFlows(dec)
		decodeDNS(dec)
		if dec.err == nil {
			t.Fatalf("cut at %d of %d bytes: no error", cut, len(e.b))
		}
	}
}
