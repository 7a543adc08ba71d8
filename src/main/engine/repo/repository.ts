import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { DvomError, ObjectNotFoundError, integrityError, isDvomError, notFound, usageError, wrongPassword } from '../errors.ts';
import type { ChunkingSpec } from '../archive/content-job.ts';
import { DEFAULT_CHUNKER_PARAMS, type ChunkerParams } from '../chunker/fastcdc.ts';
import { PUBLIC_GEAR_SEED, gearTableFromSeed } from '../chunker/gear-table.ts';
import { parseKeyFile, unwrapMasterKey, wrapMasterKey, type Credential, type KeyFile, type ScryptParams } from '../crypto/key-file.ts';
import { MASTER_KEY_SIZE, deriveSubkeys, type Subkeys } from '../crypto/subkeys.ts';
import type { StorageBackend } from '../storage/backend.ts';
import { BlobIndex, decodeIndexInto, encodeIndex, type BlobLocation, type BlobType, type PackInfo } from './blob-index.ts';
import { BlobReader } from './blob-reader.ts';
import type { DecodePool } from './decode-pool.ts';
import { BlobWriter, type BlobWriterOptions } from './blob-writer.ts';
import { Layout, idFromKey } from './layout.ts';
import { withLock, type RepoLock } from './lock.ts';
import { ObjectCodec } from './object-codec.ts';
import { REPO_FORMAT, parseRepoConfig, type RepoConfig } from './repo-config.ts';
import { readKeyring, writeKeyring, type Keyring } from './keyring.ts';
import { prestartThreads } from '../engine-threads.ts';
import { checkSeal, sealJson } from './sealed-json.ts';
import {
  coarseStats, newVersionId, parseExclusions, parseVersionFile, parseVersionPrivate, storedOrigin,
  type OpenedVersion, type ReadOrigin, type VersionPrivate, type VersionStats, type VersionSummary,
} from './version-file.ts';
import { decodeAll, encodeAll } from '../crypto/object-cipher.ts';

export interface CreateOptions {
  encrypted: boolean;
  credential?: Credential;
  scrypt?: ScryptParams;
  chunker?: ChunkerParams;
  /** See OpenOptions.threads. */
  threads?: boolean;
}

export interface OpenOptions {
  /**
   * The caller goes on to read or write content (backup, restore, check):
   * the engine threads, which take about 0.1 s of CPU to start, start while
   * the key is derived (some 0.4 s, on libuv's pool) instead of after it.
   */
  threads?: boolean;
  /**
   * The newest key-list generation this machine has seen for the backup: an
   * older list, or none at all, means the list was rolled back or removed.
   */
  minKeyringGeneration?: number;
}

/** How many key files one unlock tries: each costs a key derivation, and a store must not make an unlock take hours. */
export const MAX_KEY_FILES = 16;

export interface KeyInfo {
  id: string;
  label: string;
  createdAt: string;
  kind: 'password' | 'raw-key';
  current: boolean;
}

/** The name the private part of a version is encrypted under (never stored as an object of its own). */
function privatePath(layout: Layout, versionId: string): string {
  return `${layout.version(versionId)}#private`;
}

/** The name a version's exclusions are encrypted under. */
function exclusionsPath(layout: Layout, versionId: string): string {
  return `${layout.version(versionId)}#exclusions`;
}

/** Reads a backup's config without unlocking it (listing needs no password). */
export async function readRepoConfig(backend: StorageBackend, name: string): Promise<RepoConfig> {
  const layout = new Layout(name);
  let raw: Buffer;
  try {
    raw = await backend.get(layout.config);
  } catch (err) {
    if (err instanceof ObjectNotFoundError) throw notFound(`backup '${name}' not found in ${backend.location}`);
    throw err;
  }
  const config = parseRepoConfig(raw, `config of backup '${name}'`);
  if (config.name !== name) throw integrityError(`config of backup '${name}' names another backup ('${config.name}')`);
  return checkSeal(config, undefined, `config of backup '${name}'`);
}

