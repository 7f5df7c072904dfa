package report

import (
	"encoding/json"
	"fmt"
	"html"
	htmltemplate "html/template"
	"image/png"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pcaplab/pcaplab/analysis"
	"github.com/pcaplab/pcaplab/templates"
)

// chromium finds Debian's Chromium. In CI (CI set) it must be there:
// .ci/run installs it, and without it the browser checks would silently not
// run.
func chromium(t *testing.T) string {
	t.Helper()
	for _, n := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(n); err == nil {
			if _, err := exec.LookPath("pdftotext"); err == nil {
				return p
			}
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium or pdftotext (poppler-utils) is missing; .ci/run installs them")
	}
	t.Skip("chromium or pdftotext not installed (apt-get install chromium poppler-utils)")
	return ""
}

// runChromium runs headless Chromium on a page with extra flags, recording
// the network log, and returns the URLs the page itself asked for.
func runChromium(t *testing.T, bin, page string, flags ...string) []string {
	t.Helper()
	dir := t.TempDir()
	netlog := filepath.Join(dir, "netlog.json")
	args := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--no-first-run", "--user-data-dir=" + filepath.Join(dir, "profile"),
		"--log-net-log=" + netlog}, flags...)
	args = append(args, page)
	cmd := exec.Command(bin, args...)
	done := make(chan error, 1)
	out := &strings.Builder{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("chromium: %v\n%s", err, out)
		}
	case <-time.After(90 * time.Second):
		cmd.Process.Kill()
		t.Fatal("chromium did not finish in 90 s")
	}
	return pageRequests(t, netlog)
}

// pageRequests reads Chromium's NetLog: requests with an initiator came from
// the page; the browser's own background requests have none ("not an
// origin").
func pageRequests(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var log struct {
		Constants struct {
			LogEventTypes map[string]int `json:"logEventTypes"`
		} `json:"constants"`
		Events []struct {
			Type   int            `json:"type"`
			Params map[string]any `json:"params"`
		} `json:"events"`
	}
	if err := json.Unmarshal(data, &log); err != nil {
		t.Fatalf("netlog: %v", err)
	}
	start := log.Constants.LogEventTypes["URL_REQUEST_START_JOB"]
	var urls []string
	for _, e := range log.Events {
		if e.Type != start {
			continue
		}
		init, _ := e.Params["initiator"].(string)
		url, _ := e.Params["url"].(string)
		if init != "" && init != "not an origin" {
			urls = append(urls, url)
		}
	}
	return urls
}

// TestReportInBrowser opens report.html in headless Chromium: it renders
// (a non-blank screenshot), makes no network request, and prints to a PDF
// whose text holds every question, every figure's axis labels (the inline
// SVG was drawn) and a page break before each task, laid out as
// checkPages asks.
func TestReportInBrowser(t *testing.T) {
	bin := chromium(t)
	dir := t.TempDir()
	r := buildSample(t, Options{})
	if err := r.Write(dir, Output{}); err != nil {
		t.Fatal(err)
	}
	page := "file://" + filepath.Join(dir, "report.html")

	shot := filepath.Join(dir, "shot.png")
	if reqs := runChromium(t, bin, page, "--window-size=1200,3000", "--screenshot="+shot); len(reqs) != 0 {
		t.Errorf("report.html made network requests: %v", reqs)
	}
	if n := distinctColors(t, shot); n < 20 {
		t.Errorf("the screenshot has %d colours: blank page?", n)
	}

	pdf := printPDF(t, bin, dir)
	text := pdfText(t, pdf)
	pages := strings.Split(string(text), "\f")
	for _, task := range []string{"Task 1 — Background", "Task 2 — Flow data", "Task 3 — The packet capture"} {
		found := false
		for _, p := range pages {
			if strings.HasPrefix(strings.TrimSpace(p), task) {
				found = true
			}
		}
		if !found {
			t.Errorf("no PDF page starts with %q (print CSS page breaks)", task)
		}
	}
	for _, s := range r.Sections {
		for _, q := range s.Questions {
			if !strings.Contains(string(text), q.ID+" "+q.Title) {
				t.Errorf("the PDF lacks %s %s", q.ID, q.Title)
			}
		}
	}
	// Axis labels are SVG text: present only if the figures were drawn.
	for _, label := range []string{"time since the first packet (s)", "flow size (log scale)", "host pair rank",
		"slot rank", "host pair rank (exact)", "bit rate", "packet rate (packets/s)", "CDF: P(size ≤ x)", "100 kB"} {
		if !strings.Contains(string(text), label) {
			t.Errorf("the PDF lacks the axis label %q: a figure did not render", label)
		}
	}
	if got := strings.Count(string(text), "Figure: "); got != len(r.Figures) {
		t.Errorf("%d figure captions in the PDF, want %d", got, len(r.Figures))
	}
	checkPages(t, r, pdf, bodyHeight(t, bin))
}

