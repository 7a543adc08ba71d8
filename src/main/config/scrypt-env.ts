import { usageError } from '../engine/errors.ts';
import type { ScryptParams } from '../engine/crypto/key-file.ts';

/**
 * scrypt cost for new keys. DVOM_SCRYPT_N lowers it for tests and very slow
 * devices (warned); the default is N=2^17, r=8.
 */
export function scryptFromEnv(warn: (text: string) => void): ScryptParams | undefined {
  const raw = process.env.DVOM_SCRYPT_N;
  if (!raw) return undefined;
  const N = Number(raw);
  if (!Number.isInteger(N) || N < 2 || (N & (N - 1)) !== 0 || N > 2 ** 24) {
    throw usageError(`DVOM_SCRYPT_N must be a power of two between 2 and 2^24, got '${raw}'`);
  }
  if (N < 2 ** 17) warn(`DVOM_SCRYPT_N=${N} is below the default 131072: passwords are cheaper to guess`);
  return { N, r: 8, p: 1 };
}
