-- T2.6: the 100 fullest slots of the array of 2^16 slots, each host pair's
-- flows counted in its slot (pair_slot: FNV-1a of the pair, computed at
-- ingest, since SQL engines share no FNV-1a), with how many host pairs
-- share the slot (ties: the lower slot). Go: Pairs().SlotArray(nil, "").
-- TopSlots(100).
SELECT pair_slot AS slot, sum(flows) AS flows, count(*) AS pairs
FROM (
  SELECT pair_slot, key_a, key_b, count(*) AS flows
  FROM (
    SELECT pair_slot,
      least(orig_addr_key, resp_addr_key) AS key_a,
      greatest(orig_addr_key, resp_addr_key) AS key_b
    FROM flows
  ) AS f
  GROUP BY pair_slot, key_a, key_b
) AS p
GROUP BY pair_slot
ORDER BY flows DESC, slot
LIMIT 100
