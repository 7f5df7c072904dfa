-- T3.7: totals, and the bit and packet rates. Mean: over the whole input,
-- as capinfos computes it (bytes × 8 / duration, packets / duration;
-- duration = latest minus earliest packet; 0 when there is none). Median
-- and peak: over the time bins (the store's bin width) from the first to
-- the last, empty bins counted as 0. A bin's rate is over the time it
-- covers within the input (the last one ends at the last packet); a first
-- or last bin covering less than half a bin joins its neighbour (the last
-- first). The median of an even number of bins is the mean of the two
-- middle ones. Past 1 000 000 bins from first to last only the non-empty
-- ones are listed. Go: Packets(), Bytes(), Duration(), Traffic().Rates(0).
--
-- The empty bins are not generated: in the ordered list of all rates the
-- E empty bins' zeros come first, so the rate at position p is 0 for
-- p <= E, else the (p - E)-th smallest non-empty one; the middle positions
-- of n bins are those with n <= 2p <= n + 2.
WITH src AS (
  SELECT sum(packets) AS packets, sum(bytes) AS bytes, min(first_ns) AS first_ns, max(last_ns) AS last_ns
  FROM sources
),
b AS (  -- the non-empty bins, summed over the files, with the time each covers
  SELECT start_ns, w, packets, bytes, first_ns, last_ns,
    greatest(least(start_ns + w, last_ns) - greatest(start_ns, first_ns), 0) AS covered_ns,
    ROW_NUMBER() OVER (ORDER BY start_ns) AS i,
    LAG(start_ns) OVER (ORDER BY start_ns) AS prev_start,
    LEAD(start_ns) OVER (ORDER BY start_ns) AS next_start
  FROM (SELECT start_ns, min(width_ns) AS w, sum(packets) AS packets, sum(bytes) AS bytes FROM bins GROUP BY start_ns) AS g
  CROSS JOIN (SELECT first_ns, last_ns FROM src) AS t
),
listing AS (  -- the list's ends and length (filled: empty bins listed)
  SELECT s_min, s_max, w, m, first_len, last_len, last_prev, first_next,
    CASE WHEN span_bins > 1000000 THEN 0 ELSE 1 END AS filled,
    CASE WHEN span_bins > 1000000 THEN m ELSE span_bins END AS listed
  FROM (
    SELECT min(start_ns) AS s_min, max(start_ns) AS s_max, min(w) AS w, count(*) AS m,
      CAST((max(start_ns) - min(start_ns)) / min(w) AS BIGINT) + 1 AS span_bins,
      max(CASE WHEN i = 1 THEN covered_ns END) AS first_len,
      max(CASE WHEN i = 1 THEN next_start END) AS first_next,
      max(CASE WHEN i = count_all THEN covered_ns END) AS last_len,
      max(CASE WHEN i = count_all THEN prev_start END) AS last_prev
    FROM (SELECT b.*, count(*) OVER () AS count_all FROM b) AS bc
  ) AS e
),
end_joins AS (  -- which end bins join a neighbour, and which
  SELECT s_min, s_max, w, filled, listed, last_join, last_into,
    CASE WHEN listed - last_join >= 2 AND 2 * first_len < w THEN 1 ELSE 0 END AS first_join,
    CASE WHEN filled = 1 THEN s_min + w ELSE first_next END AS first_into
  FROM (
    SELECT listing.*,
      CASE WHEN listed >= 2 AND 2 * last_len < w THEN 1 ELSE 0 END AS last_join,
      CASE WHEN filled = 1 THEN s_max - w ELSE last_prev END AS last_into
    FROM listing
  ) AS l
),
merged AS (  -- the non-empty bins after the joins (an empty bin that an end bin joins adds its own time)
  SELECT k, sum(packets) AS packets, sum(bytes) AS bytes,
    sum(covered_ns) + CASE WHEN max(CASE WHEN start_ns = k THEN 1 ELSE 0 END) = 1 THEN 0
      ELSE greatest(least(k + min(w), min(last_ns)) - greatest(k, min(first_ns)), 0) END AS covered_ns
  FROM (
    SELECT b.*,
      CASE WHEN j.last_join = 1 AND b.start_ns = j.s_max THEN j.last_into
        WHEN j.first_join = 1 AND b.start_ns = j.s_min THEN j.first_into
        ELSE b.start_ns END AS k
    FROM b CROSS JOIN end_joins AS j
  ) AS keyed
  GROUP BY k
),
rated AS (
  SELECT bits, pkts,
    ROW_NUMBER() OVER (ORDER BY bits) AS bits_i,
    ROW_NUMBER() OVER (ORDER BY pkts) AS pkts_i,
    count(*) OVER () AS nonempty
  FROM (
    SELECT
      CASE WHEN covered_ns > 0 THEN CAST(bytes AS DOUBLE) * 8 / (CAST(covered_ns AS DOUBLE) / 1e9) ELSE 0 END AS bits,
      CASE WHEN covered_ns > 0 THEN CAST(packets AS DOUBLE) / (CAST(covered_ns AS DOUBLE) / 1e9) ELSE 0 END AS pkts
    FROM merged
  ) AS r
),
stats AS (
  SELECT
    sum(CASE WHEN n <= 2 * (n - nonempty + bits_i) AND 2 * (n - nonempty + bits_i) <= n + 2 THEN bits ELSE 0 END) / (2 - max(n) % 2) AS median_bits,
    sum(CASE WHEN n <= 2 * (n - nonempty + pkts_i) AND 2 * (n - nonempty + pkts_i) <= n + 2 THEN pkts ELSE 0 END) / (2 - max(n) % 2) AS median_pkts,
    max(bits) AS peak_bits,
    max(pkts) AS peak_pkts
  FROM rated CROSS JOIN (SELECT listed - last_join - first_join AS n FROM end_joins) AS c
)
SELECT
  packets,
  bytes,
  first_ns,
  last_ns,
  CASE WHEN last_ns > first_ns THEN CAST(bytes AS DOUBLE) * 8 / (CAST(last_ns - first_ns AS DOUBLE) / 1e9) ELSE 0 END AS mean_bits_per_s,
  CASE WHEN last_ns > first_ns THEN CAST(packets AS DOUBLE) / (CAST(last_ns - first_ns AS DOUBLE) / 1e9) ELSE 0 END AS mean_packets_per_s,
  coalesce(median_bits, 0) AS median_bits_per_s,
  coalesce(median_pkts, 0) AS median_packets_per_s,
  coalesce(peak_bits, 0) AS peak_bits_per_s,
  coalesce(peak_pkts, 0) AS peak_packets_per_s
FROM src CROSS JOIN stats