/** Version summaries without unlocking (seals of encrypted backups are checked once unlocked). */
export async function readVersionSummaries(
  backend: StorageBackend,
  layout: Layout,
  metaMac?: Buffer,
): Promise<VersionSummary[]> {
  const out: VersionSummary[] = [];
  for await (const obj of backend.list(layout.versionsPrefix)) {
    if (!obj.key.endsWith('.json')) continue;
    const what = `version ${idFromKey(obj.key)} of backup '${layout.name}'`;
    const doc = parseVersionFile(await backend.get(obj.key), what);
    if (doc.id !== idFromKey(obj.key)) throw integrityError(`${what} was renamed (it says it is ${doc.id})`);
    // A plaintext `engine` is never written (it lives in the private part): whatever claims one is dropped, after the seal saw it.
    const { engine: _plaintext, ...summary } = checkSeal(doc, metaMac, what);
    out.push(summary);
  }
  return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
}

/**
 * One backup: an encrypted (or plain), deduplicated store of versions. Open
 * it with Repository.open / Repository.create; the operations live in the
 * modules that take a Repository (backup, restore, verify, maintenance).
 */
export class Repository {
  readonly backend: StorageBackend;
  readonly layout: Layout;
  readonly config: RepoConfig;
  readonly codec: ObjectCodec;
  private readonly master: Buffer | undefined;
  private openedWith: string | undefined;
  /** The generation of the key list this backup was opened with or last wrote (0: none, as in a plain backup). */
  keyringGeneration: number;

  private constructor(backend: StorageBackend, config: RepoConfig, master: Buffer | undefined, openedWith: string | undefined, keyringGeneration = 0) {
    this.backend = backend;
    this.layout = new Layout(config.name);
    this.config = config;
    this.master = master;
    this.openedWith = openedWith;
    this.keyringGeneration = keyringGeneration;
    this.codec = new ObjectCodec(backend, master ? deriveSubkeys(master) : undefined);
  }

  get name(): string {
    return this.config.name;
  }

  get keys(): Subkeys | undefined {
    return this.codec.keys;
  }

  static async create(backend: StorageBackend, name: string, options: CreateOptions): Promise<Repository> {
    const layout = new Layout(name);
    if (await backend.stat(layout.config)) throw new DvomError('ALREADY_EXISTS', `backup '${name}' already exists`);
    if (options.encrypted && !options.credential) throw usageError('an encrypted backup needs a password or key');
    const config: RepoConfig = {
      format: REPO_FORMAT,
      id: randomBytes(16).toString('hex'),
      name,
      createdAt: new Date().toISOString(),
      encrypted: options.encrypted,
      chunker: options.chunker ?? DEFAULT_CHUNKER_PARAMS,
    };
    if (options.encrypted && options.threads) prestartThreads();
    let master: Buffer | undefined;
    let keyId: string | undefined;
    if (options.encrypted) {
      master = randomBytes(MASTER_KEY_SIZE);
      const file = await wrapMasterKey(master, options.credential!, config.id, {
        label: `created on ${hostname()}`,
        ...(options.scrypt ? { scrypt: options.scrypt } : {}),
      });
      await backend.put(layout.key(file.id), Buffer.from(JSON.stringify(file, null, 2)));
      const keyring: Keyring = { format: 1, type: 'keyring', repoId: config.id, generation: 1, keys: [file.id] };
      await writeKeyring(backend, layout, deriveSubkeys(master).metaMac, keyring, false);
      keyId = file.id;
    }
    const macKey = master ? deriveSubkeys(master).metaMac : undefined;
    // The config is written last: until it exists, the backup does not.
    await backend.put(layout.config, Buffer.from(JSON.stringify(sealJson(config, macKey), null, 2)));
    return new Repository(backend, config, master, keyId, master ? 1 : 0);
  }

