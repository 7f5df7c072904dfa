-- T2.1: flows by protocol, and the minimum, median, mean and maximum flow
-- size in bytes and in packets (both directions). Go: Flows().Sizes().
-- The median of an even number of flows is the mean of the two middle ones.
SELECT
  count(*) AS flows,
  sum(CASE WHEN proto = 'TCP' THEN 1 ELSE 0 END) AS tcp,
  sum(CASE WHEN proto = 'UDP' THEN 1 ELSE 0 END) AS udp,
  sum(CASE WHEN proto IN ('ICMP', 'ICMPv6') THEN 1 ELSE 0 END) AS icmp,
  sum(CASE WHEN proto NOT IN ('TCP', 'UDP', 'ICMP', 'ICMPv6') THEN 1 ELSE 0 END) AS other,
  min(orig_bytes + resp_bytes) AS bytes_min,
  percentile_cont(0.5) WITHIN GROUP (ORDER BY orig_bytes + resp_bytes) AS bytes_median,
  avg(CAST(orig_bytes + resp_bytes AS DOUBLE)) AS bytes_mean,
  max(orig_bytes + resp_bytes) AS bytes_max,
  min(orig_packets + resp_packets) AS packets_min,
  percentile_cont(0.5) WITHIN GROUP (ORDER BY orig_packets + resp_packets) AS packets_median,
  avg(CAST(orig_packets + resp_packets AS DOUBLE)) AS packets_mean,
  max(orig_packets + resp_packets) AS packets_max
FROM flows
