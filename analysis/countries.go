package analysis

import (
	"fmt"
	"net"
	"net/netip"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/oschwald/maxminddb-golang"
	"github.com/pcaplab/pcaplab/units"
	"github.com/phuslu/iploc"
)

// GeoIPAttribution is the credit the embedded country data requires.
const GeoIPAttribution = "This product includes IP2Location LITE data available from https://lite.ip2location.com (through github.com/phuslu/iploc)."

// Country returns the ISO 3166-1 alpha-2 code and English name of a public
// address's country, from the embedded IP2Location LITE data (offline). For
// other addresses the code is "" and the name says what the address is
// ("private network", "link-local", "multicast" …); an unknown public
// address gives "" and "unknown".
func Country(a netip.Addr) (code, name string) {
	if AddressScope(a) == "NAT64" {
		a = nat64IPv4(a) // the IPv4 server behind the translator
	}
	if s := AddressScope(a); s != "public" {
		switch {
		case s == "-":
			return "", AddressKind(a)
		case s == "private":
			return "", "private network"
		}
		return "", s
	}
	code = iploc.IPCountry(a.Unmap())
	if code == "" || code == "ZZ" || code == "--" {
		return "", "unknown"
	}
	if n, ok := countryNames[code]; ok {
		return code, n
	}
	return code, code
}

// GeoIPDataDate is the date of the embedded country data: the date in the
// version of github.com/phuslu/iploc that go.mod pins (v1.0.20260915; a
// test checks that the two agree).
var GeoIPDataDate = time.Date(2026, 9, 15, 0, 0, 0, 0, time.UTC)

// GeoIP is a country database in MaxMind DB format (MaxMind GeoLite2 or
// GeoIP2 Country/City, DB-IP country lite …).
type GeoIP struct {
	r    *maxminddb.Reader
	desc string
	date time.Time
}

type mmdbCountry struct {
	Country struct {
		ISOCode string            `maxminddb:"iso_code"`
		Names   map[string]string `maxminddb:"names"`
	} `maxminddb:"country"`
}

// UseGeoIPDatabase makes country lookups use a MaxMind DB file (.mmdb:
// MaxMind GeoLite2/GeoIP2 Country or City, DB-IP Country Lite …) instead of
// the embedded IP2Location LITE data. Names are the database's English
// names, or the ISO 3166 English name where it has none.
func (c *Capture) UseGeoIPDatabase(path string) error {
	db, err := OpenGeoIP(path)
	if err != nil {
		return err
	}
	c.UseGeoIP(db)
	return nil
}

// OpenGeoIP opens a MaxMind DB country database (see UseGeoIPDatabase).
func OpenGeoIP(path string) (*GeoIP, error) {
	r, err := maxminddb.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s: not a MaxMind DB country database: %v", path, err)
	}
	built := time.Unix(int64(r.Metadata.BuildEpoch), 0).UTC()
	return &GeoIP{r: r, date: built, desc: fmt.Sprintf("%s (%s, built %s)", filepath.Base(path), r.Metadata.DatabaseType,
		built.Format("2006-01-02"))}, nil
}

// UseGeoIP makes country lookups use an opened database.
func (c *Capture) UseGeoIP(db *GeoIP) { c.geo = db }

// GeoIPSource says which country data the capture's lookups use, with the
// attribution it requires.
func (c *Capture) GeoIPSource() string {
	if c.geo != nil {
		return "MaxMind DB file " + c.geo.desc
	}
	return GeoIPAttribution
}

// GeoIPDate is the date of the country data the lookups use.
func (c *Capture) GeoIPDate() time.Time {
	if c.geo != nil {
		return c.geo.date
	}
	return GeoIPDataDate
}

// GeoIPNote warns, when the capture and the country data are more than a
// year apart, that addresses may have moved between countries since; ""
// otherwise.
func (c *Capture) GeoIPNote() string {
	d := c.GeoIPDate()
	gap := c.Start().Sub(d)
	if !c.Dated() {
		return fmt.Sprintf("The country data is of %s; the input's date is not known, so countries may be wrong for the time it was taken.", d.Format("January 2006"))
	}
	if gap < 0 {
		gap = -gap
	}
	if gap < 365*24*time.Hour {
		return ""
	}
	n := c.words().noun
	return fmt.Sprintf("The country data is of %s and the %s of %s: address blocks change hands, so some countries may be wrong for the %s's time.",
		d.Format("January 2006"), n, c.Start().Format("January 2006"), n)
}