  static async open(backend: StorageBackend, name: string, credential?: Credential, options: OpenOptions = {}): Promise<Repository> {
    const layout = new Layout(name);
    const sealed = parseRepoConfig(await backend.get(layout.config).catch((err: unknown) => {
      if (err instanceof ObjectNotFoundError) throw notFound(`backup '${name}' not found in ${backend.location}`);
      throw err;
    }), `config of backup '${name}'`);
    const keyFiles = await Repository.readKeyFiles(backend, layout);
    if (!sealed.encrypted) {
      // A plain config next to keys, with a keyed seal, or opened with a password means someone
      // flipped the flag to make the next backup write plaintext: refuse.
      const downgraded =
        keyFiles.length > 0 || sealed.seal.startsWith('hmac-sha256:') || credential !== undefined;
      if (downgraded) {
        throw integrityError(
          `config of backup '${name}' says it is not encrypted, but ${credential ? 'a password or key was given' : 'it has encryption keys'}; ` +
            'refusing to use it (the config may have been tampered with)',
        );
      }
      return new Repository(backend, checkSeal(sealed, undefined, `config of backup '${name}'`), undefined, undefined);
    }
    if (!credential) throw wrongPassword(`backup '${name}' is encrypted: a password or key is needed`);
    if (keyFiles.length > MAX_KEY_FILES) {
      throw integrityError(
        `backup '${name}' has more than ${MAX_KEY_FILES} key files, more than one unlock tries; ` +
          `remove the ones not in use from ${layout.keysPrefix} in the store`,
      );
    }
    if (options.threads) prestartThreads();
    let revoked: string | undefined;
    for (const file of keyFiles) {
      const master = await unwrapMasterKey(file, credential, sealed.id);
      if (!master) continue;
      const macKey = deriveSubkeys(master).metaMac;
      const config = checkSeal(sealed, macKey, `config of backup '${name}'`);
      const keyring = await Repository.checkedKeyring(backend, layout, config, macKey, keyFiles, options);
      if (!keyring.keys.includes(file.id)) {
        revoked = file.id;
        continue;
      }
      return new Repository(backend, config, master, file.id, keyring.generation);
    }
    if (!keyFiles.length) throw integrityError(`backup '${name}' is encrypted but has no key files`);
    if (revoked) {
      throw integrityError(
        `key ${revoked} of backup '${name}' was removed from the backup (it is not in its sealed key list), ` +
          'but its key file is back in the store: refusing it (an old password or key was put back)',
      );
    }
    throw wrongPassword(
      credential.kind === 'password' ? `wrong password for backup '${name}'` : `wrong key for backup '${name}'`,
    );
  }

  /**
   * The backup's key list, checked against the newest this machine saw. A
   * format 1 backup without one gets one now, listing its current key files
   * (create-only: a list another process wrote first wins); a store that
   * refuses the write keeps opening without one (generation 0).
   */
  private static async checkedKeyring(
    backend: StorageBackend,
    layout: Layout,
    config: RepoConfig,
    macKey: Buffer,
    keyFiles: KeyFile[],
    options: OpenOptions,
  ): Promise<Keyring> {
    const min = options.minKeyringGeneration ?? 0;
    let keyring = await readKeyring(backend, layout, macKey, config.id);
    if (!keyring && (config.format >= 2 || min > 0)) {
      throw integrityError(`backup '${layout.name}' has lost its sealed key list (keyring.json): refusing to trust its key files`);
    }
    if (!keyring) {
      const first: Keyring = { format: 1, type: 'keyring', repoId: config.id, generation: 1, keys: keyFiles.map((f) => f.id) };
      try {
        await writeKeyring(backend, layout, macKey, first, false);
        keyring = first;
      } catch (err) {
        if (!isDvomError(err, 'ALREADY_EXISTS')) return { ...first, generation: 0 };
        keyring = await readKeyring(backend, layout, macKey, config.id);
        if (!keyring) throw err;
      }
    }
    if (keyring.generation < min) {
      throw integrityError(
        `the key list of backup '${layout.name}' is older than one this machine has seen (generation ${keyring.generation} < ${min}): ` +
          'it was rolled back, which would bring back removed passwords; refusing it',
      );
    }
    return keyring;
  }

