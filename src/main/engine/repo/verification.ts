import { integrityError } from '../errors.ts';
import type { StorageBackend } from '../storage/backend.ts';
import { idFromKey, type Layout } from './layout.ts';
import type { Repository } from './repository.ts';
import { checkSeal, parseJsonObject, sealJson, type Sealed } from './sealed-json.ts';

/**
 * When a version was last proven restorable (a test restore or a full data
 * check). Plaintext like the version summaries, so lists show it without a
 * password, and sealed the same way.
 */
export interface VerificationRecord {
  format: 1;
  repoId: string;
  versionId: string;
  verifiedAt: string;
  method: 'test-restore' | 'read-data';
  files: number;
  bytes: number;
}

export async function recordVerification(
  repo: Repository,
  fields: Omit<VerificationRecord, 'format' | 'repoId' | 'verifiedAt'>,
  at = new Date(),
): Promise<VerificationRecord> {
  const record: VerificationRecord = { format: 1, repoId: repo.config.id, verifiedAt: at.toISOString(), ...fields };
  await repo.backend.put(repo.layout.verified(fields.versionId), Buffer.from(JSON.stringify(sealJson(record, repo.keys?.metaMac))), {
    overwrite: true,
    mutable: true,
  });
  return record;
}

/**
 * The latest verification per version id. Unreadable records are skipped:
 * they only inform. With the backup's key (`check`), a record whose seal
 * fails, or that belongs to another backup, is skipped too.
 */
export async function readVerifications(
  backend: StorageBackend,
  layout: Layout,
  check?: { macKey: Buffer; repoId: string },
): Promise<Map<string, VerificationRecord>> {
  const out = new Map<string, VerificationRecord>();
  for await (const obj of backend.list(layout.verifiedPrefix)) {
    try {
      const doc = parseJsonObject(await backend.get(obj.key), `verification ${idFromKey(obj.key)}`) as unknown as Sealed<VerificationRecord>;
      const record = checkSeal(doc, check?.macKey, `verification record ${idFromKey(obj.key)}`);
      if (record.versionId !== idFromKey(obj.key) || typeof record.verifiedAt !== 'string') throw integrityError('mismatched record');
      if (check && record.repoId !== check.repoId) throw integrityError('record of another backup');
      out.set(record.versionId, record);
    } catch {
      continue;
    }
  }
  return out;
}

/** Removes a deleted version's record. */
export function forgetVerification(repo: Repository, versionId: string): Promise<void> {
  return repo.backend.delete(repo.layout.verified(versionId));
}
