import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  PutObjectRetentionCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { DvomError, integrityError } from '../errors.ts';
import { checkKey, isPartsBody, type PutOptions, type StorageBackend, type StoredObject } from './backend.ts';
import { partsOf, uploadParts } from './s3-multipart.ts';
import { s3Error } from './s3-errors.ts';
import { S3Retention, type ObjectLockSettings } from './s3-retention.ts';

export interface S3Settings {
  bucket: string;
  /** Folder inside the bucket; no leading or trailing slash. */
  prefix?: string;
  /** Custom endpoint for S3-compatible stores (MinIO, Ceph RGW, ...). */
  endpoint?: string;
  region?: string;
  /** Path-style addressing (http://host/bucket/key), needed by most self-hosted stores. */
  forcePathStyle?: boolean;
  /** Shared config/credentials profile; otherwise the SDK's standard chain. */
  profile?: string;
  /** Explicit credentials (e.g. from the keychain); otherwise the SDK's standard chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Attempts per request, with exponential backoff and jitter (SDK standard retry mode). */
  maxAttempts?: number;
  /** Append-only mode: every object written once is held with S3 Object Lock (docs/format.md §1.2). */
  objectLock?: ObjectLockSettings;
}

/** Objects above this size are uploaded in parts, `UPLOAD_QUEUE` parts at a time (S3's minimum part is 5 MiB). */
export const PART_SIZE = 5 * 1024 * 1024;
export const UPLOAD_QUEUE = 3;

export function s3ClientConfig(s: S3Settings): S3ClientConfig {
  return {
    region: s.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
    ...(s.endpoint ? { endpoint: s.endpoint } : {}),
    forcePathStyle: s.forcePathStyle ?? !!s.endpoint,
    ...(s.profile ? { profile: s.profile } : {}),
    ...(s.credentials ? { credentials: s.credentials } : {}),
    // Ceph RGW and other S3-compatible stores reject the SDK's default aws-chunked checksums.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: s.maxAttempts ?? 5,
    retryMode: 'standard',
  };
}

/**
 * The buffers of a stream's first `limit` bytes (or a little more), and the
 * rest of it (undefined when the stream ended within them).
 */
async function readHead(body: AsyncIterable<Buffer>, limit: number): Promise<{ head: Buffer[]; size: number; rest: AsyncIterator<Buffer> | undefined }> {
  const it = body[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let size = 0;
  while (size <= limit) {
    const next = await it.next();
    if (next.done) return { head, size, rest: undefined };
    head.push(next.value);
    size += next.value.length;
  }
  return { head, size, rest: it };
}

async function* concatStreams(head: Buffer[], rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  yield* head;
  for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
}

const md5 = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('base64');

/**
 * S3 wants Content-MD5 (or a checksum) on every upload to an Object Lock
 * bucket; the SDK's own checksums are off (Ceph RGW rejects them), and
 * uploadParts (s3-multipart.ts) sends parts as they fill, so parts get theirs here.
 */
function addPartMd5(client: S3Client): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { Body?: unknown; ContentMD5?: string };
      if (context.commandName === 'UploadPartCommand' && input.Body instanceof Uint8Array && !input.ContentMD5) input.ContentMD5 = md5(input.Body);
      return next(args);
    },
    { step: 'initialize', name: 'dvomPartContentMd5' },
  );
}

/** Whether the SDK sent the request more than once before this error. */
function retried(err: unknown): boolean {
  return ((err as { $metadata?: { attempts?: number } }).$metadata?.attempts ?? 1) > 1;
}

/**
 * A response body of `size` bytes in memory of its own, each piece copied in
 * as it arrives. The SDK's transformToByteArray keeps every piece until the
 * end and then joins them: twice the memory per read in flight, and a copy.
 */
async function filled(body: Readable, size: number): Promise<Buffer> {
  const out = Buffer.allocUnsafeSlow(size);
  let at = 0;
  for await (const piece of body) {
    const buf = piece as Buffer;
    if (at + buf.length > size) {
      body.destroy();
      throw integrityError(`the store sent more than the ${size} bytes it announced`);
    }
    buf.copy(out, at);
    at += buf.length;
  }
  return at === size ? out : out.subarray(0, at);
}

/** A view of the downloaded bytes, not a copy of them. */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * A store in an S3 bucket. S3 makes an object visible only once its upload
 * completed, which gives the same atomicity as the local store's rename.
 */
