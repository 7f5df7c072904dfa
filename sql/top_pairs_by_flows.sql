-- T2.4: the 10 host pairs (unordered address pairs) with the most flows
-- (ties: bytes, then the pair by address sort key: IPv4 before IPv6, then
-- by value). Go: Pairs().TopByFlows(10).
SELECT host_a, host_b, count(*) AS flows, sum(packets) AS packets, sum(bytes) AS bytes
FROM (
  SELECT
    least(orig_addr_key, resp_addr_key) AS key_a,
    greatest(orig_addr_key, resp_addr_key) AS key_b,
    CASE WHEN orig_addr_key <= resp_addr_key THEN orig_addr ELSE resp_addr END AS host_a,
    CASE WHEN orig_addr_key <= resp_addr_key THEN resp_addr ELSE orig_addr END AS host_b,
    orig_packets + resp_packets AS packets,
    orig_bytes + resp_bytes AS bytes
  FROM flows
) AS p
GROUP BY key_a, key_b, host_a, host_b
ORDER BY flows DESC, bytes DESC, key_a, key_b
LIMIT 10
