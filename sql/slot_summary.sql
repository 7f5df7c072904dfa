-- T2.6: how full the array of 2^16 slots is: the distinct host pairs, the
-- slots they occupy, the slots holding more than one pair and the pairs
-- in those (collisions merge pairs). Go: Pairs().SlotArray(nil, "")'s
-- Pairs, Occupied, Shared and PairsInShared.
SELECT
  coalesce(sum(pairs), 0) AS pairs,
  count(*) AS occupied,
  coalesce(sum(CASE WHEN pairs > 1 THEN 1 ELSE 0 END), 0) AS shared,
  coalesce(sum(CASE WHEN pairs > 1 THEN pairs ELSE 0 END), 0) AS pairs_in_shared
FROM (
  SELECT pair_slot, count(*) AS pairs
  FROM (
    SELECT DISTINCT pair_slot,
      least(orig_addr_key, resp_addr_key) AS key_a,
      greatest(orig_addr_key, resp_addr_key) AS key_b
    FROM flows
  ) AS p
  GROUP BY pair_slot
) AS s
