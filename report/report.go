// Package report turns a Capture into a report a student can hand in: every
// question of the traffic-analysis assignment (Task 1 from the student's own
// answers, Task 2 and Task 3 from the capture) with its table, figure and an
// answer sentence written from the numbers, rendered through the templates
// to HTML (self-contained) and Markdown (with PNG figures), plus every table
// as CSV.
package report

import (
	"errors"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/pcaplab/pcaplab/analysis"
	"github.com/pcaplab/pcaplab/table"
	"gonum.org/v1/plot"
)

// Options steer what the report contains.
type Options struct {
	// Answers is the student's Markdown file with the Task 1 answers, one
	// "## T1.1" heading per answer ("" for none: placeholders are shown).
	Answers string
	// Bin is the width of the time bins of the rate figures (0: 1 s, or
	// coarser for long captures so a figure has at most 2 000 bins).
	Bin time.Duration
	// Fastest are the minimums of T3.6 (zero value: the defaults).
	Fastest analysis.FastestOptions
	// Command is the command line that made the report, for the methods
	// section; Version is pcaplab's version.
	Command, Version string
	// Now is the report's date (zero: the current time).
	Now time.Time
	// Task2 is the input of Task 2 when it is not the capture of Task 3:
	// the course's capture or a flow file made from it (nil: the one
	// input serves both tasks).
	Task2 *analysis.Capture
}

// Report is everything the templates show.
type Report struct {
	Title      string
	Student    Student // from the answers file's front matter
	Setup      *Text   // the student's capture setup (nil: a placeholder shows)
	Conclusion *Text   // the student's conclusion (nil: a placeholder shows)
	// Warnings are problems with the student's answers file (an unknown
	// heading …), for the command line to print.
	Warnings  []string
	Generated string
	Command   string
	Version   string
	Inputs    []InputOverview // the input of each task: file, format, link types, duration …
	Methods   []KV            // pcaplab's definitions and options
	Notes     []string        // warnings about the input (truncation, skipped packets, flow-file limits)
	GeoIP     string
	Sections  []Section
	Figures   []*Figure // every figure, in order (for writing the files)
	Tables    []*Table  // every table, in order
}

// InputOverview describes one input.
type InputOverview struct {
	Label string // "Input", or "Task 2 input" and "Task 3 input"
	Rows  []KV
}

// KV is one labelled line.
type KV struct{ Key, Value string }

// Section is one task.
type Section struct {
	ID, Title string
	Questions []*Question
}

// Question is one question of the assignment and its answer.
type Question struct {
	ID, Title string
	Asked     string        // the question, shortly
	Answer    []string      // answer sentences, from the numbers
	Markdown  string        // Task 1: the student's own answer (Markdown)
	HTML      template.HTML // Task 1: that answer rendered (raw HTML left out)
	Missing   bool          // Task 1: no answer given
	Remarks   *Text         // Tasks 2 and 3: the student's remarks, if any
	Tables    []*Table
	Figures   []*Figure
}

// Table is a table with a caption; Name is its CSV file name stem.
type Table struct {
	Name, Caption string
	Columns       []string
	Rows          [][]string // cells written for people (grouped digits, fixed decimals)
	Numeric       []bool     // per column: right-align
	data          *table.Table
	csv           func(w io.Writer) error // writes the CSV when data is not kept (the flow table)
}

// Figure is a figure as inline SVG (HTML) and PNG (Markdown).
type Figure struct {
	Name, Caption string
	SVG           template.HTML
	PNG           []byte
}

// Build computes the report for a capture.
func Build(c *analysis.Capture, opt Options) (*Report, error) {
	if opt.Now.IsZero() {
		opt.Now = time.Now()
	}
	title := "Traffic analysis of " + c.Name()
	c2 := c
	if opt.Task2 != nil {
		c2 = opt.Task2
		title = fmt.Sprintf("Traffic analysis of %s (Task 2) and %s (Task 3)", c2.Name(), c.Name())
	}
	b := &builder{c: c, c2: c2, opt: opt, r: &Report{
		Title:     title,
		Generated: opt.Now.UTC().Format("2006-01-02 15:04 UTC"),
		Command:   opt.Command,
		Version:   opt.Version,
		GeoIP:     c.GeoIPSource(),
	}}
	if b.opt.Bin == 0 {
		b.opt.Bin = autoBin(c.Duration())
	}
	answers, err := ReadAnswers(opt.Answers)
	if err != nil {
		return nil, err
	}
	b.r.Student, b.r.Setup, b.r.Conclusion, b.r.Warnings = answers.Student, answers.Setup, answers.Conclusion, answers.Warnings
	b.overview()
	b.methods()
	b.task1(answers)
	if err := b.task2(); err != nil {
		return nil, err
	}
	if err := b.task3(); err != nil {
		return nil, err
	}
	for i, s := range b.r.Sections[1:] {
		for _, q := range s.Questions {
			q.Remarks = answers.ByID[q.ID]
		}
		if in := []*analysis.Capture{c2, c}[i]; in.Packets() == 0 {
			b.empty(s, in)
		}
	}
	return b.r, b.err
}

