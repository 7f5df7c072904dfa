-- DuckDB views over a pcaplab flow store (pcaplab ingest --store DIR).
-- ${STORE} stands for the store directory; run.mjs replaces it, or:
--   sed 's|${STORE}|/data/store|g' sql/duckdb/views.sql | duckdb store.db
CREATE OR REPLACE VIEW flows AS SELECT * FROM read_parquet('${STORE}/flows/*/*/*.parquet', hive_partitioning = true);
CREATE OR REPLACE VIEW bins AS SELECT * FROM read_parquet('${STORE}/bins/*.parquet');
CREATE OR REPLACE VIEW hosts AS SELECT * FROM read_parquet('${STORE}/hosts/*.parquet');
CREATE OR REPLACE VIEW ports AS SELECT * FROM read_parquet('${STORE}/ports/*.parquet');
CREATE OR REPLACE VIEW counters AS SELECT * FROM read_parquet('${STORE}/counters/*.parquet');
CREATE OR REPLACE VIEW sources AS SELECT * FROM read_parquet('${STORE}/sources/*.parquet');
CREATE OR REPLACE VIEW dns AS SELECT * FROM read_parquet('${STORE}/dns/*.parquet');
CREATE OR REPLACE VIEW icmp AS SELECT * FROM read_parquet('${STORE}/icmp/*.parquet');
CREATE OR REPLACE VIEW dhcp AS SELECT * FROM read_parquet('${STORE}/dhcp/*.parquet');
