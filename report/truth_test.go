package report

import (
	"cmp"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/pcaplab/pcaplab/analysis"
	"github.com/pcaplab/pcaplab/flow"
)

// allCaptures lists the bundled captures and, where the repository sits
// beside ../shared, the shared ones.
func allCaptures(t *testing.T) []string {
	var out []string
	for _, pat := range []string{"../testdata/*.pcapng", "../testdata/captures/*.pcap*", "../../shared/captures/*.pcap*"} {
		m, _ := filepath.Glob(pat)
		out = append(out, m...)
	}
	if len(out) < 5 {
		t.Fatalf("only %d captures found", len(out))
	}
	return out
}

var (
	// A count of one with a plural noun ("1 flows"), a plural count with a
	// singular noun ("2 flow").
	badPlural = regexp.MustCompile(`(^|[^\d\x{202f}.,])1 (flows|hosts|packets|requests|pairs|attempts|addresses|connections|frames|names|transactions|bytes|queries|messages)\b|(^|[^\d.])([02-9]|\d\d+) (flow|host|packet|request|pair|connection|frame|transaction)\b[^-]`)
	// A negative number or duration.
	negative = regexp.MustCompile(`(^|[\s(])-\d`)
)

// Every sentence of every report, on every capture there is, obeys its
// criterion and agrees with the numbers it stands beside.
func TestEverySentenceOnEveryCapture(t *testing.T) {
	for _, p := range allCaptures(t) {
		t.Run(filepath.Base(p), func(t *testing.T) {
			c, err := analysis.Open(p)
			if err != nil {
				t.Fatal(err)
			}
			r, err := Build(c, Options{Now: fixedNow, Version: "test"})
			if err != nil {
				t.Fatal(err)
			}
			answers := map[string]string{}
			for _, s := range r.Sections {
				for _, q := range s.Questions {
					a := strings.Join(q.Answer, " ")
					answers[q.ID] = a
					if m := badPlural.FindString(strings.ReplaceAll(a, "host pair", "host-pair")); m != "" {
						t.Errorf("%s: wrong plural %q in: %s", q.ID, m, a)
					}
					if m := negative.FindString(a); m != "" {
						t.Errorf("%s: negative number %q in: %s", q.ID, m, a)
					}
				}
			}
			checkClaims(t, c, answers)
		})
	}
}

// checkClaims checks each criterion-bound claim against numbers computed
// here from the capture.
func checkClaims(t *testing.T, c *analysis.Capture, a map[string]string) {
	t.Helper()
	claim := func(id, phrase string, holds bool) {
		t.Helper()
		if strings.Contains(strings.ToLower(a[id]), strings.ToLower(phrase)) != holds {
			t.Errorf("%s: %q said = %v, but its criterion holds = %v: %s", id, phrase, !holds, holds, a[id])
		}
	}
	claim("T2.2", "heavy-tailed", heavyTailed(c))
	claim("T2.5", "a few pairs dominate", dominated(c))
	claim("T2.1", "even number of flows", c.Flows().Count()%2 == 0)
	noSYN, tcp := 0, 0
	for f := range c.Flows().All() {
		if c.Input().FlowFile != nil {
			break
		}
		if f.Proto == flow.TCP {
			tcp++
			if !strings.Contains(f.History, "S") && !strings.Contains(f.History, "s") && !strings.Contains(f.History, "H") && !strings.Contains(f.History, "h") {
				noSYN++
			}
		}
	}
	if noSYN > 0 {
		want := fmt.Sprintf("%s of the %s TCP flow", grouped(noSYN), grouped(tcp))
		claim("T2.3", want, true)
	} else {
		claim("T2.3", "no SYN in the capture", false)
	}
	fs := c.Failures().Summary()
	if strings.Contains(a["T3.8"], "every TCP SYN was answered") {
		if c.Traffic().IPProtocol(flow.TCP).Packets == 0 || len(fs.Classes) > 0 {
			t.Errorf("T3.8 says every TCP SYN was answered: %s", a["T3.8"])
		}
	}
	public := 0
	for _, k := range c.Hosts().Kinds() {
		if k.Scope == "public" {
			public += int(k.Hosts)
		}
	}
	claim("T3.2", "No public address was seen", public == 0)
	m := c.Hosts().Machine()
	top := c.Hosts().TopByBytes(15)
	if strings.Contains(a["T3.3"], "leads the list") && (len(top.Rows) == 0 || top.Rows[0].Role != "capturing host") {
		t.Errorf("T3.3 says the capturing machine leads, but the first row is %+v", top.Rows[0])
	}
	claim("T3.3", "No single capturing machine", len(m.Addrs) == 0)
	st, _ := c.Traffic().Rates(0)
	if st.PeakBitsPerS < st.MeanBitsPerS*(1-1e-9) {
		t.Errorf("T3.7: peak %v below the mean %v", st.PeakBitsPerS, st.MeanBitsPerS)
	}
	v4, v6 := c.Hosts().Count()
	if !strings.Contains(a["T3.1"], grouped(v4)+" IPv4 and "+grouped(v6)+" IPv6 addresses") {
		t.Errorf("T3.1 does not state %d IPv4 and %d IPv6 addresses: %s", v4, v6, a["T3.1"])
	}
}

