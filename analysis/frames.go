package analysis

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/go-gota/gota/dataframe"
	"github.com/go-gota/gota/series"
)

// col is one column under construction: a name with its unit, and values.
type col struct {
	name string
	kind series.Type
	s    []string
	i    []int
	f    []float64
}

func strCol(name string) *col   { return &col{name: name, kind: series.String} }
func intCol(name string) *col   { return &col{name: name, kind: series.Int} }
func floatCol(name string) *col { return &col{name: name, kind: series.Float} }

func (c *col) add(v any) {
	switch c.kind {
	case series.String:
		c.s = append(c.s, fmt.Sprint(v))
	case series.Int:
		switch x := v.(type) {
		case int:
			c.i = append(c.i, x)
		case uint64:
			c.i = append(c.i, int(x))
		case uint32:
			c.i = append(c.i, int(x))
		case uint16:
			c.i = append(c.i, int(x))
		case uint8:
			c.i = append(c.i, int(x))
		case int64:
			c.i = append(c.i, int(x))
		default:
			panic(fmt.Sprintf("analysis: int column %s given %T", c.name, v))
		}
	case series.Float:
		switch x := v.(type) {
		case float64:
			c.f = append(c.f, x)
		case int:
			c.f = append(c.f, float64(x))
		case uint64:
			c.f = append(c.f, float64(x))
		default:
			panic(fmt.Sprintf("analysis: float column %s given %T", c.name, v))
		}
	}
}

func (c *col) series() series.Series {
	switch c.kind {
	case series.Int:
		if c.i == nil {
			c.i = []int{}
		}
		return series.New(c.i, series.Int, c.name)
	case series.Float:
		if c.f == nil {
			c.f = []float64{}
		}
		return series.New(c.f, series.Float, c.name)
	}
	if c.s == nil {
		c.s = []string{}
	}
	return series.New(c.s, series.String, c.name)
}

// table collects rows of a dataframe column by column.
type table []*col

func newTable(cols ...*col) table { return cols }

func (t table) row(v ...any) {
	if len(v) != len(t) {
		panic(fmt.Sprintf("analysis: row of %d values for %d columns", len(v), len(t)))
	}
	for i, c := range t {
		c.add(v[i])
	}
}

func (t table) frame() dataframe.DataFrame {
	ss := make([]series.Series, len(t))
	for i, c := range t {
		ss[i] = c.series()
	}
	return dataframe.New(ss...)
}

// FormatTable renders a dataframe as an aligned text table with every row
// (gota's own String shows ten). Numbers are right-aligned; floats keep up
// to six significant digits.
func FormatTable(df dataframe.DataFrame) string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	names := df.Names()
	fmt.Fprintln(tw, strings.Join(names, "\t")+"\t")
	for r := 0; r < df.Nrow(); r++ {
		cells := make([]string, len(names))
		for c := range names {
			e := df.Elem(r, c)
			if e.Type() == series.Float {
				cells[c] = fmt.Sprintf("%.6g", e.Float())
			} else {
				cells[c] = e.String()
			}
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t")
	}
	tw.Flush()
	return b.String()
}