// empty answers every question of a task on a valid input that holds no
// packets in one sentence, instead of fifteen about zeros; its tables are
// still written as CSV (headers only).
func (b *builder) empty(s Section, in *analysis.Capture) {
	say := fmt.Sprintf("The %s holds no packets, so there is nothing to measure.", words(in).noun)
	for _, q := range s.Questions {
		q.Answer, q.Tables, q.Figures = []string{say}, nil, nil
	}
}

// autoBin is 1 s, or a coarser round width for long captures, so a figure
// has at most about 2 000 bins.
func autoBin(d time.Duration) time.Duration {
	for _, w := range []time.Duration{time.Second, 5 * time.Second, 10 * time.Second, 30 * time.Second, time.Minute,
		5 * time.Minute, 10 * time.Minute, 30 * time.Minute, time.Hour, 6 * time.Hour, 24 * time.Hour} {
		if d/w <= 2000 {
			return w
		}
	}
	return 7 * 24 * time.Hour
}

type builder struct {
	c   *analysis.Capture // Task 3's input (and Task 2's, unless Options.Task2 is set)
	c2  *analysis.Capture // Task 2's input
	opt Options
	r   *Report
	err error
}

// table adds a table shown in the report (and written as CSV).
func (b *builder) table(name, caption string, t *table.Table) *Table {
	tb := &Table{Name: name, Caption: caption, data: t}
	for _, col := range t.Columns {
		tb.Columns = append(tb.Columns, col.Name)
		tb.Numeric = append(tb.Numeric, col.Kind == table.Int || col.Kind == table.Float)
	}
	for r := range t.Rows {
		row := make([]string, len(t.Columns))
		for c := range t.Columns {
			row[c] = t.Cell(r, c)
		}
		tb.Rows = append(tb.Rows, row)
	}
	for c := range tb.Columns {
		tb.Numeric[c] = tb.Numeric[c] || digitsOrBlank(tb.Rows, c)
	}
	b.r.Tables = append(b.r.Tables, tb)
	return tb
}

// digitsOrBlank says whether a text column holds only numbers and blanks
// (ports, blank where the protocol has none), to right-align it like one.
func digitsOrBlank(rows [][]string, c int) bool {
	seen := false
	for _, row := range rows {
		for _, r := range row[c] {
			if r < '0' || r > '9' {
				return false
			}
			seen = true
		}
	}
	return seen
}

// csvOnly adds a table written as CSV only (too long for the page).
func (b *builder) csvOnly(name string, t *table.Table) {
	b.r.Tables = append(b.r.Tables, &Table{Name: name, data: t})
}

// drawn is a figure as the analysis package returns it.
type drawn struct {
	p   *plot.Plot
	err error
}

func fig(p *plot.Plot, err error) drawn { return drawn{p, err} }

// figure adds a figure to a question; a figure the data cannot fill is
// replaced by a sentence saying why (never an empty axis).
func (b *builder) figure(q *Question, name, caption string, d drawn) {
	p, err := d.p, d.err
	var tl *analysis.TooLittleData
	switch {
	case errors.As(err, &tl):
		say := "No figure of the " + strings.ToLower(tl.Figure[:1]) + tl.Figure[1:] + ": " + tl.Reason + "."
		if !slices.Contains(q.Answer, say) { // the linear and the log figure of one thing say it once
			q.Answer = append(q.Answer, say)
		}
		return
	case err != nil:
		if b.err == nil {
			b.err = err
		}
		return
	}
	q.Figures = append(q.Figures, b.render(name, caption, p))
}

func (b *builder) render(name, caption string, p *plot.Plot) *Figure {
	svg, err := analysis.RenderSVG(p)
	if err != nil && b.err == nil {
		b.err = err
	}
	png, err := analysis.RenderPNG(p)
	if err != nil && b.err == nil {
		b.err = err
	}
	f := &Figure{Name: name, Caption: caption, SVG: template.HTML(stripXMLHeader(svg)), PNG: png}
	b.r.Figures = append(b.r.Figures, f)
	return f
}

// stripXMLHeader makes an SVG document inlinable in HTML.
func stripXMLHeader(svg []byte) string {
	s := string(svg)
	if i := strings.Index(s, "<svg"); i > 0 {
		s = s[i:]
	}
	return s
}
