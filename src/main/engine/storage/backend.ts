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
  /** Replace an existing object (locks, the key list, verification records). By default a put never overwrites. */
  overwrite?: boolean;
  /**
   * The object is rewritten or removed in normal use (locks, verification
   * records, probes): a store with retention (S3 Object Lock) must not hold it.
   */
  mutable?: boolean;
}

/** One stored version of an object in a versioned store (or a delete marker). */
export interface ObjectVersion {
  versionId: string;
  modified: Date;
  size: number;
  /** A delete marker: the object looks deleted, its older versions are still stored. */
  deleteMarker: boolean;
  /** The version a plain read returns (or the marker that hides the object). */
  latest: boolean;
  /** The store's entity tag (equal tags: equal content, for objects uploaded the same way). */
  etag?: string;
}

/**
 * A store that keeps every version and holds what DVOM writes once for a
 * retention period (S3 Object Lock): nobody, DVOM included, can remove a held
 * version before its date, and overwrites or plain deletes only add versions.
 */
export interface RetainingStore {
  readonly mode: 'COMPLIANCE' | 'GOVERNANCE';
  /** How long each new object is held, from when it is written. */
  readonly retentionMs: number;
  /** Fails unless the store can hold objects (the bucket was created with Object Lock enabled). */
  check(): Promise<void>;
  /** The latest retain-until date still in the future over every version of `key`; undefined when none is held. */
  heldUntil(key: string): Promise<Date | undefined>;
  /** The retain-until date of one version, when it is still in the future. */
  versionHeldUntil(key: string, versionId: string): Promise<Date | undefined>;
  /** Every version and delete marker of the objects under `prefix`, by key, newest first. */
  versions(prefix: string): Promise<Map<string, ObjectVersion[]>>;
  getVersion(key: string, versionId: string): Promise<Buffer>;
  /** Removes one version or delete marker for good (refused by the store while it is held). */
  deleteVersion(key: string, versionId: string): Promise<void>;
  /** The retain-until date of the current version of `key`, past or future; undefined when it has none. */
  currentHold(key: string): Promise<Date | undefined>;
  /** Holds the current version of `key` until `until` (a hold can only be made longer). */
  extend(key: string, until: Date): Promise<void>;
  /** Makes a stored version the current one again: a copy on the server, held until `until`. */
  promote(key: string, versionId: string, until: Date | undefined): Promise<void>;
}

/**
 * A put body that lets the store say when it is done with a part (written,
 * or copied into what it sends): parts made for the body alone are then
 * freed at once instead of at a later collection. A store that calls it for
 * every part says so (StorageBackend.freesParts); one that keeps parts
 * simply never calls it.
 */
export interface PartsBody extends AsyncIterable<Buffer> {
  written(part: Buffer): void;
}

export function isPartsBody(body: unknown): body is PartsBody {
  return typeof (body as Partial<PartsBody> | null)?.written === 'function';
}

export interface StorageBackend {
  /** Human-readable location, e.g. "/home/me/.local/share/dvom" or "s3://bucket/prefix". */
  readonly location: string;
  /** How many sealed packs may still be storing while the next one fills (an S3 put holds its pack in memory). */
  readonly concurrentPuts: number;
  /** Calls written() on a PartsBody for every part it took, once it no longer needs it (the part may then be freed). */
  readonly freesParts?: boolean;
  /**
   * Bytes a restore reads from a pack at once (a multiple of 64 KiB). Where
   * each read costs a round trip (S3) few large reads are best; where reading
   * is cheap, smaller ones hold less in memory. Default 4 MiB.
   */
  readonly rangeReadSize?: number;
  /**
   * Bytes of packs a restore fetches ahead of the blobs it is decoding, where
   * each read is a round trip (S3); unset, none (a local disk answers at once).
   */
  readonly readAhead?: number;
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
  /** Bytes [start, start+length) of an object (fewer if it is shorter), in memory the caller may free (BlobReader does). */
  getRange(key: string, start: number, length: number): Promise<Buffer>;
  stat(key: string): Promise<StoredObject | undefined>;
  /** Every object whose key starts with `prefix`, in no particular order. */
  list(prefix: string): AsyncIterable<StoredObject>;
  /**
   * Removes an object (in a retaining store, every version of it, so the
   * space is freed; callers check `retention.heldUntil` first). A missing
   * object is not an error.
   */
  delete(key: string): Promise<void>;
  /** Removes leftovers of interrupted puts older than `olderThanMs`. */
  sweepIncomplete?(prefix: string, olderThanMs: number): Promise<number>;
  /** Set when the store holds new objects for a retention period (append-only mode). */
  readonly retention?: RetainingStore;
}

const KEY_PATTERN = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;

/** Rejects keys that could escape the store or collide with temporary files. */
export function checkKey(key: string): void {
  if (!KEY_PATTERN.test(key) || key.split('/').some((part) => part === '.' || part === '..' || part.startsWith('.tmp-'))) {
    throw new Error(`invalid storage key '${key}'`);
  }
}
