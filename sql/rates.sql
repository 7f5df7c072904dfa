-- T3.7: totals and mean rates over the whole input, as capinfos computes
-- them (bytes × 8 / duration, packets / duration; duration = latest minus
-- earliest packet). Go: Packets(), Bytes(), Duration(), Traffic().Rates().
SELECT
  sum(packets) AS packets,
  sum(bytes) AS bytes,
  min(first_ns) AS first_ns,
  max(last_ns) AS last_ns,
  CAST(sum(bytes) AS DOUBLE) * 8 / (CAST(max(last_ns) - min(first_ns) AS DOUBLE) / 1e9) AS mean_bits_per_s,
  CAST(sum(packets) AS DOUBLE) / (CAST(max(last_ns) - min(first_ns) AS DOUBLE) / 1e9) AS mean_packets_per_s
FROM sources
