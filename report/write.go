package report

import (
	"bytes"
	"fmt"
	htmltemplate "html/template"
	"net/netip"
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
	// underscores, and a name or an IPv6 address (avatars.githubusercontent.com,
	// 2001:db8::23, tcp/443) after its dots, colons and slashes: a table too
	// wide for the page then narrows where it must, instead of Chromium
	// shrinking the whole PDF to fit it. An IPv4 address stays whole: it is
	// short, and split it reads as two numbers. HTML only; the text is
	// escaped.
	"wbr": func(s string) htmltemplate.HTML {
		e := htmltemplate.HTMLEscapeString(s)
		if a, err := netip.ParseAddr(s); err == nil && a.Is4() {
			return htmltemplate.HTML(e)
		}
		return htmltemplate.HTML(wbrReplacer.Replace(e))
	},
}

var wbrReplacer = strings.NewReplacer("_", "_<wbr>", ".", ".<wbr>", ":", ":<wbr>", "/", "/<wbr>")

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

// Output says how a report is written: the user's own templates ("" for
// the defaults) and whether to print report.pdf with Chromium.
type Output struct {
	HTMLTemplate, MarkdownTemplate string
	PDF                            bool
}

// Write writes report.html, report.md, figures/*.png, tables/*.csv and,
// when asked, report.pdf into dir (created if needed). Only the report's
// own files are replaced, each once the whole new report is ready; the
// user's other files in dir are never touched (see outdir.go).
func (r *Report) Write(dir string, o Output) error {
	html, err := r.RenderHTML(o.HTMLTemplate)
	if err != nil {
		return err
	}
	md, err := r.RenderMarkdown(o.MarkdownTemplate)
	if err != nil {
		return err
	}
	files := map[string]content{"report.html": bytesContent(html), "report.md": bytesContent(md)}
	for _, f := range r.Figures {
		files["figures/"+f.Name+".png"] = bytesContent(f.PNG)
	}
	for _, tb := range r.Tables {
		write := tb.csv
		if write == nil {
			write = tb.data.WriteCSV
		}
		files["tables/"+tb.Name+".csv"] = write
	}
	od, err := openOutDir(dir)
	if err != nil {
		return err
	}
	defer od.close()
	var pdf func(tmp string) (map[string][]byte, error)
	if o.PDF {
		pdf = func(tmp string) (map[string][]byte, error) {
			if err := PrintPDF(filepath.Join(tmp, "report.html"), filepath.Join(tmp, "report.pdf")); err != nil {
				return nil, err
			}
			return map[string][]byte{"report.pdf": nil}, nil
		}
	}
	return od.install(files, pdf)
}
