import { argon2, createCipheriv, createDecipheriv, hkdfSync, randomBytes, scrypt } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { promisify } from 'node:util';
import { integrityError, isDvomError, usageError } from '../errors.ts';
import { MASTER_KEY_SIZE } from './subkeys.ts';
import { rememberedKek } from './kek-cache.ts';

const scryptAsync = promisify(scrypt) as (
  password: Buffer,
  salt: Buffer,
  keylen: number,
  options: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>;

/** A credential that can unlock a backup: a password, or a raw 32-byte key (--key-file, DVOM_KEY). */
export type Credential = { kind: 'password'; password: string } | { kind: 'raw-key'; key: Buffer };

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/** scrypt keys written by earlier versions (N=2^17, r=8: 128 MiB); still opened, and made when DVOM_SCRYPT_N asks. */
export const DEFAULT_SCRYPT: ScryptParams = { N: 2 ** 17, r: 8, p: 1 };

export interface Argon2Params {
  /** Memory in KiB. */
  memoryKiB: number;
  passes: number;
  parallelism: number;
}

/**
 * New password keys: Argon2id over 19 MiB with 40 passes. As costly per guess
 * as restic's default or more: restic calibrates scrypt to about 0.5 s within
 * 60 MiB, which on a 2-core machine gave N=2^15, r=8, p=6 (32 MiB filled and
 * mixed six times: 32 MiB x 384 MiB of block operations); this is 19 MiB x
 * 760 MiB (18 % more memory-time for an attacker) and takes as long in
 * OpenSSL (about 0.4-0.5 s of CPU). Memory is OWASP's 19 MiB minimum and time
 * is bought with passes, so unlocking never sets a backup's peak memory;
 * OpenSSL frees it when the call returns, before any data flows.
 *
 * The memory is split into one lane per core of the machine making the key
 * (4 at most), which OpenSSL fills on threads of their own: the same blocks
 * and memory per guess, so the same cost to an attacker, but the user waits
 * for it on all cores at once (0.26 s instead of 0.47 s on 2 cores). Opening
 * on fewer cores costs the same CPU, one lane after another.
 *
 * Keys made with other parameters (earlier defaults: 32 MiB and 4 passes, or
 * one lane) keep theirs.
 */
export const DEFAULT_ARGON2: Argon2Params = { memoryKiB: 19 * 1024, passes: 40, parallelism: Math.min(4, availableParallelism()) };

/**
 * Fixed bounds for parameters read from a key file: a hostile store must not
 * make an unlock allocate gigabytes or run for hours, and no key may be weaker
 * than OWASP's Argon2id minimum (19 MiB, 2 passes).
 */
const ARGON2_LIMITS = { minMemoryKiB: 19 * 1024, maxMemoryKiB: 1024 * 1024, minPasses: 2, maxPasses: 64, maxParallelism: 16 };

export type KdfParams =
  | ({ type: 'scrypt' } & ScryptParams & { salt: string })
  | ({ type: 'argon2id' } & Argon2Params & { salt: string })
  | { type: 'raw'; salt: string };

/** The stored (plaintext) form of one key: KDF parameters and the wrapped master key. */
export interface KeyFile {
  format: 1;
  id: string;
  createdAt: string;
  label: string;
  kdf: KdfParams;
  /** base64(nonce | AES-256-GCM(master key) | tag) */
  wrapped: string;
}

/**
 * The KDF parameters in the order new keys have always written them, whatever
 * order the file has now: a tool that reformats the JSON (sorted members) must
 * not make a key unopenable.
 */
function canonicalKdf(kdf: KdfParams): KdfParams {
  if (kdf.type === 'scrypt') return { type: kdf.type, N: kdf.N, r: kdf.r, p: kdf.p, salt: kdf.salt };
  if (kdf.type === 'argon2id') return { type: kdf.type, memoryKiB: kdf.memoryKiB, passes: kdf.passes, parallelism: kdf.parallelism, salt: kdf.salt };
  return { type: kdf.type, salt: kdf.salt };
}

function aad(repoId: string, keyId: string, kdf: KdfParams): Buffer {
  // Binds the wrapped key to its backup, key id and KDF parameters: editing any of them fails the unwrap.
  return Buffer.from(JSON.stringify(['dvom key v1', repoId, keyId, canonicalKdf(kdf)]));
}

/**
 * Fixed bounds for scrypt parameters read from a key file (or asked for by
 * DVOM_SCRYPT_N). Memory is 128·N·r bytes and work grows with N·r·p: the caps
 * keep a hostile key file from making an unlock allocate or compute for long
 * (the default, N=2^17 r=8 p=1, is 128 MiB); the floor (1 MiB, N=2^10 r=8)
 * refuses degenerate parameters that make a password nearly free to guess.
 */
export const SCRYPT_LIMITS = {
  minN: 2 ** 10,
  maxN: 2 ** 20,
  maxR: 32,
  maxP: 16,
  minMemoryBytes: 1024 * 1024,
  maxMemoryBytes: 1024 * 1024 * 1024,
  /** 128·N·r·p: sixteen times the default's work. */
  maxWorkBytes: 16 * 128 * 1024 * 1024,
};

/** The fixed memory limit handed to scrypt: above every accepted parameter set, never computed from the file. */
const SCRYPT_MAXMEM = SCRYPT_LIMITS.maxMemoryBytes + 16 * 1024 * 1024;

export function validateScryptParams(p: ScryptParams): void {
  const memory = 128 * p.N * p.r;
  const problem =
    !(Number.isInteger(p.N) && (p.N & (p.N - 1)) === 0 && Number.isInteger(p.r) && p.r >= 1 && Number.isInteger(p.p) && p.p >= 1)
      ? 'are invalid (N must be a power of two, r and p positive integers)'
      : p.N < SCRYPT_LIMITS.minN || memory < SCRYPT_LIMITS.minMemoryBytes
        ? 'are below the floor (N >= 2^10 and at least 1 MiB of memory)'
        : p.N > SCRYPT_LIMITS.maxN || p.r > SCRYPT_LIMITS.maxR || p.p > SCRYPT_LIMITS.maxP
          ? `exceed the caps (N <= 2^20, r <= ${SCRYPT_LIMITS.maxR}, p <= ${SCRYPT_LIMITS.maxP})`
          : memory > SCRYPT_LIMITS.maxMemoryBytes || memory * p.p > SCRYPT_LIMITS.maxWorkBytes
            ? 'exceed the memory or work limit (1 GiB of memory, 16 times the default work)'
            : undefined;
  if (problem) throw integrityError(`scrypt parameters N=${p.N} r=${p.r} p=${p.p} ${problem}`);
}

export function validateArgon2Params(p: Argon2Params): void {
  const ok =
    Number.isInteger(p.memoryKiB) && Number.isInteger(p.passes) && Number.isInteger(p.parallelism) &&
    p.parallelism >= 1 && p.parallelism <= ARGON2_LIMITS.maxParallelism &&
    p.memoryKiB >= Math.max(ARGON2_LIMITS.minMemoryKiB, 8 * p.parallelism) && p.memoryKiB <= ARGON2_LIMITS.maxMemoryKiB &&
    p.passes >= ARGON2_LIMITS.minPasses && p.passes <= ARGON2_LIMITS.maxPasses;
  if (!ok) throw integrityError(`invalid Argon2id parameters m=${p.memoryKiB} KiB t=${p.passes} p=${p.parallelism}`);
}

function argon2id(password: Buffer, salt: Buffer, p: Argon2Params): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    argon2(
      'argon2id',
      { message: password, nonce: salt, memory: p.memoryKiB, passes: p.passes, parallelism: p.parallelism, tagLength: 32 },
      (err, key) => (err ? reject(err) : resolve(Buffer.from(key))),
    ),
  );
}

