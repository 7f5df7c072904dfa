package report

import (
	"bytes"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pcaplab/pcaplab/analysis"
	"github.com/pcaplab/pcaplab/internal/synth"
	"github.com/pcaplab/pcaplab/units"
)

var update = flag.Bool("update", false, "rewrite the golden report")

var fixedNow = time.Date(2025, 10, 20, 12, 0, 0, 0, time.UTC)

func buildSample(t *testing.T, opt Options) *Report {
	t.Helper()
	c, err := analysis.Open("../testdata/sample.pcapng")
	if err != nil {
		t.Fatal(err)
	}
	opt.Now, opt.Version = fixedNow, "test"
	r, err := Build(c, opt)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// measured masks what T2.7 measures (time and memory vary from run to run).
var measured = regexp.MustCompile(`(?s)(### T2\.7 [^\n]*\n).*?(\n<a id="task3">)`)

// The Markdown report of the bundled (synthetic) sample is compared with a
// golden file: every number and sentence. go test ./report -update rewrites
// it after a deliberate change.
func TestMarkdownGolden(t *testing.T) {
	r := buildSample(t, Options{})
	md, err := r.RenderMarkdown("")
	if err != nil {
		t.Fatal(err)
	}
	got := measured.ReplaceAll(md, []byte("${1}\n(measured numbers left out of the golden file)\n${2}"))
	golden := "../testdata/golden/report-sample.md"
	if *update {
		os.WriteFile(golden, got, 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := 0; i < len(gl) && i < len(wl); i++ {
			if gl[i] != wl[i] {
				t.Fatalf("report.md differs from %s at line %d:\n got %s\nwant %s", golden, i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("report.md differs from %s in length (%d vs %d lines)", golden, len(gl), len(wl))
	}
	// T2.7 is measured, but must name every method with its numbers.
	for _, m := range []string{"exact hash map", "2^16 slot array", "Count-Min sketch", "Space-Saving top-k"} {
		if !bytes.Contains(md, []byte(m)) {
			t.Errorf("T2.7 lacks %s", m)
		}
	}
	// Every question of the assignment is answered.
	for _, id := range []string{"T1.1", "T1.2", "T1.3", "T2.0", "T2.1", "T2.2", "T2.3", "T2.4", "T2.5", "T2.6", "T2.7",
		"T3.1", "T3.2", "T3.3", "T3.4", "T3.5", "T3.6", "T3.7", "T3.8"} {
		if !bytes.Contains(md, []byte("### "+id+" ")) {
			t.Errorf("no section for %s", id)
		}
	}
}

// The sentences are written from the numbers: they must agree with the
// tables they stand beside.
func TestSentencesAgreeWithTables(t *testing.T) {
	r := buildSample(t, Options{})
	q := map[string]*Question{}
	for _, s := range r.Sections {
		for _, x := range s.Questions {
			q[x.ID] = x
		}
	}
	ans := func(id string) string { return strings.Join(q[id].Answer, " ") }
	if !strings.Contains(ans("T2.1"), "The capture holds 59 flows (20 TCP, 37 UDP, 2 ICMP).") || strings.Contains(ans("T2.1"), "even number") {
		t.Errorf("T2.1: %s", ans("T2.1"))
	}
	if !strings.Contains(ans("T3.1"), "16 IPv4 and 5 IPv6 addresses") {
		t.Errorf("T3.1: %s", ans("T3.1"))
	}
	if !strings.Contains(ans("T3.8"), "5 requests failed: 1 unanswered TCP connection attempt (tcp_no_answer), 1 refused TCP connection attempt (tcp_rejected), 1 request met by port unreachable (icmp_port_unreachable), 1 DNS lookup of a name that does not exist (dns_nxdomain), 1 DNS query without response (dns_no_response). 3 distinct hosts had at least one failed request: 1 sent no packet at all, 1 answered only with refusals or resets, 1 answered other requests") {
		t.Errorf("T3.8: %s", ans("T3.8"))
	}
	if !strings.Contains(ans("T3.5"), "TCP port 443, HTTPS (web over TLS), is in 1\u202f234 of the 1\u202f239 TCP packets (99.6 %)") {
		t.Errorf("T3.5: %s", ans("T3.5"))
	}
	t36 := q["T3.6"].Tables[0]
	if got := t36.Rows[0][slices.Index(t36.Columns, "server_name")]; got != "upload.wikimedia.org" || !strings.Contains(ans("T3.6"), "upload.wikimedia.org") {
		t.Errorf("T3.6 table %q vs sentence %s", got, ans("T3.6"))
	}
}

// Names taken from packets (TLS SNI, HTTP Host) are untrusted: escaped in
// the HTML and in the Markdown.
func TestHostileNamesAreEscaped(t *testing.T) {
	var c synth.Capture
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	k := c.NewConn(netip.MustParseAddrPort("192.168.1.2:50000"), netip.MustParseAddrPort("93.184.216.34:443"), 1)
	now := k.Handshake(t0, 20*time.Millisecond)
	hostile := `<script>alert(1)</script>"onload=x`
	c.TCP(now.Add(time.Millisecond), k.Client, k.Server, synth.PSH|synth.ACK, 2, 1+0x5a5a5a5a, synth.ClientHello(hostile))
	for i := 0; i < 20; i++ {
		c.TCP(now.Add(time.Duration(10+10*i)*time.Millisecond), k.Server, k.Client, synth.PSH|synth.ACK, uint32(0x5a5a5a5b+1400*i), 200, make([]byte, 1400))
	}
	p := filepath.Join(t.TempDir(), "hostile.pcap")
	if err := c.Save(p); err != nil {
		t.Fatal(err)
	}
	ca, err := analysis.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	if ca.Flows().Slice()[0].ServerName != hostile {
		t.Fatalf("server name = %q", ca.Flows().Slice()[0].ServerName)
	}
	r, err := Build(ca, Options{Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	html, _ := r.RenderHTML("")
	md, _ := r.RenderMarkdown("")
	if bytes.Contains(html, []byte("<script>")) || !bytes.Contains(html, []byte("&lt;script&gt;alert(1)&lt;/script&gt;")) {
		t.Error("the hostile name is not escaped in report.html")
	}
	if bytes.Contains(md, []byte("<script>")) || !bytes.Contains(md, []byte("&lt;script&gt;alert(1)&lt;/script&gt;")) {
		t.Error("the hostile name is not escaped in report.md")
	}
}

func TestAnswersAreMerged(t *testing.T) {
	p := filepath.Join(t.TempDir(), "answers.md")
	os.WriteFile(p, []byte("# My answers\n\n## T1.1 Passive measurement\nObserving traffic **without** sending any.\n\n<script>x()</script>\n\n## T1.3\nHashing maps keys to slots.\n"), 0o644)
	r := buildSample(t, Options{Answers: p})
	q := r.Sections[0].Questions
	if q[0].Missing || !strings.Contains(string(q[0].HTML), "<strong>without</strong>") || strings.Contains(string(q[0].HTML), "<script>") {
		t.Errorf("T1.1: %+v", q[0])
	}
	if !q[1].Missing || q[2].Missing || !strings.Contains(q[2].Markdown, "Hashing maps keys") {
		t.Errorf("T1.2 should be missing, T1.3 given: %+v %+v", q[1], q[2])
	}
	html, _ := r.RenderHTML("")
	if !bytes.Contains(html, []byte("[Answer to T1.2 missing")) {
		t.Error("no placeholder for T1.2")
	}
	if _, err := ReadAnswers(filepath.Join(t.TempDir(), "none.md")); err == nil {
		t.Error("a missing answers file should be an error")
	}
}

// The answers template, filled in, puts every text where it belongs: the
// student's name on the title page, the capture setup after the overview,
// Task 1's answers, remarks under Task 2 and 3 questions, the conclusion
// at the end; an unknown heading is a warning that names it.
func TestAnswersTemplate(t *testing.T) {
	tmpl := AnswersTemplate()
	for _, q := range questions {
		if !strings.Contains(tmpl, "## "+q.id+" "+q.title+"\n") || !strings.Contains(tmpl, q.asked) {
			t.Errorf("the template lacks %s asked in full", q.id)
		}
	}
	filled := strings.Replace(tmpl, "name: \n", "name: Ada Lovelace\n", 1)
	filled = strings.Replace(filled, "student_id: \n", "student_id: 4711\n", 1)
	for _, id := range []string{"Capture setup", "T1.2", "T2.3", "T3.8", "Conclusion"} {
		i := strings.Index(filled, "## "+id)
		j := i + strings.Index(filled[i:], "-->") + 3
		filled = filled[:j] + "\nText for " + id + ".\n" + filled[j:]
	}
	filled += "\n## T4.1 Bonus\nNot a question.\n"
	p := filepath.Join(t.TempDir(), "answers.md")
	os.WriteFile(p, []byte(filled), 0o644)
	r := buildSample(t, Options{Answers: p})
	byID := map[string]*Question{}
	for _, s := range r.Sections {
		for _, q := range s.Questions {
			byID[q.ID] = q
		}
	}
	if r.Student.Name != "Ada Lovelace" || r.Student.ID != "4711" || r.Setup == nil || !strings.Contains(r.Setup.Markdown, "Text for Capture setup") ||
		r.Conclusion == nil || byID["T1.2"].Missing || !byID["T1.1"].Missing || byID["T2.3"].Remarks == nil || byID["T3.8"].Remarks == nil ||
		byID["T2.4"].Remarks != nil {
		t.Errorf("student %+v, setup %v, conclusion %v, T1.2 missing %v, T2.3 remarks %v", r.Student, r.Setup, r.Conclusion, byID["T1.2"].Missing, byID["T2.3"].Remarks)
	}
	if len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], `unknown heading "## T4.1 Bonus"`) || !strings.Contains(r.Warnings[0], "line ") {
		t.Errorf("warnings %v", r.Warnings)
	}
	html, _ := r.RenderHTML("")
	md, _ := r.RenderMarkdown("")
	for _, want := range []string{"Ada Lovelace", "4711", "Text for Capture setup", "Text for T2.3", "Text for Conclusion"} {
		if !bytes.Contains(html, []byte(want)) || !bytes.Contains(md, []byte(want)) {
			t.Errorf("%q is not in both renderings", want)
		}
	}
	if bytes.Contains(html, []byte("Your answer.")) {
		t.Error("the template's comments reached the report")
	}
}

// Write replaces an existing report only when the new one is complete, and
// leaves nothing temporary behind.
func TestWriteReplacesAtomically(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "report.html"), []byte("old"), 0o644)
	os.WriteFile(filepath.Join(dir, "mine.txt"), []byte("keep"), 0o644)
	r := buildSample(t, Options{})
	// A broken user template fails before anything is replaced.
	if err := r.Write(dir, Output{HTMLTemplate: "{{.NoSuchField}"}); err == nil {
		t.Fatal("a broken template should fail")
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "report.html")); string(b) != "old" {
		t.Fatal("the old report was touched by a failed write")
	}
	if err := r.Write(dir, Output{}); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, " ") != ".pcaplab-report figures mine.txt report.html report.md tables" {
		t.Errorf("directory holds %v", names)
	}
	figs, _ := os.ReadDir(filepath.Join(dir, "figures"))
	tabs, _ := os.ReadDir(filepath.Join(dir, "tables"))
	if len(figs) != len(r.Figures) || len(tabs) != len(r.Tables) {
		t.Errorf("%d figures, %d tables written; want %d, %d", len(figs), len(tabs), len(r.Figures), len(r.Tables))
	}
	for _, f := range figs {
		b, _ := os.ReadFile(filepath.Join(dir, "figures", f.Name()))
		if !bytes.HasPrefix(b, []byte("\x89PNG")) {
			t.Errorf("%s is not a PNG", f.Name())
		}
	}
	// A user template gets the same data.
	if err := r.Write(dir, Output{MarkdownTemplate: "{{.Title}}: {{len .Sections}} tasks"}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "report.md")); string(b) != "Traffic analysis of sample.pcapng: 3 tasks" {
		t.Errorf("custom template gave %q", b)
	}
}

