package flowfile

import (
	"bufio"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pcaplab/pcaplab/flow"
)

// Each port name pcaplab reads stands for exactly its number in the port
// tables tshark (Wireshark's services file) and ra (services(5)) print
// from, where they are installed: a name either table gives another
// number, or two numbers, would be read wrong.
func TestPortNamesAgreeWithTheTools(t *testing.T) {
	checked := 0
	for _, path := range []string{"/usr/share/wireshark/services", "/etc/services"} {
		f, err := os.Open(path)
		if err != nil {
			continue
		}
		ports := map[string]map[uint16]bool{} // name/proto → ports
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			fs := strings.Fields(strings.SplitN(sc.Text(), "#", 2)[0])
			if len(fs) < 2 {
				continue
			}
			num, protos, _ := strings.Cut(fs[1], "/")
			n, err := strconv.ParseUint(num, 10, 16)
			if err != nil {
				continue
			}
			for _, name := range append([]string{fs[0]}, fs[2:]...) {
				for _, p := range strings.Split(protos, "/") {
					if ports[name+"/"+p] == nil {
						ports[name+"/"+p] = map[uint16]bool{}
					}
					ports[name+"/"+p][uint16(n)] = true
				}
			}
		}
		f.Close()
		for name, port := range portNames {
			for _, p := range []string{"tcp", "udp"} {
				got := ports[name+"/"+p]
				if got == nil {
					continue
				}
				checked++
				if len(got) != 1 || !got[port] {
					t.Errorf("%s: %s/%s is %v, pcaplab reads %d", path, name, p, got, port)
				}
			}
		}
	}
	if checked == 0 {
		t.Skip("no port table installed")
	}
}

func TestDecimalAndTimes(t *testing.T) {
	for _, tc := range []struct {
		in     string
		ns     int64
		digits int
	}{{"1760434216.705669745", 1760434216705669745, 9}, {"0.1320", 132000000, 4}, {"95", 95e9, 0}, {"  2.5 ", 2500000000, 1}} {
		ns, d, err := decimal(tc.in)
		if err != nil || ns != tc.ns || d != tc.digits {
			t.Errorf("decimal(%q) = %d, %d, %v", tc.in, ns, d, err)
		}
	}
	for _, bad := range []string{"", "-1", "1.2.3", "1.0000000001", "+5", "x"} {
		if _, _, err := decimal(bad); err == nil {
			t.Errorf("decimal(%q) read", bad)
		}
	}
	for _, tc := range []struct {
		in    string
		at    time.Time
		res   time.Duration
		dated bool
	}{
		{"2025-10-14 09:30:04", time.Date(2025, 10, 14, 9, 30, 4, 0, time.UTC), time.Second, true},
		{"2025-10-14 09:30:04.532", time.Date(2025, 10, 14, 9, 30, 4, 532e6, time.UTC), time.Millisecond, true},
		{"2025-10-14T09:30:04.532", time.Date(2025, 10, 14, 9, 30, 4, 532e6, time.UTC), time.Millisecond, true},
		{"2025/287 09:30:16", time.Date(2025, 10, 14, 9, 30, 16, 0, time.UTC), time.Second, true},
		{"09:30:04.532998", time.Date(1970, 1, 1, 9, 30, 4, 532998e3, time.UTC), time.Microsecond, false},
	} {
		ns, res, dated, err := clockTime(tc.in)
		if err != nil || ns != tc.at.UnixNano() || res != tc.res || dated != tc.dated {
			t.Errorf("clockTime(%q) = %v, %v, %v, %v", tc.in, time.Unix(0, ns).UTC(), res, dated, err)
		}
	}
}

