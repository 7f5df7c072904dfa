-- T3.3: the 15 hosts (IP addresses) with the most bytes: a packet counts
-- once for each distinct address among its source and destination (ties:
-- packets, then address). Go: Hosts().TopByBytes(15).
SELECT
  addr AS host,
  sum(bytes) AS bytes,
  sum(packets) AS packets,
  sum(sent_bytes) AS sent_bytes,
  sum(received_bytes) AS received_bytes
FROM hosts
GROUP BY addr_key, addr
ORDER BY bytes DESC, packets DESC, addr_key
LIMIT 15
