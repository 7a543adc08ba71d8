/**
 * Shared helpers for the engine tests: temporary folders, a builder for a
 * "tricky" folder tree (odd names, modes, links, times, sizes) and a tree
 * comparer that checks bytes AND metadata, with raw (Buffer) paths so
 * non-UTF-8 names work.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { isDvomError, LocalBackend, Repository, type DvomError } from '../../src/main/engine/index.ts';
import type { Credential, ErrorCode, ScryptParams } from '../../src/main/engine/index.ts';

// ---------------------------------------------------------------- constants

export const PASSWORD = 'correct horse battery staple';
/** Cheap scrypt: tests create and open many backups. */
export const CHEAP_SCRYPT: ScryptParams = { N: 1024, r: 8, p: 1 };
/** Small chunks, so small test files span many chunks. */
export const SMALL_CHUNKER = { minSize: 2048, avgSize: 8192, maxSize: 32768 };
export const IS_ROOT = process.getuid?.() === 0;

export const password = (pw: string = PASSWORD): Credential => ({ kind: 'password', password: pw });

// ---------------------------------------------------------------- temp dirs

/** A fresh temp folder, removed when the test ends (even if it fails). */
export function tempDir(t: TestContext, label = 'tmp'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `dvom-test-${label}-`));
  t.after(() => removeTree(dir));
  return dir;
}

/** rm -rf that also copes with read-only folders when not running as root. */
export function removeTree(dir: string): void {
  try {
    fs.rmSync(dir, { recursive: true, force: true });
  } catch {
    makeWritable(Buffer.from(dir));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function makeWritable(dir: Buffer): void {
  try {
    fs.chmodSync(dir, 0o700);
    for (const name of fs.readdirSync(dir, { encoding: 'buffer' })) {
      const full = joinBuf(dir, name);
      if (fs.lstatSync(full).isDirectory()) makeWritable(full);
    }
  } catch {
    // best effort
  }
}

// ---------------------------------------------------------------- repositories

export interface TestRepoOptions {
  encrypted?: boolean;
  credential?: Credential;
  chunker?: { minSize: number; avgSize: number; maxSize: number };
}

/** Creates a backup in a fresh store folder. */
export async function createRepo(
  storeDir: string,
  name = 'test',
  options: TestRepoOptions = {},
): Promise<{ store: LocalBackend; repo: Repository }> {
  const store = new LocalBackend(storeDir);
  const encrypted = options.encrypted ?? true;
  const repo = await Repository.create(store, name, {
    encrypted,
    ...(encrypted ? { credential: options.credential ?? password(), scrypt: CHEAP_SCRYPT } : {}),
    ...(options.chunker ? { chunker: options.chunker } : {}),
  });
  return { store, repo };
}

/** Asserts that `promise` rejects with a DvomError of `code` (and a message matching `message`). */
export async function assertDvomError(
  promise: Promise<unknown>,
  code: ErrorCode,
  message?: RegExp,
): Promise<DvomError> {
  let caught: unknown;
  try {
    await promise;
  } catch (err) {
    caught = err;
  }
  assert.ok(caught !== undefined, `expected a DvomError ${code}, but the operation succeeded`);
  assert.ok(
    isDvomError(caught, code),
    `expected DvomError ${code}, got ${caught instanceof Error ? `${caught.name} ${(caught as { code?: string }).code ?? ''}: ${caught.message}` : String(caught)}`,
  );
  if (message) assert.match((caught as Error).message, message);
  return caught as DvomError;
}

// ---------------------------------------------------------------- file store inspection

/** Every regular file under `root`, as '/'-separated relative paths (sorted). */
export function listFiles(root: string): string[] {
  const out: string[] = [];
  const visit = (dir: string, rel: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) visit(path.join(dir, e.name), r);
      else if (e.isFile()) out.push(r);
    }
  };
  visit(root, '');
  return out.sort();
}

/** SHA-256 of every file under `root` whose relative path passes `filter`. */
export function hashFiles(root: string, filter: (rel: string) => boolean = () => true): Map<string, string> {
  const out = new Map<string, string>();
  for (const rel of listFiles(root)) {
    if (filter(rel)) out.set(rel, createHash('sha256').update(fs.readFileSync(path.join(root, rel))).digest('hex'));
  }
  return out;
}

/** Relative paths (under the store root) of a backup's pack files. */
export function packFiles(storeDir: string, name = 'test'): string[] {
  return listFiles(storeDir).filter((f) => f.startsWith(`backups/${name}/packs/`));
}

export function indexFiles(storeDir: string, name = 'test'): string[] {
  return listFiles(storeDir).filter((f) => f.startsWith(`backups/${name}/index/`));
}

