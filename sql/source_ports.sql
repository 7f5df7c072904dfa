-- T2.3: the source ports of TCP and UDP flows (the originators' ports), ranked by
-- flows (ties: bytes, then port, TCP before UDP). Go: Services().SourcePorts(5).
SELECT
  orig_port AS port,
  lower(proto) AS transport,
  count(*) AS flows,
  sum(orig_packets + resp_packets) AS packets,
  sum(orig_bytes + resp_bytes) AS bytes
FROM flows
WHERE proto IN ('TCP', 'UDP')
GROUP BY orig_port, proto
ORDER BY flows DESC, bytes DESC, port, transport
LIMIT 5