function passwordBytes(credential: { password: string }): Buffer {
  return Buffer.from(credential.password.normalize('NFC'), 'utf8');
}

async function deriveKek(credential: Credential, kdf: KdfParams): Promise<Buffer> {
  const salt = Buffer.from(kdf.salt, 'base64');
  if (kdf.type === 'raw') {
    if (credential.kind !== 'raw-key') return Buffer.alloc(0);
    return Buffer.from(hkdfSync('sha256', credential.key, salt, 'dvom raw-kek v1', 32));
  }
  if (credential.kind !== 'password') return Buffer.alloc(0);
  const password = passwordBytes(credential);
  if (kdf.type === 'argon2id') {
    validateArgon2Params(kdf);
    return rememberedKek(password, kdf, () => argon2id(password, salt, kdf));
  }
  validateScryptParams(kdf);
  return rememberedKek(password, kdf, () => scryptAsync(password, salt, 32, { N: kdf.N, r: kdf.r, p: kdf.p, maxmem: SCRYPT_MAXMEM }));
}

export async function wrapMasterKey(
  master: Buffer,
  credential: Credential,
  repoId: string,
  options: { label: string; scrypt?: ScryptParams },
): Promise<KeyFile> {
  const id = randomBytes(8).toString('hex');
  const salt = randomBytes(32).toString('base64');
  // An explicit scrypt cost (DVOM_SCRYPT_N, tests) keeps the older KDF; otherwise Argon2id.
  const kdf: KdfParams =
    credential.kind !== 'password'
      ? { type: 'raw', salt }
      : options.scrypt
        ? { type: 'scrypt', ...options.scrypt, salt }
        : { type: 'argon2id', ...DEFAULT_ARGON2, salt };
  const kek = await deriveKek(credential, kdf);
  // The KEK comes from a fresh salt and wraps exactly one key, so a random nonce is never reused under it.
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', kek, nonce);
  cipher.setAAD(aad(repoId, id, kdf));
  const body = Buffer.concat([cipher.update(master), cipher.final()]);
  return {
    format: 1,
    id,
    createdAt: new Date().toISOString(),
    label: options.label,
    kdf,
    wrapped: Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64'),
  };
}

