import type { SchedulePreview } from '../../shared/api/contract.ts';
import type { Retention } from '../../shared/schedule.ts';
import { isDvomError } from '../engine/errors.ts';
import { applyRetention } from '../engine/ops/retention.ts';
import { sameOrigin, type ReadOrigin } from '../engine/repo/version-file.ts';
import type { StorageBackend } from '../engine/storage/backend.ts';
import type { SecretStore } from '../secrets/secret-store.ts';
import { keychainUnlock, versionsWithVerification } from './catalog.ts';

/**
 * Which versions of a backup a schedule's rules would keep and remove, with
 * what made each: the same decision a run makes (forget with the schedule's
 * scope). Origins are stored encrypted, so an encrypted backup whose password
 * is not remembered lists them as unknown. Undefined when the backup does not
 * exist yet or has no versions.
 */
export async function retentionPreview(
  store: StorageBackend,
  secrets: SecretStore,
  backup: string,
  policy: Retention,
  only: ReadOrigin | undefined,
): Promise<SchedulePreview['retention']> {
  const versions = await versionsWithVerification(store, backup, keychainUnlock(store, secrets)).catch((err: unknown) => {
    if (isDvomError(err, 'NOT_FOUND')) return [];
    throw err;
  });
  if (!versions.length) return undefined;
  const seen = only ? versions.filter((v) => sameOrigin(v.origin, only)) : versions;
  const decision = applyRetention(seen, policy);
  return {
    keep: decision.keep.map(({ version, reasons }) => ({ id: version.id, createdAt: version.createdAt, reasons, origin: { ...version.origin } })),
    remove: decision.remove.map((v) => ({ id: v.id, createdAt: v.createdAt, origin: { ...v.origin } })),
    ...(only ? { untouched: versions.length - seen.length } : {}),
    ...(versions.some((v) => !v.checked) ? { originsUnknown: true as const } : {}),
  };
}
