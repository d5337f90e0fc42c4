// trials.csv.gz and trials.parquet: every trial an evaluation played, one row per agent × lesion ×
// episode × trial (src/measures/trials.ts makes the rows; docs/trials.md lists the columns). Rows
// are written as each agent finishes, so that a long evaluation never holds all of them: each
// batch is one gzip member of the CSV (a gzip file may hold several, which gunzip, zlib, Python
// and R read as one stream) and row groups of the Parquet file. Both files are written under
// temporary names and renamed when complete, so a run killed mid-way leaves no torn table.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { type BasicType, fileWriter, ParquetWriter, schemaFromColumnData } from 'hyparquet-writer';
import { UsageError } from '../core/errors.ts';
import type { EpisodeRecord, TaskFamily } from '../core/types.ts';
import {
  type TrialColumnType,
  type TrialLayout,
  type TrialTable,
  type TrialValue,
  trialLayout,
  trialTable,
} from '../measures/trials.ts';
import { atomicWriteJson } from './io.ts';

export const TRIALS_CSV = 'trials.csv.gz';
export const TRIALS_PARQUET = 'trials.parquet';

const PARQUET_TYPES: Record<TrialColumnType, BasicType> = {
  string: 'STRING',
  integer: 'INT32',
  number: 'DOUBLE',
  boolean: 'BOOLEAN',
};

/** Rows per Parquet row group: large enough to compress well, small enough to encode without much memory. */
const ROW_GROUP = 100_000;

function csvField(v: TrialValue): string {
  if (v === null) return '';
  if (typeof v === 'string') return /[",\n\r]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
  // Numbers print in their shortest exact form; booleans as true/false, which pandas and R read as booleans.
  return String(v);
}

function csvRows(table: TrialTable): string {
  const lines: string[] = [];
  for (let r = 0; r < table.rows; r++) lines.push(table.values.map((column) => csvField(column[r])).join(','));
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

function fsyncFile(file: string): void {
  const fd = fs.openSync(file, 'r+');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** The open files of one evaluation's trial tables: add the episodes of each agent as it finishes, then close. */
export class TrialFiles {
  readonly csvFile: string;
  readonly parquetFile: string;
  private layout: TrialLayout | null = null;
  private csvFd: number | null = null;
  private parquet: ParquetWriter | null = null;
  private closed = false;

  /**
   * `metadata` (the task, its options, the seed, …) goes into the Parquet file's key-value metadata under
   * `engram`, as JSON.
   */
  constructor(
    readonly dir: string,
    private readonly family: TaskFamily,
    private readonly metadata: Record<string, unknown>,
  ) {
    this.csvFile = path.join(dir, TRIALS_CSV);
    this.parquetFile = path.join(dir, TRIALS_PARQUET);
  }

  private temp(file: string): string {
    return `${file}.${process.pid}.tmp`;
  }

  /** Opens both files with the columns `sample` shows (the first episodes added). */
  private open(sample: readonly EpisodeRecord[]): TrialLayout {
    if (this.layout !== null) return this.layout;
    const layout = trialLayout(this.family, sample);
    fs.mkdirSync(this.dir, { recursive: true });
    this.csvFd = fs.openSync(this.temp(this.csvFile), 'w');
    fs.writeSync(this.csvFd, zlib.gzipSync(`${layout.columns.map((c) => c.name).join(',')}\n`));
    const schema = schemaFromColumnData({
      columnData: layout.columns.map((c) => ({ name: c.name, data: [], type: PARQUET_TYPES[c.type] })),
    });
    this.parquet = new ParquetWriter({
      writer: fileWriter(this.temp(this.parquetFile)),
      schema,
      kvMetadata: [{ key: 'engram', value: JSON.stringify(this.metadata) }],
      createdBy: 'engram',
    });
    this.layout = layout;
    return layout;
  }

  /** Writes the trials of `records` (the evaluation's episodes, in order) played by `agent` under `lesion`. */
  add(agent: string, lesion: string, records: readonly EpisodeRecord[]): void {
    if (this.closed) throw new Error('TrialFiles.add after close');
    const table = trialTable(this.open(records), agent, lesion, records);
    if (table.rows === 0) return;
    fs.writeSync(this.csvFd as number, zlib.gzipSync(csvRows(table)));
    (this.parquet as ParquetWriter).write({
      columnData: table.columns.map((c, i) => ({
        name: c.name,
        data: table.values[i],
        type: PARQUET_TYPES[c.type],
      })),
      rowGroupSize: ROW_GROUP,
    });
  }

  /** Finishes both files and moves them into place (a table with no rows still has its columns). */
  close(): void {
    if (this.closed) return;
    this.open([]);
    (this.parquet as ParquetWriter).finish();
    fs.fsyncSync(this.csvFd as number);
    fs.closeSync(this.csvFd as number);
    this.csvFd = null;
    fsyncFile(this.temp(this.parquetFile));
    fs.renameSync(this.temp(this.csvFile), this.csvFile);
    fs.renameSync(this.temp(this.parquetFile), this.parquetFile);
    this.closed = true;
  }

  /** Drops what was written (after a failure): the temporary files go, the complete ones of an earlier run stay. */
  discard(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.csvFd !== null) fs.closeSync(this.csvFd);
    for (const file of [this.csvFile, this.parquetFile]) fs.rmSync(this.temp(file), { force: true });
  }
}

/**
 * The directory `--out` names for `engram eval` and `engram baseline`, created if need be. A file, or a run directory
 * (whose own tables would be overwritten), is refused.
 */
export function prepareOutDir(dir: string): string {
  if (fs.existsSync(dir) && !fs.statSync(dir).isDirectory()) throw new UsageError(`--out ${dir} is not a directory`);
  if (fs.existsSync(path.join(dir, 'config.json')))
    throw new UsageError(`--out ${dir} holds a run (config.json): give another directory`);
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new UsageError(`cannot create --out ${dir}: ${(err as Error).message}`);
  }
  return dir;
}

/** What receives each agent's episodes as it finishes: `agent` played `records` under `lesion`. */
export type PlayedCallback = (agent: string, lesion: string, records: readonly EpisodeRecord[]) => void;

/**
 * Runs `play` with trial tables open in `out`, if given (`engram eval --out`, `engram baseline --out`): `play` hands
 * each agent's episodes to the callback it receives, and when it returns the tables are completed and `summary` of
 * its result is written beside them as summary.json. Without `out`, `play` gets no callback and nothing is written.
 */
export function withTrialFiles<R>(
  out: string | undefined,
  family: TaskFamily,
  metadata: Record<string, unknown>,
  play: (onPlayed: PlayedCallback | undefined) => R,
  summary: (result: R) => unknown,
): R {
  if (out === undefined) return play(undefined);
  const trials = new TrialFiles(prepareOutDir(out), family, metadata);
  try {
    const result = play((agent, lesion, records) => trials.add(agent, lesion, records));
    trials.close();
    atomicWriteJson(path.join(out, 'summary.json'), summary(result), 2);
    return result;
  } finally {
    trials.discard();
  }
}