export function versionFiles(storeDir: string, name = 'test'): string[] {
  return listFiles(storeDir).filter((f) => f.startsWith(`backups/${name}/versions/`));
}

/** Ids of the data (content) blobs a backup's index lists. */
export async function dataBlobs(repo: Repository): Promise<Set<string>> {
  const { index } = await repo.loadIndex();
  const out = new Set<string>();
  for (const [id, loc] of index.entries()) if (loc.type === 'data') out.add(id);
  return out;
}

// ---------------------------------------------------------------- data

/** Pseudo-random, highly compressible text (words from a small vocabulary). */
export function compressibleText(size: number, seed = 1): Buffer {
  const words = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet', '\n'];
  const parts: string[] = [];
  let len = 0;
  let x = seed >>> 0 || 1;
  while (len < size) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    const w = words[x % words.length]! + ' ';
    parts.push(w);
    len += w.length;
  }
  return Buffer.from(parts.join('')).subarray(0, size);
}

export const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

export function sha256File(file: string | Buffer): Promise<string> {
  if (fs.statSync(file).size < 4 * 1024 * 1024) return Promise.resolve(sha256(fs.readFileSync(file)));
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    fs.createReadStream(file, { highWaterMark: 4 * 1024 * 1024 })
      .on('data', (d) => hash.update(d as Buffer))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

// ---------------------------------------------------------------- tricky tree

const SEP = Buffer.from('/');

export function joinBuf(dir: Buffer, name: Buffer | string): Buffer {
  return Buffer.concat([dir, SEP, typeof name === 'string' ? Buffer.from(name) : name]);
}

export const NON_UTF8_NAME = Buffer.from([0x66, 0xff, 0x2e, 0x74]);
export const NFC_NAME = 'caf\u00e9';
export const NFD_NAME = 'cafe\u0301';

export interface TrickyTreeOptions {
  /** Size of the big random file (default 3 MiB). */
  bigSize?: number;
  /** Size of the compressible text file (default 2 MiB). */
  textSize?: number;
}

/**
 * Builds a folder tree with everything a backup must preserve. Returns the
 * relative paths (raw bytes) of the entries it created. Every entry gets a
 * distinct mtime with a sub-millisecond part kept away from millisecond
 * boundaries (libuv rounds times to the microsecond).
 */
export function buildTrickyTree(root: string, options: TrickyTreeOptions = {}): Buffer[] {
  const rootBuf = Buffer.from(root);
  const created: Buffer[] = [];
  const p = (rel: string | Buffer) => (typeof rel === 'string' ? Buffer.from(rel) : rel);
  const abs = (rel: string | Buffer) => joinBuf(rootBuf, p(rel));
  const file = (rel: string | Buffer, data: Buffer | string, mode?: number) => {
    fs.writeFileSync(abs(rel), data);
    if (mode !== undefined) fs.chmodSync(abs(rel), mode);
    created.push(p(rel));
  };
  const dir = (rel: string | Buffer) => {
    fs.mkdirSync(abs(rel), { recursive: true });
    created.push(p(rel));
  };
  const symlink = (rel: string, target: string) => {
    fs.symlinkSync(target, abs(rel));
    created.push(p(rel));
  };

  // Sizes: empty, tiny, around the small chunker's min/avg/max and the 64 KiB cipher segment.
  dir('sizes');
  for (const size of [0, 1, 2047, 2048, 2049, 8192, 32767, 32768, 32769, 65535, 65536, 65537, 3 * 65536 + 7]) {
    file(`sizes/${size}.bin`, randomBytes(size));
  }
  file('sizes/zeros-96k.bin', Buffer.alloc(3 * 32768)); // repeated identical chunks
  const big = randomBytes(options.bigSize ?? 3 * 1024 * 1024);
  file('sizes/random-big.bin', big);
  file('sizes/copy-of-big.bin', big); // deduplicated against the first
  file('sizes/text.txt', compressibleText(options.textSize ?? 2 * 1024 * 1024));

  // Folders.
  dir('empty-dir');
  dir('nested');
  dir('nested/a');
  dir('nested/a/b');
  dir('nested/a/b/c');
  file('nested/a/b/c/leaf.txt', 'leaf\n');
  dir('nested/a/b/c/empty');

  // Symbolic links.
  dir('links');
  symlink('links/relative', '../sizes/1.bin');
  symlink('links/absolute', path.join(root, 'sizes', '1.bin'));
  symlink('links/absolute-outside', '/etc/hostname');
  symlink('links/dangling', 'does/not/exist');
  symlink('links/to-dir', '../nested/a');
  symlink('links/chain', 'relative');

  // Hard links: three names for one inode, across folders, and a pair.
  dir('hard');
  dir('hard/sub');
  file('hard/h1', 'hard linked content\n');
  fs.linkSync(abs('hard/h1'), abs('hard/sub/h2'));
  created.push(p('hard/sub/h2'));
  fs.linkSync(abs('hard/h1'), abs('hard/h3'));
  created.push(p('hard/h3'));
  file('hard/pair-a', randomBytes(40000));
  fs.linkSync(abs('hard/pair-a'), abs('hard/pair-b'));
  created.push(p('hard/pair-b'));

  // Modes.
  dir('modes');
  file('modes/setuid', '#!/bin/sh\necho hi\n', 0o4755);
  file('modes/setgid', 'g\n', 0o2750);
  file('modes/private', 'secret\n', 0o600);
  if (IS_ROOT) file('modes/none', 'no permissions\n', 0o000); // unreadable for anyone else
  dir('modes/sticky');
  file('modes/sticky/inside', 'x');
  dir('modes/readonly');
  file('modes/readonly/inside', 'read only\n', 0o444);

  // Names.
  dir('names');
  file(Buffer.concat([Buffer.from('names/'), NON_UTF8_NAME]), 'not utf-8\n');
  file(`names/${NFC_NAME}`, 'NFC\n');
  file(`names/${NFD_NAME}`, 'NFD\n');
  file('names/\u{1F600}\u{1F389} emoji.txt', 'emoji\n');
  file('names/spaces and\ttabs\nnewline', 'odd\n');
  file(`names/${'L'.repeat(255)}`, 'long ascii name\n');
  file(`names/${'\u00e9'.repeat(127)}x`, 'long multibyte name (255 bytes)\n');
  let deep = 'deep';
  dir(deep);
  for (let i = 0; i < 6; i++) {
    deep += `/${String(i).repeat(60)}`;
    dir(deep);
  }
  file(`${deep}/bottom.txt`, 'deep\n');
  assert.ok(Buffer.byteLength(`${deep}/bottom.txt`) > 255);

  // Owners (only root can give files away).
  if (IS_ROOT) {
    dir('owned');
    file('owned/file', 'owned\n');
    fs.chownSync(abs('owned/file'), 1234, 5678);
    symlink('owned/link', 'file');
    fs.lchownSync(abs('owned/link'), 4321, 8765);
    fs.chownSync(abs('owned'), 2222, 3333);
  }

  // Directory modes last (a read-only dir must be filled first when not root).
  fs.chmodSync(abs('modes/sticky'), 0o1777);
  fs.chmodSync(abs('modes/readonly'), 0o555);
  fs.chmodSync(abs('empty-dir'), 0o750);

  // Times: deepest entries first, so setting a child's time never disturbs its parent's.
  const all = [...created].sort((a, b) => count(b, 0x2f) - count(a, 0x2f));
  all.forEach((rel, i) => {
    const t = 1_600_000_000 + i * 3607 + 0.1 + (i % 9) * 0.1 + 0.000456;
    fs.lutimesSync(abs(rel), t, t);
  });
  fs.utimesSync(rootBuf, 1_500_000_000.250456, 1_500_000_000.250456);
  return created;
}

function count(buf: Buffer, byte: number): number {
  let n = 0;
  for (const b of buf) if (b === byte) n++;
  return n;
}

// ---------------------------------------------------------------- tree comparison

export interface EntryInfo {
  type: 'file' | 'dir' | 'symlink' | 'other';
  mode: number;
  /** mtime truncated to the millisecond. */
  mtimeMs: bigint;
  uid: number;
  gid: number;
  size?: number;
  sha256?: string;
  /** Symlink target, hex. */
  link?: string;
  inode: string;
}

/** Display form of a raw path: the text if it is valid UTF-8, else hex. */
export function displayKey(rel: Buffer): string {
  const text = rel.toString('utf8');
  return Buffer.from(text, 'utf8').equals(rel) ? text : `<hex:${rel.toString('hex')}>`;
}

/** Every entry under `root` (including the root itself as '.'), keyed by displayKey of its relative path. */
export async function snapshotTree(root: string): Promise<Map<string, EntryInfo>> {
  const out = new Map<string, EntryInfo>();
  const rootBuf = Buffer.from(root);
  const visit = async (absPath: Buffer, rel: Buffer) => {
    const st = fs.lstatSync(absPath, { bigint: true });
    const type = st.isFile() ? 'file' : st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : 'other';
    const info: EntryInfo = {
      type,
      mode: Number(st.mode & 0o7777n),
      mtimeMs: st.mtimeNs / 1_000_000n,
      uid: Number(st.uid),
      gid: Number(st.gid),
      inode: `${st.dev}:${st.ino}`,
    };
    if (type === 'file') {
      info.size = Number(st.size);
      info.sha256 = await sha256File(absPath);
    } else if (type === 'symlink') {
      info.link = fs.readlinkSync(absPath, { encoding: 'buffer' }).toString('hex');
    }
    out.set(rel.length ? displayKey(rel) : '.', info);
    if (type === 'dir') {
      const names = fs.readdirSync(absPath, { encoding: 'buffer' }).sort(Buffer.compare);
      for (const name of names) await visit(joinBuf(absPath, name), rel.length ? joinBuf(rel, name) : name);
    }
  };
  await visit(rootBuf, Buffer.alloc(0));
  return out;
}

/** Groups of paths (sorted) that share an inode, for non-directories with more than one name. */
export function hardLinkGroups(snapshot: Map<string, EntryInfo>): string[][] {
  const byInode = new Map<string, string[]>();
  for (const [key, info] of snapshot) {
    if (info.type === 'dir') continue;
    const group = byInode.get(info.inode) ?? [];
    group.push(key);
    byInode.set(info.inode, group);
  }
  return [...byInode.values()]
    .filter((g) => g.length > 1)
    .map((g) => g.sort())
    .sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
}

export interface CompareOptions {
  /** Skip mtime of the root folder itself. */
  ignoreRootMtime?: boolean;
  /** Skip owners (uid/gid), e.g. when not running as root. */
  ignoreOwners?: boolean;
}

/**
 * Lists every difference between two tree snapshots (missing/extra entries,
 * type, mode, mtime to the ms, owner, size, content, link target, hard-link
 * structure). Empty when they are equal.
 */
export function snapshotDifferences(
  a: Map<string, EntryInfo>,
  b: Map<string, EntryInfo>,
  options: CompareOptions = {},
): string[] {
  const diffs: string[] = [];
  const fields: (keyof EntryInfo)[] = ['type', 'mode', 'mtimeMs', 'uid', 'gid', 'size', 'sha256', 'link'];
  for (const [key, ea] of a) {
    const eb = b.get(key);
    if (!eb) {
      diffs.push(`missing: ${JSON.stringify(key)}`);
      continue;
    }
    for (const f of fields) {
      if ((f === 'uid' || f === 'gid') && (options.ignoreOwners || !IS_ROOT)) continue;
      if (f === 'mtimeMs' && key === '.' && options.ignoreRootMtime) continue;
      if (ea[f] !== eb[f]) {
        const show = (v: unknown) => (typeof v === 'number' && f === 'mode' ? '0o' + v.toString(8) : String(v));
        diffs.push(`${JSON.stringify(key)}: ${f} expected ${show(ea[f])}, got ${show(eb[f])}`);
      }
    }
  }
  for (const key of b.keys()) if (!a.has(key)) diffs.push(`unexpected: ${JSON.stringify(key)}`);
  const ga = JSON.stringify(hardLinkGroups(a));
  const gb = JSON.stringify(hardLinkGroups(b));
  if (ga !== gb) diffs.push(`hard links: expected ${ga}, got ${gb}`);
  return diffs;
}

/** Differences between two folders (see snapshotDifferences). */
export async function treeDifferences(expectedRoot: string, actualRoot: string, options: CompareOptions = {}): Promise<string[]> {
  return snapshotDifferences(await snapshotTree(expectedRoot), await snapshotTree(actualRoot), options);
}

/** Asserts two folders are equal byte for byte and metadata for metadata. */
export async function assertSameTree(expectedRoot: string, actualRoot: string, options: CompareOptions = {}): Promise<void> {
  assert.deepEqual(await treeDifferences(expectedRoot, actualRoot, options), []);
}

/** Bytes actually allocated on disk for a file. */
export function allocatedBytes(file: string): number {
  return fs.statSync(file).blocks * 512;
}

// ---------------------------------------------------------------- locks

/** The lock files of a backup in a file store (relative paths). */
export function lockFiles(storeDir: string, name = 'test'): string[] {
  return listFiles(storeDir).filter((f) => f.startsWith(`backups/${name}/locks/`));
}

/** Writes a lock file as another process would (`doc` as JSON, or a string as is); returns its relative path. */
export function writeLock(storeDir: string, doc: unknown, name = 'test'): string {
  const rel = `backups/${name}/locks/${randomBytes(8).toString('hex')}.json`;
  fs.mkdirSync(path.join(storeDir, `backups/${name}/locks`), { recursive: true });
  fs.writeFileSync(path.join(storeDir, rel), typeof doc === 'string' ? doc : JSON.stringify(doc));
  return rel;
}

/** Sets the files' modification time back, as the store reports an object's age. */
export function ageFiles(storeDir: string, rels: string[], byMs: number): void {
  const then = new Date(Date.now() - byMs);
  for (const rel of rels) fs.utimesSync(path.join(storeDir, rel), then, then);
}
