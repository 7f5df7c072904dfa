// Package templates holds the report's default templates, embedded in the
// binary: report.html.tmpl (html/template) and report.md.tmpl
// (text/template). Both receive a *report.Report; see that type for the
// fields. A user's own template (pcaplab report --template FILE) gets the
// same data and functions.
package templates

import _ "embed"

// HTML is the default HTML report template.
//
//go:embed report.html.tmpl
var HTML string

// Markdown is the default Markdown report template.
//
//go:embed report.md.tmpl
var Markdown string
