/**
 * Deterministic benchmark datasets of incompressible random bytes and
 * compressible text (log lines built from a skewed vocabulary):
 *
 *   mixed  half random, half text, over a few large files, some medium ones
 *          and some thousands of small files (--sizes)
 *   P1     513 MiB: 16 × 16 MiB random + 16 × 16 MiB text + 1 MiB in 128 small files (--peers)
 *   P2     118 MiB in 20,000 files of 200 B–8 KiB, random and text alternating (--peers)
 *
 * The same seed and spec always give the same bytes; no two files share
 * content, so nothing deduplicates inside one dataset.
 */
import { createCipheriv, createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import * as path from 'node:path';

export type DatasetSpec =
  | {
      layout: 'mixed';
      /** Total content bytes (approximate to within a few bytes of the small-file rounding). */
      bytes: number;
      /** Number of small (1–16 KiB) files. */
      smallFiles: number;
      seed: number;
    }
  | { layout: 'P1' | 'P2'; seed: number };

export interface DatasetInfo {
  dir: string;
  /** How the bytes are laid out, for the report. */
  layout: string;
  bytes: number;
  files: number;
  dirs: number;
  randomBytes: number;
  textBytes: number;
  smallFiles: number;
  largestFile: number;
  generateSeconds: number;
}

const KiB = 1024;
const MiB = 1024 * KiB;
const WRITE_BLOCK = 1 * MiB;

/** Small files for a dataset of `bytes`: 3000 at 0.5 GiB, proportional, within 1000..20000. */
export function defaultSmallFiles(bytes: number): number {
  return Math.min(20000, Math.max(1000, Math.round((6000 * bytes) / (1024 * MiB))));
}

/** sfc32: small, fast, seedable; good enough to pick words and sizes. */
class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed | 0;
    for (let i = 0; i < 15; i++) this.next();
  }

  /** Uniform 32-bit unsigned integer. */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform float in [0, 1). */
  float(): number {
    return this.next() / 4294967296;
  }

  /** Uniform integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.float() * (hi - lo + 1));
  }
}

/** Incompressible bytes: an AES-256-CTR keystream keyed by the seed and a per-file stream number. */
class RandomStream {
  private readonly cipher;
  private static readonly zeros = Buffer.alloc(WRITE_BLOCK);

  constructor(seed: number, stream: number) {
    const key = createHash('sha256').update(`dvom-bench random ${seed}`).digest();
    const iv = Buffer.alloc(16);
    iv.writeUInt32BE(stream, 0);
    this.cipher = createCipheriv('aes-256-ctr', key, iv);
  }

  take(n: number): Buffer {
    return this.cipher.update(RandomStream.zeros.subarray(0, n));
  }
}

const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'ru', 'ta', 'shi', 'or', 'an', 'el', 'qu', 'is', 'po', 'zen', 'dra', 'vi', 'um', 'ex', 'tor', 'gal'];
const LEVELS = ['INFO', 'INFO', 'INFO', 'DEBUG', 'DEBUG', 'WARN', 'ERROR'];
const METHODS = ['GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE'];
const STATUS = ['200', '200', '200', '200', '201', '204', '304', '400', '404', '500'];

/** Text generator: log lines with timestamps, ids, paths and a free-text message from a Zipf-like vocabulary. */
class TextStream {
  private readonly rng: Rng;
  private readonly words: Buffer[];
  private readonly levels = LEVELS.map((s) => Buffer.from(s));
  private readonly methods = METHODS.map((s) => Buffer.from(s));
  private readonly status = STATUS.map((s) => Buffer.from(s));
  private readonly out = Buffer.allocUnsafe(WRITE_BLOCK + 4 * KiB);
  private carry: Buffer = Buffer.alloc(0);
  private clock: number;

  constructor(seed: number, stream: number) {
    this.rng = new Rng((seed * 7919) ^ (stream * 104729) ^ 0x5bd1e995);
    this.words = TextStream.vocabulary(seed);
    this.clock = 1_700_000_000_000 + stream * 3_600_000;
  }

  /** The words depend on the seed only: built once, not per file (20,000 small files would each rebuild them). */
  private static readonly vocabularies = new Map<number, Buffer[]>();

  private static vocabulary(seed: number): Buffer[] {
    let words = TextStream.vocabularies.get(seed);
    if (!words) {
      const vocab = new Rng(seed ^ 0x1234567);
      words = [];
      for (let i = 0; i < 4000; i++) {
        let w = '';
        const n = vocab.int(1, 4);
        for (let j = 0; j < n; j++) w += SYLLABLES[vocab.int(0, SYLLABLES.length - 1)]!;
        words.push(Buffer.from(w));
      }
      TextStream.vocabularies.set(seed, words);
    }
    return words;
  }

