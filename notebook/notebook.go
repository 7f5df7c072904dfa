// Package notebook shows pcaplab's tables and figures in a Jupyter notebook
// running the GoNB kernel: a dataframe as an HTML table (thousands
// separators, a row limit), a figure as inline SVG, an error as readable
// text. Outside a notebook the functions print plain text instead, so the
// same code runs in a terminal. It is its own package so that analysis does
// not depend on the kernel.
package notebook

import (
	"fmt"
	"html"
	"os"
	"strings"

	"github.com/go-gota/gota/dataframe"
	"github.com/go-gota/gota/series"
	"github.com/janpfeifer/gonb/gonbui"
	"github.com/pcaplab/pcaplab/analysis"
	"gonum.org/v1/plot"
)

// MaxRows is the number of rows Table shows before it says how many more
// there are.
var MaxRows = 30

// Table shows a dataframe.
func Table(df dataframe.DataFrame) {
	if df.Err != nil {
		Error(df.Err)
		return
	}
	if !gonbui.IsNotebook {
		fmt.Print(analysis.FormatTable(df))
		return
	}
	show(func() { gonbui.DisplayHTML(TableHTML(df, MaxRows)) })
}

// show sends one display and waits until the kernel has delivered it.
// GoNB forwards display data asynchronously: without the wait, a cell's
// last displays could arrive after the kernel reported the cell idle and
// be lost (3 of 4 headless runs lost 1–3 outputs; with the wait, none).
func show(display func()) {
	display()
	gonbui.Sync()
}

// TableHTML renders a dataframe as an HTML table of at most maxRows rows;
// every value is escaped. Integers get thousands separators, except ports,
// slots and ranks.
func TableHTML(df dataframe.DataFrame, maxRows int) string {
	var b strings.Builder
	b.WriteString(`<table class="pcaplab" style="border-collapse:collapse;font-size:90%"><thead><tr>`)
	names := df.Names()
	for _, n := range names {
		fmt.Fprintf(&b, `<th style="border-bottom:1px solid #888;padding:2px 8px">%s</th>`, html.EscapeString(n))
	}
	b.WriteString("</tr></thead><tbody>")
	rows := df.Nrow()
	shown := min(rows, maxRows)
	for r := 0; r < shown; r++ {
		b.WriteString("<tr>")
		for c, n := range names {
			e := df.Elem(r, c)
			align := "left"
			v := e.String()
			switch e.Type() {
			case series.Int:
				align = "right"
				if i, err := e.Int(); err == nil && !identifier(n) {
					v = thousands(i)
				}
			case series.Float:
				align = "right"
				v = fmt.Sprintf("%.6g", e.Float())
			}
			fmt.Fprintf(&b, `<td style="text-align:%s;padding:2px 8px">%s</td>`, align, html.EscapeString(v))
		}
		b.WriteString("</tr>")
	}
	b.WriteString("</tbody></table>")
	if rows > shown {
		fmt.Fprintf(&b, `<p style="font-size:85%%;color:#555">%s more rows (notebook.MaxRows = %d)</p>`, thousands(rows-shown), maxRows)
	}
	return b.String()
}

func identifier(col string) bool {
	return strings.Contains(col, "port") || strings.Contains(col, "slot") || col == "rank"
}

// thousands writes 1234567 as "1,234,567".
func thousands(v int) string {
	s := fmt.Sprint(v)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// Plot shows a figure as inline SVG (in a terminal: says where it would be).
func Plot(p *plot.Plot) {
	svg, err := analysis.RenderSVG(p)
	if err != nil {
		Error(err)
		return
	}
	if !gonbui.IsNotebook {
		fmt.Printf("[figure: %s]\n", p.Title.Text)
		return
	}
	show(func() { gonbui.DisplaySVG(string(svg)) })
}

// Text shows a sentence or paragraph.
func Text(s string) {
	if !gonbui.IsNotebook {
		fmt.Println(s)
		return
	}
	show(func() { gonbui.DisplayHTML("<p>" + html.EscapeString(s) + "</p>") })
}

// Error shows an error as readable red text (not a panic).
func Error(err error) {
	if err == nil {
		return
	}
	if !gonbui.IsNotebook {
		fmt.Fprintln(os.Stderr, "error:", err)
		return
	}
	show(func() {
		gonbui.DisplayHTML(`<pre style="color:#b00020;white-space:pre-wrap">error: ` + html.EscapeString(err.Error()) + "</pre>")
	})
}
