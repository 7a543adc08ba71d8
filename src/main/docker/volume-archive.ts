import { PassThrough, Readable } from 'node:stream';
import type Docker from 'dockerode';
import { DvomError } from '../engine/errors.ts';
import { readTar } from '../engine/tar/tar-reader.ts';
import type { TarHeader } from '../engine/tar/tar-types.ts';
import { TarWriter } from '../engine/tar/tar-writer.ts';
import type { SourceEntry } from '../engine/tree/tree-entry.ts';
import { dockerMessage } from './docker-client.ts';
import { releaseOwned, type FreesOwnedChunks } from '../engine/memory.ts';
import { streamChunks } from './stream-chunks.ts';
import { MOUNT_POINT, createHelper, withVolumeHelper } from './helper-container.ts';

/**
 * A stream to or from the engine that broke without an answer from it (the
 * daemon stopped or restarted mid-transfer), as opposed to an error the
 * engine answered with (those carry an HTTP status).
 */
function engineGone(err: unknown): boolean {
  return !(err instanceof DvomError) && (err as { name?: string })?.name !== 'TarFormatError' && (err as { statusCode?: number })?.statusCode === undefined;
}

function engineLost(volume: string, what: string, err: unknown): DvomError {
  return new DvomError(
    'DOCKER_UNAVAILABLE',
    `the Docker engine stopped ${what} volume '${volume}' (${dockerMessage(err)}): was it restarted? Check that it is running, then run this again`,
  );
}

export interface ReadVolumeOptions {
  signal?: AbortSignal | undefined;
  /** Only this folder (relative to the volume's root), its entries relative to it. */
  folder?: string;
  /**
   * Each piece of a file's body is valid only until the next piece (or
   * entry) is asked for, and its memory is freed then: for a consumer that
   * copies or hashes what it is given (a backup), not one that passes the
   * pieces on (into another archive upload).
   */
  lentBodies?: boolean;
}

/**
 * Streams a volume's files as entries, through the archive API of a
 * never-started helper with the volume mounted read-only. The helper is
 * removed when the stream ends, fails, is cancelled or is abandoned.
 */
