import { DvomError, ObjectNotFoundError } from '../errors.ts';

interface SdkError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $fault?: string;
}

/** Turns an AWS SDK error into a DvomError a user can act on (never includes credentials). */
export function s3Error(err: unknown, what: string, location: string, endpoint: string | undefined): DvomError {
  if (err instanceof DvomError) return err;
  const e = (err ?? {}) as SdkError;
  const name = e.name ?? e.code ?? '';
  const status = e.$metadata?.httpStatusCode;
  const where = endpoint ? ` at ${endpoint}` : '';
  if (name === 'NoSuchBucket') return new DvomError('NOT_FOUND', `bucket of ${location} does not exist${where}; create it first`);
  if (name === 'NoSuchKey' || name === 'NotFound' || status === 404) return new ObjectNotFoundError(`${what}: not found in ${location}`);
  if (name === 'InvalidAccessKeyId' || name === 'SignatureDoesNotMatch' || name === 'InvalidToken' || name === 'ExpiredToken') {
    return new DvomError('ERROR', `S3 rejected the credentials for ${location}${where} (${name}); check the access key and secret`);
  }
  if (name === 'AccessDenied' || status === 403) {
    return new DvomError('ERROR', `access denied to ${location}${where} while trying to ${what}; check the credentials' permissions`);
  }
  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(e.message ?? '')) {
    return new DvomError(
      'ERROR',
      `no S3 credentials found for ${location}: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, choose a profile (--s3-profile), or store them in the keychain`,
    );
  }
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code && /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EPIPE|EHOSTUNREACH)$/.test(code)) {
    return new DvomError('ERROR', `cannot reach the S3 endpoint${where || ` of ${location}`} (${code}) while trying to ${what}`);
  }
  const detail = [name, status ? `HTTP ${status}` : '', e.message ?? ''].filter(Boolean).join(': ');
  return new DvomError('ERROR', `S3 error while trying to ${what} in ${location}${where}: ${detail || String(err)}`);
}
