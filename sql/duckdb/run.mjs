// Runs pcaplab's SQL on DuckDB (@duckdb/node-api, pinned in package.json)
// over a flow store and prints the results as JSON, one entry per query:
//   node sql/duckdb/run.mjs STORE_DIR SQL_DIR QUERY...
// e.g. node sql/duckdb/run.mjs /data/store sql top_pairs_by_flows protocols
// Each entry has the column names, the rows (numbers as JSON numbers or, for
// 64-bit integers, strings) and the query's time in ms.
import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const [store, sqlDir, ...names] = process.argv.slice(2);
if (!store || !sqlDir || names.length === 0) {
  console.error('usage: node run.mjs STORE_DIR SQL_DIR QUERY...');
  process.exit(2);
}
const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
await con.run(readFileSync(join(sqlDir, 'duckdb', 'views.sql'), 'utf8').replaceAll('${STORE}', store));
const out = {};
for (const name of names) {
  const sql = readFileSync(join(sqlDir, name + '.sql'), 'utf8');
  const t0 = performance.now();
  const r = await con.runAndReadAll(sql);
  out[name] = { columns: r.columnNames(), rows: r.getRowsJson(), ms: performance.now() - t0 };
}
process.stdout.write(JSON.stringify(out) + '\n');
