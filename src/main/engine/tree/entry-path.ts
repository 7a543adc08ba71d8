import { integrityError } from '../errors.ts';

const SLASH = 0x2f;
const DOT = 0x2e;

/**
 * Normalizes an entry path from an untrusted source (a volume's tar stream, a
 * stored version) to 'a/b/c' form, or '.' for the root. Absolute paths, '..'
 * components, empty names and NUL bytes are refused: they could escape the
 * restore target.
 */
export function normalizeEntryPath(path: Buffer, what: string): Buffer {
  if (path.length && path[0] === SLASH) throw integrityError(`${what}: absolute path '${path.toString()}' is not allowed`);
  if (path.includes(0)) throw integrityError(`${what}: path contains a NUL byte`);
  // Most paths are in that form already: a copy, without cutting them into parts and joining them again.
  if (isNormal(path)) return Buffer.from(path);
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = 0; i <= path.length; i++) {
    if (i < path.length && path[i] !== SLASH) continue;
    const part = path.subarray(start, i);
    start = i + 1;
    if (part.length === 0 || (part.length === 1 && part[0] === DOT)) continue;
    if (part.length === 2 && part[0] === DOT && part[1] === DOT) {
      throw integrityError(`${what}: path '${path.toString()}' contains '..'`);
    }
    parts.push(part);
  }
  if (!parts.length) return Buffer.from('.');
  const out: Buffer[] = [];
  for (const [i, part] of parts.entries()) {
    if (i) out.push(Buffer.from('/'));
    out.push(part);
  }
  return Buffer.concat(out);
}

/** Whether every component of a relative path is a name: none empty, '.' or '..' (no leading, trailing or doubled '/'). */
function isNormal(path: Buffer): boolean {
  let start = 0;
  for (let i = 0; i <= path.length; i++) {
    if (i < path.length && path[i] !== SLASH) continue;
    const length = i - start;
    if (length === 0 || (path[start] === DOT && (length === 1 || (length === 2 && path[start + 1] === DOT)))) return false;
    start = i + 1;
  }
  return true;
}

export function isRootPath(path: Buffer): boolean {
  return path.length === 1 && path[0] === DOT;
}
