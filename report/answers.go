package report

import (
	"bytes"
	"fmt"
	"html/template"
	"os"
	"regexp"
	"strings"

	"github.com/yuin/goldmark"
)

// Student is who hands the report in, from the answers file's front
// matter ("name:", "student_id:", "course:").
type Student struct {
	Name, ID, Course string
}

// Text is a piece of the student's own Markdown and its rendering (raw HTML
// in it is left out, not passed through).
type Text struct {
	Markdown string
	HTML     template.HTML
}

// Answers is what the student wrote: who they are, the capture setup, an
// answer or remark per question id, the conclusion. Warnings name what was
// not understood.
type Answers struct {
	Student    Student
	Setup      *Text
	ByID       map[string]*Text
	Conclusion *Text
	Warnings   []string
}

// questionIDs are the headings an answers file may have, besides
// "Capture setup" and "Conclusion".
var questionIDs = []string{"T1.1", "T1.2", "T1.3", "T2.0", "T2.1", "T2.2", "T2.3", "T2.4", "T2.5", "T2.6", "T2.7",
	"T3.1", "T3.2", "T3.3", "T3.4", "T3.5", "T3.6", "T3.7", "T3.8"}

var (
	heading  = regexp.MustCompile(`(?m)^##[ \t]+(.*?)[ \t]*$`)
	comments = regexp.MustCompile(`(?s)<!--.*?-->`)
	qid      = regexp.MustCompile(`^(T[123]\.\d)\b`)
)

// ReadAnswers reads the student's answers file (see AnswersTemplate); ""
// means none.
func ReadAnswers(path string) (*Answers, error) {
	a := &Answers{ByID: map[string]*Text{}}
	if path == "" {
		return a, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--answers: %v", unwrapPath(err))
	}
	body := a.frontMatter(string(data))
	skip := strings.Count(string(data)[:len(data)-len(body)], "\n") // lines of the front matter
	idx := heading.FindAllStringSubmatchIndex(body, -1)
	if len(idx) == 0 {
		return nil, fmt.Errorf("--answers %s: no \"## T1.1\" style headings found (pcaplab answers-template writes a file with all of them)", path)
	}
	if pre := strings.TrimSpace(comments.ReplaceAllString(body[:idx[0][0]], "")); pre != "" && !strings.HasPrefix(pre, "#") {
		a.Warnings = append(a.Warnings, fmt.Sprintf("--answers %s: the text before the first \"## \" heading is not in the report", path))
	}
	for i, m := range idx {
		title := body[m[2]:m[3]]
		end := len(body)
		if i+1 < len(idx) {
			end = idx[i+1][0]
		}
		a.place(path, skip+lineOf(body, m[0]), title, body[m[1]:end])
	}
	return a, nil
}

// frontMatter reads "key: value" lines between a first "---" line and the
// next, and returns the rest of the file.
func (a *Answers) frontMatter(s string) string {
	rest, ok := strings.CutPrefix(strings.TrimLeft(s, "\ufeff"), "---\n")
	if !ok {
		return s
	}
	fm, body, ok := strings.Cut(rest, "\n---")
	if !ok {
		return s
	}
	for _, l := range strings.Split(fm, "\n") {
		k, v, _ := strings.Cut(l, ":")
		v = strings.TrimSpace(v)
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "name":
			a.Student.Name = v
		case "student_id", "student id", "id":
			a.Student.ID = v
		case "course":
			a.Student.Course = v
		}
	}
	return body
}

// place puts one heading's text where it belongs, or warns that it has no
// place.
func (a *Answers) place(path string, line int, title, text string) {
	t := render(text)
	switch id := qid.FindString(title); {
	case strings.EqualFold(title, "Capture setup"):
		a.Setup = t
	case strings.EqualFold(title, "Conclusion"):
		a.Conclusion = t
	case id != "" && contains(questionIDs, id):
		a.ByID[id] = t
	default:
		a.Warnings = append(a.Warnings, fmt.Sprintf("--answers %s: line %d: unknown heading \"## %s\" (expected ## Capture setup, ## T1.1 … ## T3.8, ## Conclusion): its text is not in the report",
			path, line, title))
	}
}

// render turns the student's Markdown into HTML; template comments are
// dropped, and an empty text is nil (a placeholder shows instead).
func render(md string) *Text {
	md = strings.TrimSpace(comments.ReplaceAllString(md, ""))
	if md == "" {
		return nil
	}
	var buf bytes.Buffer
	if err := goldmark.New().Convert([]byte(md), &buf); err != nil {
		return &Text{Markdown: md, HTML: template.HTML(template.HTMLEscapeString(md))}
	}
	return &Text{Markdown: md, HTML: template.HTML(buf.String())}
}

func lineOf(s string, off int) int { return strings.Count(s[:off], "\n") + 1 }

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}
