/**
 * The narrow interface every store (local folder, S3) implements. Keys are
 * '/'-separated relative names; the repository layer decides the layout.
 */
export interface StoredObject {
  key: string;
  size: number;
  modified: Date;
}

export interface PutOptions {
  /** Replace an existing object (locks only). By default a put never overwrites. */
  overwrite?: boolean;
}

export interface StorageBackend {
  /** Human-readable location, e.g. "/home/me/.local/share/dvom" or "s3://bucket/prefix". */
  readonly location: string;
  /** How many sealed packs may still be storing while the next one fills (an S3 put holds its pack in memory). */
  readonly concurrentPuts: number;
  /**
   * Stores an object. When the promise resolves the object is durable and
   * complete; a failed or interrupted put never leaves a partial object under
   * `key`. Without `overwrite`, an existing key fails with ALREADY_EXISTS.
   */
  put(key: string, body: Buffer | AsyncIterable<Buffer>, options?: PutOptions): Promise<void>;
  /** Whole object; NOT_FOUND if missing. For small objects only. */
  get(key: string): Promise<Buffer>;
  /** Streams an object; NOT_FOUND if missing. */
  getStream(key: string): AsyncIterable<Buffer>;
  /** Bytes [start, start+length) of an object (fewer if it is shorter). */
  getRange(key: string, start: number, length: number): Promise<Buffer>;
  stat(key: string): Promise<StoredObject | undefined>;
  /** Every object whose key starts with `prefix`, in no particular order. */
  list(prefix: string): AsyncIterable<StoredObject>;
  /** Removes an object; a missing object is not an error. */
  delete(key: string): Promise<void>;
  /** Removes leftovers of interrupted puts older than `olderThanMs`. */
  sweepIncomplete?(prefix: string, olderThanMs: number): Promise<number>;
}

const KEY_PATTERN = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;

/** Rejects keys that could escape the store or collide with temporary files. */
export function checkKey(key: string): void {
  if (!KEY_PATTERN.test(key) || key.split('/').some((part) => part === '.' || part === '..' || part.startsWith('.tmp-'))) {
    throw new Error(`invalid storage key '${key}'`);
  }
}
