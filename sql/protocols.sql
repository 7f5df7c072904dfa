-- T2.3, transport view: flows, packets and bytes per IP protocol, ranked by
-- flows (ties: bytes, then name). Go: Services().Protocols(5).
SELECT
  proto AS protocol,
  count(*) AS flows,
  sum(orig_packets + resp_packets) AS packets,
  sum(orig_bytes + resp_bytes) AS bytes,
  100 * CAST(count(*) AS DOUBLE) / (SELECT count(*) FROM flows) AS flows_percent
FROM flows
GROUP BY proto
ORDER BY flows DESC, bytes DESC, protocol
LIMIT 5
