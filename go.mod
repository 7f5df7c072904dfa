module github.com/pcaplab/pcaplab

go 1.26.8

require (
	github.com/go-gota/gota v0.12.0
	github.com/gopacket/gopacket v1.7.7
	github.com/maxmind/mmdbwriter v1.0.0
	github.com/oschwald/maxminddb-golang v1.13.1
	github.com/phuslu/iploc v1.0.20260915
)

require (
	go4.org/netipx v0.0.0-20220812043211-3cc044ffd68d // indirect
	golang.org/x/net v0.55.0 // indirect
	golang.org/x/sys v0.45.0 // indirect
	gonum.org/v1/gonum v0.9.1 // indirect
)
