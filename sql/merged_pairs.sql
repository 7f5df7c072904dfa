-- T2.6: which pairs are merged: every host pair of a slot that holds more
-- than one pair, with the slot's flows, its pairs, the pair's exact flows
-- and the other pairs' flows its slot adds (over_count). The fullest slot
-- first (ties: the lower slot), within a slot the pair with the most flows
-- (ties: bytes, then the pair by address sort key). Go: Pairs().
-- SlotArray(nil, "").MergedRows().
SELECT slot, slot_flows, pairs_in_slot, host_a, host_b, exact_flows, slot_flows - exact_flows AS over_count
FROM (
  SELECT pair_slot AS slot, host_a, host_b, key_a, key_b, flows AS exact_flows, bytes,
    sum(flows) OVER (PARTITION BY pair_slot) AS slot_flows,
    count(*) OVER (PARTITION BY pair_slot) AS pairs_in_slot
  FROM (
    SELECT pair_slot, key_a, key_b, host_a, host_b, count(*) AS flows, sum(bytes) AS bytes
    FROM (
      SELECT pair_slot,
        least(orig_addr_key, resp_addr_key) AS key_a,
        greatest(orig_addr_key, resp_addr_key) AS key_b,
        CASE WHEN orig_addr_key <= resp_addr_key THEN orig_addr ELSE resp_addr END AS host_a,
        CASE WHEN orig_addr_key <= resp_addr_key THEN resp_addr ELSE orig_addr END AS host_b,
        orig_bytes + resp_bytes AS bytes
      FROM flows
    ) AS f
    GROUP BY pair_slot, key_a, key_b, host_a, host_b
  ) AS p
) AS s
WHERE pairs_in_slot > 1
ORDER BY slot_flows DESC, slot, exact_flows DESC, bytes DESC, key_a, key_b
