package table

import (
	"bytes"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

type row struct {
	Rank    int           `table:"rank,id"`
	Host    netip.Addr    `table:"host"`
	Bytes   uint64        `table:"bytes"`
	Rate    float64       `table:"mbit_per_s,2"`
	Took    time.Duration `table:"duration_ms,3"`
	At      time.Time     `table:"start"`
	Name    string        `table:"server_name"`
	Private bool          `table:"private"`
	hidden  int
	Skip    int `table:"-"`
}

var rows = []row{
	{1, netip.MustParseAddr("192.0.2.1"), 1234567, 8.5, 1316 * time.Microsecond, time.Date(2025, 10, 14, 9, 30, 0, 0, time.UTC), "=cmd|'/C calc'!A0", true, 0, 9},
	{2, netip.MustParseAddr("2001:db8::1"), 12, 0.07494, time.Second, time.Time{}, "example.org", false, 0, 9},
}

func TestOf(t *testing.T) {
	tb := Of(rows)
	var names []string
	for _, c := range tb.Columns {
		names = append(names, c.Name)
	}
	if strings.Join(names, " ") != "rank host bytes mbit_per_s duration_ms start server_name private" {
		t.Fatalf("columns %v", names)
	}
	want := [][]string{
		{"1", "192.0.2.1", "1\u202f234\u202f567", "8.50", "1.316", "2025-10-14 09:30:00.000000 UTC", "=cmd|'/C calc'!A0", "yes"},
		{"2", "2001:db8::1", "12", "0.07", "1000.000", "", "example.org", "no"},
	}
	for r := range want {
		for c := range want[r] {
			if got := tb.Cell(r, c); got != strings.ReplaceAll(want[r][c], "1000.000", "1\u202f000.000") {
				t.Errorf("cell %d,%d = %q, want %q", r, c, got, want[r][c])
			}
		}
	}
	df := tb.Frame()
	if df.Nrow() != 2 || df.Col("bytes").Elem(0).String() != "1234567" || df.Col("mbit_per_s").Elem(1).Float() != 0.07494 {
		t.Errorf("frame:\n%v", df)
	}
	back := FromFrame(df)
	if back.Cell(0, 2) != "1\u202f234\u202f567" || back.Cell(0, 0) != "1" || back.Len() != 2 {
		t.Errorf("from frame: %v", back.Rows)
	}
	if sel := tb.Select("bytes", "rank"); sel.Cell(1, 0) != "12" || sel.Cell(1, 1) != "2" {
		t.Errorf("select: %v", sel.Rows)
	}
}

func TestCSVAndText(t *testing.T) {
	var b bytes.Buffer
	if err := Of(rows).WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	want := "rank,host,bytes,mbit_per_s,duration_ms,start,server_name,private\n" +
		"1,192.0.2.1,1234567,8.50,1.316,2025-10-14 09:30:00.000000 UTC,'=cmd|'/C calc'!A0,true\n" +
		"2,2001:db8::1,12,0.07,1000.000,,example.org,false\n"
	if b.String() != want {
		t.Errorf("CSV:\n%s\nwant\n%s", b.String(), want)
	}
	for _, s := range []string{"+cmd", "-2+3", "@SUM(A1)", "\tx", "\rx"} {
		if SafeCSV(s)[0] != '\'' {
			t.Errorf("%q not defused", s)
		}
	}
	text := Of(rows[:0]).Text()
	if !strings.HasPrefix(text, "rank  host  bytes") || !strings.Contains(text, "(0 rows)") {
		t.Errorf("empty table:\n%s", text)
	}
	lines := strings.Split(Of(rows).Text(), "\n")
	if !strings.HasPrefix(lines[1], "   1  192.0.2.1  ") {
		t.Errorf("text:\n%s", strings.Join(lines, "\n"))
	}
}

// A value that is not zero never prints as zero: below the column's last
// decimal it gets two significant digits.
func TestTinyValues(t *testing.T) {
	type row struct {
		Rate float64 `table:"packets_per_s,1"`
	}
	tb := Of([]row{{0.010555}, {3.5e-5}, {0}, {2.25}})
	for i, want := range []string{"0.011", "0.000035", "0.0", "2.2"} {
		if got := tb.Cell(i, 0); got != want {
			t.Errorf("row %d: cell %q, want %q", i, got, want)
		}
	}
	if got := tb.Raw(1, 0); got != "0.000035" {
		t.Errorf("raw %q", got)
	}
}

// WriteCSVOf writes what Of(rows).WriteCSV writes, for no rows, fewer than
// a chunk, and several chunks and a part.
func TestWriteCSVOf(t *testing.T) {
	for _, n := range []int{0, 3, 2500} {
		var rs []row
		for i := range n {
			rs = append(rs, row{Rank: i, Host: netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)}), Bytes: uint64(i) << 20,
				Rate: float64(i) / 3, Name: "=n" + strconv.Itoa(i)})
		}
		var want, got bytes.Buffer
		if err := Of(rs).WriteCSV(&want); err != nil {
			t.Fatal(err)
		}
		if err := WriteCSVOf(&got, slices.Values(rs)); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() || strings.Count(got.String(), "\n") != n+1 {
			t.Errorf("%d rows: %d lines, want %d equal to WriteCSV", n, strings.Count(got.String(), "\n"), n+1)
		}
	}
}
