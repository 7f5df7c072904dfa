-- T3.5: the 10 TCP ports with the most packets: a packet counts once for
-- each distinct port among its source and destination ports (ties: lower
-- port first). Go: Ports().TopTCP(10).
SELECT port, sum(packets) AS packets, sum(bytes) AS bytes
FROM ports
WHERE proto = 'TCP'
GROUP BY port
ORDER BY packets DESC, port
LIMIT 10
