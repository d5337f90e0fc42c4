// Reading a recording back (src/experiments/recording.ts wrote it): record.json, and each recorded
// agent's Parquet file column by column (hyparquet), as the analyses take them.
import fs from 'node:fs';
import path from 'node:path';
import { parquetMetadata, parquetRead } from 'hyparquet';
import { UsageError } from '../core/errors.ts';
import { RECORD_HEADER, RECORDING_FORMAT, type RecordedAgent, type RecordingHeader } from './recording.ts';

/** A block of rows × cols values, row-major (one row per recorded step). */
export interface Block {
  rows: number;
  cols: number;
  data: Float64Array;
}

/** One recorded agent's file, read. */
export interface RecordedRun {
  agent: RecordedAgent;
  rows: number;
  episode: Int32Array;
  step: Int32Array;
  trial: Int32Array;
  action: Int32Array;
  reward: Float64Array;
  /** The reference policy's probability of the action taken (null without a reference). */
  reference: Float64Array | null;
  /** A recorded variable's values (rows × size). */
  variable(name: string): Block;
  /** A latent variable of the task (rows × size). */
  latent(name: string): Block;
}

/** record.json of a recording directory, checked. */
export function readRecordingHeader(dir: string): RecordingHeader {
  const file = path.join(dir, RECORD_HEADER);
  if (!fs.existsSync(file)) throw new UsageError(`${dir} is not a recording: it has no ${RECORD_HEADER}`);
  let header: RecordingHeader;
  try {
    header = JSON.parse(fs.readFileSync(file, 'utf8')) as RecordingHeader;
  } catch (err) {
    throw new UsageError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (header?.format !== RECORDING_FORMAT)
    throw new UsageError(`${file}: format ${JSON.stringify(header?.format)}, expected ${RECORDING_FORMAT}`);
  if (!Array.isArray(header.agents) || !Array.isArray(header.latents))
    throw new UsageError(`${file} lists no agents or latent variables`);
  return header;
}

function arrayBuffer(file: string): ArrayBuffer {
  const buf = fs.readFileSync(file);
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
}

/** Every column of a Parquet file as numbers. */
async function readColumns(file: string): Promise<{ rows: number; columns: Map<string, Float64Array> }> {
  if (!fs.existsSync(file)) throw new UsageError(`recording file ${file} is missing`);
  let buffer: ArrayBuffer;
  let rows: number;
  try {
    buffer = arrayBuffer(file);
    rows = Number(parquetMetadata(buffer).num_rows);
  } catch (err) {
    throw new UsageError(`recording file ${file} is not a readable Parquet file: ${(err as Error).message}`);
  }
  const columns = new Map<string, Float64Array>();
  try {
    await parquetRead({
      file: buffer,
      onChunk: ({ columnName, columnData, rowStart, rowEnd }) => {
        let column = columns.get(columnName);
        if (column === undefined) {
          column = new Float64Array(rows);
          columns.set(columnName, column);
        }
        for (let r = rowStart; r < rowEnd && r < rows; r++) column[r] = Number(columnData[r - rowStart]);
      },
    });
  } catch (err) {
    throw new UsageError(`recording file ${file} could not be read: ${(err as Error).message}`);
  }
  return { rows, columns };
}

/** One recorded agent's file. */
export async function readRecordedRun(
  dir: string,
  header: RecordingHeader,
  agent: RecordedAgent,
): Promise<RecordedRun> {
  const file = path.join(dir, agent.file);
  const { rows, columns } = await readColumns(file);
  const get = (name: string): Float64Array => {
    const c = columns.get(name);
    if (c === undefined) throw new UsageError(`recording file ${file} has no column '${name}'`);
    return c;
  };
  const block = (prefix: string, size: number): Block => {
    const parts = Array.from({ length: size }, (_, i) => get(`${prefix}_${i}`));
    const data = new Float64Array(rows * size);
    for (let r = 0; r < rows; r++) for (let i = 0; i < size; i++) data[r * size + i] = parts[i][r];
    return { rows, cols: size, data };
  };
  return {
    agent,
    rows,
    episode: Int32Array.from(get('episode')),
    step: Int32Array.from(get('step')),
    trial: Int32Array.from(get('trial')),
    action: Int32Array.from(get('action')),
    reward: get('reward'),
    reference: agent.reference ? get('reference') : null,
    variable: (name) => {
      const v = agent.variables.find((x) => x.name === name);
      if (v === undefined) throw new UsageError(`${agent.name} recorded no variable '${name}'`);
      return block(v.name, v.size);
    },
    latent: (name) => {
      const v = header.latents.find((x) => x.name === name);
      if (v === undefined) throw new UsageError(`task ${header.task} has no latent variable '${name}'`);
      return block(`latent.${v.name}`, v.size);
    },
  };
}
