package report

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// PrintPDF prints an HTML file to a PDF with headless Chromium (Debian's
// chromium package), A4, without headers and footers.
func PrintPDF(html, pdf string) error {
	bin := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			bin = p
			break
		}
	}
	if bin == "" {
		return errors.New("--pdf needs Chromium (Debian: apt-get install chromium)")
	}
	html, _ = filepath.Abs(html)
	pdf, _ = filepath.Abs(pdf)
	prof, err := os.MkdirTemp("", "pcaplab-chromium-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(prof)
	cmd := exec.Command(bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--no-first-run", "--user-data-dir="+prof,
		"--no-pdf-header-footer", "--print-to-pdf="+pdf, "file://"+html)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("--pdf: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("--pdf: chromium failed: %v", err)
		}
	case <-time.After(2 * time.Minute):
		cmd.Process.Kill()
		return errors.New("--pdf: chromium did not finish within 2 minutes")
	}
	if st, err := os.Stat(pdf); err != nil || st.Size() == 0 {
		return errors.New("--pdf: chromium wrote no PDF")
	}
	return nil
}