  private static async readKeyFiles(backend: StorageBackend, layout: Layout): Promise<KeyFile[]> {
    const files: KeyFile[] = [];
    for await (const obj of backend.list(layout.keysPrefix)) {
      // One past the limit is enough to refuse: a store must not make an unlock read thousands.
      if (files.length > MAX_KEY_FILES) break;
      const name = `${idFromKey(obj.key)} of backup '${layout.name}'`;
      const file = parseKeyFile(await backend.get(obj.key), name);
      if (file.id !== idFromKey(obj.key)) throw integrityError(`key file ${name} was renamed`);
      files.push(file);
    }
    return files;
  }

  /** Runs `fn` under the backup's lock (exclusive for writers); `fn` gets the lock to check it before visible steps. */
  locked<T>(operation: string, exclusive: boolean, fn: (lock: RepoLock) => Promise<T>): Promise<T> {
    return withLock(this.backend, this.layout, operation, exclusive, fn);
  }

  /** What chunking and naming chunks takes, for an engine thread to do it (content-job.ts). */
  chunkingSpec(): ChunkingSpec {
    const seed = this.keys ? this.keys.chunkerSeed : PUBLIC_GEAR_SEED;
    return { gear: gearTableFromSeed(seed), params: this.config.chunker, idKey: this.keys?.blobId };
  }

  /** The versions, oldest first; unlocked, with the exact stats and the origin from their private parts. */
  async versions(): Promise<OpenedVersion[]> {
    const list = await readVersionSummaries(this.backend, this.layout, this.keys?.metaMac);
    for (const v of list) {
      if (v.repoId !== this.config.id) throw integrityError(`version ${v.id} belongs to another backup (moved in?)`);
    }
    return Promise.all(list.map(async (v) => {
      // A plain backup's private part is only checksummed (anyone can rewrite it): a bad one costs that
      // version its origin and engine, never the whole list. An encrypted one is authenticated: it fails.
      const part = this.keys ? await this.versionPrivate(v) : await this.versionPrivate(v).catch(() => undefined);
      const origin: ReadOrigin = part?.origin ?? { kind: 'unknown' };
      // Plain backups keep exact plaintext stats; their private part adds the engine and origin.
      const exact = this.keys ? part?.stats : undefined;
      return { ...v, ...(exact ? { stats: exact } : {}), ...(part?.engine ? { engine: part.engine } : {}), origin };
    }));
  }

  /** Finds a version by id, unique id prefix, or 'latest'. */
  async version(ref: string | undefined): Promise<OpenedVersion> {
    const list = await this.versions();
    if (!list.length) throw notFound(`backup '${this.name}' has no versions`);
    if (!ref || ref === 'latest') return list[list.length - 1]!;
    const matches = list.filter((v) => v.id === ref || v.id.startsWith(ref));
    if (matches.length === 1) return matches[0]!;
    if (!matches.length) throw notFound(`backup '${this.name}' has no version '${ref}' (see: dvom versions ${this.name})`);
    throw usageError(`version '${ref}' is ambiguous in backup '${this.name}': ${matches.map((v) => v.id).join(', ')}`);
  }

  /**
   * Loads every index file; `files` lists the index objects read (prune rewrites them).
   * With `only`, the index holds just the blobs of that type ('meta': enough to walk trees,
   * and small however many content chunks there are).
   */
  async loadIndex(only?: BlobType): Promise<{ index: BlobIndex; files: string[] }> {
    const index = new BlobIndex();
    const files: string[] = [];
    for await (const obj of this.backend.list(this.layout.indexPrefix)) {
      decodeIndexInto(index, await this.codec.readObject(obj.key), `index ${idFromKey(obj.key)}`, only);
      files.push(obj.key);
    }
    return { index, files };
  }

  /** The packs one index file names. */
  async indexFilePacks(file: string): Promise<string[]> {
    const index = new BlobIndex();
    decodeIndexInto(index, await this.codec.readObject(file), `index ${idFromKey(file)}`);
    return [...index.packs.keys()];
  }