// grouped writes n with its digits grouped by U+202F, independently of
// the units package.
func grouped(n int) string {
	s := strconv.Itoa(n)
	var out []byte
	for i := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, "\u202f"...)
		}
		out = append(out, s[i])
	}
	return string(out)
}

// heavyTailed recomputes T2.2's criterion: the largest tenth of the flows
// (rounded up) carry at least half the bytes, with at least 10 flows.
func heavyTailed(c *analysis.Capture) bool {
	var sizes []uint64
	var total float64
	for f := range c.Flows().All() {
		sizes = append(sizes, f.Bytes())
		total += float64(f.Bytes())
	}
	if len(sizes) < 10 || total == 0 {
		return false
	}
	sortDesc(sizes)
	k := (len(sizes) + 9) / 10
	var top float64
	for _, v := range sizes[:k] {
		top += float64(v)
	}
	return top/total >= 0.5
}

// dominated recomputes T2.5's criterion: the most common tenth of the host
// pairs (rounded up) hold at least half of the flows.
func dominated(c *analysis.Capture) bool {
	counts := map[analysis.Pair]uint64{}
	var total float64
	for f := range c.Flows().All() {
		counts[analysis.MakePair(f.Orig, f.Resp)]++
		total++
	}
	if len(counts) < 2 {
		return false
	}
	var l []uint64
	for _, n := range counts {
		l = append(l, n)
	}
	sortDesc(l)
	var top float64
	for _, v := range l[:(len(l)+9)/10] {
		top += float64(v)
	}
	return top >= 0.5*total
}

func sortDesc(v []uint64) { slices.SortFunc(v, func(a, b uint64) int { return cmp.Compare(b, a) }) }

// Every report on a flow file says what the file is and never claims what
// its format cannot know: no "capture" for the input, no date when its
// times have none, bytes named by their kind, only failure classes the
// format can show, no fastest table when it cannot rank.
func TestEverySentenceOnEveryFlowFile(t *testing.T) {
	files, _ := filepath.Glob("../testdata/flowfiles/sample.*")
	opened := 0
	for _, p := range files {
		c, err := analysis.Open(p)
		if err != nil {
			continue // refused formats are tested in analysis
		}
		opened++
		t.Run(filepath.Base(p), func(t *testing.T) {
			r, err := Build(c, Options{Now: fixedNow, Version: "test"})
			if err != nil {
				t.Fatal(err)
			}
			fi := c.Input().FlowFile
			answers := map[string]string{}
			for _, s := range r.Sections {
				for _, q := range s.Questions {
					a := strings.Join(q.Answer, " ")
					answers[q.ID] = a
					if strings.Contains(strings.ToLower(a), "the capture") || strings.Contains(a, "first packet") {
						t.Errorf("%s calls the flow file a capture: %s", q.ID, a)
					}
					if fi.ByteKind != "wire" && strings.Contains(a, "wire bytes") {
						t.Errorf("%s: wire bytes in a file of %s bytes: %s", q.ID, fi.ByteKind, a)
					}
					if m := badPlural.FindString(strings.ReplaceAll(a, "host pair", "host-pair")); m != "" {
						t.Errorf("%s: wrong plural %q in: %s", q.ID, m, a)
					}
					for _, tb := range q.Tables {
						if strings.Contains(tb.Caption, "wire bytes") && fi.ByteKind != "wire" || strings.Contains(tb.Caption, "the capture") {
							t.Errorf("%s: caption %q", q.ID, tb.Caption)
						}
						if tb.Name == "failure-classes" {
							for _, row := range tb.Rows {
								if !slices.Contains(fi.FailureClasses, row[0]) {
									t.Errorf("class %s shown, which %s cannot show", row[0], fi.Format)
								}
							}
						}
						if tb.Name == "fastest-tcp" && !fi.Fastest {
							t.Errorf("fastest table from a format that cannot rank")
						}
					}
				}
			}
			md, err := r.RenderMarkdown("")
			if err != nil {
				t.Fatal(err)
			}
			if !c.Dated() && strings.Contains(string(md), "1970") {
				t.Errorf("undated flow file (%s), but the report prints a date of 1970", fi.Clock)
			}
			for _, kv := range r.Methods {
				if kv.Key == "Idle timeouts" && kv.Value != fi.Timeouts {
					t.Errorf("methods give timeouts %q, the file's are %q", kv.Value, fi.Timeouts)
				}
			}
			checkClaims(t, c, answers)
		})
	}
	if opened < 15 {
		t.Fatalf("only %d flow files opened", opened)
	}
}
