package report

import (
	"bytes"
	"fmt"
	htmltemplate "html/template"
	"os"
	"path/filepath"
	"strings"
	texttemplate "text/template"

	"github.com/pcaplab/pcaplab/templates"
)

// Funcs are the functions the templates may use, besides the standard ones.
var Funcs = map[string]any{
	// md escapes text for a Markdown table cell or paragraph: HTML is
	// written as entities and Markdown's own characters are escaped, so a
	// name taken from a packet cannot inject markup.
	"md": MarkdownEscape,
	// join joins strings.
	"join": strings.Join,
	// align is a Markdown table's alignment row.
	"align": func(t *Table) string {
		var b strings.Builder
		b.WriteString("|")
		for _, n := range t.Numeric {
			if n {
				b.WriteString("---:|")
			} else {
				b.WriteString(":---|")
			}
		}
		return b.String()
	},
	"inc": func(i int) int { return i + 1 },
	// wbr lets a column name like bytes_per_packet break after its
	// underscores (HTML only; the text is escaped).
	"wbr": func(s string) htmltemplate.HTML {
		return htmltemplate.HTML(strings.ReplaceAll(htmltemplate.HTMLEscapeString(s), "_", "_<wbr>"))
	},
}

var mdReplacer = strings.NewReplacer(
	"&", "&amp;", "<", "&lt;", ">", "&gt;", "|", `\|`, `\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`,
	"[", `\[`, "]", `\]`, "#", `\#`, "\n", " ", "\r", " ",
)

// MarkdownEscape makes untrusted text safe in Markdown.
func MarkdownEscape(s string) string { return mdReplacer.Replace(s) }

// RenderHTML renders the report with an html/template (the default when
// tmpl is "").
func (r *Report) RenderHTML(tmpl string) ([]byte, error) {
	if tmpl == "" {
		tmpl = templates.HTML
	}
	t, err := htmltemplate.New("report.html").Funcs(Funcs).Parse(tmpl)
	if err != nil {
		return nil, fmt.Errorf("HTML template: %v", err)
	}
	var b bytes.Buffer
	if err := t.Execute(&b, r); err != nil {
		return nil, fmt.Errorf("HTML template: %v", err)
	}
	return b.Bytes(), nil
}

// RenderMarkdown renders the report with a text/template (the default when
// tmpl is "").
func (r *Report) RenderMarkdown(tmpl string) ([]byte, error) {
	if tmpl == "" {
		tmpl = templates.Markdown
	}
	t, err := texttemplate.New("report.md").Funcs(Funcs).Parse(tmpl)
	if err != nil {
		return nil, fmt.Errorf("Markdown template: %v", err)
	}
	var b bytes.Buffer
	if err := t.Execute(&b, r); err != nil {
		return nil, fmt.Errorf("Markdown template: %v", err)
	}
	return b.Bytes(), nil
}

// Templates are the user's own templates; "" means the default.
type Templates struct{ HTML, Markdown string }

// Write writes report.html, report.md, figures/*.png and tables/*.csv into
// dir (created if needed). Everything is first written into a temporary
// directory inside dir; the old report's files are replaced only once the
// new ones are complete.
func (r *Report) Write(dir string, t Templates) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(dir, ".pcaplab-report-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	html, err := r.RenderHTML(t.HTML)
	if err != nil {
		return err
	}
	md, err := r.RenderMarkdown(t.Markdown)
	if err != nil {
		return err
	}
	files := map[string][]byte{"report.html": html, "report.md": md}
	for _, f := range r.Figures {
		files[filepath.Join("figures", f.Name+".png")] = f.PNG
	}
	for _, tb := range r.Tables {
		var b bytes.Buffer
		if err := tb.frame.WriteCSV(&b); err != nil {
			return fmt.Errorf("table %s: %v", tb.Name, err)
		}
		files[filepath.Join("tables", tb.Name+".csv")] = b.Bytes()
	}
	for name, data := range files {
		p := filepath.Join(tmp, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return err
		}
	}
	// Swap in: directories are moved aside first, then removed.
	for _, name := range []string{"figures", "tables", "report.md", "report.html"} {
		dst := filepath.Join(dir, name)
		old := ""
		if _, err := os.Stat(dst); err == nil {
			old = filepath.Join(tmp, "old-"+name)
			if err := os.Rename(dst, old); err != nil {
				return err
			}
		}
		if err := os.Rename(filepath.Join(tmp, name), dst); err != nil {
			if old != "" {
				os.Rename(old, dst)
			}
			return err
		}
	}
	return nil
}
