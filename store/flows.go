// Package store is pcaplab's flow store: the flows and the packet-level
// counters of any number of captures as Parquet files that DuckDB, Spark
// and Trino read alike, with a manifest of what went in.
//
// Layout of a store directory:
//
//	manifest.json                      sources (size, SHA-256), options, model version
//	flows/date=YYYY-MM-DD/hour=HH/part-*.parquet   flows by start (UTC), sorted by start_ns
//	bins/part-*.parquet                packets and bytes per time bin
//	hosts/part-*.parquet               per-address packet counters, flows and labels (kind, scope, country)
//	ports/part-*.parquet               per-port packet counters (TCP, UDP)
//	counters/part-*.parquet            IP protocols, link types, non-IP frames, VLAN tags, decode problems
//	sources/part-*.parquet             one row per capture file: time range, totals
//	dns/, icmp/, dhcp/                 the evidence failures are judged by
//	edges/*.edge                       the engine's state between files (see Ingest)
//	logs/*.log                         each file's packet log: what the engine read of every packet
//
// Every file is named after the capture file it came from (the first 12
// hex digits of its SHA-256), so reading a file again (replaying its
// packet log) replaces its own output; "part-edge" files hold what was still open at the end of the
// last file and are rewritten when a file is added. The schema avoids what
// engines disagree on: times are int64 nanoseconds (start_ns) plus
// TIMESTAMP(MICROS, UTC) columns (start), counts are signed int64, ports
// int32, addresses text plus a binary sort key (flow.AddrKey).
package store

import (
	"github.com/pcaplab/pcaplab/flow"
)

// Flow is one row of the flows table: the columns of flow.Schema, in its
// order, with Parquet types. Labels are computed once, in Go, when the
// flow is written.
type Flow struct {
	StartNS       int64   `parquet:"start_ns"`
	EndNS         int64   `parquet:"end_ns"`
	Start         int64   `parquet:"start,timestamp(microsecond:utc)"`
	End           int64   `parquet:"end,timestamp(microsecond:utc)"`
	DurationS     float64 `parquet:"duration_s"`
	Proto         string  `parquet:"proto,dict"`
	OrigAddr      string  `parquet:"orig_addr,dict"`
	OrigPort      int32   `parquet:"orig_port"`
	RespAddr      string  `parquet:"resp_addr,dict"`
	RespPort      int32   `parquet:"resp_port"`
	OrigPackets   int64   `parquet:"orig_packets"`
	RespPackets   int64   `parquet:"resp_packets"`
	OrigBytes     int64   `parquet:"orig_bytes"`
	RespBytes     int64   `parquet:"resp_bytes"`
	OrigPayload   int64   `parquet:"orig_payload"`
	RespPayload   int64   `parquet:"resp_payload"`
	OrigFlags     int32   `parquet:"orig_flags"`
	RespFlags     int32   `parquet:"resp_flags"`
	State         string  `parquet:"state,dict"`
	History       string  `parquet:"history,dict"`
	RTTNS         int64   `parquet:"rtt_ns"`
	EndReason     string  `parquet:"end_reason,dict"`
	ICMPError     string  `parquet:"icmp_error,dict"`
	PayloadApp    string  `parquet:"payload_app,dict"`
	ServerName    string  `parquet:"server_name,dict"`
	Opening       string  `parquet:"opening,dict"`
	OrigTransferS float64 `parquet:"orig_transfer_s"`
	RespTransferS float64 `parquet:"resp_transfer_s"`
	Application   string  `parquet:"application,dict"`
	IdentifiedBy  string  `parquet:"identified_by,dict"`
	Failure       string  `parquet:"failure,dict"`
	RespKind      string  `parquet:"resp_kind,dict"`
	OrigAddrKey   []byte  `parquet:"orig_addr_key"`
	RespAddrKey   []byte  `parquet:"resp_addr_key"`
	PairSlot      int32   `parquet:"pair_slot"`
}

// Micros is a time in ns as microseconds, rounded down: what the
// TIMESTAMP(MICROS) columns hold (DuckDB reads a nanosecond timestamp
// marked UTC as microseconds anyway, and Spark rejects nanoseconds).
func Micros(ns int64) int64 {
	if ns < 0 && ns%1000 != 0 {
		return ns/1000 - 1
	}
	return ns / 1000
}

// FlowOf makes the row of a labelled flow.
func FlowOf(r *flow.Record) Flow {
	f := &r.Flow
	return Flow{
		StartNS: f.First, EndNS: f.Last, Start: Micros(f.First), End: Micros(f.Last), DurationS: f.Duration().Seconds(),
		Proto: f.Proto.String(), OrigAddr: f.Orig.String(), OrigPort: int32(f.OrigPort), RespAddr: f.Resp.String(), RespPort: int32(f.RespPort),
		OrigPackets: int64(f.OrigPackets), RespPackets: int64(f.RespPackets), OrigBytes: int64(f.OrigBytes), RespBytes: int64(f.RespBytes),
		OrigPayload: int64(f.OrigPayload), RespPayload: int64(f.RespPayload), OrigFlags: int32(f.OrigFlags), RespFlags: int32(f.RespFlags),
		State: f.State.String(), History: f.History, RTTNS: int64(f.RTT), EndReason: f.Ended.String(), ICMPError: f.ICMPError.String(),
		PayloadApp: f.App, ServerName: f.ServerName, Opening: f.Opening.String(),
		OrigTransferS: f.OrigTransfer.Seconds(), RespTransferS: f.RespTransfer.Seconds(),
		Application: r.Application, IdentifiedBy: r.IdentifiedBy, Failure: r.Failure, RespKind: r.RespKind,
		OrigAddrKey: flow.AddrKey(f.Orig), RespAddrKey: flow.AddrKey(f.Resp), PairSlot: int32(flow.PairSlot(f.Orig, f.Resp)),
	}
}