  private putNum(buf: Buffer, pos: number, value: number, width: number): number {
    for (let i = width - 1; i >= 0; i--) {
      buf[pos + i] = 48 + (value % 10);
      value = Math.floor(value / 10);
    }
    return pos + width;
  }

  private putStr(buf: Buffer, pos: number, s: Buffer): number {
    s.copy(buf, pos);
    return pos + s.length;
  }

  private putAscii(buf: Buffer, pos: number, s: string): number {
    for (let i = 0; i < s.length; i++) buf[pos + i] = s.charCodeAt(i);
    return pos + s.length;
  }

  private word(): Buffer {
    // Skewed towards the first words, like natural text.
    const r = this.rng.float();
    return this.words[Math.floor(r * r * r * this.words.length)]!;
  }

  /** Writes one log line at `pos`; at most ~600 bytes. */
  private line(buf: Buffer, pos: number): number {
    const rng = this.rng;
    this.clock += rng.int(0, 2500);
    const d = new Date(this.clock);
    pos = this.putNum(buf, pos, d.getUTCFullYear(), 4);
    buf[pos++] = 45;
    pos = this.putNum(buf, pos, d.getUTCMonth() + 1, 2);
    buf[pos++] = 45;
    pos = this.putNum(buf, pos, d.getUTCDate(), 2);
    buf[pos++] = 84;
    pos = this.putNum(buf, pos, d.getUTCHours(), 2);
    buf[pos++] = 58;
    pos = this.putNum(buf, pos, d.getUTCMinutes(), 2);
    buf[pos++] = 58;
    pos = this.putNum(buf, pos, d.getUTCSeconds(), 2);
    buf[pos++] = 46;
    pos = this.putNum(buf, pos, d.getUTCMilliseconds(), 3);
    pos = this.putAscii(buf, pos, 'Z ');
    pos = this.putStr(buf, pos, this.levels[rng.int(0, this.levels.length - 1)]!);
    pos = this.putAscii(buf, pos, ' [worker-');
    pos = this.putNum(buf, pos, rng.int(0, 63), 2);
    pos = this.putAscii(buf, pos, '] req=');
    for (let i = 0; i < 12; i++) buf[pos++] = '0123456789abcdef'.charCodeAt(rng.next() & 15);
    buf[pos++] = 32;
    pos = this.putStr(buf, pos, this.methods[rng.int(0, this.methods.length - 1)]!);
    pos = this.putAscii(buf, pos, ' /api/v1/');
    pos = this.putStr(buf, pos, this.word());
    buf[pos++] = 47;
    pos = this.putNum(buf, pos, rng.int(0, 999999), 6);
    pos = this.putAscii(buf, pos, ' status=');
    pos = this.putStr(buf, pos, this.status[rng.int(0, this.status.length - 1)]!);
    pos = this.putAscii(buf, pos, ' dur=');
    pos = this.putNum(buf, pos, rng.int(0, 9999), 4);
    pos = this.putAscii(buf, pos, 'ms msg="');
    const words = rng.int(3, 40);
    for (let i = 0; i < words; i++) {
      if (i) buf[pos++] = 32;
      pos = this.putStr(buf, pos, this.word());
    }
    pos = this.putAscii(buf, pos, '"\n');
    return pos;
  }

  take(n: number): Buffer {
    const out = this.out;
    let pos = 0;
    if (this.carry.length) {
      pos = this.carry.copy(out, 0);
      this.carry = Buffer.alloc(0);
    }
    while (pos < n) pos = this.line(out, pos);
    this.carry = Buffer.from(out.subarray(n, pos));
    return out.subarray(0, n);
  }
}

type Kind = 'random' | 'text';

interface FileSpec {
  rel: string;
  size: number;
  kind: Kind;
}

/**
 * `count` small files of `min`..`max` bytes, random and text alternating, 100
 * per folder. Sizes are min + (max - min) · u^(1/skew) for uniform u: skew 1
 * is uniform, larger skews shift them towards `max` (mean ≈ skew / (skew + 1)
 * of the range).
 */
function planSmall(rng: Rng, count: number, min: number, max: number, skew = 1): FileSpec[] {
  return Array.from({ length: count }, (_, i) => {
    const size = min + Math.floor(rng.float() ** (1 / skew) * (max - min + 1));
    const kind: Kind = i % 2 === 0 ? 'random' : 'text';
    const dir = `small/d${String(Math.floor(i / 100)).padStart(3, '0')}`;
    return { rel: `${dir}/f${String(i).padStart(5, '0')}.${kind === 'random' ? 'bin' : 'txt'}`, size, kind };
  });
}

