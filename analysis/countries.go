package analysis

import (
	"fmt"
	"net"
	"net/netip"
	"path/filepath"
	"sort"
	"time"

	"github.com/go-gota/gota/dataframe"
	"github.com/oschwald/maxminddb-golang"
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

// geoDB is a country database in MaxMind DB format (MaxMind GeoLite2 or
// GeoIP2 Country/City, DB-IP country lite …).
type geoDB struct {
	r    *maxminddb.Reader
	desc string
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
	r, err := maxminddb.Open(path)
	if err != nil {
		return fmt.Errorf("%s: not a MaxMind DB country database: %v", path, err)
	}
	c.geo = &geoDB{r: r, desc: fmt.Sprintf("%s (%s, built %s)", filepath.Base(path), r.Metadata.DatabaseType,
		time.Unix(int64(r.Metadata.BuildEpoch), 0).UTC().Format("2006-01-02"))}
	return nil
}

// GeoIPSource says which country data the capture's lookups use, with the
// attribution it requires.
func (c *Capture) GeoIPSource() string {
	if c.geo != nil {
		return "MaxMind DB file " + c.geo.desc
	}
	return GeoIPAttribution
}

// country looks an address up in the capture's database.
func (c *Capture) country(a netip.Addr) (code, name string) {
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

// TopCountries answers T3.2: the n countries with the most distinct public
// hosts (ties: bytes, then code), with their packets and bytes; then one
// row for each kind of non-public address (private network, link-local,
// multicast …) and for public addresses of unknown country, so nothing is
// silently left out. Columns: country_code, country, hosts, packets, bytes.
func (c *Capture) TopCountries(n int) dataframe.DataFrame {
	type acc struct {
		code, name            string
		hosts, packets, bytes uint64
	}
	countries := map[string]*acc{}
	other := map[string]*acc{}
	for a, h := range c.m.Hosts {
		code, name := c.country(a)
		m, k := countries, code
		if code == "" {
			m, k = other, name
		}
		x := m[k]
		if x == nil {
			x = &acc{code: code, name: name}
			m[k] = x
		}
		x.hosts++
		x.packets += h.Packets
		x.bytes += h.Bytes
	}
	sorted := func(m map[string]*acc) []*acc {
		var l []*acc
		for _, x := range m {
			l = append(l, x)
		}
		sort.Slice(l, func(i, j int) bool {
			if l[i].hosts != l[j].hosts {
				return l[i].hosts > l[j].hosts
			}
			if l[i].bytes != l[j].bytes {
				return l[i].bytes > l[j].bytes
			}
			return l[i].code+l[i].name < l[j].code+l[j].name
		})
		return l
	}
	top := sorted(countries)
	if len(top) > n {
		top = top[:n]
	}
	t := newTable(strCol("country_code"), strCol("country"), intCol("hosts"), intCol("packets"), intCol("bytes"))
	for _, x := range top {
		t.row(x.code, x.name, x.hosts, x.packets, x.bytes)
	}
	for _, x := range sorted(other) {
		t.row("-", "("+x.name+")", x.hosts, x.packets, x.bytes)
	}
	return t.frame()
}
