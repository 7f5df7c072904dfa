-- T3.1: the addresses that took part, by family, kind (unicast, multicast,
-- broadcast, unspecified) and scope; packets and bytes count once per
-- address. Go: Hosts().Kinds().
SELECT family, kind, scope, count(*) AS hosts, sum(packets) AS packets, sum(bytes) AS bytes
FROM (
  SELECT addr, min(family) AS family, min(kind) AS kind, min(scope) AS scope, sum(packets) AS packets, sum(bytes) AS bytes
  FROM hosts
  GROUP BY addr
) AS h
GROUP BY family, kind, scope
ORDER BY family,
  CASE kind WHEN 'unicast' THEN 0 WHEN 'multicast' THEN 1 WHEN 'broadcast' THEN 2 ELSE 3 END,
  scope
