package flowfile

import (
	"bufio"
	"fmt"
	"strings"
	"time"
)

// nfAliases map nfdump's CSV column names, old (1.6–1.7: ts, te, …) and
// new (firstSeen, lastSeen, … and csv-fast's), to one set of keys.
var nfAliases = map[string]string{
	"ts": "start", "firstseen": "start", "te": "end", "lastseen": "end", "td": "dur", "duration": "dur",
	"sa": "sa", "srcaddr": "sa", "da": "da", "dstaddr": "da", "sp": "sp", "srcport": "sp", "dp": "dp", "dstport": "dp",
	"pr": "proto", "proto": "proto", "flg": "flags", "flags": "flags", "ipkt": "ipkt", "inpackets": "ipkt",
	"packets": "ipkt", "pkt": "ipkt", "ibyt": "ibyt", "inbytes": "ibyt", "bytes": "ibyt", "byt": "ibyt",
	"opkt": "opkt", "outpackets": "opkt", "obyt": "obyt", "outbytes": "obyt",
}

// nfLegacyHeader is nfdump 1.6–1.7's CSV header, used for rows printed
// without one (nfdump -q -o csv).
const nfLegacyHeader = "ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt,obyt"

// nfColumns maps the header's columns to keys.
func nfColumns(header string) (map[string]int, error) {
	cols := map[string]int{}
	for i, h := range strings.Split(header, ",") {
		if k, ok := nfAliases[strings.ToLower(strings.TrimSpace(h))]; ok {
			if _, dup := cols[k]; !dup {
				cols[k] = i
			}
		}
	}
	for _, k := range []string{"start", "sa", "da", "proto", "ipkt", "ibyt"} {
		if _, ok := cols[k]; !ok {
			return nil, fmt.Errorf("no %s column; export with %s", k, nfdumpAdvice)
		}
	}
	if _, ok := cols["end"]; !ok {
		if _, ok := cols["dur"]; !ok {
			return nil, fmt.Errorf("no end time or duration column; export with %s", nfdumpAdvice)
		}
	}
	return cols, nil
}

// readNfdumpCSV reads nfdump -o csv in any of its layouts (with or
// without the header, csv-fast), and the Summary nfdump prints after the
// records.
func readNfdumpCSV(br *bufio.Reader) (*part, error) {
	sc := bufio.NewScanner(br)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	res := nfdumpFacts()
	p := &part{res: res}
	var cols map[string]int
	var sum []string // the Summary's header, once seen
	local := false
	for line := 1; sc.Scan(); line++ {
		s := strings.TrimRight(sc.Text(), "\r")
		if line == 1 {
			if !nfdumpRow.MatchString(s) {
				var err error
				if cols, err = nfColumns(s); err != nil {
					return nil, lineError(1, "%v", err)
				}
				continue
			}
			cols, _ = nfColumns(nfLegacyHeader)
			res.Notes = append(res.Notes, "The file has no header line (nfdump -q): its columns are read in nfdump 1.6–1.7's order.")
		}
		switch {
		case s == "" || strings.HasPrefix(s, "No matching"):
			continue
		case s == "Summary":
			sum = []string{}
			continue
		case sum != nil && len(sum) == 0:
			sum = strings.Split(s, ",")
			continue
		case sum != nil:
			if err := res.setSummary(sum, strings.Split(s, ",")); err != nil {
				return nil, lineError(line, "%v", err)
			}
			continue
		}
		r, t, err := nfCSVRecord(cols, strings.Split(s, ","))
		if err != nil {
			return nil, lineError(line, "%v", err)
		}
		res.Records++
		local = local || t.local
		res.StartStep = max(res.StartStep, time.Duration(r.firstHi-r.first+1))
		p.add(r)
	}
	res.Clock = map[bool]Clock{true: ClockLocal, false: ClockUTC}[local]
	if res.Format == "" {
		res.Format = Nfdump
	}
	return p.settle(), sc.Err()
}

// nfCSVRecord reads one CSV row.
func nfCSVRecord(cols map[string]int, fs []string) (nfRecord, nfTimes, error) {
	get := func(k string) string {
		if i, ok := cols[k]; ok && i < len(fs) {
			return strings.TrimSpace(fs[i])
		}
		return ""
	}
	var r nfRecord
	var t nfTimes
	var err error
	need := 0
	for _, i := range cols {
		need = max(need, i+1)
	}
	if len(fs) < need {
		return r, t, fmt.Errorf("%d fields, want %d", len(fs), need)
	}
	if t.start, t.startRes, t.local, err = nfTime(get("start")); err != nil {
		return r, t, err
	}
	if v := get("end"); v != "" {
		if t.end, t.endRes, _, err = nfTime(v); err != nil {
			return r, t, err
		}
		t.hasEnd = true
	}
	if v := get("dur"); v != "" {
		if t.dur, _, err = decimal(v); err != nil {
			return r, t, err
		}
		t.hasDur = true
	}
	r.first, r.firstHi, r.last = t.interval()
	f := map[string]string{}
	for _, k := range []string{"proto", "sa", "da", "sp", "dp", "flags", "ipkt", "ibyt", "opkt", "obyt"} {
		f[k] = get(k)
	}
	return r, t, r.fill(f)
}

// setSummary reads the totals nfdump prints after the records.
func (r *Result) setSummary(header, values []string) error {
	t := &Totals{}
	for i, h := range header {
		if i >= len(values) {
			break
		}
		var dst *uint64
		switch strings.TrimSpace(h) {
		case "flows":
			dst = &t.Flows
		case "bytes":
			dst = &t.Bytes
		case "packets":
			dst = &t.Packets
		default:
			continue
		}
		v, err := count(values[i])
		if err != nil {
			return fmt.Errorf("Summary: %v", err)
		}
		*dst = v
	}
	r.Totals = t
	return nil
}
