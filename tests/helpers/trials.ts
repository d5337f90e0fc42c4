// Reading trial tables back as a user would: trials.csv.gz gunzipped and split into rows, trials.parquet through
// hyparquet; and what a trial table's cell looks like in the CSV.
import fs from 'node:fs';
import zlib from 'node:zlib';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import type { TrialTable, TrialValue } from '../../src/measures/trials.ts';

/** The header and the rows (as text fields) of a trials.csv.gz; the tables hold no quoted fields. */
export function readTrialsCsv(file: string): { header: string[]; rows: string[][] } {
  const text = zlib.gunzipSync(fs.readFileSync(file)).toString('utf8');
  if (!text.endsWith('\n')) throw new Error(`${file} does not end with a newline`);
  const [header, ...rows] = text
    .slice(0, -1)
    .split('\n')
    .map((line) => line.split(','));
  return { header, rows };
}

function arrayBuffer(file: string): ArrayBuffer {
  const buf = fs.readFileSync(file);
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
}

/** The rows of a trials.parquet, as objects. */
export async function readTrialsParquet(file: string): Promise<Record<string, unknown>[]> {
  return (await parquetReadObjects({ file: arrayBuffer(file) })) as Record<string, unknown>[];
}

/** The column names of a trials.parquet and its `engram` metadata. */
export function parquetInfo(file: string): { columns: string[]; metadata: Record<string, unknown> } {
  const meta = parquetMetadata(arrayBuffer(file));
  const engram = meta.key_value_metadata?.find((kv) => kv.key === 'engram')?.value ?? '{}';
  return { columns: meta.schema.slice(1).map((s) => s.name), metadata: JSON.parse(engram) };
}

/** A cell as the CSV writes it. */
export function csvText(v: TrialValue): string {
  return v === null ? '' : String(v);
}

/** The rows of several tables, one after the other, as objects. */
export function tableRows(tables: readonly TrialTable[]): Record<string, TrialValue>[] {
  const out: Record<string, TrialValue>[] = [];
  for (const t of tables)
    for (let r = 0; r < t.rows; r++) out.push(Object.fromEntries(t.columns.map((c, i) => [c.name, t.values[i][r]])));
  return out;
}
