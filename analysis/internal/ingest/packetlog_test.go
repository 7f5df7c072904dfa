package ingest

import (
	"bytes"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/pcaplab/pcaplab/flow"
)

// modelDiff names the fields in which two segments' models differ (the
// flows compared as text, in order).
func modelDiff(got, want *Model) []string {
	var out []string
	if g, w := flowTexts(got), flowTexts(want); !reflect.DeepEqual(g, w) {
		out = append(out, fmt.Sprintf("flows: %d, want %d", len(g), len(w)))
	}
	gv, wv := reflect.ValueOf(got).Elem(), reflect.ValueOf(want).Elem()
	for i := range gv.NumField() {
		f := gv.Type().Field(i)
		if !f.IsExported() || f.Name == "Flows" || f.Name == "Records" {
			continue
		}
		if !reflect.DeepEqual(gv.Field(i).Interface(), wv.Field(i).Interface()) {
			out = append(out, f.Name)
		}
	}
	return out
}

// Replaying a packet log gives exactly the model and the Edge that
// reading the capture gives, on every capture, from the start and from
// the Edge of an earlier capture (flows carried across); and the log is
// far smaller than the capture.
func TestLogReplay(t *testing.T) {
	paths := everyCapture()
	if len(paths) < 5 {
		t.Fatalf("%d captures", len(paths))
	}
	cfg := Config{Timeouts: flow.DefaultTimeouts, SpillAfter: -1}
	var prev *Edge
	for _, path := range paths {
		for _, in := range []*Edge{nil, prev} {
			var log bytes.Buffer
			want, wantEdge, err := BuildSegment([]string{path}, cfg, in, nil, &log)
			if err != nil {
				t.Fatal(err)
			}
			got, gotEdge, err := ReplaySegment("test.log", bytes.NewReader(log.Bytes()), cfg, in)
			if err != nil {
				t.Fatalf("%s: %v", filepath.Base(path), err)
			}
			if d := modelDiff(got, want); len(d) > 0 || !reflect.DeepEqual(gotEdge, wantEdge) {
				t.Errorf("%s: replay differs from reading in %v (edges equal: %v)", filepath.Base(path), d, reflect.DeepEqual(gotEdge, wantEdge))
			}
			if in == nil {
				prev = wantEdge
				t.Logf("%s: %d packets, log %d bytes (%.1f a packet)", filepath.Base(path), want.Packets, log.Len(),
					float64(log.Len())/float64(max(want.Packets, 1)))
			}
		}
	}
}

// A log cut short, or not a log, is one clear error, not a crash or a
// model.
func TestLogDamaged(t *testing.T) {
	var log bytes.Buffer
	cfg := Config{Timeouts: flow.DefaultTimeouts, SpillAfter: -1}
	if _, _, err := BuildSegment([]string{"../../../testdata/sample.pcapng"}, cfg, nil, nil, &log); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"cut", log.Bytes()[:log.Len()/2], "sample.log: "},
		{"empty", nil, "not a pcaplab packet log"},
		{"other", []byte("hello, world"), "not a pcaplab packet log"},
	} {
		_, _, err := ReplaySegment("sample.log", bytes.NewReader(c.data), cfg, nil)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Count(err.Error(), "\n") > 0 {
			t.Errorf("%s: %v, want one line with %q", c.name, err, c.want)
		}
	}
}
