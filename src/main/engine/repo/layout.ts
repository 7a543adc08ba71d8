import { usageError } from '../errors.ts';

/**
 * Where a backup's objects live inside a store:
 *
 *   backups/<name>/config.json        plaintext, authenticated repository config
 *   backups/<name>/keys/<id>.json     master key wrapped per password / raw key
 *   backups/<name>/keyring.json       sealed list of the key ids that may unlock it
 *   backups/<name>/versions/<id>.json plaintext, authenticated version summaries
 *   backups/<name>/index/<id>         encrypted blob → pack index
 *   backups/<name>/packs/<xx>/<id>    encrypted packs of chunks and metadata
 *   backups/<name>/verified/<id>.json plaintext, sealed record of a version's last successful test restore
 *   backups/<name>/locks/<id>.json    writer / reader locks
 */
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function checkBackupName(name: string): string {
  if (!NAME_PATTERN.test(name)) {
    throw usageError(
      `invalid backup name '${name}': use 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit`,
    );
  }
  return name;
}

export const BACKUPS_PREFIX = 'backups';

export class Layout {
  readonly name: string;
  readonly root: string;
  constructor(name: string) {
    this.name = checkBackupName(name);
    this.root = `${BACKUPS_PREFIX}/${name}`;
  }
  get config() {
    return `${this.root}/config.json`;
  }
  get keysPrefix() {
    return `${this.root}/keys/`;
  }
  get keyring() {
    return `${this.root}/keyring.json`;
  }
  key(id: string) {
    return `${this.root}/keys/${id}.json`;
  }
  get versionsPrefix() {
    return `${this.root}/versions/`;
  }
  version(id: string) {
    return `${this.root}/versions/${id}.json`;
  }
  get indexPrefix() {
    return `${this.root}/index/`;
  }
  index(id: string) {
    return `${this.root}/index/${id}`;
  }
  get packsPrefix() {
    return `${this.root}/packs/`;
  }
  pack(id: string) {
    return `${this.root}/packs/${id.slice(0, 2)}/${id}`;
  }
  get verifiedPrefix() {
    return `${this.root}/verified/`;
  }
  verified(versionId: string) {
    return `${this.root}/verified/${versionId}.json`;
  }
  get locksPrefix() {
    return `${this.root}/locks/`;
  }
  lock(id: string) {
    return `${this.root}/locks/${id}.json`;
  }
}

/** The id part of a key under one of the prefixes ("…/versions/abc.json" → "abc"). */
export function idFromKey(key: string): string {
  const base = key.slice(key.lastIndexOf('/') + 1);
  return base.endsWith('.json') ? base.slice(0, -5) : base;
}
