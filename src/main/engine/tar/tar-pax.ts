// PAX extended header records ("<len> <key>=<value>\n"). Values are kept as raw bytes because
// path/linkpath may be non-UTF-8 (Go and GNU tar both pass such names through unchanged).
import { TarFormatError } from './tar-types.ts';

/** Upper bound for extended header data we buffer (same limit as Go's archive/tar). */
export const MAX_EXTENDED_HEADER_SIZE = 1 << 20;

const SPACE = 0x20;
const EQUALS = 0x3d;
const NEWLINE = 0x0a;
const NEWLINE_BUF = Buffer.from('\n');

export function parsePaxRecords(data: Buffer, offset: number): Map<string, Buffer> {
  const records = new Map<string, Buffer>();
  const fail = (why: string): never => {
    throw new TarFormatError(`invalid PAX extended header at offset ${offset}: ${why}`);
  };
  let pos = 0;
  while (pos < data.length) {
    // Some writers pad the record data with NULs; nothing may follow them.
    if (data[pos] === 0) {
      if (data.subarray(pos).some((b) => b !== 0)) fail('data after NUL padding');
      break;
    }
    const space = data.indexOf(SPACE, pos);
    if (space === -1 || space - pos > 16) fail(`malformed record length at byte ${pos}`);
    const lenText = data.toString('latin1', pos, space);
    if (!/^[1-9][0-9]*$/.test(lenText)) fail(`malformed record length '${lenText}'`);
    const end = pos + Number(lenText);
    if (end > data.length) fail(`record at byte ${pos} runs past the end of the header data`);
    if (data[end - 1] !== NEWLINE) fail(`record at byte ${pos} does not end with a newline`);
    const equals = data.indexOf(EQUALS, space + 1);
    if (equals === -1 || equals >= end - 1 || equals === space + 1) fail(`record at byte ${pos} has no key`);
    const key = data.toString('utf8', space + 1, equals);
    records.set(key, Buffer.from(data.subarray(equals + 1, end - 1)));
    pos = end;
  }
  return records;
}

export function encodePaxRecords(records: ReadonlyArray<readonly [string, Buffer]>): Buffer {
  const parts: Buffer[] = [];
  for (const [key, value] of records) {
    // The length prefix counts its own digits: " " + "=" + "\n" is 3 bytes.
    const base = Buffer.byteLength(key, 'utf8') + value.length + 3;
    let len = base + String(base).length;
    if (String(len).length !== String(base).length) len = base + String(len).length;
    parts.push(Buffer.from(`${len} ${key}=`, 'utf8'), value, NEWLINE_BUF);
  }
  return Buffer.concat(parts);
}

/** Non-negative decimal integer record (size, uid, gid). */
export function parsePaxInteger(key: string, value: Buffer, offset: number): number {
  const text = value.toString('latin1');
  const n = Number(text);
  if (!/^[0-9]+$/.test(text) || !Number.isSafeInteger(n)) {
    throw new TarFormatError(`invalid PAX record '${key}' (${JSON.stringify(text)}) in header at offset ${offset}`);
  }
  return n;
}

/** Decimal seconds with optional fraction ("1700000000.123456789", "-1.5") to milliseconds. */
export function parsePaxTime(key: string, value: Buffer, offset: number): number {
  const text = value.toString('latin1');
  const match = /^(-?)([0-9]+)(?:\.([0-9]*))?$/.exec(text);
  const seconds = match ? Number(match[2]) : NaN;
  if (!match || !Number.isSafeInteger(seconds * 1000)) {
    throw new TarFormatError(`invalid PAX record '${key}' (${JSON.stringify(text)}) in header at offset ${offset}`);
  }
  // Nanosecond resolution is the most any writer emits; ignore further digits.
  const nanos = Number((match[3] ?? '').slice(0, 9).padEnd(9, '0'));
  const ms = seconds * 1000 + nanos / 1e6;
  return match[1] === '-' ? -ms : ms;
}

/** Milliseconds (possibly fractional) as decimal seconds, with up to nanosecond resolution. */
export function formatPaxTime(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  const abs = Math.abs(ms);
  let seconds = Math.floor(abs / 1000);
  let nanos = Math.round((abs - seconds * 1000) * 1e6);
  if (nanos >= 1e9) {
    seconds += 1;
    nanos -= 1e9;
  }
  if (nanos === 0) return `${seconds === 0 ? '' : sign}${seconds}`;
  return `${sign}${seconds}.${String(nanos).padStart(9, '0').replace(/0+$/, '')}`;
}
