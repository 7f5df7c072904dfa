// Package notebook is pcaplab in a Jupyter notebook running the GoNB
// kernel: Open opens a capture for a cell (from the model cache, and with
// one clear error that stops the cell when the path is wrong); Table shows
// typed rows, a *table.Table or a dataframe as an HTML table (grouped
// digits, fixed decimals per column, a row limit, "0 rows" when empty);
// Plot shows a figure as inline SVG; Text and Error show a sentence or an
// error. Every display waits until the kernel has delivered it. Outside a
// notebook the functions print plain text instead, so the same code runs in
// a terminal. It is its own package so that analysis does not depend on the
// kernel.
package notebook

import (
	"errors"
	"fmt"
	"html"
	"os"
	"reflect"
	"strings"

	"github.com/go-gota/gota/dataframe"
	"github.com/janpfeifer/gonb/gonbui"
	"github.com/pcaplab/pcaplab/analysis"
	"github.com/pcaplab/pcaplab/table"
	"github.com/pcaplab/pcaplab/units"
	"gonum.org/v1/plot"
)

// MaxRows is the number of rows Table shows before it says how many more
// there are.
var MaxRows = 30

// Table shows a table: a slice of the analysis package's rows, an answer
// that holds its rows in a Rows field (c.Hosts().TopByBytes(15),
// c.Flows().Fastest(10, …)), a *table.Table, or a gota DataFrame (one you
// filtered, say).
func Table(v any) {
	t, err := toTable(v)
	if err != nil {
		Error(err)
		return
	}
	if !gonbui.IsNotebook {
		fmt.Print(t.Text())
		return
	}
	show(func() { gonbui.DisplayHTML(TableHTML(t, MaxRows)) })
}

// show sends one display and waits until the kernel has delivered it.
// GoNB forwards display data asynchronously: without the wait, a cell's
// last displays could arrive after the kernel reported the cell idle and
// be lost (3 of 4 headless runs lost 1–3 outputs; with the wait, none).
func show(display func()) {
	display()
	gonbui.Sync()
}

// toTable turns what Table accepts into a *table.Table.
func toTable(v any) (*table.Table, error) {
	switch x := v.(type) {
	case *table.Table:
		return x, nil
	case dataframe.DataFrame:
		if x.Err != nil {
			return nil, x.Err
		}
		return table.FromFrame(x), nil
	case *dataframe.DataFrame:
		return toTable(*x)
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Struct { // an answer with its rows: TopHosts, FlowPorts, Fastest …
		if f := rv.FieldByName("Rows"); f.IsValid() && f.Kind() == reflect.Slice {
			rv = f
		}
	}
	if rv.Kind() != reflect.Slice {
		return nil, fmt.Errorf("notebook.Table: cannot show a %T as a table", v)
	}
	return table.OfValue(rv), nil
}

// TableHTML renders a table as HTML, at most maxRows rows; every value is
// escaped, numbers right-aligned under right-aligned headers, text left.
func TableHTML(t *table.Table, maxRows int) string {
	var b strings.Builder
	b.WriteString(`<table class="pcaplab" style="border-collapse:collapse;font-size:90%"><thead><tr>`)
	align := make([]string, len(t.Columns))
	for c, col := range t.Columns {
		align[c] = "left"
		if col.Kind == table.Int || col.Kind == table.Float {
			align[c] = "right"
		}
		fmt.Fprintf(&b, `<th style="border-bottom:1px solid #888;padding:2px 8px;text-align:%s">%s</th>`, align[c], html.EscapeString(col.Name))
	}
	b.WriteString("</tr></thead><tbody>")
	shown := min(t.Len(), maxRows)
	for r := 0; r < shown; r++ {
		b.WriteString("<tr>")
		for c := range t.Columns {
			fmt.Fprintf(&b, `<td style="text-align:%s;padding:2px 8px">%s</td>`, align[c], html.EscapeString(t.Cell(r, c)))
		}
		b.WriteString("</tr>")
	}
	b.WriteString("</tbody></table>")
	switch {
	case t.Len() == 0:
		b.WriteString(`<p style="font-size:85%;color:#555">0 rows</p>`)
	case t.Len() > shown:
		fmt.Fprintf(&b, `<p style="font-size:85%%;color:#555">%s more rows (notebook.MaxRows = %d)</p>`, units.Count(t.Len()-shown), maxRows)
	}
	return b.String()
}

// Plot shows a figure as inline SVG (in a terminal: says where it would be).
//
// It takes a figure as the analysis package returns it, with its error:
// notebook.Plot(c.Flows().SizePlot()). A figure the data cannot fill is
// said so in words.
func Plot(p *plot.Plot, errs ...error) {
	for _, err := range errs {
		if err != nil {
			var tl *analysis.TooLittleData
			if errors.As(err, &tl) {
				Text(tl.Error() + ".")
			} else {
				Error(err)
			}
			return
		}
	}
	if p == nil {
		return // a nil figure without an error shows nothing
	}
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
