-- T3.6: the 10 TCP connections with the highest transfer throughput: the
-- payload bytes of the bulk direction (the one that sent more) × 8 over its
-- transfer time (idle gaps over the transfer gap left out). Only
-- connections whose handshake was seen (SYN from the originator, SYN+ACK
-- from the responder) with at least 10 packets, 10 000 payload bytes and
-- 10 ms of transfer are ranked (ties: payload, then start).
-- Go: Flows().Fastest(10, FastestOptions{}).
SELECT orig_addr, orig_port, resp_addr, resp_port, server_name, direction, payload_bytes, transfer_s,
  CAST(payload_bytes AS DOUBLE) * 8 / transfer_s / 1e3 AS kbit_per_s
FROM (
  SELECT f.*,
    CASE WHEN orig_payload > resp_payload THEN 'upload' ELSE 'download' END AS direction,
    CASE WHEN orig_payload > resp_payload THEN orig_payload ELSE resp_payload END AS payload_bytes,
    CASE WHEN orig_payload > resp_payload THEN orig_transfer_s ELSE resp_transfer_s END AS transfer_s
  FROM flows AS f
  WHERE proto = 'TCP'
    AND mod(CAST(floor(orig_flags / 2) AS BIGINT), 2) = 1                 -- SYN (2) from the originator
    AND mod(CAST(floor(resp_flags / 2) AS BIGINT), 2) = 1                 -- SYN from the responder …
    AND mod(CAST(floor(resp_flags / 16) AS BIGINT), 2) = 1                -- … with ACK (16)
    AND orig_packets + resp_packets >= 10
) AS c
WHERE payload_bytes >= 10000 AND transfer_s >= 0.01
ORDER BY CAST(payload_bytes AS DOUBLE) * 8 / transfer_s DESC, payload_bytes DESC, start_ns,
  orig_addr_key, resp_addr_key, orig_port, resp_port
LIMIT 10
