import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { DvomError } from '../engine/errors.ts';
import { readTar } from '../engine/tar/tar-reader.ts';
import { dockerMessage, dockerStatus } from './docker-client.ts';
import { MOUNT_POINT, createHelper } from './helper-container.ts';

/** What is at a path of a volume, never following a symbolic link. */
export type PathKind = 'dir' | 'file' | 'symlink' | 'other';

// Go's os.FileMode bits, as the engine's path stat reports them.
const MODE_DIR = 2 ** 31;
const MODE_SYMLINK = 2 ** 27;
/** Device, named pipe, socket, character device, irregular. */
const MODE_SPECIAL = [2 ** 26, 2 ** 25, 2 ** 24, 2 ** 21, 2 ** 19];
// Modes reach 2^31: bitwise operators would see a negative number.
const has = (mode: number, bit: number) => Math.floor(mode / bit) % 2 === 1;

export interface VolumeListing {
  /**
   * What is at each folder leading to `rel` and at `rel` itself (relative to
   * the volume's root), from the top down, ending at the first that is not a
   * real folder: nothing is looked up through a symbolic link.
   */
  walk(rel: string): Promise<[string, PathKind | null][]>;
  /** Every path below the real folder `rel` ('' for the root) with its kind, relative to the volume's root. */
  below(rel: string): AsyncGenerator<[string, PathKind]>;
  close(): Promise<void>;
}

/**
 * Looks at a volume through a never-started helper with it mounted read-only.
 * The engine resolves all but the last component of a path it is asked
 * about, so each folder on the way is asked about first, from the root down,
 * and a symbolic link there stops the walk: nothing is looked up through a link.
 */
export async function listVolume(docker: Docker, volume: string): Promise<VolumeListing> {
  const helper = await createHelper(docker, volume, { readOnly: true });
  const stat = async (rel: string): Promise<PathKind | null> => {
    let res: IncomingMessage;
    try {
      res = (await helper.container.infoArchive({ path: `${MOUNT_POINT}/${rel}` })) as IncomingMessage;
    } catch (err) {
      if (dockerStatus(err) === 404) return null;
      throw new DvomError('ERROR', `cannot look at '${rel}' in volume '${volume}': ${dockerMessage(err)}`);
    }
    res.resume();
    const header = res.headers['x-docker-container-path-stat'];
    if (typeof header !== 'string') throw new DvomError('ERROR', `the Docker engine did not describe '${rel}' in volume '${volume}'`);
    const mode = Number((JSON.parse(Buffer.from(header, 'base64').toString('utf8')) as { mode: number }).mode);
    if (has(mode, MODE_SYMLINK)) return 'symlink';
    if (has(mode, MODE_DIR)) return 'dir';
    return MODE_SPECIAL.some((bit) => has(mode, bit)) ? 'other' : 'file';
  };
  return {
    async walk(rel) {
      const parts = rel.split('/').filter(Boolean);
      const seen: [string, PathKind | null][] = [];
      for (let i = 1; i <= parts.length; i++) {
        const prefix = parts.slice(0, i).join('/');
        const k = await stat(prefix);
        seen.push([prefix, k]);
        if (k !== 'dir') break;
      }
      return seen;
    },
    async *below(rel) {
      let raw: Readable;
      try {
        raw = (await helper.container.getArchive({ path: `${MOUNT_POINT}/${rel ? `${rel}/` : ''}.` })) as unknown as Readable;
      } catch (err) {
        throw new DvomError('ERROR', `cannot read '${rel || '/'}' in volume '${volume}': ${dockerMessage(err)}`);
      }
      try {
        for await (const { header } of readTar(raw)) {
          const p = header.path.toString('utf8');
          if (p === '.') continue;
          const k: PathKind = header.type === 'dir' ? 'dir' : header.type === 'symlink' ? 'symlink' : header.type === 'file' || header.type === 'hardlink' ? 'file' : 'other';
          yield [rel ? `${rel}/${p}` : p, k];
        }
      } finally {
        raw.destroy();
      }
    },
    close: () => helper.remove(),
  };
}
