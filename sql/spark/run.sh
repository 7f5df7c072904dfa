#!/usr/bin/env bash
# Runs pcaplab's SQL on Spark over a flow store: the views of views.sql,
# then each query of sql/*.sql (or those named), printing each result under
# its name. It is not run here: the project's machines and CI have no Spark
# (the same SQL is checked against the Go answers on DuckDB in CI).
#
#   sql/spark/run.sh STORE_URI [QUERY...]        e.g. sql/spark/run.sh /data/store top_pairs_by_flows
#
# On a cluster, copy the store where the executors read it (HDFS, S3, a
# shared file system) and pass spark-sql's options in SPARK_SQL_OPTS:
#
#   SPARK_SQL_OPTS="--master yarn --num-executors 20 --executor-memory 4g" \
#     sql/spark/run.sh hdfs:///data/pcaplab-store
#   SPARK_SQL_OPTS="--master spark://head:7077" sql/spark/run.sh s3a://bucket/store
#
# spark-sql runs its driver on this machine (client mode); the scans of
# the Parquet files run on the executors. Spark 3.3 or later (for
# percentile_cont … WITHIN GROUP); no legacy timestamp flag is needed.
set -euo pipefail
if [ $# -lt 1 ]; then
	echo "usage: $0 STORE_URI [QUERY...]" >&2
	exit 2
fi
store=$1
shift
sqldir=$(cd "$(dirname "$0")/.." && pwd)
queries=("$@")
if [ ${#queries[@]} -eq 0 ]; then
	for f in "$sqldir"/*.sql; do
		queries+=("$(basename "$f" .sql)")
	done
fi
job=$(mktemp --suffix=.sql)
trap 'rm -f "$job"' EXIT
cat "$sqldir/spark/views.sql" >"$job"
for q in "${queries[@]}"; do
	printf "\nSELECT '== %s' AS query;\n" "$q" >>"$job"
	grep -v '^--' "$sqldir/$q.sql" >>"$job"
	printf ';\n' >>"$job"
done
# shellcheck disable=SC2086 # SPARK_SQL_OPTS is a list of options
exec spark-sql ${SPARK_SQL_OPTS:-} --hivevar STORE="$store" -f "$job"
