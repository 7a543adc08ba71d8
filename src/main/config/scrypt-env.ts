import { usageError } from '../engine/errors.ts';
import { SCRYPT_LIMITS, type ScryptParams } from '../engine/crypto/key-file.ts';

/**
 * scrypt cost for new keys. DVOM_SCRYPT_N lowers it for tests and very slow
 * devices (warned); the default is N=2^17, r=8.
 */
export function scryptFromEnv(warn: (text: string) => void): ScryptParams | undefined {
  const raw = process.env.DVOM_SCRYPT_N;
  if (!raw) return undefined;
  const N = Number(raw);
  // r=8: the limits' 1 MiB floor and 1 GiB cap are N=2^10 and N=2^20.
  if (!Number.isInteger(N) || N < SCRYPT_LIMITS.minN || (N & (N - 1)) !== 0 || N > SCRYPT_LIMITS.maxN) {
    throw usageError(`DVOM_SCRYPT_N must be a power of two between 1024 (2^10) and 1048576 (2^20), got '${raw}'`);
  }
  if (N < 2 ** 17) warn(`DVOM_SCRYPT_N=${N} is below the default 131072: passwords are cheaper to guess`);
  return { N, r: 8, p: 1 };
}
