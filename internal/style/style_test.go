// Package style holds tests of the repository's own conventions.
package style

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// MaxLines is the longest a function may be: short enough to read at once.
const MaxLines = 80

// Every function of the packages people read and change is at most
// MaxLines long (tests and generated tables excepted).
func TestFunctionLength(t *testing.T) {
	for _, dir := range []string{"analysis", "report", "notebook", "cmd", "flow", "table", "units"} {
		filepath.Walk(filepath.Join("..", "..", dir), func(p string, info os.FileInfo, err error) error {
			if err != nil || info.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
				return nil
			}
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, p, nil, 0)
			if err != nil {
				t.Errorf("%s: %v", p, err)
				return nil
			}
			for _, d := range f.Decls {
				fn, ok := d.(*ast.FuncDecl)
				if !ok || fn.Body == nil {
					continue
				}
				n := fset.Position(fn.End()).Line - fset.Position(fn.Pos()).Line + 1
				if n > MaxLines {
					t.Errorf("%s: %s is %d lines (at most %d)", p, fn.Name.Name, n, MaxLines)
				}
			}
			return nil
		})
	}
}

// Report, notebook helpers and figures read fields of typed rows, never
// dataframe cells by position; and no exported name of analysis aliases an
// internal type (users would see no fields).
func TestNoCellsByPositionNoInternalAliases(t *testing.T) {
	for _, dir := range []string{"report", "notebook", "analysis"} {
		files, _ := filepath.Glob(filepath.Join("..", "..", dir, "*.go"))
		for _, p := range files {
			if strings.HasSuffix(p, "_test.go") {
				continue
			}
			src, _ := os.ReadFile(p)
			if strings.Contains(string(src), ".Elem(") {
				t.Errorf("%s reads a dataframe cell by position (.Elem)", p)
			}
			f, err := parser.ParseFile(token.NewFileSet(), p, src, 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range f.Decls {
				g, ok := d.(*ast.GenDecl)
				if !ok {
					continue
				}
				for _, s := range g.Specs {
					if ts, ok := s.(*ast.TypeSpec); ok && ts.Assign.IsValid() && ts.Name.IsExported() {
						t.Errorf("%s: type %s is an alias", p, ts.Name.Name)
					}
				}
			}
		}
	}
}