// The network check can fail: a page that loads an image from a local
// server is caught.
func TestNetworkCheckCatchesRequests(t *testing.T) {
	bin := chromium(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(404) })}
	go srv.Serve(ln)
	defer srv.Close()
	p := filepath.Join(t.TempDir(), "leaky.html")
	os.WriteFile(p, []byte(fmt.Sprintf(`<!DOCTYPE html><html><body><img src="http://%s/pixel.png"></body></html>`, ln.Addr())), 0o644)
	reqs := runChromium(t, bin, "file://"+p, "--screenshot="+filepath.Join(t.TempDir(), "s.png"))
	if len(reqs) == 0 || !strings.Contains(reqs[0], "pixel.png") {
		t.Errorf("the request to the local server was not seen: %v", reqs)
	}
}

func distinctColors(t *testing.T, path string) int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[[4]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += 3 {
			r, g, bl, a := img.At(x, y).RGBA()
			seen[[4]uint32{r >> 8, g >> 8, bl >> 8, a >> 8}] = true
		}
	}
	return len(seen)
}

// layoutAnswers is a student's answers file: T1.1, T1.2, a remark and the
// conclusion written ("passively" is in no text of pcaplab's own), the
// capture setup and T1.3 left for their placeholders.
const layoutAnswers = `---
name: Ada Example
student_id: 1234567
---

## T1.1 Passive measurement

A probe passively copies the packets that cross a link and adds none of its
own, so what it sees is the traffic as the users made it. I made the report
with ` + "`pcaplab report --answers answers.md`" + `.

## T1.2 Packet capture versus flow data

A capture keeps every header and its exact time; flow records keep only
counters per 5-tuple, small enough to keep for months, passively exported by
routers.

## T2.1 Flow count and sizes

The median is far below the mean: a few large flows carry most bytes.

## Conclusion

Most flows are short; a few carry most bytes, seen passively on one laptop.
`

// TestLayoutInBrowser prints a report with a student's answers and a long
// command line, as pcaplab report -pdf does, and checks its pages as a
// reader sees them (see checkPages).
func TestLayoutInBrowser(t *testing.T) {
	bin := chromium(t)
	dir := t.TempDir()
	answers := filepath.Join(dir, "answers.md")
	if err := os.WriteFile(answers, []byte(layoutAnswers), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "report")
	r := buildSample(t, Options{Answers: answers,
		Command: "pcaplab report --answers " + answers + " -pdf -o " + out + " ../testdata/sample.pcapng"})
	if err := r.Write(out, Output{}); err != nil {
		t.Fatal(err)
	}
	pdf := printPDF(t, bin, out)
	body := bodyHeight(t, bin)
	checkPages(t, r, pdf, body)

	// The student's text is set at the size of the tool's own.
	n := 0
	for _, p := range pdfWords(t, pdf) {
		for _, w := range p.words {
			if strings.HasPrefix(w.text, "passively") {
				n++
				if h := w.yMax - w.yMin; math.Abs(h-body) > 0.05 {
					t.Errorf("page %d: the student's %q is %.2f pt high, body text %.2f pt", p.n, w.text, h, body)
				}
			}
		}
	}
	if n != 3 {
		t.Errorf("%d times \"passively\" in the PDF, want 3 (T1.1, T1.2, conclusion)", n)
	}
	if text := pdfText(t, pdf); !strings.Contains(text, "--answers") {
		t.Error("the PDF lacks the --answers of the placeholders and of the student's code span")
	}
}

