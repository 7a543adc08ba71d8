/** Kinds of entries DVOM reads and writes; anything else in an archive is rejected. */
export type TarEntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo';

export interface TarHeader {
  /** Raw name bytes, '/'-separated, exactly as in the archive (may be non-UTF-8); directories without trailing '/'. */
  path: Buffer;
  type: TarEntryType;
  /** Permission bits incl. setuid/setgid/sticky (mode & 0o7777). */
  mode: number;
  uid: number;
  gid: number;
  uname?: string;
  gname?: string;
  /** Milliseconds since epoch; may be fractional (PAX mtime has sub-second precision). */
  mtimeMs: number;
  /** Body size for 'file' (0 otherwise); may exceed 8 GiB. */
  size: number;
  /** Symlink target or hardlink target path (raw bytes). */
  linkTarget?: Buffer;
  devMajor?: number;
  devMinor?: number;
}

/** A malformed or unsupported archive. Archives are untrusted input, so this is an expected, reportable error. */
export class TarFormatError extends Error {
  override name = 'TarFormatError';
}
