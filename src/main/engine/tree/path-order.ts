import { isRootPath } from './entry-path.ts';

const SLASH = 0x2f;

/**
 * Orders normalized entry paths the way sources emit them: depth-first with
 * names in byte order (a folder walk sorted by name, Go's filepath.Walk in
 * Docker's archive API), the root first. This is byte order except that '/'
 * ends a name: 'a/b' (inside 'a') comes before 'a-c'.
 */
export function comparePaths(a: Buffer, b: Buffer): number {
  const aRoot = isRootPath(a);
  const bRoot = isRootPath(b);
  if (aRoot || bRoot) return aRoot === bRoot ? 0 : aRoot ? -1 : 1;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === y) continue;
    if (x === SLASH) return -1;
    if (y === SLASH) return 1;
    return x - y;
  }
  return a.length - b.length;
}