export async function* readVolume(docker: Docker, volume: string, options: ReadVolumeOptions = {}): AsyncGenerator<SourceEntry> {
  const { signal, folder = '' } = options;
  const helper = await createHelper(docker, volume, { readOnly: true });
  let raw: Readable | undefined;
  const onAbort = () => raw?.destroy(new DvomError('CANCELLED', 'operation cancelled'));
  try {
    try {
      raw = (await helper.container.getArchive({ path: `${MOUNT_POINT}/${folder ? `${folder}/` : ''}.` })) as unknown as Readable;
    } catch (err) {
      throw new DvomError('ERROR', `cannot read volume '${volume}': ${dockerMessage(err)}`);
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    // File bodies are read by the consumer, outside this generator: a stream the engine broke off
    // reaches it as this coded error, not as a bare "aborted".
    const lost = (err: unknown) => engineLost(volume, 'sending', err);
    // Node's HTTP parser copies each piece of a body into memory of its own, and nothing but this
    // reader takes them from the stream: unread bodies are freed as the reader passes them.
    const chunks = streamChunks(raw, (err) => (engineGone(err) ? lost(err) : err), () => lost(new Error('the stream ended early')));
    yield* readTar(chunks, { ownsChunks: true, lentBodies: options.lentBodies === true });
  } finally {
    signal?.removeEventListener('abort', onAbort);
    raw?.destroy();
    await helper.remove();
  }
}

const ROOT = Buffer.from(MOUNT_POINT.slice(1));

/**
 * Paths in archives written to a volume are relative to the container's root
 * ('volume', 'volume/a/b'): the engine then also applies the mode, owner and
 * time of the volume's root directory, which it skips for the target itself.
 */
function inVolumeArchive(path: Buffer): Buffer {
  return path.length === 1 && path[0] === 0x2e ? ROOT : Buffer.concat([ROOT, Buffer.from('/'), path]);
}

/** The entry with its path, and a hard link's target, passed through `move`. */
export function withMovedPaths<T extends TarHeader>(entry: T, move: (path: Buffer) => Buffer): T {
  const moved = { ...entry, path: move(entry.path) };
  if (entry.type === 'hardlink' && entry.linkTarget) moved.linkTarget = move(entry.linkTarget);
  return moved;
}

/** An entry as written into a volume's archive (see inVolumeArchive). */
export function intoVolumeArchive<T extends TarHeader>(entry: T): T {
  return withMovedPaths(entry, inVolumeArchive);
}

/**
 * Extracts a tar stream into a volume through a never-started helper.
 * `produce` writes the archive (paths from inVolumeArchive) into the given
 * stream and ends it; if it fails, the upload is aborted and its error rethrown.
 */
export async function writeVolume(docker: Docker, volume: string, produce: (out: PassThrough) => Promise<void>): Promise<void> {
  await withVolumeHelper(docker, volume, { readOnly: false }, async (helper) => {
    const body = new ArchiveBody({ highWaterMark: 1024 * 1024 });
    const upload = helper.putArchive(body as unknown as NodeJS.ReadableStream, { path: '/' });
    let produced: unknown;
    /** The upload's failure, when it came while the producer still ran: the cause to report. */
    let failedFirst: DvomError | undefined;
    // An upload that fails first (the engine refused the archive, or went away) takes nothing
    // more: stop the producer at its next write, rather than have it decrypt the rest of a
    // version for nothing (or wait for room for ever).
    let producing = true;
    upload.catch((err: unknown) => {
      if (!producing) return;
      failedFirst = engineGone(err) ? engineLost(volume, 'taking', err) : uploadFailed(volume, err);
      body.destroy(failedFirst);
    });
    try {
      await produce(body);
    } catch (err) {
      produced = err;
      body.destroy(err as Error);
    } finally {
      producing = false;
    }
    try {
      await upload;
    } catch (err) {
      if (failedFirst) throw failedFirst;
      if (produced) throw produced;
      throw uploadFailed(volume, err);
    }
    if (produced) throw produced;
  });
}

function uploadFailed(volume: string, err: unknown): DvomError {
  return new DvomError('ERROR', `cannot write to volume '${volume}': ${dockerMessage(err)}`);
}

/**
 * An archive upload's body. dockerode pipes it into the HTTP request, which
 * holds each chunk until its socket has written it; a plain pipe never says
 * when that is, so restored chunks (memory of their own) could only go at a
 * collection forced every few MiB. This pipe writes each chunk with a
 * callback and frees an owned chunk there (memory.ts), once the socket wrote
 * it or the request failed.
 */
export class ArchiveBody extends PassThrough implements FreesOwnedChunks {
  readonly freesOwnedChunks = true;

  override pipe<T extends NodeJS.WritableStream>(dest: T, options?: { end?: boolean }): T {
    const onData = (chunk: Buffer) => {
      if (!dest.write(chunk, () => releaseOwned(chunk))) this.pause();
    };
    const onDrain = () => this.resume();
    const onEnd = () => {
      if (options?.end !== false) dest.end();
    };
    // A request that closed takes nothing more (the upload's own error says why).
    const onClose = () => {
      this.off('data', onData);
      this.off('end', onEnd);
      dest.removeListener('drain', onDrain);
    };
    dest.on('drain', onDrain);
    dest.once('close', onClose);
    this.on('data', onData);
    this.once('end', onEnd);
    dest.emit('pipe', this);
    return dest;
  }
}

/** True if the volume has nothing but its root directory. */
export async function isVolumeEmpty(docker: Docker, volume: string): Promise<boolean> {
  for await (const { header } of readVolume(docker, volume)) {
    if (!(header.path.length === 1 && header.path[0] === 0x2e)) return false;
  }
  return true;
}

/**
 * Empties a volume. The archive API cannot delete, but extracting a file over
 * a directory makes the engine remove that directory's whole tree first; with
 * the volume mounted at that directory, everything in it is removed and only
 * the unmountable mount point itself fails ("device or resource busy"). The
 * result is checked, so an engine that behaves differently fails loudly.
 */
export async function clearVolume(docker: Docker, volume: string): Promise<void> {
  const parent = '/dvom-clear';
  await withVolumeHelper(docker, volume, { readOnly: false, mountPoint: `${parent}/v` }, async (helper) => {
    const body = new PassThrough();
    const tar = new TarWriter(body);
    const upload = helper.putArchive(body as unknown as NodeJS.ReadableStream, { path: parent });
    await tar.add({ path: Buffer.from('v'), type: 'file', mode: 0o600, uid: 0, gid: 0, mtimeMs: 0, size: 0 }, Readable.from([]));
    await tar.finish();
    try {
      await upload;
    } catch (err) {
      if (!/device or resource busy/i.test(dockerMessage(err))) {
        throw new DvomError('ERROR', `cannot clear volume '${volume}': ${dockerMessage(err)}`);
      }
    }
  });
  if (!(await isVolumeEmpty(docker, volume))) {
    throw new DvomError('ERROR', `could not clear volume '${volume}': this Docker engine kept some of its files`);
  }
}

/** Copies one volume's contents into another (both through the archive API; no decryption involved). */
export async function copyVolume(docker: Docker, from: string, to: string): Promise<void> {
  await writeVolume(docker, to, async (out) => {
    const tar = new TarWriter(out);
    for await (const { header, body } of readVolume(docker, from)) {
      await tar.add(intoVolumeArchive(header), header.type === 'file' ? body : undefined);
    }
    await tar.finish();
  });
}
