package synth

import (
	"math/rand/v2"
	"net/netip"
	"time"
)

// Steady generates steady traffic for benchmarks: a client network of 250
// hosts talking to a fixed population of 2 000 servers (so a longer capture
// of the same pattern has more flows but no more hosts), each connection preceded by a DNS lookup,
// with a handshake, data both ways and a close, at about rate packets per
// second of capture time. Each call to Next appends about n packets to c
// (which it clears first), continuing where the last call stopped, so a
// capture of any length can be written in batches with constant memory.
type Steady struct {
	rng  *rand.Rand
	now  time.Time
	rate float64
	seq  uint32
	port uint16
}

// NewSteady returns a generator starting at start.
func NewSteady(start time.Time, rate float64) *Steady {
	return &Steady{rng: rand.New(rand.NewPCG(7, 11)), now: start, rate: rate}
}

func (s *Steady) tick() time.Time {
	s.now = s.now.Add(time.Duration(float64(time.Second) / s.rate))
	return s.now
}

// Next fills c with about n packets.
func (s *Steady) Next(c *Capture, n int) {
	c.Packets = c.Packets[:0]
	for len(c.Packets) < n {
		s.port++
		if s.port < 1024 {
			s.port = 1024
		}
		cl := netip.AddrFrom4([4]byte{10, 1, byte(s.rng.IntN(1)), byte(1 + s.rng.IntN(250))})
		n := s.rng.IntN(2000)
		sv := netip.AddrFrom4([4]byte{byte(20 + n%180), byte(n / 180), 7, 1})
		dnsSrv := netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 1, 0, 1}), 53)
		cp := netip.AddrPortFrom(cl, s.port)
		c.UDP(s.tick(), cp, dnsSrv, DNS(s.port, "host.example.com", 1, false, 0, 0))
		c.UDP(s.tick(), dnsSrv, cp, DNS(s.port, "host.example.com", 1, true, 0, 1))
		s.seq += 100003
		k := c.NewConn(cp, netip.AddrPortFrom(sv, 443), s.seq)
		k.SYN(s.tick())
		k.SYNACK(s.tick())
		k.ACK(s.tick(), true)
		k.Data(s.tick(), true, 200+s.rng.IntN(400))
		for i, m := 0, 2+s.rng.IntN(20); i < m; i++ {
			k.Data(s.tick(), false, 1460)
			if i%2 == 1 {
				k.ACK(s.tick(), true)
			}
		}
		k.FIN(s.tick(), true)
		k.FIN(s.tick(), false)
		k.ACK(s.tick(), true)
	}
}