export class S3Backend implements StorageBackend {
  readonly location: string;
  /** Two packs uploading hide the latency of each request. */
  readonly concurrentPuts = 2;
  readonly freesParts = true;
  /** Four 4 MiB ranged GETs beyond the reads in flight: each waits a round trip and the store's own reads. */
  readonly readAhead = 16 * 1024 * 1024;
  private readonly client: S3Client;
  private readonly settings: S3Settings;
  private readonly base: string;
  readonly retention: S3Retention | undefined;

  constructor(settings: S3Settings, client?: S3Client) {
    this.settings = settings;
    this.base = settings.prefix ? `${settings.prefix.replace(/^\/+|\/+$/g, '')}/` : '';
    this.location = `s3://${settings.bucket}/${this.base}`;
    this.client = client ?? new S3Client(s3ClientConfig(settings));
    if (settings.objectLock) {
      addPartMd5(this.client);
      this.retention = new S3Retention(settings.objectLock, {
        client: this.client,
        bucket: settings.bucket,
        base: this.base,
        location: this.location,
        fail: (err, what) => this.fail(err, what),
      });
    }
  }

  private objectKey(key: string): string {
    checkKey(key);
    return this.base + key;
  }

  private fail(err: unknown, what: string): DvomError {
    return s3Error(err, what, this.location, this.settings.endpoint);
  }