// country looks an address up in the capture's database.
func (c *Capture) country(a netip.Addr) (code, name string) {
	if AddressScope(a) == "NAT64" {
		a = nat64IPv4(a)
	}
	if c.geo == nil || AddressScope(a) != "public" {
		return Country(a)
	}
	var rec mmdbCountry
	if err := c.geo.r.Lookup(net.IP(a.Unmap().AsSlice()), &rec); err != nil || rec.Country.ISOCode == "" {
		return "", "unknown"
	}
	code = rec.Country.ISOCode
	if n := rec.Country.Names["en"]; n != "" {
		return code, n
	}
	if n, ok := countryNames[code]; ok {
		return code, n
	}
	return code, code
}

// CountryRow is one country of T3.2 (Code and Country), or one kind of
// non-public address (Code "-", Country "(private network)" …).
type CountryRow struct {
	Code    string `table:"country_code"`
	Country string `table:"country"`
	Hosts   uint64 `table:"hosts"`
	Packets uint64 `table:"packets"`
	Bytes   uint64 `table:"bytes"`
}

// CountryRows are T3.2's rows.
type CountryRows []CountryRow

// Countries answers T3.2: the n countries with the most distinct public
// hosts (ties: bytes, then code), with their packets and bytes; then one
// row for each kind of non-public address (private network, link-local,
// multicast …) and for public addresses of unknown country, so nothing is
// silently left out.
func (h Hosts) Countries(n int) CountryRows {
	countries := map[string]*CountryRow{}
	other := map[string]*CountryRow{}
	for a, s := range h.c.m.Hosts {
		code, name := h.c.country(a)
		m, k := countries, code
		if code == "" {
			m, k = other, name
		}
		x := m[k]
		if x == nil {
			x = &CountryRow{Code: code, Country: name}
			m[k] = x
		}
		x.Hosts++
		x.Packets += s.Packets
		x.Bytes += s.Bytes
	}
	top := sortedCountries(countries)
	if len(top) > n {
		top = top[:n]
	}
	for _, x := range sortedCountries(other) {
		top = append(top, CountryRow{Code: "-", Country: "(" + x.Country + ")", Hosts: x.Hosts, Packets: x.Packets, Bytes: x.Bytes})
	}
	return top
}

func sortedCountries(m map[string]*CountryRow) CountryRows {
	var l CountryRows
	for _, x := range m {
		l = append(l, *x)
	}
	sort.Slice(l, func(i, j int) bool {
		if l[i].Hosts != l[j].Hosts {
			return l[i].Hosts > l[j].Hosts
		}
		if l[i].Bytes != l[j].Bytes {
			return l[i].Bytes > l[j].Bytes
		}
		return l[i].Code+l[i].Country < l[j].Code+l[j].Country
	})
	return l
}

// CountryCount is the number of distinct countries the country data
// places the public addresses in.
func (h Hosts) CountryCount() int {
	seen := map[string]bool{}
	for a := range h.c.m.Hosts {
		if code, _ := h.c.country(a); code != "" {
			seen[code] = true
		}
	}
	return len(seen)
}

// Sentence names the countries with their host counts, and says how many
// public addresses the data places nowhere.
func (r CountryRows) Sentence() string {
	var parts []string
	var unknown uint64
	for _, x := range r {
		switch {
		case x.Code != "-":
			parts = append(parts, fmt.Sprintf("%s (%s, %s)", x.Country, x.Code, units.Plural(x.Hosts, "host")))
		case x.Country == "(unknown)":
			unknown = x.Hosts
		}
	}
	switch {
	case len(parts) == 0 && unknown == 0:
		return "No public address was seen, so no country can be named; private, link-local, multicast and documentation addresses are listed apart."
	case len(parts) == 0:
		return publicSeen(unknown) + " seen, but the country data places none of them."
	}
	out := "By distinct public hosts, the top countries are " + strings.Join(parts, ", ") + "."
	if unknown > 0 {
		out += fmt.Sprintf(" The data places %s nowhere.", units.Plural(unknown, "public address"))
	}
	return out + " Private, link-local, multicast and documentation addresses are listed apart, not as a country."
}

func publicSeen(n uint64) string {
	if n == 1 {
		return "1 public address was"
	}
	return units.Count(n) + " public addresses were"
}
