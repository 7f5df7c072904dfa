-- Spark SQL views over a pcaplab flow store (pcaplab ingest --store DIR).
-- ${STORE} is the store's URI (a directory, hdfs://… or s3a://…); spark-sql
-- substitutes it from --hivevar STORE=… (see spark/run.sh). Spark finds the
-- date=/hour= partitions of flows itself. The schema needs no legacy flag:
-- times are INT64 ns plus TIMESTAMP(MICROS, UTC), counts signed.
CREATE OR REPLACE TEMPORARY VIEW flows USING parquet OPTIONS (path '${STORE}/flows');
CREATE OR REPLACE TEMPORARY VIEW bins USING parquet OPTIONS (path '${STORE}/bins');
CREATE OR REPLACE TEMPORARY VIEW hosts USING parquet OPTIONS (path '${STORE}/hosts');
CREATE OR REPLACE TEMPORARY VIEW ports USING parquet OPTIONS (path '${STORE}/ports');
CREATE OR REPLACE TEMPORARY VIEW counters USING parquet OPTIONS (path '${STORE}/counters');
CREATE OR REPLACE TEMPORARY VIEW sources USING parquet OPTIONS (path '${STORE}/sources');
CREATE OR REPLACE TEMPORARY VIEW dns USING parquet OPTIONS (path '${STORE}/dns');
CREATE OR REPLACE TEMPORARY VIEW icmp USING parquet OPTIONS (path '${STORE}/icmp');
CREATE OR REPLACE TEMPORARY VIEW dhcp USING parquet OPTIONS (path '${STORE}/dhcp');
