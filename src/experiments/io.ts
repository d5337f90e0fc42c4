// Files of a run: written atomically (a temporary file in the same directory, fsynced, then
// renamed over the target), so a run killed at any moment leaves either the old file or the new
// one, never a torn one. Reading turns a missing, truncated or malformed file into a UsageError
// naming the file.
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../core/errors.ts';

/** Writes `text` (or bytes) to `file` atomically, through the temporary file `tmp` in the same directory. */
export function atomicWriteText(file: string, text: string | Uint8Array, tmp = `${file}.${process.pid}.tmp`): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeFileSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

/** Writes `value` as JSON to `file` atomically. */
export function atomicWriteJson(file: string, value: unknown, indent?: number): void {
  atomicWriteText(file, `${JSON.stringify(value, null, indent)}\n`);
}

/** Reads and parses a JSON file; a missing or unparsable file is a UsageError naming `what` and the path. */
export function readJsonFile(file: string, what: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UsageError(`${what} not found: ${file}`);
    if (code === 'EISDIR') throw new UsageError(`${what} is a directory, not a file: ${file}`);
    throw new UsageError(`cannot read ${what} ${file}: ${(err as Error).message}`);
  }
  if (text.trim() === '') throw new UsageError(`${what} is empty: ${file}`);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${what} is not valid JSON (truncated or corrupted?): ${file}: ${(err as Error).message}`);
  }
}

/**
 * Appends one JSON object per line. A run killed mid-write can leave a torn last line; readers
 * skip it, and a resumed run truncates the file back to the records its checkpoint covers.
 */
export class JsonlWriter {
  private fd: number;

  constructor(readonly file: string) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.fd = fs.openSync(file, 'a');
  }

  write(record: unknown): void {
    fs.writeSync(this.fd, `${JSON.stringify(record)}\n`);
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}

/** Reads a JSONL file, skipping a torn last line; returns the records in order. */
export function readJsonl(file: string): Record<string, unknown>[] {
  if (!fs.existsSync(file)) return [];
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    try {
      out.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      if (i >= lines.length - 2) break; // a torn final line from a killed run
      throw new UsageError(`${file}: line ${i + 1} is not valid JSON`);
    }
  }
  return out;
}
