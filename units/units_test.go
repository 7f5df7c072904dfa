package units

import (
	"testing"
	"time"
)

func TestFormats(t *testing.T) {
	s := Sep
	for _, c := range []struct{ got, want string }{
		{Count(0), "0"}, {Count(999), "999"}, {Count(1994), "1" + s + "994"}, {Count(-1234567), "-1" + s + "234" + s + "567"},
		{Count(uint64(18446744073709551615)), "18" + s + "446" + s + "744" + s + "073" + s + "709" + s + "551" + s + "615"},
		{Fixed(24648.25, 1), "24" + s + "648.2"}, {Fixed(0.07494, 2), "0.07"}, {Fixed(-0.001, 2), "0.00"}, {Fixed(-1234.5, 0), "-1" + s + "234"},
		{Number(794, 1), "794"}, {Number(186.5, 1), "186.5"},
		{Bytes(862), "862 B"}, {Bytes(24648), "24.6 kB"}, {Bytes(181935), "181.9 kB"}, {Bytes(1454372), "1.45 MB"}, {Bytes(999999), "1000.0 kB"},
		{BitRate(976), "976 bit/s"}, {BitRate(109332.14), "109.3 kbit/s"}, {BitRate(1.46e6), "1.46 Mbit/s"}, {BitRate(8.5e9), "8.50 Gbit/s"},
		{PacketRate(15.58), "15.6 packets/s"}, {PacketRate(12345.6), "12" + s + "346 packets/s"},
		{BitRate(0.0967), "0.097 bit/s"}, {BitRate(7.6), "7.6 bit/s"}, {BitRate(0), "0 bit/s"},
		{PacketRate(3.5e-5), "0.000035 packets/s"}, {PacketRate(0.0352), "0.035 packets/s"}, {PacketRate(0), "0.0 packets/s"},
		{Duration(1316 * time.Microsecond), "1.316 ms"}, {Duration(850 * time.Microsecond), "850 µs"},
		{Duration(106418629263), "106.419 s"}, {Duration(101*time.Minute + 12*time.Second), "1 h 41 min 12 s"},
		{Duration(-395 * time.Millisecond), "-395.000 ms"}, {Duration(0), "0 s"},
		{Setting(5 * time.Minute), "5 min"}, {Setting(30 * time.Second), "30 s"}, {Setting(0), "never"}, {Setting(100 * time.Millisecond), "100 ms"},
		{Setting(250 * time.Microsecond), "250 µs"}, {Setting(time.Nanosecond), "1 ns"},
		{Timestamp(time.Date(2025, 10, 14, 9, 30, 0, 123456789, time.UTC)), "2025-10-14 09:30:00.123456 UTC"},
		{Percent(26, 100), "26 %"}, {Percent(2, 23), "8.7 %"}, {Percent(0, 0), "0 %"}, {Percent(1, 1), "100 %"}, {Percent(1234, 1239), "99.6 %"}, {Percent(99999, 100000), "99.9 %"}, {Percent(995, 1000), "99.5 %"},
		{Plural(1, "flow"), "1 flow"}, {Plural(23, "flow"), "23 flows"}, {Plural(2, "address"), "2 addresses"}, {Plural(0, "reply"), "0 replies"},
		{Plural(3, "day"), "3 days"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
