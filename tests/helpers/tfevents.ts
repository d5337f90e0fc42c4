// A reader of TensorBoard event files written apart from src/experiments/tfevents.ts, to check it:
// the CRC-32C bit by bit (not table-driven), the TFRecord framing with both checksums verified,
// and the protocol buffers of tensorflow.Event decoded field by field from the wire format.
import fs from 'node:fs';
import path from 'node:path';

/** CRC-32C one bit at a time: reflected Castagnoli polynomial 0x82F63B78, initial and final XOR 0xFFFFFFFF. */
export function bitwiseCrc32c(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** TFRecord's mask: rotate right by 15 bits, add 0xa282ead8, modulo 2^32. */
export function mask(crc: number): number {
  const rotated = (crc >>> 15) + (crc % 2 ** 15) * 2 ** 17;
  return (rotated + 0xa282ead8) % 2 ** 32;
}

/** The data of every record of a file; throws on a checksum that does not match or a torn record. */
export function parseRecords(bytes: Uint8Array): Uint8Array[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Uint8Array[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (at + 12 > bytes.length) throw new Error(`torn header at byte ${at}`);
    const length = Number(view.getBigUint64(at, true));
    if (view.getUint32(at + 8, true) !== mask(bitwiseCrc32c(bytes.subarray(at, at + 8))))
      throw new Error(`length checksum at byte ${at}`);
    if (at + 12 + length + 4 > bytes.length) throw new Error(`torn record at byte ${at}`);
    const data = bytes.subarray(at + 12, at + 12 + length);
    if (view.getUint32(at + 12 + length, true) !== mask(bitwiseCrc32c(data)))
      throw new Error(`data checksum at byte ${at}`);
    out.push(data);
    at += 12 + length + 4;
  }
  return out;
}

type Field = { field: number; wire: number; varint?: bigint; bytes?: Uint8Array };

/** The top-level fields of a protocol buffer, in order. */
export function protoFields(bytes: Uint8Array): Field[] {
  const fields: Field[] = [];
  let at = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = bytes[at++];
      if (b === undefined) throw new Error('varint runs past the end');
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
    }
  };
  while (at < bytes.length) {
    const key = Number(varint());
    const field = key >> 3;
    const wire = key & 7;
    if (wire === 0) fields.push({ field, wire, varint: varint() });
    else if (wire === 1 || wire === 5) {
      const n = wire === 1 ? 8 : 4;
      fields.push({ field, wire, bytes: bytes.subarray(at, at + n) });
      at += n;
    } else if (wire === 2) {
      const n = Number(varint());
      fields.push({ field, wire, bytes: bytes.subarray(at, at + n) });
      at += n;
    } else throw new Error(`wire type ${wire}`);
    if (at > bytes.length) throw new Error('field runs past the end');
  }
  return fields;
}

export interface DecodedEvent {
  wallTime: number;
  step: number;
  fileVersion?: string;
  values: [string, number][];
}

const le = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

/** Event { double wall_time = 1; int64 step = 2; string file_version = 3; Summary summary = 5 }. */
export function decodeEvent(bytes: Uint8Array): DecodedEvent {
  const e: DecodedEvent = { wallTime: 0, step: 0, values: [] };
  for (const f of protoFields(bytes)) {
    if (f.field === 1 && f.wire === 1) e.wallTime = le(f.bytes!).getFloat64(0, true);
    else if (f.field === 2 && f.wire === 0) e.step = Number(f.varint!);
    else if (f.field === 3 && f.wire === 2) e.fileVersion = new TextDecoder().decode(f.bytes!);
    else if (f.field === 5 && f.wire === 2) {
      // Summary { repeated Value value = 1 }; Value { string tag = 1; float simple_value = 2 }.
      for (const v of protoFields(f.bytes!)) {
        if (v.field !== 1 || v.wire !== 2) throw new Error(`Summary field ${v.field}`);
        let tag = '';
        let value = Number.NaN;
        for (const x of protoFields(v.bytes!)) {
          if (x.field === 1 && x.wire === 2) tag = new TextDecoder().decode(x.bytes!);
          else if (x.field === 2 && x.wire === 5) value = le(x.bytes!).getFloat32(0, true);
          else throw new Error(`Value field ${x.field}`);
        }
        e.values.push([tag, value]);
      }
    } else throw new Error(`Event field ${f.field} (wire type ${f.wire})`);
  }
  return e;
}

/** The events of every event file in `dir`, file by file in name order. */
export function readEventDir(dir: string): { files: string[]; events: DecodedEvent[][] } {
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.includes('tfevents'))
    .sort();
  return {
    files,
    events: files.map((f) => parseRecords(new Uint8Array(fs.readFileSync(path.join(dir, f)))).map(decodeEvent)),
  };
}
