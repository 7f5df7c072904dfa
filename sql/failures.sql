-- T3.8: failed communications by class: attempts (connections,
-- transactions or requests, never retransmissions) and the distinct hosts
-- contacted without success (for DNS errors, the resolvers that gave them;
-- for DHCP, whose server is not known, the clients).
-- A request made less than 5 s before the input ended with no answer yet is
-- unfinished, not failed. Go: Failures().Classes().
WITH span AS (
  SELECT max(last_ns) - 5000000000 AS late FROM sources
),
attempts AS (
  -- flows with a failure label, unless an ICMP destination unreachable
  -- about them counts instead (below)
  SELECT f.failure AS class, f.resp_addr AS host
  FROM flows AS f, span
  WHERE f.failure <> ''
    AND NOT (f.icmp_error <> '' AND (
      (f.resp_addr LIKE '%:%' AND f.resp_addr NOT LIKE '%.%' AND f.icmp_error LIKE '1/%')
      OR ((f.resp_addr NOT LIKE '%:%' OR f.resp_addr LIKE '%.%') AND f.icmp_error LIKE '3/%' AND f.icmp_error <> '3/4')))
    AND NOT (f.failure IN ('tcp_no_answer', 'udp_no_reply') AND f.start_ns > span.late)
  UNION ALL
  -- ICMP destination unreachable about a request: one attempt per quoted
  -- 5-tuple and class, the first error's quoted destination
  SELECT class, host FROM (
    SELECT failure AS class, quoted_dst AS host,
      row_number() OVER (PARTITION BY failure, quoted_flow ORDER BY time_ns) AS n
    FROM icmp
    WHERE failure <> ''
  ) AS i
  WHERE n = 1
  UNION ALL
  SELECT d.failure AS class, d.server AS host
  FROM dns AS d, span
  WHERE d.failure <> '' AND NOT (d.failure = 'dns_no_response' AND d.query_ns > span.late)
  UNION ALL
  SELECT class, host FROM (
    SELECT
      CASE
        WHEN naks > 0 THEN 'dhcp_nak'
        WHEN requests > 0 AND acks = 0 THEN 'dhcp_no_ack'
        WHEN discovers > 0 AND offers = 0 AND requests = 0 THEN 'dhcp_no_offer'
      END AS class,
      -- the server that refused, else the client (whose server is not known)
      CASE WHEN naks > 0 AND server <> '' THEN server ELSE 'client ' || client END AS host,
      CASE
        WHEN naks > 0 THEN 0
        WHEN requests > 0 AND acks = 0 THEN first_request_ns
        ELSE first_discover_ns
      END AS asked
    FROM dhcp
  ) AS x, span
  WHERE class IS NOT NULL AND NOT (class <> 'dhcp_nak' AND asked > span.late)
)
SELECT class, count(*) AS attempts, count(DISTINCT host) AS hosts
FROM attempts
GROUP BY class
ORDER BY CASE class
  WHEN 'tcp_no_answer' THEN 1 WHEN 'tcp_rejected' THEN 2 WHEN 'tcp_aborted' THEN 3
  WHEN 'icmp_net_unreachable' THEN 4 WHEN 'icmp_host_unreachable' THEN 5 WHEN 'icmp_port_unreachable' THEN 6
  WHEN 'icmp_admin_prohibited' THEN 7 WHEN 'icmp_unreachable_other' THEN 8
  WHEN 'dns_nxdomain' THEN 9 WHEN 'dns_servfail' THEN 10 WHEN 'dns_refused' THEN 11 WHEN 'dns_other_error' THEN 12
  WHEN 'dns_no_response' THEN 13 WHEN 'dhcp_no_offer' THEN 14 WHEN 'dhcp_no_ack' THEN 15 WHEN 'dhcp_nak' THEN 16
  ELSE 17 END
