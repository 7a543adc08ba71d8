import { integrityError } from '../errors.ts';
import type { TarEntryType, TarHeader } from '../tar/tar-types.ts';

/** One file-system entry of a version: its tar-style header plus where its content lives. */
export interface TreeEntry extends TarHeader {
  /** SHA-256 (hex) of the file's plaintext content (files only). */
  sha256?: string;
  /** Blob ids of the content chunks, in order (files only). */
  chunks?: string[];
  /** Change time (ns) and inode of a file read from a host folder: the files cache compares them too. */
  ctimeNs?: string;
  inode?: string;
}

/** Source entries: a header plus, for files, the content stream. */
export interface SourceEntry {
  header: TarHeader;
  /** Each buffer is valid only until the next is requested (sources may reuse one read buffer). */
  body?: AsyncIterable<Buffer>;
  /**
   * The whole content at once, for small files a source can read in one call
   * (cheaper than a stream per file when there are thousands). Not called when
   * the files cache already has the file.
   */
  readAll?: () => Buffer;
  /** Folder sources: change time and inode, which catch changes that put the mtime back. */
  identity?: { ctimeNs: string; inode: string };
}

const TYPES: ReadonlySet<TarEntryType> = new Set(['file', 'dir', 'symlink', 'hardlink', 'char', 'block', 'fifo']);

/** Raw bytes as JSON: a plain string when they are valid UTF-8, base64 otherwise. */
function bytesField(buf: Buffer): { s: string } | { b: string } {
  const text = buf.toString('utf8');
  return Buffer.from(text, 'utf8').equals(buf) ? { s: text } : { b: buf.toString('base64') };
}

function bytesFrom(s: unknown, b: unknown): Buffer | undefined {
  if (typeof s === 'string') return Buffer.from(s, 'utf8');
  if (typeof b === 'string') return Buffer.from(b, 'base64');
  return undefined;
}

/** Compact JSON record for the encrypted tree stream. */
export function encodeEntry(e: TreeEntry): string {
  const path = bytesField(e.path);
  const link = e.linkTarget ? bytesField(e.linkTarget) : undefined;
  return JSON.stringify({
    t: e.type,
    ...('s' in path ? { p: path.s } : { pb: path.b }),
    m: e.mode,
    u: e.uid,
    g: e.gid,
    un: e.uname || undefined,
    gn: e.gname || undefined,
    mt: e.mtimeMs,
    sz: e.type === 'file' ? e.size : undefined,
    ...(link ? ('s' in link ? { l: link.s } : { lb: link.b }) : {}),
    dma: e.devMajor,
    dmi: e.devMinor,
    h: e.sha256,
    c: e.chunks,
    ct: e.ctimeNs,
    in: e.inode,
  });
}

/** How encodeEntry starts every record: its type first. */
const TYPE_FIRST = '{"t":"';

/**
 * Whether a record says, in its first bytes as encodeEntry writes them, that
 * it is not of `type`: a reader wanting only that type may pass over it
 * without decoding it. False for any record that does not start that way.
 */
export function namesOtherType(line: string, type: TarEntryType): boolean {
  const at = TYPE_FIRST.length;
  return line.startsWith(TYPE_FIRST) && !(line.startsWith(type, at) && line[at + type.length] === '"');
}

const isUint = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;

export function decodeEntry(line: string, what: string): TreeEntry {
  let r: Record<string, unknown>;
  try {
    r = JSON.parse(line) as Record<string, unknown>;
  } catch {
    throw integrityError(`${what}: malformed tree record`);
  }
  const path = bytesFrom(r.p, r.pb);
  const type = r.t as TarEntryType;
  const bad = (field: string) => integrityError(`${what}: tree record has an invalid ${field}`);
  if (!path) throw bad('path');
  if (!TYPES.has(type)) throw bad('type');
  if (!isUint(r.m) || !isUint(r.u) || !isUint(r.g)) throw bad('mode or owner');
  if (typeof r.mt !== 'number' || !Number.isFinite(r.mt)) throw bad('mtime');
  const entry: TreeEntry = { path, type, mode: r.m, uid: r.u, gid: r.g, mtimeMs: r.mt, size: 0 };
  if (typeof r.un === 'string') entry.uname = r.un;
  if (typeof r.gn === 'string') entry.gname = r.gn;
  const link = bytesFrom(r.l, r.lb);
  if (link) entry.linkTarget = link;
  if ((type === 'symlink' || type === 'hardlink') && !link) throw bad('link target');
  if (isUint(r.dma)) entry.devMajor = r.dma;
  if (isUint(r.dmi)) entry.devMinor = r.dmi;
  if (r.ct !== undefined || r.in !== undefined) {
    if (typeof r.ct !== 'string' || !/^\d{1,30}$/.test(r.ct) || typeof r.in !== 'string' || !/^\d{1,30}$/.test(r.in)) {
      throw bad('change time or inode');
    }
    entry.ctimeNs = r.ct;
    entry.inode = r.in;
  }
  if (type === 'file') {
    if (!isUint(r.sz)) throw bad('size');
    if (typeof r.h !== 'string' || !/^[0-9a-f]{64}$/.test(r.h)) throw bad('content hash');
    if (!Array.isArray(r.c) || !r.c.every((c) => typeof c === 'string' && /^[0-9a-f]{64}$/.test(c))) throw bad('chunk list');
    entry.size = r.sz;
    entry.sha256 = r.h;
    entry.chunks = r.c as string[];
  }
  return entry;
}

/** Display form of a raw path (never used to touch the file system). */
export function displayPath(path: Buffer): string {
  return path.toString('utf8');
}
