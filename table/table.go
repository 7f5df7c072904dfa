// Package table turns pcaplab's typed result rows into tables. A row type
// names its columns, with their units, in struct tags:
//
//	type PortRow struct {
//		Port    uint16  `table:"port,id"`      // an identifier: no digit grouping
//		Packets uint64  `table:"packets"`
//		Share   float64 `table:"share_percent,1"` // one decimal
//		RTT     time.Duration `table:"rtt_ms,3"`   // the unit suffix converts: _s, _ms, _us, _ns
//	}
//
// Of builds a Table from a slice of rows; the Table is then shown as a gota
// DataFrame (Frame), as cells written for people (Cell: grouped digits,
// fixed decimals per column), as CSV (WriteCSV, safe to open in a
// spreadsheet) or as aligned text (Text). Addresses, timestamps and other
// values with a String method become text columns; a time.Time is written
// as units.Timestamp.
package table

import (
	"fmt"
	"math"
	"net/netip"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/go-gota/gota/dataframe"
	"github.com/go-gota/gota/series"
	"github.com/pcaplab/pcaplab/units"
)

// Kind is a column's type.
type Kind uint8

// Column kinds.
const (
	String Kind = iota
	Int
	Float
	Bool
)

// Column describes one column.
type Column struct {
	Name     string // with its unit: bytes, duration_s, mbit_per_s
	Kind     Kind
	Decimals int  // Float: digits after the point
	ID       bool // Int: an identifier (port, rank, slot), written without digit grouping
}

// Table is columns and rows of values: int64 for Int, float64 for Float,
// string for String, bool for Bool.
type Table struct {
	Columns []Column
	Rows    [][]any
}

// New starts an empty table with the given columns.
func New(cols ...Column) *Table { return &Table{Columns: cols} }

// Add appends a row; the values are converted to the columns' kinds.
func (t *Table) Add(values ...any) {
	if len(values) != len(t.Columns) {
		panic(fmt.Sprintf("table: row of %d values for %d columns", len(values), len(t.Columns)))
	}
	row := make([]any, len(values))
	for i, v := range values {
		row[i] = convert(reflect.ValueOf(v), t.Columns[i].Kind, unitOf(t.Columns[i].Name))
	}
	t.Rows = append(t.Rows, row)
}

// Len is the number of rows.
func (t *Table) Len() int { return len(t.Rows) }

// Index returns the position of the named column, or -1.
func (t *Table) Index(name string) int {
	for i, c := range t.Columns {
		if c.Name == name {
			return i
		}
	}
	return -1
}

// Head returns a table of the first n rows (sharing the rows).
func (t *Table) Head(n int) *Table {
	return &Table{Columns: t.Columns, Rows: t.Rows[:min(n, len(t.Rows))]}
}

// Select returns a table of the named columns, in that order; an unknown
// name panics (it is a programming error).
func (t *Table) Select(names ...string) *Table {
	idx := make([]int, len(names))
	out := &Table{}
	for i, n := range names {
		idx[i] = t.Index(n)
		if idx[i] < 0 {
			panic("table: no column " + n)
		}
		out.Columns = append(out.Columns, t.Columns[idx[i]])
	}
	for _, r := range t.Rows {
		row := make([]any, len(idx))
		for i, j := range idx {
			row[i] = r[j]
		}
		out.Rows = append(out.Rows, row)
	}
	return out
}

// Of builds a table from rows of a struct type with `table` tags (see the
// package documentation). Fields without a tag, or tagged "-", are left out;
// embedded structs are flattened.
func Of[T any](rows []T) *Table { return OfValue(reflect.ValueOf(rows)) }

type field struct {
	index []int
	col   Column
}

var (
	timeType     = reflect.TypeFor[time.Time]()
	durationType = reflect.TypeFor[time.Duration]()
	stringerType = reflect.TypeFor[fmt.Stringer]()
)

