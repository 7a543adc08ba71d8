import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  GetObjectLockConfigurationCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutObjectRetentionCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { DvomError } from '../errors.ts';
import { checkKey, type ObjectVersion, type RetainingStore } from './backend.ts';

/** S3 Object Lock settings of a target in append-only mode. */
export interface ObjectLockSettings {
  /**
   * COMPLIANCE: nobody can shorten or lift a hold, not even the bucket owner.
   * GOVERNANCE: a user with s3:BypassGovernanceRetention can (so the DVOM
   * credentials must lack that permission, or the mode protects nothing).
   */
  mode: 'COMPLIANCE' | 'GOVERNANCE';
  retentionMs: number;
}

interface Context {
  client: S3Client;
  bucket: string;
  /** The store's prefix inside the bucket ('' or ending in '/'). */
  base: string;
  location: string;
  fail(err: unknown, what: string): DvomError;
}

const status = (err: unknown) => (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;

/** The versioned side of an S3 store with Object Lock: holds, versions, and putting a version back. */
export class S3Retention implements RetainingStore {
  readonly mode: ObjectLockSettings['mode'];
  readonly retentionMs: number;
  private readonly ctx: Context;
  private checked: Promise<void> | undefined;

  constructor(settings: ObjectLockSettings, ctx: Context) {
    this.mode = settings.mode;
    this.retentionMs = settings.retentionMs;
    this.ctx = ctx;
  }

  /** The bucket key of a store key, checked like every key the backend takes. */
  private objectKey(key: string): string {
    checkKey(key);
    return this.ctx.base + key;
  }

  /** Mode and date for a new object that must be held. */
  holdParams(): { ObjectLockMode: ObjectLockSettings['mode']; ObjectLockRetainUntilDate: Date } {
    return { ObjectLockMode: this.mode, ObjectLockRetainUntilDate: new Date(Date.now() + this.retentionMs) };
  }

  check(): Promise<void> {
    this.checked ??= (async () => {
      let enabled = false;
      try {
        const out = await this.ctx.client.send(new GetObjectLockConfigurationCommand({ Bucket: this.ctx.bucket }));
        enabled = out.ObjectLockConfiguration?.ObjectLockEnabled === 'Enabled';
      } catch (err) {
        const name = (err as { name?: string }).name;
        if (name !== 'ObjectLockConfigurationNotFoundError' && status(err) !== 404) throw this.ctx.fail(err, 'read the bucket\'s Object Lock setting');
      }
      if (!enabled) {
        throw new DvomError(
          'ERROR',
          `bucket '${this.ctx.bucket}' of ${this.ctx.location} does not have S3 Object Lock enabled, which append-only mode needs; ` +
            'Object Lock can only be enabled when a bucket is created: create a new bucket with it enabled',
        );
      }
    })();
    this.checked.catch(() => (this.checked = undefined));
    return this.checked;
  }

  async versionHeldUntil(key: string, versionId: string): Promise<Date | undefined> {
    try {
      const out = await this.ctx.client.send(
        new HeadObjectCommand({ Bucket: this.ctx.bucket, Key: this.objectKey(key), VersionId: versionId }),
      );
      const until = out.ObjectLockRetainUntilDate;
      return until && until.getTime() > Date.now() ? until : undefined;
    } catch (err) {
      // 405: a delete marker, which is never held; 404: the version is gone.
      if (status(err) === 405 || status(err) === 404) return undefined;
      throw this.ctx.fail(err, `check the hold of ${key}`);
    }
  }

  async heldUntil(key: string): Promise<Date | undefined> {
    let latest: Date | undefined;
    for (const v of (await this.versions(key)).get(key) ?? []) {
      if (v.deleteMarker) continue;
      const until = await this.versionHeldUntil(key, v.versionId);
      if (until && (!latest || until > latest)) latest = until;
    }
    return latest;
  }

  async versions(prefix: string): Promise<Map<string, ObjectVersion[]>> {
    const out = new Map<string, ObjectVersion[]>();
    const add = (key: string | undefined, v: ObjectVersion) => {
      if (!key?.startsWith(this.ctx.base)) return;
      const rel = key.slice(this.ctx.base.length);
      // Names DVOM never writes (someone else's) are not ours to read, restore or delete.
      try {
        checkKey(rel);
      } catch {
        return;
      }
      let list = out.get(rel);
      if (!list) out.set(rel, (list = []));
      list.push(v);
    };
    let keyMarker: string | undefined;
    let versionMarker: string | undefined;
    do {
      let page;
      try {
        page = await this.ctx.client.send(
          new ListObjectVersionsCommand({ Bucket: this.ctx.bucket, Prefix: this.ctx.base + prefix, KeyMarker: keyMarker, VersionIdMarker: versionMarker }),
        );
      } catch (err) {
        throw this.ctx.fail(err, `list the versions of ${prefix || 'objects'}`);
      }
      for (const v of page.Versions ?? []) {
        add(v.Key, {
          versionId: v.VersionId ?? 'null',
          modified: v.LastModified ?? new Date(0),
          size: v.Size ?? 0,
          deleteMarker: false,
          latest: !!v.IsLatest,
          ...(v.ETag ? { etag: v.ETag } : {}),
        });
      }
      for (const m of page.DeleteMarkers ?? []) {
        add(m.Key, { versionId: m.VersionId ?? 'null', modified: m.LastModified ?? new Date(0), size: 0, deleteMarker: true, latest: !!m.IsLatest });
      }
      keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
      versionMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
    } while (keyMarker);
    // Newest first; the current version (or marker) leads when two share a time.
    for (const list of out.values()) {
      list.sort((a, b) => Number(b.latest) - Number(a.latest) || b.modified.getTime() - a.modified.getTime());
    }
    return out;
  }

  async getVersion(key: string, versionId: string): Promise<Buffer> {
    try {
      const out = await this.ctx.client.send(new GetObjectCommand({ Bucket: this.ctx.bucket, Key: this.objectKey(key), VersionId: versionId }));
      const bytes = await out.Body!.transformToByteArray();
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    } catch (err) {
      throw this.ctx.fail(err, `read ${key} (version ${versionId})`);
    }
  }

  async deleteVersion(key: string, versionId: string): Promise<void> {
    try {
      await this.ctx.client.send(new DeleteObjectCommand({ Bucket: this.ctx.bucket, Key: this.objectKey(key), VersionId: versionId }));
    } catch (err) {
      if (status(err) !== 404) throw this.ctx.fail(err, `delete ${key} (version ${versionId})`);
    }
  }

  async extend(key: string, until: Date): Promise<void> {
    try {
      await this.ctx.client.send(
        new PutObjectRetentionCommand({ Bucket: this.ctx.bucket, Key: this.objectKey(key), Retention: { Mode: this.mode, RetainUntilDate: until } }),
      );
    } catch (err) {
      throw this.ctx.fail(err, `extend the hold of ${key}`);
    }
  }

  /** The retain-until date of the current version of `key` (past or future), if it has one. */
  async currentHold(key: string): Promise<Date | undefined> {
    try {
      const out = await this.ctx.client.send(new HeadObjectCommand({ Bucket: this.ctx.bucket, Key: this.objectKey(key) }));
      return out.ObjectLockRetainUntilDate;
    } catch (err) {
      throw this.ctx.fail(err, `check the hold of ${key}`);
    }
  }

  async promote(key: string, versionId: string, until: Date | undefined): Promise<void> {
    const Key = this.objectKey(key);
    try {
      await this.ctx.client.send(
        new CopyObjectCommand({
          Bucket: this.ctx.bucket,
          Key,
          // Keys and version ids use URL-safe characters only (checkKey; S3 version ids).
          CopySource: `${this.ctx.bucket}/${Key}?versionId=${encodeURIComponent(versionId)}`,
          ...(until ? { ObjectLockMode: this.mode, ObjectLockRetainUntilDate: until } : {}),
        }),
      );
    } catch (err) {
      throw this.ctx.fail(err, `put back ${key} (version ${versionId})`);
    }
  }
}