  blobReader(index: BlobIndex, pool?: DecodePool): BlobReader {
    return new BlobReader(this.codec, this.layout, index, pool);
  }

  blobWriter(index: BlobIndex, options?: BlobWriterOptions): BlobWriter {
    return new BlobWriter(this.codec, this.layout, index, options);
  }

  /** Writes one index file for `packs`: its key (none for no packs) and stored size. */
  async writeIndex(packs: { info: PackInfo; blobs: Iterable<[string, BlobLocation]> }[]): Promise<{ key?: string; bytes: number }> {
    if (!packs.length) return { bytes: 0 };
    const key = this.layout.index(randomBytes(32).toString('hex'));
    return { key, bytes: await this.codec.writeObject(key, encodeIndex(packs)) };
  }

  /**
   * Makes a version visible. Call only after everything it references is
   * stored, holding `lock` (exclusive): a lock that was lost meanwhile means
   * prune may be deleting those data, so no version is written (LOCK_LOST).
   */
  async commitVersion(lock: RepoLock, fields: {
    createdAt: Date;
    sourceKind: VersionSummary['sourceKind'];
    volumes: string[];
    stats: VersionStats;
    root: string;
    private: VersionPrivate;
    /** --exclude patterns, recorded encrypted. */
    exclusions?: string[];
  }): Promise<OpenedVersion> {
    const id = newVersionId(fields.createdAt);
    // Encrypted: exact sizes only in the private part (finding L1).
    const secret = this.keys !== undefined;
    const summary: VersionSummary = {
      format: 1,
      id,
      repoId: this.config.id,
      createdAt: fields.createdAt.toISOString(),
      sourceKind: fields.sourceKind,
      volumes: fields.volumes,
      stats: secret ? coarseStats(fields.stats) : fields.stats,
      root: fields.root,
      // fields.private carries the engine, if any: never a plaintext member.
      private: this.sealPrivate(id, secret ? { ...fields.private, stats: fields.stats } : fields.private),
      ...(fields.exclusions?.length
        ? { exclusions: this.encrypt(exclusionsPath(this.layout, id), { patterns: fields.exclusions }) }
        : {}),
    };
    await lock.assertHeld();
    await this.backend.put(this.layout.version(summary.id), Buffer.from(JSON.stringify(sealJson(summary, this.keys?.metaMac), null, 2)));
    return {
      ...summary,
      stats: fields.stats,
      ...(fields.private.engine ? { engine: fields.private.engine } : {}),
      origin: fields.private.origin ?? { kind: 'unknown' },
    };
  }

  /** The version's private part, encrypted like a stored object and bound to the version (sealed as a whole too). */
  private sealPrivate(versionId: string, value: VersionPrivate): string {
    const { origin, ...rest } = value;
    return this.encrypt(privatePath(this.layout, versionId), origin ? { ...rest, origin: storedOrigin(origin) } : rest);
  }

  private encrypt(name: string, value: unknown): string {
    return encodeAll(this.codec.encoder(name), Buffer.from(JSON.stringify(value))).toString('base64');
  }

  /** The --exclude patterns the version was made with (none recorded: an empty list). */
  versionExclusions(version: VersionSummary): string[] {
    if (version.exclusions === undefined) return [];
    const raw = decodeAll(this.codec.decoder(exclusionsPath(this.layout, version.id)), Buffer.from(version.exclusions, 'base64'));
    return parseExclusions(raw, `exclusions of version ${version.id}`);
  }

  /** A version's private part; undefined for versions written before it existed. */
  async versionPrivate(version: VersionSummary): Promise<VersionPrivate | undefined> {
    if (version.private === undefined) return undefined;
    const what = `private part of version ${version.id}`;
    const raw = decodeAll(this.codec.decoder(privatePath(this.layout, version.id)), Buffer.from(version.private, 'base64'));
    return parseVersionPrivate(raw, what);
  }

