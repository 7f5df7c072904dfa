package flowfile

import (
	"fmt"
	"slices"
)

// combine makes one result of the files' parts: they must be of one
// format and one clock. What one file cannot tell, the whole cannot; one-way
// nfdump records are paired across files and Argus status records merged
// across files, so rotated files are one continuous input.
func combine(parts []*part) (*Result, error) {
	res := *parts[0].res
	res.Skipped = map[string]int{}
	res.Flows, res.Files, res.Notes, res.Records, res.Totals, res.Rounded, res.Guessed = nil, nil, nil, 0, nil, 0, 0
	var oneWay []nfRecord
	totals := true
	for _, p := range parts {
		r := p.res
		f0 := parts[0].res.Files[0].Name
		if r.Format != res.Format {
			return nil, fmt.Errorf("%s is %s but %s is %s: give files of one format", displayName(f0), res.Format, displayName(r.Files[0].Name), r.Format)
		}
		if r.Clock != res.Clock {
			return nil, fmt.Errorf("%s and %s print times differently (%s, %s): export them the same way", displayName(f0), displayName(r.Files[0].Name), clockWords[res.Clock], clockWords[r.Clock])
		}
		mergeFacts(&res, r)
		res.Flows = append(res.Flows, r.Flows...)
		oneWay = append(oneWay, p.oneWay...)
		totals = totals && r.Totals != nil
	}
	if totals {
		res.Totals = &Totals{}
		for _, p := range parts {
			res.Totals.Flows += p.res.Totals.Flows
			res.Totals.Packets += p.res.Totals.Packets
			res.Totals.Bytes += p.res.Totals.Bytes
		}
	}
	switch res.Format {
	case Nfdump, NfdumpJSON, NfdumpBidir:
		res.Flows = append(res.Flows, pairRecords(oneWay, &res)...)
	case Argus:
		mergeArgus(&res)
	}
	if len(res.Flows) == 0 {
		return nil, fmt.Errorf("%s: %s with no flow records%s", displayName(res.Files[0].Name), res.Format, skippedWords(res.Skipped))
	}
	res.finish()
	return &res, nil
}

// mergeFacts adds one file's facts to the combined result: counts add up,
// knowledge is what every file has, precision the coarsest.
func mergeFacts(res, r *Result) {
	res.Files = append(res.Files, r.Files...)
	res.Records += r.Records
	for k, v := range r.Skipped {
		res.Skipped[k] += v
	}
	res.Rounded += r.Rounded
	res.ByteStep = max(res.ByteStep, r.ByteStep)
	res.Guessed += r.Guessed
	res.Payload = res.Payload && r.Payload
	res.Directions = res.Directions && r.Directions
	res.Durations = res.Durations && r.Durations
	res.ICMPPerPacket = res.ICMPPerPacket || r.ICMPPerPacket
	res.StartStep = max(res.StartStep, r.StartStep)
	res.DurationStep = max(res.DurationStep, r.DurationStep)
	if stateRank[r.State] < stateRank[res.State] {
		res.State = r.State
	}
	if res.Protocols != nil {
		for _, p := range r.Protocols {
			if !slices.Contains(res.Protocols, p) {
				res.Protocols = append(res.Protocols, p)
			}
		}
		if r.Protocols == nil {
			res.Protocols = nil
		}
		slices.Sort(res.Protocols)
	}
	for _, n := range r.Notes {
		if !slices.Contains(res.Notes, n) {
			res.Notes = append(res.Notes, n)
		}
	}
}

// stateRank orders state sources from telling least to telling most.
var stateRank = map[StateSource]int{StateNone: 0, StateArgus: 1, StateCombinedFlags: 2, StateFlags: 3, StateConn: 4}

var clockWords = map[Clock]string{
	ClockUTC: "absolute UTC times", ClockLocal: "dates in a local time zone", ClockRelative: "seconds since the first packet",
	ClockTimeOfDay: "times of day without a date",
}

// skippedWords lists what was left out, for an error about an empty
// result.
func skippedWords(sk map[string]int) string {
	if len(sk) == 0 {
		return ""
	}
	s := " (left out:"
	for _, k := range sortedKeys(sk) {
		s += fmt.Sprintf(" %d %s;", sk[k], k)
	}
	return s[:len(s)-1] + ")"
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