  async put(key: string, body: Buffer | AsyncIterable<Buffer>, options: PutOptions = {}): Promise<void> {
    const Key = this.objectKey(key);
    const retention = this.retention;
    // Mutable objects are never held: they are rewritten or removed in normal use.
    const hold = retention && !options.mutable ? retention.holdParams() : undefined;
    let single: Buffer | undefined;
    try {
      if (hold) await retention!.check();
      // Up to one part is read first: a small object goes as one PutObject, whose buffer the SDK can resend.
      // A pack's sealed segments are freed as soon as they are copied into what is sent (PartsBody).
      const parts = isPartsBody(body) ? body : undefined;
      const taken = (buf: Buffer) => parts?.written(buf);
      const { head, size, rest } = Buffer.isBuffer(body) ? { head: [], size: 0, rest: undefined } : await readHead(body, PART_SIZE);
      if (!rest) {
        const whole = Buffer.isBuffer(body) ? body : Buffer.concat(head, size); // a copy: the parts may go now
        for (const buf of head) taken(buf);
        // Ceph RGW ignores If-None-Match on a versioned bucket (every Object Lock bucket is): check first
        // there too. The gap between check and write matters only for fixed names (config, key list).
        if (retention && !options.overwrite && (await this.stat(key))) throw new DvomError('ALREADY_EXISTS', `object ${key} already exists`);
        single = whole;
        await this.client.send(
          new PutObjectCommand({
            Bucket: this.settings.bucket,
            Key,
            Body: whole,
            ...(options.overwrite ? {} : { IfNoneMatch: '*' }),
            ...(retention ? { ContentMD5: md5(whole) } : {}),
            ...hold,
          }),
        );
        return;
      }
      // S3 (and Ceph RGW) ignore If-None-Match on multipart completion: check first. Keys written this
      // way are packs with random 256-bit names, so the gap between check and write is harmless.
      if (!options.overwrite && (await this.stat(key))) throw new DvomError('ALREADY_EXISTS', `object ${key} already exists`);
      // The rest streams while it is produced: parts go out as they fill, UPLOAD_QUEUE at a time, each
      // held (so a failed part can be resent) only until it is stored.
      const done = await uploadParts(
        this.client,
        { Bucket: this.settings.bucket, Key, ...hold },
        partsOf(concatStreams(head, rest), PART_SIZE, taken),
        UPLOAD_QUEUE,
      );
      if (hold) {
        // Ceph RGW ignores the hold given when a multipart upload starts: set it on the finished version.
        const VersionId = (done as { VersionId?: string }).VersionId;
        await this.client.send(
          new PutObjectRetentionCommand({
            Bucket: this.settings.bucket,
            Key,
            ...(VersionId ? { VersionId } : {}),
            Retention: { Mode: hold.ObjectLockMode, RetainUntilDate: hold.ObjectLockRetainUntilDate },
          }),
        );
      }
    } catch (err) {
      const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 412 || (err as { name?: string }).name === 'PreconditionFailed') {
        // The SDK resends a put whose answer was lost (a reset after the store had it): the resend then
        // finds the first attempt's object. That one is ours if it holds exactly these bytes.
        if (single && retried(err) && (await this.holds(key, single))) return;
        throw new DvomError('ALREADY_EXISTS', `object ${key} already exists`);
      }
      if (err instanceof DvomError) throw err;
      throw this.fail(err, `store ${key}`);
    }
  }

  /** Whether the stored object `key` is exactly `bytes` (false if it cannot be read). */
  private async holds(key: string, bytes: Buffer): Promise<boolean> {
    try {
      return (await this.get(key)).equals(bytes);
    } catch {
      return false;
    }
  }

  async get(key: string): Promise<Buffer> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.settings.bucket, Key: this.objectKey(key) }));
      return asBuffer(await out.Body!.transformToByteArray());
    } catch (err) {
      throw this.fail(err, `read ${key}`);
    }
  }

  async *getStream(key: string): AsyncIterable<Buffer> {
    let body: Readable;
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.settings.bucket, Key: this.objectKey(key) }));
      body = out.Body as Readable;
    } catch (err) {
      throw this.fail(err, `read ${key}`);
    }
    try {
      for await (const chunk of body) yield chunk as Buffer;
    } catch (err) {
      throw this.fail(err, `read ${key}`);
    }
  }

  async getRange(key: string, start: number, length: number): Promise<Buffer> {
    if (length === 0) return Buffer.alloc(0);
    try {
      const out = await this.client.send(
        new GetObjectCommand({ Bucket: this.settings.bucket, Key: this.objectKey(key), Range: `bytes=${start}-${start + length - 1}` }),
      );
      const size = out.ContentLength;
      if (size === undefined) return asBuffer(await out.Body!.transformToByteArray());
      if (!(Number.isSafeInteger(size) && size >= 0 && size <= length)) {
        (out.Body as Readable).destroy();
        throw integrityError(`the store answered ${size} bytes for ${length} asked of ${key}`);
      }
      return await filled(out.Body as Readable, size);
    } catch (err) {
      if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 416) return Buffer.alloc(0);
      throw this.fail(err, `read ${key}`);
    }
  }

  async stat(key: string): Promise<StoredObject | undefined> {
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.settings.bucket, Key: this.objectKey(key) }));
      return { key, size: out.ContentLength ?? 0, modified: out.LastModified ?? new Date(0) };
    } catch (err) {
      const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
      if (e.name === 'NoSuchBucket') throw this.fail(err, `check ${key}`);
      if (e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404) {
        // HEAD answers a bare 404 for a missing bucket too: tell the two apart once.
        await this.checkBucket();
        return undefined;
      }
      throw this.fail(err, `check ${key}`);
    }
  }

  private bucketChecked = false;

  private async checkBucket(): Promise<void> {
    if (this.bucketChecked) return;
    try {
      await this.client.send(new ListObjectsV2Command({ Bucket: this.settings.bucket, Prefix: this.base, MaxKeys: 1 }));
      this.bucketChecked = true;
    } catch (err) {
      throw this.fail(err, 'open the store');
    }
  }

  async *list(prefix: string): AsyncIterable<StoredObject> {
    let token: string | undefined;
    do {
      let page;
      try {
        page = await this.client.send(
          new ListObjectsV2Command({ Bucket: this.settings.bucket, Prefix: this.base + prefix, ContinuationToken: token }),
        );
      } catch (err) {
        throw this.fail(err, `list ${prefix || 'objects'}`);
      }
      for (const obj of page.Contents ?? []) {
        if (!obj.Key) continue;
        yield { key: obj.Key.slice(this.base.length), size: obj.Size ?? 0, modified: obj.LastModified ?? new Date(0) };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async delete(key: string): Promise<void> {
    if (this.retention) {
      this.objectKey(key);
      // A plain delete in a versioned bucket only hides the object: remove every version (and marker) to free it.
      const versions = (await this.retention.versions(key)).get(key) ?? [];
      for (const v of versions) await this.retention.deleteVersion(key, v.versionId);
      return;
    }
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.settings.bucket, Key: this.objectKey(key) }));
    } catch (err) {
      const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status !== 404) throw this.fail(err, `delete ${key}`);
    }
  }

  destroy(): void {
    this.client.destroy();
  }
}