// columnsOf reads the `table` tags of a struct type.
func columnsOf(typ reflect.Type) []field {
	if typ.Kind() != reflect.Struct {
		panic("table: rows must be structs, not " + typ.String())
	}
	var out []field
	for _, sf := range reflect.VisibleFields(typ) {
		tag, ok := sf.Tag.Lookup("table")
		if !ok || tag == "-" || !sf.IsExported() {
			continue
		}
		parts := strings.Split(tag, ",")
		col := Column{Name: parts[0], Kind: kindOf(sf.Type), Decimals: 1}
		for _, opt := range parts[1:] {
			if opt == "id" {
				col.ID = true
			} else if d, err := strconv.Atoi(opt); err == nil {
				col.Decimals = d
			} else {
				panic(fmt.Sprintf("table: %s.%s: unknown option %q", typ, sf.Name, opt))
			}
		}
		out = append(out, field{index: sf.Index, col: col})
	}
	return out
}

func kindOf(t reflect.Type) Kind {
	switch {
	case t == timeType:
		return String
	case t == durationType:
		return Float
	case t.Implements(stringerType):
		return String
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return Int
	case reflect.Float32, reflect.Float64:
		return Float
	case reflect.Bool:
		return Bool
	}
	return String
}

// unitOf is the time unit a column name ends in (_s, _ms, _us, _ns).
func unitOf(name string) time.Duration {
	switch {
	case strings.HasSuffix(name, "_ns"):
		return time.Nanosecond
	case strings.HasSuffix(name, "_us"):
		return time.Microsecond
	case strings.HasSuffix(name, "_ms"):
		return time.Millisecond
	}
	return time.Second
}

// convert turns a field's value into the column's kind.
func convert(v reflect.Value, k Kind, unit time.Duration) any {
	if !v.IsValid() {
		return zero(k)
	}
	switch x := v.Interface().(type) {
	case time.Time:
		if x.IsZero() {
			return ""
		}
		return units.Timestamp(x)
	case netip.Addr:
		if !x.IsValid() {
			return "" // no address (a DHCP client's broadcast), not "invalid IP"
		}
		return x.String()
	case time.Duration:
		if k == Int {
			return int64(x / unit)
		}
		return float64(x) / float64(unit)
	case fmt.Stringer:
		if k == String {
			return x.String()
		}
	}
	switch k {
	case Int:
		switch v.Kind() {
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			return int64(v.Uint())
		case reflect.Float32, reflect.Float64:
			return int64(v.Float())
		}
		return v.Int()
	case Float:
		switch v.Kind() {
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			return float64(v.Uint())
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			return float64(v.Int())
		}
		return v.Float()
	case Bool:
		return v.Bool()
	}
	return fmt.Sprint(v.Interface())
}

func zero(k Kind) any {
	switch k {
	case Int:
		return int64(0)
	case Float:
		return 0.0
	case Bool:
		return false
	}
	return ""
}

// Cell writes one cell for people: integers with grouped digits (except
// identifiers), floats with the column's decimals, whole-number floats
// without decimals when the column has none.
func (t *Table) Cell(r, c int) string {
	col := t.Columns[c]
	switch v := t.Rows[r][c].(type) {
	case int64:
		if col.ID {
			return strconv.FormatInt(v, 10)
		}
		return units.Count(v)
	case float64:
		if tiny(v, col.Decimals) {
			return twoDigits(v)
		}
		return units.Fixed(v, col.Decimals)
	case bool:
		if v {
			return "yes"
		}
		return "no"
	case string:
		return v
	}
	return fmt.Sprint(t.Rows[r][c])
}

// tiny reports whether a value that is not zero would print as zero with
// the column's decimals (0.0106 packets/s in a one-decimal column): it is
// then written with two significant digits instead.
func tiny(v float64, decimals int) bool {
	return v != 0 && math.Abs(v) < 0.5*math.Pow(10, -float64(decimals))
}