// Which side originated a pair of one-way records: a SYN without any ACK
// says so; else the record that surely started first; else (both started
// within one tick) the side on a well-known port is the responder, and the
// pair counts as guessed.
func TestOriginatorOfOneWayRecords(t *testing.T) {
	c, s := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2")
	rec := func(src netip.Addr, sp, dp uint16, first, hi int64, flags flow.Flags) nfRecord {
		dst := s
		if src == s {
			dst = c
		}
		return nfRecord{proto: flow.TCP, src: src, dst: dst, sp: sp, dp: dp, first: first, firstHi: hi, last: hi, pkts: 1, bytes: 40, flags: flags}
	}
	sec := int64(time.Second)
	for _, tc := range []struct {
		name           string
		a, b           nfRecord
		aOrig, guessed bool
	}{
		{"REJ: a SYN, a RST back", rec(s, 80, 50000, 0, sec-1, flow.RST|flow.ACK), rec(c, 50000, 80, 0, sec-1, flow.SYN), false, false},
		{"server's record first in the file, later in time", rec(s, 80, 50000, 2e6, 2e6+999999, flow.SYN|flow.ACK), rec(c, 50000, 80, 1e6, 1e6+999999, flow.SYN|flow.ACK), false, false},
		{"same second: port guess", rec(s, 80, 50000, 0, sec-1, flow.SYN|flow.ACK), rec(c, 50000, 80, 0, sec-1, flow.SYN|flow.ACK), false, true},
		{"same second, no well-known port", rec(c, 6000, 7000, 0, sec-1, flow.SYN|flow.ACK), rec(s, 7000, 6000, 0, sec-1, flow.SYN|flow.ACK), true, true},
	} {
		aOrig, guessed := originator(&tc.a, &tc.b)
		if aOrig != tc.aOrig || guessed != tc.guessed {
			t.Errorf("%s: a originated %v (guessed %v), want %v (%v)", tc.name, aOrig, guessed, tc.aOrig, tc.guessed)
		}
	}
	// A lone record that sent ACKs had received something: not unanswered.
	lone := rec(c, 50000, 80, 0, 0, flow.SYN|flow.ACK|flow.PSH)
	if f := oneWayFlow(&lone); f.State != flow.OTH {
		t.Errorf("lone SYN+ACK record: %s", f.State)
	}
	syn := rec(c, 50000, 80, 0, 0, flow.SYN)
	if f := oneWayFlow(&syn); f.State != flow.S0 {
		t.Errorf("lone SYN: %s", f.State)
	}
}

// nfdump 1.7's CSV prints whole seconds for start and end and milliseconds
// for the duration: together they narrow the start.
func TestNfdumpStartInterval(t *testing.T) {
	s := int64(time.Second)
	ti := nfTimes{start: 10 * s, end: 12 * s, dur: 2*s + 600*int64(time.Millisecond), startRes: time.Second, endRes: time.Second, hasEnd: true, hasDur: true}
	lo, hi, last := ti.interval()
	// start ∈ [10, 11) ∩ [12 − 2.6, 13 − 2.6) = [10, 10.4)
	if lo != 10*s || hi != 10*s+400*int64(time.Millisecond)-1 || last != lo+ti.dur {
		t.Errorf("interval = %v, %v, %v", time.Duration(lo), time.Duration(hi), time.Duration(last))
	}
}

// Times of day (ra's default) go on past midnight; records with dates are
// local time.
func TestArgusTimeOfDayPastMidnight(t *testing.T) {
	text := "StartTime,LastTime,Proto,SrcAddr,Sport,Dir,DstAddr,Dport,SrcPkts,DstPkts,SrcBytes,DstBytes,State\n" +
		"23:59:59.500000,23:59:59.900000,udp,10.0.0.1,5000,<->,10.0.0.2,53,1,1,70,90,CON\n" +
		"00:00:01.000000,00:00:01.100000,udp,10.0.0.1,5001,<->,10.0.0.2,53,1,1,70,90,CON\n"
	res, err := Read("day.csv", strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	if res.Clock != ClockTimeOfDay || len(res.Flows) != 2 || res.Flows[1].First-res.Flows[0].First != int64(1500*time.Millisecond) {
		t.Errorf("%+v", res)
	}
}