// minLines is the fewest lines a page but the last may hold: a table's tail
// carried over is its header and 3 rows; fewer is a page wasted (the command
// line alone on page 3 was one).
const minLines = 4

// checkPages checks the printed report page by page: it is printed at full
// size (body text as high as body, the height of 10 pt text; Chromium
// shrinks the whole PDF when anything is wider than the page) and nothing
// runs past the 15 mm side margins; each question's heading and question
// are on one page, with more of the answer after them; no page but the last
// holds fewer than minLines lines; no flag is broken at its hyphens ("--" at
// a line's end); a table's caption spans the text width (its first 6 words
// on one line; squeezed to a narrow table it took 4–6 lines); a figure's
// caption never opens a page (it stays with its plot).
func checkPages(t *testing.T, r *Report, pdf string, body float64) {
	t.Helper()
	pages := strings.Split(strings.TrimRight(pdfText(t, pdf), "\f"), "\f")
	for i, p := range pages {
		lines := nonBlank(p)
		if len(lines) < minLines && i < len(pages)-1 {
			t.Errorf("page %d holds %d lines: %q", i+1, len(lines), lines)
		}
		for _, l := range lines {
			if strings.HasSuffix(l, "--") {
				t.Errorf("page %d: a line ends with a broken flag: %q", i+1, l)
			}
		}
		if len(lines) > 0 && strings.HasPrefix(lines[0], "Figure: ") {
			t.Errorf("page %d opens with a figure's caption, apart from its plot: %q", i+1, lines[0])
		}
	}
	for _, s := range r.Sections {
		for _, q := range s.Questions {
			if !headWithAnswer(pages, q) {
				t.Errorf("%s: its heading, its question and the start of its answer are not on one page", q.ID)
			}
		}
	}
	for _, tb := range r.Tables {
		if w := strings.Fields(tb.Caption); len(w) >= 6 && !onOneLine(pages, strings.Join(w[:6], " ")) {
			t.Errorf("table %s: the caption's first words %q are not on one line (caption squeezed to the table?)", tb.Name, strings.Join(w[:6], " "))
		}
	}
	checkSize(t, r, pdfWords(t, pdf), body)
}

// checkSize checks that the tool's answers are set at body height and that
// no word runs past the side margins.
func checkSize(t *testing.T, r *Report, pages []pdfPage, body float64) {
	t.Helper()
	answer := map[string]bool{}
	for _, s := range r.Sections {
		for _, q := range s.Questions {
			for _, a := range q.Answer {
				for _, w := range strings.Fields(a) {
					answer[w] = true
				}
			}
		}
	}
	heights := map[float64]int{}
	const margin = 15 * 72 / 25.4 // the @page side margin, in pt
	for _, p := range pages {
		for _, w := range p.words {
			if w.xMin < margin-1 || w.xMax > p.width-margin+1 {
				t.Errorf("page %d: %q (x %.1f–%.1f pt) runs past the margins of a %.1f pt page", p.n, w.text, w.xMin, w.xMax, p.width)
			}
			if answer[w.text] {
				heights[math.Round((w.yMax-w.yMin)*20)/20]++
			}
		}
	}
	mode, most := 0.0, 0
	for h, n := range heights {
		if n > most {
			mode, most = h, n
		}
	}
	if math.Abs(mode-body) > 0.05 {
		t.Errorf("the answers' words are mostly %.2f pt high, 10 pt body text %.2f pt: the PDF is scaled (something wider than the page?)", mode, body)
	}
}