// twoDigits writes a small value with two significant digits in plain
// decimals: 0.011, 0.000035.
func twoDigits(v float64) string {
	return strconv.FormatFloat(v, 'f', 1-int(math.Floor(math.Log10(math.Abs(v)))), 64)
}

// Raw writes one cell for machines: integers in full, floats with the
// column's decimals and no grouping, text as it is.
func (t *Table) Raw(r, c int) string {
	switch v := t.Rows[r][c].(type) {
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return ""
		}
		if tiny(v, t.Columns[c].Decimals) {
			return twoDigits(v)
		}
		return strconv.FormatFloat(v, 'f', t.Columns[c].Decimals, 64)
	case bool:
		return strconv.FormatBool(v)
	case string:
		return v
	}
	return fmt.Sprint(t.Rows[r][c])
}

// Frame is the table as a gota DataFrame (column names with their units).
func (t *Table) Frame() dataframe.DataFrame {
	ss := make([]series.Series, len(t.Columns))
	for c, col := range t.Columns {
		switch col.Kind {
		case Int:
			v := make([]int, len(t.Rows))
			for r := range t.Rows {
				v[r] = int(t.Rows[r][c].(int64))
			}
			ss[c] = series.New(v, series.Int, col.Name)
		case Float:
			v := make([]float64, len(t.Rows))
			for r := range t.Rows {
				v[r] = t.Rows[r][c].(float64)
			}
			ss[c] = series.New(v, series.Float, col.Name)
		case Bool:
			v := make([]bool, len(t.Rows))
			for r := range t.Rows {
				v[r] = t.Rows[r][c].(bool)
			}
			ss[c] = series.New(v, series.Bool, col.Name)
		default:
			v := make([]string, len(t.Rows))
			for r := range t.Rows {
				v[r] = t.Rows[r][c].(string)
			}
			ss[c] = series.New(v, series.String, col.Name)
		}
	}
	return dataframe.New(ss...)
}

// FromFrame turns a gota DataFrame (one a user filtered, say) back into a
// table; floats get two decimals.
func FromFrame(df dataframe.DataFrame) *Table {
	t := &Table{}
	for _, name := range df.Names() {
		s := df.Col(name)
		col := Column{Name: name, Decimals: 2, ID: identifier(name)}
		switch s.Type() {
		case series.Int:
			col.Kind = Int
		case series.Float:
			col.Kind = Float
		case series.Bool:
			col.Kind = Bool
		}
		t.Columns = append(t.Columns, col)
	}
	for r := 0; r < df.Nrow(); r++ {
		row := make([]any, len(t.Columns))
		for c, col := range t.Columns {
			row[c] = frameValue(df.Col(col.Name).Elem(r), col.Kind)
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

func frameValue(e series.Element, k Kind) any {
	switch k {
	case Int:
		v, _ := e.Int()
		return int64(v)
	case Float:
		return e.Float()
	case Bool:
		v, _ := e.Bool()
		return v
	}
	return e.String()
}

// identifier guesses from a name whether an integer column identifies
// rather than counts (for frames, which carry no tags).
func identifier(name string) bool {
	return strings.Contains(name, "port") || strings.Contains(name, "slot") || name == "rank" || strings.HasSuffix(name, "_ns")
}

// OfValue is Of for a slice given as a reflect.Value (for callers that
// hold rows of a type they do not know, such as the notebook helpers).
func OfValue(rows reflect.Value) *Table {
	typ := rows.Type().Elem()
	for typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	fields := columnsOf(typ)
	t := &Table{}
	for _, f := range fields {
		t.Columns = append(t.Columns, f.col)
	}
	for i := 0; i < rows.Len(); i++ {
		v := rows.Index(i)
		for v.Kind() == reflect.Pointer {
			v = v.Elem()
		}
		row := make([]any, len(fields))
		for j, f := range fields {
			row[j] = convert(v.FieldByIndex(f.index), f.col.Kind, unitOf(f.col.Name))
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}