function splitLarge(budget: number, kind: Kind, rng: Rng, ext: string): FileSpec[] {
  const files: FileSpec[] = [];
  // ~10% in medium files of 64 KiB..4 MiB, the rest in three large files (50/30/20%).
  let medium = Math.floor(budget * 0.1);
  let i = 0;
  while (medium > 64 * KiB) {
    const size = Math.min(medium, rng.int(64 * KiB, 4 * MiB));
    files.push({ rel: `medium/${kind}-${String(i++).padStart(3, '0')}.${ext}`, size, kind });
    medium -= size;
  }
  const large = budget - files.reduce((s, f) => s + f.size, 0);
  const sizes = [Math.floor(large * 0.5), Math.floor(large * 0.3)];
  sizes.push(large - sizes[0]! - sizes[1]!);
  sizes.forEach((size, j) => files.push({ rel: `large/${kind}-${j}.${ext}`, size, kind }));
  return files;
}

/** `count` files of `size` bytes each of one kind. */
function planEqual(count: number, size: number, kind: Kind, ext: string): FileSpec[] {
  return Array.from({ length: count }, (_, i) => ({ rel: `large/${kind}-${String(i).padStart(2, '0')}.${ext}`, size, kind }));
}

/** P2's mean file size is 118 MiB / 20,000 = 6,187 B, 75% of the 200 B–8 KiB range: skew 3. */
const P2 = { files: 20_000, min: 200, max: 8 * KiB, skew: 3 };

const LAYOUTS: Record<DatasetSpec['layout'], string> = {
  mixed: 'small files of 1–16 KiB, the rest in medium (64 KiB–4 MiB) and large files',
  P1: '16 × 16 MiB random + 16 × 16 MiB text + 128 small files of 1–15 KiB',
  P2: `${P2.min} B–${P2.max / KiB} KiB each, random and text alternating`,
};

/** Plans every file (deterministically) without writing anything. */
export function planDataset(spec: DatasetSpec): FileSpec[] {
  const rng = new Rng(spec.seed);
  if (spec.layout !== 'mixed') {
    return spec.layout === 'P1'
      ? [...planEqual(16, 16 * MiB, 'random', 'bin'), ...planEqual(16, 16 * MiB, 'text', 'log'), ...planSmall(rng, 128, 1 * KiB, 15 * KiB)]
      : planSmall(rng, P2.files, P2.min, P2.max, P2.skew);
  }
  const small = planSmall(rng, spec.smallFiles, 1 * KiB, 16 * KiB);
  const rest = Math.max(0, spec.bytes - small.reduce((sum, f) => sum + f.size, 0));
  return [...small, ...splitLarge(Math.floor(rest / 2), 'random', rng, 'bin'), ...splitLarge(rest - Math.floor(rest / 2), 'text', rng, 'log')].filter(
    (f) => f.size > 0,
  );
}

/** Writes the dataset into `dir` (created). */
export function generateDataset(dir: string, spec: DatasetSpec): DatasetInfo {
  const started = process.hrtime.bigint();
  const files = planDataset(spec);
  const dirs = new Set<string>();
  let randomBytes = 0;
  let textBytes = 0;
  let largest = 0;
  files.forEach((f, stream) => {
    const full = path.join(dir, f.rel);
    const parent = path.dirname(full);
    if (!dirs.has(parent)) {
      mkdirSync(parent, { recursive: true });
      dirs.add(parent);
    }
    const src = f.kind === 'random' ? new RandomStream(spec.seed, stream) : new TextStream(spec.seed, stream);
    const fd = openSync(full, 'w', 0o644);
    try {
      for (let left = f.size; left > 0; ) {
        const n = Math.min(left, WRITE_BLOCK);
        const data = src.take(n);
        let off = 0;
        while (off < n) off += writeSync(fd, data, off, n - off);
        left -= n;
      }
    } finally {
      closeSync(fd);
    }
    if (f.kind === 'random') randomBytes += f.size;
    else textBytes += f.size;
    largest = Math.max(largest, f.size);
  });
  // Count directories including intermediate ones (small/, large/, ...).
  const allDirs = new Set<string>();
  for (const d of dirs) {
    for (let p = path.relative(dir, d); p && p !== '.'; p = path.dirname(p)) allDirs.add(p);
  }
  return {
    dir,
    layout: LAYOUTS[spec.layout],
    bytes: randomBytes + textBytes,
    files: files.length,
    dirs: allDirs.size,
    randomBytes,
    textBytes,
    smallFiles: files.filter((f) => f.size < 64 * KiB).length,
    largestFile: largest,
    generateSeconds: Number(process.hrtime.bigint() - started) / 1e9,
  };
}
