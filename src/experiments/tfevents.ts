// TensorBoard event files, encoded by hand so that a run needs neither TensorFlow nor a protobuf
// library. A file is a sequence of TFRecords (TensorFlow's record_writer.cc):
//   uint64 length, uint32 masked CRC32C of those 8 bytes, the data, uint32 masked CRC32C of the data
// (little-endian; the mask is LevelDB's: rotate right by 15 bits, add 0xa282ead8), and each
// record's data is a serialized `tensorflow.Event` (tensorboard/compat/proto/event.proto):
//   Event   { double wall_time = 1; int64 step = 2; string file_version = 3; Summary summary = 5; }
//   Summary { repeated Value value = 1; }
//   Value   { string tag = 1; float simple_value = 2; }
// The first record of a file is an Event whose file_version is "brain.Event:2"; scalars follow as
// Events whose Summary holds one Value per tag. Fields are written in field order and proto3
// defaults (step 0, no summary) are left out, as protobuf's own serializer does, so an Event
// encodes to the bytes TensorFlow writes for it.

/** CRC-32C (Castagnoli), reflected polynomial 0x82F63B78: the table of every byte's remainder. */
const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    table[n] = c;
  }
  return table;
})();

/** The CRC-32C of `bytes`, as an unsigned 32-bit integer. */
export function crc32c(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = CRC32C_TABLE[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/**
 * The CRC-32C of `bytes` after TFRecord's masking, which LevelDB introduced because the CRC of a
 * string holding embedded CRCs is problematic.
 */
export function maskedCrc32c(bytes: Uint8Array): number {
  const crc = crc32c(bytes);
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

/** `data` framed as one TFRecord. */
export function tfRecord(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + 4 + data.length + 4);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(data.length), true);
  view.setUint32(8, maskedCrc32c(out.subarray(0, 8)), true);
  out.set(data, 12);
  view.setUint32(12 + data.length, maskedCrc32c(data), true);
  return out;
}

/**
 * The complete records at the start of `bytes`, each with its framing. Reading stops at the first
 * record that is cut short or whose checksums do not match: what a run killed in the middle of a
 * write leaves at the end of its file.
 */
export function readTfRecords(bytes: Uint8Array): Uint8Array[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records: Uint8Array[] = [];
  let at = 0;
  while (at + 12 <= bytes.length) {
    if (view.getUint32(at + 8, true) !== maskedCrc32c(bytes.subarray(at, at + 8))) break;
    const length = view.getBigUint64(at, true);
    if (length > BigInt(bytes.length - at - 16)) break;
    const end = at + 12 + Number(length);
    if (view.getUint32(end, true) !== maskedCrc32c(bytes.subarray(at + 12, end))) break;
    records.push(bytes.subarray(at, end + 4));
    at = end + 4;
  }
  return records;
}

/** Protocol-buffer wire format: the few field kinds an Event needs. */
class ProtoWriter {
  private bytes: number[] = [];

  /** A varint of a non-negative integer (up to 2^53, beyond 32 bits without bitwise operators). */
  private varint(n: number): void {
    let rest = n;
    while (rest >= 0x80) {
      this.bytes.push((rest % 0x80) | 0x80);
      rest = Math.floor(rest / 0x80);
    }
    this.bytes.push(rest);
  }

  private key(field: number, wireType: 0 | 1 | 2 | 5): void {
    this.varint(field * 8 + wireType);
  }

  uint(field: number, n: number): this {
    this.key(field, 0);
    this.varint(n);
    return this;
  }

  double(field: number, x: number): this {
    this.key(field, 1);
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, x, true);
    this.bytes.push(...b);
    return this;
  }

  float(field: number, x: number): this {
    this.key(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, x, true);
    this.bytes.push(...b);
    return this;
  }

  message(field: number, data: Uint8Array): this {
    this.key(field, 2);
    this.varint(data.length);
    for (const b of data) this.bytes.push(b);
    return this;
  }

  string(field: number, s: string): this {
    return this.message(field, new TextEncoder().encode(s));
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

/** The file_version of the event format TensorBoard reads today. */
export const FILE_VERSION = 'brain.Event:2';

/** One Event: the file's version record, or scalars at a step. */
export interface TfEvent {
  /** Seconds since the Unix epoch. */
  wallTime: number;
  step?: number;
  fileVersion?: string;
  /** Tag → value (stored as float32, TensorBoard's simple_value). */
  scalars?: Readonly<Record<string, number>>;
}

/** A serialized `tensorflow.Event`. */
export function encodeEvent(e: TfEvent): Uint8Array {
  const step = e.step ?? 0;
  if (!Number.isSafeInteger(step) || step < 0) throw new Error(`encodeEvent: step ${step} is not a whole number ≥ 0`);
  const w = new ProtoWriter().double(1, e.wallTime);
  if (step !== 0) w.uint(2, step);
  if (e.fileVersion !== undefined) w.string(3, e.fileVersion);
  if (e.scalars !== undefined) {
    const summary = new ProtoWriter();
    for (const [tag, value] of Object.entries(e.scalars)) {
      summary.message(1, new ProtoWriter().string(1, tag).float(2, value).finish());
    }
    w.message(5, summary.finish());
  }
  return w.finish();
}