// headWithAnswer says whether one page holds q's heading, then its whole
// question, then something more (the start of the answer). Whitespace is
// ignored: the text wraps.
func headWithAnswer(pages []string, q *Question) bool {
	head := squash(q.ID + " " + q.Title + q.Asked)
	for _, p := range pages {
		if i := strings.Index(squash(p), head); i >= 0 {
			return len(squash(p)) > i+len(head)
		}
	}
	return false
}

// onOneLine says whether some line of the pages holds s (runs of spaces
// counted as one).
func onOneLine(pages []string, s string) bool {
	for _, p := range pages {
		for _, l := range nonBlank(p) {
			if strings.Contains(strings.Join(strings.Fields(l), " "), s) {
				return true
			}
		}
	}
	return false
}

func squash(s string) string { return strings.Join(strings.Fields(s), "") }

// nonBlank returns the lines of a page that hold text, trimmed.
func nonBlank(page string) []string {
	var ls []string
	for _, l := range strings.Split(page, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			ls = append(ls, l)
		}
	}
	return ls
}

// printPDF prints dir/report.html to dir/report.pdf as PrintPDF does.
func printPDF(t *testing.T, bin, dir string) string {
	t.Helper()
	pdf := filepath.Join(dir, "report.pdf")
	runChromium(t, bin, "file://"+filepath.Join(dir, "report.html"), "--no-pdf-header-footer", "--print-to-pdf="+pdf)
	return pdf
}