// Past mergedOnPage merged pairs, T2.6's table shows the fullest slots'
// first rows and says how many there are, and merged-pairs-all.csv holds
// every one.
func TestMergedPairsCutOnPage(t *testing.T) {
	var c synth.Capture
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 3000 { // 3 000 pairs: about 3 000² / 2^17 ≈ 70 share a slot
		src := netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)}), 40000)
		dst := netip.AddrPortFrom(netip.AddrFrom4([4]byte{198, 18, byte(i >> 8), byte(i)}), 9999)
		c.UDP(t0.Add(time.Duration(i)*time.Millisecond), src, dst, []byte("x"))
	}
	p := filepath.Join(t.TempDir(), "pairs.pcap")
	if err := c.Save(p); err != nil {
		t.Fatal(err)
	}
	ca, err := analysis.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	n := ca.Pairs().SlotArray(nil, "").PairsInShared
	if n <= mergedOnPage {
		t.Fatalf("only %d merged pairs: the test needs more than %d", n, mergedOnPage)
	}
	r, err := Build(ca, Options{Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	var page *Table
	for _, tb := range r.Tables {
		if tb.Name == "merged-pairs" {
			page = tb
		}
	}
	if page == nil || len(page.Rows) == 0 || len(page.Rows) > mergedOnPage {
		t.Fatalf("merged-pairs table: %v", page)
	}
	want := fmt.Sprintf("(the first %d of %s rows, the fullest slots whole; all in tables/merged-pairs-all.csv)", len(page.Rows), units.Count(n))
	if !strings.Contains(page.Caption, want) {
		t.Errorf("caption %q lacks %q", page.Caption, want)
	}
	// Every slot on the page is whole: as many rows as its pairs_in_slot.
	slot, inSlot := page.Columns[0], map[string]int{}
	if slot != "slot" {
		t.Fatalf("first column %q", slot)
	}
	for _, r := range page.Rows {
		inSlot[r[0]+" "+r[2]]++
	}
	for k, got := range inSlot {
		var s string
		var want int
		fmt.Sscanf(k, "%s %d", &s, &want)
		if got != want {
			t.Errorf("slot %s: %d rows on the page, pairs_in_slot %d", s, got, want)
		}
	}
	out := filepath.Join(t.TempDir(), "out")
	if err := r.Write(out, Output{}); err != nil {
		t.Fatal(err)
	}
	all, err := os.ReadFile(filepath.Join(out, "tables", "merged-pairs-all.csv"))
	if err != nil || bytes.Count(all, []byte("\n")) != n+1 {
		t.Fatalf("merged-pairs-all.csv: %d lines, want %d (%v)", bytes.Count(all, []byte("\n")), n+1, err)
	}
	head, _ := os.ReadFile(filepath.Join(out, "tables", "merged-pairs.csv"))
	if !bytes.HasPrefix(all, head) {
		t.Error("merged-pairs.csv is not the head of merged-pairs-all.csv")
	}
}

// mergedHead drops the rows of a slot the cut would split, unless that
// leaves none.
func TestMergedHeadKeepsSlotsWhole(t *testing.T) {
	rowsOf := func(slots ...int) []analysis.MergedRow {
		var out []analysis.MergedRow
		for _, s := range slots {
			n := 0
			for _, x := range slots {
				if x == s {
					n++
				}
			}
			out = append(out, analysis.MergedRow{Slot: uint16(s), SlotPairs: n})
		}
		return out
	}
	for _, tc := range []struct {
		slots []int
		n     int
		want  int
	}{
		{[]int{1, 1, 2, 2, 2}, 4, 2}, // slot 2 would show 2 of its 3 pairs
		{[]int{1, 1, 2, 2, 2}, 5, 5},
		{[]int{1, 1, 2, 2}, 4, 4},
		{[]int{1, 1, 1, 1}, 2, 2}, // one slot fuller than the page: cut anyway
		{nil, 4, 0},
	} {
		if got := mergedHead(slices.Values(rowsOf(tc.slots...)), tc.n); len(got) != tc.want {
			t.Errorf("slots %v, n %d: %d rows, want %d", tc.slots, tc.n, len(got), tc.want)
		}
	}
}
