package table

import (
	"encoding/csv"
	"io"
	"iter"
	"strconv"
	"strings"
	"unicode/utf8"
)

// WriteCSV writes the table as CSV with a header row: machine values (see
// Raw). A text cell that a spreadsheet would run as a formula — one that
// begins with = + - @, a tab or a carriage return — is prefixed with ',
// since names in a capture are chosen by whoever sent the packets.
func (t *Table) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := t.writeCSV(cw, true); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// writeCSV writes the rows, after the header row when head is true.
func (t *Table) writeCSV(cw *csv.Writer, head bool) error {
	if head {
		names := make([]string, len(t.Columns))
		for i, c := range t.Columns {
			names[i] = c.Name
		}
		if err := cw.Write(names); err != nil {
			return err
		}
	}
	rec := make([]string, len(t.Columns))
	for r := range t.Rows {
		for c, col := range t.Columns {
			rec[c] = t.Raw(r, c)
			if col.Kind == String {
				rec[c] = SafeCSV(rec[c])
			}
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	return nil
}

// WriteCSVOf writes typed rows as Of(rows).WriteCSV would, a thousand at a
// time, so that a long sequence is never a whole table in memory (a table
// holds each cell as an interface value: 300 000 rows of seven columns
// took 60 MB).
func WriteCSVOf[T any](w io.Writer, rows iter.Seq[T]) error {
	cw := csv.NewWriter(w)
	chunk := make([]T, 0, 1000)
	head := true
	flush := func() error {
		err := Of(chunk).writeCSV(cw, head)
		head, chunk = false, chunk[:0]
		return err
	}
	for r := range rows {
		if chunk = append(chunk, r); len(chunk) == cap(chunk) {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// SafeCSV defuses a text cell for spreadsheets (see WriteCSV); a number
// or a lone "-" stays as it is.
func SafeCSV(s string) string {
	if s == "" || s == "-" {
		return s
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// Text writes the table as aligned text for a terminal: every row, numbers
// right-aligned, text left-aligned under left-aligned headers; "(0 rows)"
// under the header of an empty table.
func (t *Table) Text() string {
	width := make([]int, len(t.Columns))
	cells := make([][]string, len(t.Rows))
	for c, col := range t.Columns {
		width[c] = utf8.RuneCountInString(col.Name)
	}
	for r := range t.Rows {
		cells[r] = make([]string, len(t.Columns))
		for c := range t.Columns {
			cells[r][c] = t.Cell(r, c)
			width[c] = max(width[c], utf8.RuneCountInString(cells[r][c]))
		}
	}
	var b strings.Builder
	line := func(vals []string) {
		var l strings.Builder
		for c, v := range vals {
			if c > 0 {
				l.WriteString("  ")
			}
			pad := strings.Repeat(" ", width[c]-utf8.RuneCountInString(v))
			if t.Columns[c].Kind == String {
				l.WriteString(v + pad)
			} else {
				l.WriteString(pad + v)
			}
		}
		b.WriteString(strings.TrimRight(l.String(), " ") + "\n")
	}
	head := make([]string, len(t.Columns))
	for c, col := range t.Columns {
		head[c] = col.Name
	}
	line(head)
	for _, row := range cells {
		line(row)
	}
	if len(t.Rows) == 0 {
		b.WriteString("(0 rows)\n")
	}
	return b.String()
}
