-- T3.5: the 5 UDP ports with the most packets: a packet counts once for
-- each distinct port among its source and destination ports (ties: lower
-- port first). Go: Ports().TopUDP(5).
SELECT port, sum(packets) AS packets, sum(bytes) AS bytes
FROM ports
WHERE proto = 'UDP'
GROUP BY port
ORDER BY packets DESC, port
LIMIT 5
