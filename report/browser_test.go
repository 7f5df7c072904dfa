package report

import (
	"encoding/json"
	"fmt"
	"image/png"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
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
// SVG was drawn) and a page break before each task.
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

	pdf := filepath.Join(dir, "report.pdf")
	runChromium(t, bin, page, "--no-pdf-header-footer", "--print-to-pdf="+pdf)
	text, err := exec.Command("pdftotext", "-layout", pdf, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
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