/** Returns the master key, or undefined if the credential does not open this key file. */
export async function unwrapMasterKey(file: KeyFile, credential: Credential, repoId: string): Promise<Buffer | undefined> {
  const kek = await deriveKek(credential, file.kdf).catch((err: unknown) => {
    // Parameters out of bounds: say which key file, so it can be removed.
    if (isDvomError(err, 'INTEGRITY')) throw integrityError(`key ${file.id}: ${err.message}`);
    throw err;
  });
  if (kek.length === 0) return undefined;
  const wrapped = Buffer.from(file.wrapped, 'base64');
  if (wrapped.length !== 12 + MASTER_KEY_SIZE + 16) throw integrityError(`key ${file.id}: wrapped key has the wrong size`);
  const decipher = createDecipheriv('aes-256-gcm', kek, wrapped.subarray(0, 12));
  decipher.setAAD(aad(repoId, file.id, file.kdf));
  decipher.setAuthTag(wrapped.subarray(12 + MASTER_KEY_SIZE));
  const master = decipher.update(wrapped.subarray(12, 12 + MASTER_KEY_SIZE));
  try {
    decipher.final();
  } catch {
    return undefined;
  }
  return master;
}

/** Parses and validates a key file read from the store. */
export function parseKeyFile(raw: Buffer, name: string): KeyFile {
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch {
    throw integrityError(`key file ${name} is not valid JSON`);
  }
  const f = value as Partial<KeyFile> | null;
  const kdf = f?.kdf as Partial<KdfParams> | undefined;
  const valid =
    f && f.format === 1 && typeof f.id === 'string' && /^[0-9a-f]{16}$/.test(f.id) &&
    typeof f.wrapped === 'string' && typeof f.label === 'string' && typeof f.createdAt === 'string' &&
    kdf && typeof kdf.salt === 'string' &&
    (kdf.type === 'raw' ||
      (kdf.type === 'scrypt' && typeof kdf.N === 'number' && typeof kdf.r === 'number' && typeof kdf.p === 'number') ||
      (kdf.type === 'argon2id' && typeof kdf.memoryKiB === 'number' && typeof kdf.passes === 'number' && typeof kdf.parallelism === 'number'));
  if (!valid) throw integrityError(`key file ${name} is malformed`);
  return f as KeyFile;
}

/** Reads a raw key given as base64 (DVOM_KEY or --key-file contents). */
export function parseRawKey(text: string, source: string): Buffer {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== 32 || key.toString('base64') !== text.trim().replace(/\s/g, '')) {
    throw usageError(`${source} must hold exactly 32 bytes encoded as base64 (e.g. from: openssl rand -base64 32)`);
  }
  return key;
}