// pdfText is the PDF's text laid out as printed, pages parted by \f.
func pdfText(t *testing.T, pdf string) string {
	t.Helper()
	text, err := exec.Command("pdftotext", "-layout", pdf, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(text)
}

// pdfPage is a page's words with their boxes, in pt from the top left.
type pdfPage struct {
	n     int
	width float64
	words []pdfWord
}

type pdfWord struct {
	text                   string
	xMin, yMin, xMax, yMax float64
}

var (
	pageTag = regexp.MustCompile(`<page width="([\d.]+)"`)
	wordTag = regexp.MustCompile(`<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>`)
)

// pdfWords reads the words of each page with pdftotext -bbox.
func pdfWords(t *testing.T, pdf string) []pdfPage {
	t.Helper()
	out, err := exec.Command("pdftotext", "-bbox", pdf, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext -bbox: %v", err)
	}
	var pages []pdfPage
	for _, l := range strings.Split(string(out), "\n") {
		if m := pageTag.FindStringSubmatch(l); m != nil {
			w, _ := strconv.ParseFloat(m[1], 64)
			pages = append(pages, pdfPage{n: len(pages) + 1, width: w})
		} else if m := wordTag.FindStringSubmatch(l); m != nil && len(pages) > 0 {
			var f [4]float64
			for i := range f {
				f[i], _ = strconv.ParseFloat(m[i+1], 64)
			}
			p := &pages[len(pages)-1]
			p.words = append(p.words, pdfWord{html.UnescapeString(m[5]), f[0], f[1], f[2], f[3]})
		}
	}
	return pages
}

// bodyHeight prints a line in the report's body font at 10 pt (the print
// size of body text) and returns the height pdftotext gives its words: what
// body text measures in a report printed at full size, whatever the font.
func bodyHeight(t *testing.T, bin string) float64 {
	t.Helper()
	family := regexp.MustCompile(`body \{ font-family: ([^;]+);`).FindStringSubmatch(templates.HTML)
	if family == nil {
		t.Fatal("no body font-family in the HTML template")
	}
	dir := t.TempDir()
	page := `<!DOCTYPE html><html><head><meta charset="utf-8"><style>body { margin: 0; font-family: ` + family[1] +
		`; font-size: 10pt; }</style></head><body><p>Body text at ten points</p></body></html>`
	if err := os.WriteFile(filepath.Join(dir, "report.html"), []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	ws := pdfWords(t, printPDF(t, bin, dir))
	if len(ws) == 0 || len(ws[0].words) == 0 {
		t.Fatal("the calibration page printed no text")
	}
	w := ws[0].words[0]
	return w.yMax - w.yMin
}

// wbr lets a table cell break where a table too wide for the page may split
// it: column names after underscores, names and IPv6 addresses after dots,
// colons and slashes; an IPv4 address stays whole; the text is escaped.
func TestWbr(t *testing.T) {
	wbr := Funcs["wbr"].(func(string) htmltemplate.HTML)
	for _, c := range []struct{ in, want string }{
		{"bytes_per_packet", "bytes_<wbr>per_<wbr>packet"},
		{"192.168.1.23", "192.168.1.23"},
		{"2001:db8::23", "2001:<wbr>db8:<wbr>:<wbr>23"},
		{"mobile.pipe.aria.microsoft.com", "mobile.<wbr>pipe.<wbr>aria.<wbr>microsoft.<wbr>com"},
		{"udp/3478 (reported by 10.0.2.2)", "udp/<wbr>3478 (reported by 10.<wbr>0.<wbr>2.<wbr>2)"},
		{`<b>a.b</b>`, "&lt;b&gt;a.<wbr>b&lt;/<wbr>b&gt;"},
	} {
		if got := string(wbr(c.in)); got != c.want {
			t.Errorf("wbr(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// buildCapture builds the report of a capture as buildSample does.
func buildCapture(t *testing.T, path string) *Report {
	t.Helper()
	c, err := analysis.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Build(c, Options{Now: fixedNow, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// A table with no rows (linux-sll.pcap has no failed communication) is its
// caption and "(none)" in both formats, no header; its CSV is written
// with the header.
func TestEmptyTableSaysNone(t *testing.T) {
	r := buildCapture(t, "../testdata/captures/linux-sll.pcap")
	dir := t.TempDir()
	if err := r.Write(dir, Output{}); err != nil {
		t.Fatal(err)
	}
	html, err := os.ReadFile(filepath.Join(dir, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(filepath.Join(dir, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	var empty []*Table
	for _, s := range r.Sections {
		for _, q := range s.Questions {
			for _, tb := range q.Tables {
				if len(tb.Rows) == 0 {
					empty = append(empty, tb)
				}
			}
		}
	}
	for _, tb := range empty {
		csv := "(tables/" + tb.Name + ".csv)"
		wantHTML := htmltemplate.HTMLEscapeString(tb.Caption) + ` <span class="csv">` + csv + "</span></figcaption>\n" + `<p class="none">(none)</p>` + "\n</figure>"
		if !strings.Contains(string(html), wantHTML) {
			t.Errorf("%s: the HTML lacks %q", tb.Name, wantHTML)
		}
		wantMD := "*Table: " + MarkdownEscape(tb.Caption) + "* (`tables/" + tb.Name + ".csv`)\n\n(none)\n"
		if !strings.Contains(string(md), wantMD) {
			t.Errorf("%s: the Markdown lacks %q", tb.Name, wantMD)
		}
		data, err := os.ReadFile(filepath.Join(dir, "tables", tb.Name+".csv"))
		if want := strings.Join(tb.Columns, ",") + "\n"; err != nil || string(data) != want {
			t.Errorf("%s: CSV %q (%v), want the header %q", tb.Name, data, err, want)
		}
	}
	if len(empty) == 0 {
		t.Fatal("linux-sll.pcap's report has no empty table to check")
	}
	if strings.Contains(string(html), "<tbody>\n</tbody>") {
		t.Error("the HTML still holds a table without rows")
	}
}

// measureScript, added to a copy of report.html, lays the page out at the
// print text width and records, per table, how far its right edge is from
// the text's, and the text cells that break over lines.
const measureScript = `<script>
window.addEventListener('load', () => {
  const text = document.body.getBoundingClientRect().right;
  const out = [];
  document.querySelectorAll('figure.table').forEach(f => {
    const t = f.querySelector('table');
    if (!t) return;
    const m = {csv: f.querySelector('figcaption .csv').textContent, over: t.getBoundingClientRect().right - text, broken: []};
    t.querySelectorAll('td').forEach(td => {
      const r = document.createRange();
      r.selectNodeContents(td);
      const tops = new Set([...r.getClientRects()].map(x => Math.round(x.top)));
      if (tops.size > 1) m.broken.push(td.textContent);
    });
    out.push(m);
  });
  const pre = document.createElement('pre');
  pre.id = 'measure';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>`

// tableLayout is a table measured by measureScript.
type tableLayout struct {
	CSV    string   `json:"csv"`    // "(tables/NAME.csv)"
	Over   float64  `json:"over"`   // px the table's right edge is right of the text's
	Broken []string `json:"broken"` // text of cells on more than one line
}

// measureTables lays page out in Chromium as printed (the print rules
// applied on screen, the body 18 cm wide as the A4 text) and measures its
// tables.
func measureTables(t *testing.T, bin string, page []byte) []tableLayout {
	t.Helper()
	s := regexp.MustCompile(`<meta http-equiv="Content-Security-Policy"[^>]*>`).ReplaceAllString(string(page), "")
	s = strings.Replace(s, "@media print {", "@media all {", 1)
	s = strings.Replace(s, "</style>", "body { width: 180mm; }\n</style>"+measureScript, 1)
	dir := t.TempDir()
	p := filepath.Join(dir, "measure.html")
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir="+filepath.Join(dir, "profile"),
		"--virtual-time-budget=5000", "--dump-dom", "file://"+p).Output()
	if err != nil {
		t.Fatalf("chromium --dump-dom: %v", err)
	}
	m := regexp.MustCompile(`(?s)<pre id="measure">(.*?)</pre>`).FindSubmatch(out)
	if m == nil {
		t.Fatal("the measuring script did not run")
	}
	var tables []tableLayout
	if err := json.Unmarshal([]byte(html.UnescapeString(string(m[1]))), &tables); err != nil {
		t.Fatal(err)
	}
	return tables
}

// TestTablesFitInBrowser lays out the tables of the sample's report and of
// teams-desktop.pcap's and win10-browse-quic.pcapng's (where ../shared is)
// as printed: none is wider than the text, its right border included (a
// table exactly as wide lost it at the page margin), and no text cell of
// at most 24 characters (12 in a table of more than 9 columns) breaks
// over lines: a class id like dns_nxdomain, a MAC address or a DNS name
// stays whole while the long detail beside it wraps.
func TestTablesFitInBrowser(t *testing.T) {
	bin := chromium(t)
	reports := map[string]*Report{"sample": buildSample(t, Options{})}
	for _, name := range []string{"teams-desktop.pcap", "win10-browse-quic.pcapng"} {
		if p := filepath.Join("../../shared/captures", name); fileExists(p) {
			reports[name] = buildCapture(t, p)
		}
	}
	for name, r := range reports {
		page, err := r.RenderHTML("")
		if err != nil {
			t.Fatal(err)
		}
		tables := measureTables(t, bin, page)
		if len(tables) < 10 {
			t.Fatalf("%s: %d tables measured", name, len(tables))
		}
		for _, tb := range tables {
			if tb.Over > -0.5 {
				t.Errorf("%s: table %s ends %.1f px right of the text, its border cut off", name, tb.CSV, tb.Over)
			}
			wide := false
			for _, x := range r.Tables {
				if tb.CSV == "(tables/"+x.Name+".csv)" {
					wide = len(x.Columns) > 9
				}
			}
			for _, c := range tb.Broken {
				if n := len(c); n <= 12 || (n <= 24 && !wide) {
					t.Errorf("%s: table %s breaks the short cell %q", name, tb.CSV, c)
				}
			}
		}
	}
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }
