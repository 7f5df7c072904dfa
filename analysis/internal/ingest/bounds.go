package ingest

// Bounds on what the pass keeps, whatever the input says. Each is far
// above what a real capture of the assignment's kind needs (a 1 GB capture
// of a busy desktop: some 100 000 flows, 60 000 DNS lookups, a few
// thousand hosts, an hour of 1-second bins) and small enough that all of
// them together stay within the memory the README states. What does not
// fit is counted in Dropped, never silently lost. Live flows are bounded by
// Config.MaxFlows, finished ones by Config.SpillAfter (the rest go to
// disk), a record by capfile.MaxRecord.
const (
	// MaxHosts is the most distinct IP addresses counted (524 288, about
	// 64 MiB of host counters); packets of further addresses count for no
	// host.
	MaxHosts = 1 << 19
	// MaxBins is the most time bins (12 days of 1-second bins, about
	// 60 MiB); packets in further bins count in no bin.
	MaxBins = 1 << 20
	// MaxDNS is the most DNS transactions kept (about 100 MiB); once
	// flows are spilled, answered ones are only counted, which makes room.
	MaxDNS = 500_000
	// MaxICMPErrors is the most ICMP error messages kept (about 25 MiB).
	MaxICMPErrors = 200_000
	// MaxDHCP is the most DHCP transactions kept (about 10 MiB).
	MaxDHCP = 100_000
	// MaxFragments is the most first fragments remembered while their
	// other fragments are awaited; when full, the table is emptied.
	MaxFragments = 1 << 16
	// MaxNonIP is the most distinct non-IP protocols counted.
	MaxNonIP = 4096
	// MaxSpread bounds the time bins one flow of a flow file is spread
	// over (27 hours of 1-second bins): a flow over more than MaxSpread+1
	// bins is spread over MaxSpread equal parts of its span instead, each
	// part's share in the bin where it starts.
	MaxSpread = 100_000
)

// limits are the bounds in force: the Max constants (tests lower them).
var limits = struct {
	hosts, bins, dns, icmpErrors, dhcp, fragments, nonIP int
	spread                                               int64
}{MaxHosts, MaxBins, MaxDNS, MaxICMPErrors, MaxDHCP, MaxFragments, MaxNonIP, MaxSpread}

// Dropped counts what the pass set aside or did not keep because of a
// bound; every count is zero for an ordinary capture. Records set aside
// count in nothing else (not in packets, bytes or any file's packets).
type Dropped struct {
	// BadTime counts records set aside for a timestamp outside 1970-01-01
	// to 2262-04-11 (what int64 nanoseconds hold) or none at all (a pcapng
	// simple packet block); for a flow file, flows whose start or end is
	// outside that range or whose end is before their start.
	BadTime uint64
	// TimeJumps counts records set aside for a timestamp more than
	// MaxTimeJump from both the record before and the record after.
	TimeJumps uint64
	// CutRecords counts records longer than capfile.MaxRecord (256 KiB),
	// of which only the first 256 KiB were read (they count in full).
	CutRecords uint64
	// HostPackets counts packet-host pairs not counted for a host because
	// MaxHosts addresses were already counted (a packet counts once for
	// each of its addresses).
	HostPackets uint64
	// BinPackets counts packets (for a flow file, flow shares) in no time
	// bin because MaxBins bins already existed.
	BinPackets uint64
	// DNS, ICMPErrors and DHCP count the transactions and messages not
	// kept past MaxDNS, MaxICMPErrors and MaxDHCP (for DNS, a query not
	// kept and, again, its response).
	DNS, ICMPErrors, DHCP uint64
	// Fragments counts first fragments forgotten before the rest of their
	// datagram came: the table is emptied at a sweep when it holds more
	// than 4 096, or when it reaches MaxFragments; their later fragments
	// are orphans (Model.FragOrphans).
	Fragments uint64
	// NonIP counts frames of non-IP protocols in no protocol's count
	// because MaxNonIP protocols were already counted.
	NonIP uint64
	// SpreadFlows counts flows of a flow file spread coarsely because they
	// span more than MaxSpread time bins.
	SpreadFlows uint64
}

// Counts gives each count by its field's name, for the flow store (a
// counter row of kind dropped per count).
func (d *Dropped) Counts() map[string]*uint64 {
	return map[string]*uint64{"BadTime": &d.BadTime, "TimeJumps": &d.TimeJumps, "CutRecords": &d.CutRecords,
		"HostPackets": &d.HostPackets, "BinPackets": &d.BinPackets, "DNS": &d.DNS, "ICMPErrors": &d.ICMPErrors,
		"DHCP": &d.DHCP, "Fragments": &d.Fragments, "NonIP": &d.NonIP, "SpreadFlows": &d.SpreadFlows}
}
