-- T2.3, application view: flows, packets and bytes per application (the
-- label computed in Go at ingest), ranked by flows (ties: bytes, then
-- name). Go: Services().Applications(10).
SELECT
  application,
  count(*) AS flows,
  sum(orig_packets + resp_packets) AS packets,
  sum(orig_bytes + resp_bytes) AS bytes
FROM flows
GROUP BY application
ORDER BY flows DESC, bytes DESC, application
LIMIT 10