  /** The key ids on the sealed key list; every key file when the backup has no list (or no keys: plain). */
  async keyIdsInUse(): Promise<string[]> {
    const keyring = this.keys ? await readKeyring(this.backend, this.layout, this.keys.metaMac, this.config.id) : undefined;
    return keyring ? keyring.keys : (await Repository.readKeyFiles(this.backend, this.layout)).map((f) => f.id);
  }

  async listKeys(): Promise<KeyInfo[]> {
    const files = await Repository.readKeyFiles(this.backend, this.layout);
    return files.map((f) => ({
      id: f.id,
      label: f.label,
      createdAt: f.createdAt,
      kind: f.kdf.type === 'raw' ? 'raw-key' : 'password',
      current: f.id === this.openedWith,
    }));
  }

  /** Adds a password or raw key that unlocks this backup: its key file, then the key list. Call under the exclusive lock. */
  async addKey(credential: Credential, label: string, scrypt?: ScryptParams): Promise<KeyInfo> {
    if (!this.master) throw usageError(`backup '${this.name}' is not encrypted: it has no keys`);
    if ((await this.listKeys()).length >= MAX_KEY_FILES) {
      throw usageError(`backup '${this.name}' has ${MAX_KEY_FILES} keys, as many as an unlock tries: remove one first (dvom key remove)`);
    }
    const file = await wrapMasterKey(this.master, credential, this.config.id, { label, ...(scrypt ? { scrypt } : {}) });
    await this.backend.put(this.layout.key(file.id), Buffer.from(JSON.stringify(file, null, 2)));
    // Written after the key file: a crash in between leaves a key that is refused, never one that cannot be revoked.
    await this.updateKeyring((ids) => [...ids, file.id]);
    return { id: file.id, label, createdAt: file.createdAt, kind: credential.kind, current: false };
  }

  async removeKey(id: string): Promise<void> {
    const keys = await this.listKeys();
    const key = keys.find((k) => k.id === id);
    if (!key) throw notFound(`backup '${this.name}' has no key '${id}'`);
    if (keys.length === 1) throw usageError(`key '${id}' is the only key of backup '${this.name}'; removing it would lose the data`);
    // Off the list first: from then on its key file no longer unlocks, even if it comes back.
    await this.updateKeyring((ids) => ids.filter((k) => k !== id));
    await this.deleteKeyFile(id);
  }

  /**
   * A key file off the list no longer unlocks. In append-only mode a held one
   * cannot be deleted and stays (refused) until its hold ends.
   */
  private async deleteKeyFile(id: string): Promise<void> {
    if (await this.backend.retention?.heldUntil(this.layout.key(id))) return;
    await this.backend.delete(this.layout.key(id));
  }

  /** Replaces the key this backup was opened with by a new one (password change). */
  async changeCredential(credential: Credential, scrypt?: ScryptParams): Promise<KeyInfo> {
    if (!this.openedWith) throw usageError(`backup '${this.name}' is not encrypted: it has no password`);
    const old = this.openedWith;
    const added = await this.addKey(credential, `changed on ${hostname()}`, scrypt);
    await this.updateKeyring((ids) => ids.filter((k) => k !== old));
    await this.deleteKeyFile(old);
    this.openedWith = added.id;
    return { ...added, current: true };
  }

  /** Rewrites the sealed key list (read again: another process may have changed it since this one opened). */
  private async updateKeyring(change: (ids: string[]) => string[]): Promise<void> {
    const macKey = this.keys!.metaMac;
    const current = await readKeyring(this.backend, this.layout, macKey, this.config.id);
    const base = current?.keys ?? (await Repository.readKeyFiles(this.backend, this.layout)).map((f) => f.id);
    const next: Keyring = {
      format: 1,
      type: 'keyring',
      repoId: this.config.id,
      generation: (current?.generation ?? 0) + 1,
      keys: [...new Set(change(base))],
    };
    await writeKeyring(this.backend, this.layout, macKey, next, true);
    this.keyringGeneration = next.generation;
  }
}
