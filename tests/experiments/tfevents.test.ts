import { describe, expect, it } from 'vitest';
import {
  crc32c,
  encodeEvent,
  FILE_VERSION,
  maskedCrc32c,
  readTfRecords,
  type TfEvent,
  tfRecord,
} from '../../src/experiments/tfevents.ts';
import { bitwiseCrc32c, decodeEvent, mask, parseRecords, protoFields } from '../helpers/tfevents.ts';

const ascii = (s: string) => new TextEncoder().encode(s);
const bytes = (...parts: (string | number[])[]) =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...ascii(p)] : p)));

// Two records of an event file TensorFlow wrote for tf.summary.scalar("accuracy", 0.99, step=77),
// as TensorBoard's data server (tensorboard/data/server/tf_record.rs) quotes them in its tests.
const TF_VERSION_RECORD = bytes(
  [0x18, 0, 0, 0, 0, 0, 0, 0],
  [0xa3, 0x7f, 0x4b, 0x22],
  [0x09, 0x00, 0x00, 0x80, 0x38, 0x99, 0xd6, 0xd7, 0x41, 0x1a, 0x0d],
  'brain.Event:2',
  [0x12, 0x4b, 0x36, 0xab],
);
const TF_SCALAR_DATA = bytes(
  [0x09, 0xc4, 0x05, 0xb7, 0x3d, 0x99, 0xd6, 0xd7, 0x41, 0x10, 0x4d, 0x2a, 0x25, 0x0a, 0x23, 0x0a, 0x08],
  'accuracy',
  [0x42, 0x0a, 0x08, 0x01, 0x12, 0x00, 0x22, 0x04, 0xa4, 0x70, 0x7d, 0x3f, 0x4a, 0x0b, 0x0a, 0x09, 0x0a, 0x07],
  'scalars',
);

describe('CRC-32C', () => {
  it('gives the check values of the Castagnoli polynomial', () => {
    expect(crc32c(ascii('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(0))).toBe(0);
    // RFC 3720 (iSCSI), B.4: 32 bytes of zeros, of 0xff, ascending and descending.
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i))).toBe(0x113fdb5c);
  });

  it('agrees with a bit-by-bit CRC on data of many lengths', () => {
    const data = Uint8Array.from({ length: 600 }, (_, i) => (i * 131 + 7) % 256);
    for (let n = 0; n <= data.length; n += 7)
      expect(crc32c(data.subarray(0, n))).toBe(bitwiseCrc32c(data.subarray(0, n)));
  });

  it("masks as TFRecord does, matching TensorFlow's checksums", () => {
    // tensorboard/data/server/masked_crc.rs: Event(file_version=b"CRC test, one two").
    expect(maskedCrc32c(bytes([0x1a, 0x11], 'CRC test, one two'))).toBe(0x5794d08a);
    expect(maskedCrc32c(new Uint8Array(32))).toBe(mask(0x8a9136aa));
    expect(maskedCrc32c(bytes([0x18, 0, 0, 0, 0, 0, 0, 0]))).toBe(0x224b7fa3);
    expect(maskedCrc32c(bytes([0x32, 0, 0, 0, 0, 0, 0, 0]))).toBe(0xec561924);
    expect(maskedCrc32c(TF_SCALAR_DATA)).toBe(0x33645ba5);
  });
});

describe('TFRecords and events', () => {
  it("frames a record and encodes the file's first event byte for byte as TensorFlow does", () => {
    const wallTime = new DataView(TF_VERSION_RECORD.buffer).getFloat64(13, true);
    expect(tfRecord(encodeEvent({ wallTime, fileVersion: FILE_VERSION }))).toEqual(TF_VERSION_RECORD);
    const framed = tfRecord(TF_SCALAR_DATA);
    expect([...framed.subarray(0, 12)]).toEqual([0x32, 0, 0, 0, 0, 0, 0, 0, 0x24, 0x19, 0x56, 0xec]);
    expect([...framed.subarray(-4)]).toEqual([0xa5, 0x5b, 0x64, 0x33]);
    // Its step, read by the independent decoder: field 2, varint 77.
    expect(protoFields(TF_SCALAR_DATA).find((f) => f.field === 2)?.varint).toBe(77n);
  });

  it('encodes scalars that an independent reader decodes, steps past 2^32 included', () => {
    const events: TfEvent[] = [
      { wallTime: 1.7e9 + 0.25, fileVersion: FILE_VERSION },
      { wallTime: 1.7e9 + 1, step: 10, scalars: { 'train/loss': 0.125, 'perf/rate': 3e4 } },
      { wallTime: 1.7e9 + 2, step: 2 ** 40 + 3, scalars: { 'eval/x': -1.5, 'eval/nan': Number.NaN } },
      { wallTime: 1.7e9 + 3, step: 0, scalars: { 'train/π': Math.PI } },
    ];
    const file = Buffer.concat(events.map((e) => tfRecord(encodeEvent(e))));
    const decoded = parseRecords(new Uint8Array(file)).map(decodeEvent);
    expect(decoded).toEqual([
      { wallTime: 1.7e9 + 0.25, step: 0, fileVersion: 'brain.Event:2', values: [] },
      {
        wallTime: 1.7e9 + 1,
        step: 10,
        values: [
          ['train/loss', 0.125],
          ['perf/rate', 3e4],
        ],
      },
      {
        wallTime: 1.7e9 + 2,
        step: 2 ** 40 + 3,
        values: [
          ['eval/x', -1.5],
          ['eval/nan', Number.NaN],
        ],
      },
      { wallTime: 1.7e9 + 3, step: 0, values: [['train/π', Math.fround(Math.PI)]] },
    ]);
    expect(() => encodeEvent({ wallTime: 0, step: -1 })).toThrow(/step/);
    expect(() => encodeEvent({ wallTime: 0, step: 1.5 })).toThrow(/step/);
  });

  it('reads back whole records and stops at a torn or corrupted one', () => {
    const records = [1, 2, 3].map((step) => tfRecord(encodeEvent({ wallTime: step, step, scalars: { a: step } })));
    const file = new Uint8Array(Buffer.concat(records));
    expect(readTfRecords(file)).toEqual(records);
    for (let cut = 0; cut < records[2].length; cut++) {
      expect(readTfRecords(file.subarray(0, file.length - records[2].length + cut))).toEqual(records.slice(0, 2));
    }
    const flipped = file.slice();
    flipped[records[0].length + 20] ^= 1;
    expect(readTfRecords(flipped)).toEqual(records.slice(0, 1));
    const badLength = file.slice();
    badLength[records[0].length] ^= 0x40;
    expect(readTfRecords(badLength)).toEqual(records.slice(0, 1));
  });
});
