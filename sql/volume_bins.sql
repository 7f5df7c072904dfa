-- T2.2 and T3.7: packets and bytes per time bin (the store's bin width),
-- bins starting at the store's first packet; empty bins are not listed.
-- Go: the model's bins, behind Traffic().Bins.
SELECT start_ns, sum(packets) AS packets, sum(bytes) AS bytes
FROM bins
GROUP BY start_ns
ORDER BY start_ns
