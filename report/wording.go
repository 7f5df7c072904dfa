package report

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pcaplab/pcaplab/analysis"
	"github.com/pcaplab/pcaplab/units"
)

// wording is what the report calls an input and its bytes: a capture's
// bytes are frame lengths; a flow file's are what its exporter counted.
type wording struct {
	noun   string // "capture" or "flow file"
	origin string // what times count from
	bytes  string // what a byte count measures, short
	long   string // the same, with what it leaves out
	ff     *analysis.FlowFileInfo
}

func words(c *analysis.Capture) wording {
	fi := c.Input().FlowFile
	if fi == nil {
		return wording{noun: "capture", origin: "the first packet", bytes: "wire bytes", long: "wire bytes (frame lengths)"}
	}
	w := wording{noun: "flow file", origin: "the first flow's start", ff: fi}
	switch fi.ByteKind {
	case "wire":
		w.bytes, w.long = "wire bytes", "wire bytes (frame lengths)"
	case "ip":
		w.bytes, w.long = "IP bytes", "IP bytes (from the IP header on; each packet's link-layer header not counted)"
	case "payload":
		w.bytes, w.long = "payload bytes", "transport payload bytes (no headers)"
	default:
		w.bytes, w.long = "bytes", "bytes as "+fi.Format+" counts them"
	}
	if fi.ByteStep > 0 && fi.RoundedCounts > 0 {
		w.long += fmt.Sprintf("; %s printed rounded, each within ±%s", units.Plural(fi.RoundedCounts, "count"), units.Bytes(fi.ByteStep/2))
	}
	return w
}

// derived says where the flows came from, for T2.0.
func (w wording) derived(c *analysis.Capture) string {
	n := c.Flows().Count()
	if w.ff == nil {
		return fmt.Sprintf("pcaplab derived %s from %s in one pass (definitions in the methods section)",
			units.Plural(n, "flow"), units.Plural(c.Packets(), "packet"))
	}
	return fmt.Sprintf("pcaplab read %s from %s of %s (%s packets in all)",
		units.Plural(n, "flow"), units.Plural(w.ff.Records, "record"), w.ff.Format, units.Count(c.Packets()))
}

// flowFileMethod describes how a flow file's exporter made its flows, in
// the words of the methods section.
func (w wording) flowFileMethod() string {
	fi := w.ff
	s := fmt.Sprintf("read from %s (%s); originators: %s", fi.Format, units.Plural(fi.Records, "record"), orientation(fi))
	if !fi.Directions {
		s += "; only totals per flow, counted as the originator's"
	}
	if !fi.Durations {
		s += "; no end times, so every flow lasts 0 s"
	}
	return s + "; start times to " + units.Setting(fi.StartPrecision) + ", " + clock(fi.Clock)
}

func orientation(fi *analysis.FlowFileInfo) string {
	var s string
	switch fi.Orientation {
	case "first_packet":
		s = "the side that sent the first packet"
	case "syn":
		s = "the SYN sender, else the side that sent first"
	case "exporter":
		s = "as the exporter chose"
	default:
		s = "guessed"
	}
	if fi.Guessed > 0 {
		s += fmt.Sprintf(" (guessed for %s: %s)", units.Plural(fi.Guessed, "flow"), fi.GuessedHow)
	}
	return s
}

func clock(c analysis.Clock) string {
	switch c {
	case "utc":
		return "in UTC"
	case "local":
		return "in the exporting machine's local time, which the file does not name (read as UTC)"
	case "relative":
		return "relative to the first packet: the date is not known"
	case "time_of_day":
		return "as times of day: the date is not known"
	}
	return string(c)
}

// stateMethod says where a flow file's TCP states come from.
func stateMethod(fi *analysis.FlowFileInfo) string {
	switch fi.TCPState {
	case "conn_state":
		return "Zeek's conn_state, as the file gives it"
	case "flags":
		return "from the TCP flags each side sent, without their order (S0 no answer, REJ rejected, SF normal, RSTO/RSTR reset)"
	case "combined_flags":
		return "from both sides' flags together: only attempts with no packet back (S0) are known"
	case "argus_state":
		return "from Argus's state words (REQ: no answer, CON/FIN: established, RST: reset by either side)"
	}
	return "not known: the file has no TCP flags"
}

// cannotHold says, for a protocol a flow file cannot contain by
// construction (UDP in tshark's TCP conversation table), that it is not in
// the file; "" when it may be.
func (w wording) cannotHold(proto string) string {
	if w.ff == nil || len(w.ff.Protocols) == 0 || slices.Contains(w.ff.Protocols, proto) {
		return ""
	}
	return fmt.Sprintf("This %s file holds %s only, by construction: %s is not in it, so nothing can be said of %s ports.",
		w.ff.Format, strings.Join(w.ff.Protocols, " and "), proto, proto)
}
