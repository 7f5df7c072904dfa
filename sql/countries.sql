-- T3.2: the 5 countries with the most distinct public hosts (ties: bytes,
-- then code and name), with their packets and bytes; then one row for each
-- kind of address without a country (private network, link-local,
-- multicast …, and unknown: public addresses the country data places
-- nowhere), code '-' and the kind in parentheses, in the same order. The
-- country is the label the store keeps with each host (hosts.country,
-- country_name: the embedded IP2Location LITE data of analysis.Country);
-- an address has a row per file, so hosts are distinct addresses and
-- packets and bytes count once per address. Go: Hosts().Countries(5).
WITH h AS (
  SELECT addr_key, min(country) AS country, min(country_name) AS country_name, sum(packets) AS packets, sum(bytes) AS bytes
  FROM hosts
  GROUP BY addr_key
),
c AS (
  SELECT CASE WHEN country = '' THEN 1 ELSE 0 END AS apart, country, country_name,
    count(*) AS hosts, sum(packets) AS packets, sum(bytes) AS bytes
  FROM h
  GROUP BY country, country_name
),
r AS (
  SELECT apart, country, country_name, hosts, packets, bytes,
    ROW_NUMBER() OVER (PARTITION BY apart ORDER BY hosts DESC, bytes DESC, country || country_name) AS pos
  FROM c
)
SELECT
  CASE WHEN apart = 1 THEN '-' ELSE country END AS country_code,
  CASE WHEN apart = 1 THEN '(' || country_name || ')' ELSE country_name END AS country,
  hosts,
  packets,
  bytes
FROM r
WHERE apart = 1 OR pos <= 5
ORDER BY apart, pos
