import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { formatBytes, plural } from '../../shared/format.ts';
import { DetailedError } from '../engine/errors.ts';
import type { MergeCounts } from '../engine/restore/written-files.ts';

/**
 * Folders of the machine's own system: restoring into them (or anything
 * below) could replace what the machine runs on. The app offers a folder
 * destination to anyone who can reach it, so it refuses them; the CLI's
 * --target-dir is the owner's own command and is not limited.
 */
const SYSTEM_DIRS = ['/bin', '/boot', '/dev', '/etc', '/lib', '/lib32', '/lib64', '/libx32', '/proc', '/run', '/sbin', '/sys', '/usr', '/var/lib/docker'];

/** As the dispatcher reports a param that does not match the contract: the UI shows `problem` beside the field. */
function invalid(problem: string): DetailedError {
  return new DetailedError('USAGE', 'INVALID_ARGUMENT', `jobs.startRestore: destinationDir: ${problem}`, { field: 'destinationDir', problem });
}

const inside = (dir: string, parent: string) => dir === parent || dir.startsWith(`${parent}/`);

/**
 * Checks a folder on the machine running DVOM as a restore destination: an
 * absolute path, not the root or a system folder (nor below one, also
 * through a symbolic link), and either a folder or creatable (its nearest
 * existing parent is a folder). Returns the path as the restore uses it.
 */
export async function checkRestoreFolder(dir: string): Promise<string> {
  if (!path.isAbsolute(dir)) throw invalid('give an absolute path (starting with /)');
  const resolved = path.resolve(dir);
  // The nearest part that exists, with its links resolved: a link cannot lead into a system folder.
  let existing = resolved;
  let rest = '';
  for (;;) {
    try {
      existing = await fs.realpath(existing);
      break;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw invalid(`cannot use this folder: ${(err as Error).message}`);
      rest = path.join(path.basename(existing), rest);
      existing = path.dirname(existing);
    }
  }
  const real = rest ? path.join(existing, rest) : existing;
  if (real === '/') throw invalid('not the root folder: choose a folder of its own');
  const system = SYSTEM_DIRS.find((s) => inside(real, s) || inside(resolved, s));
  if (system) throw invalid(`not inside ${system}, a system folder: choose a folder of its own`);
  const st = await fs.stat(existing);
  if (!st.isDirectory()) throw invalid(`${existing} is not a folder`);
  try {
    await fs.access(existing, fs.constants.W_OK);
  } catch {
    throw invalid(`DVOM cannot write in ${existing}`);
  }
  // The path as it is now (links resolved): what was checked is what is written.
  return real;
}

/** Where an app restore writes: a volume or a checked host folder, exactly one. */
export async function restoreDestination(p: {
  destinationVolume?: string | undefined;
  destinationDir?: string | undefined;
  force?: boolean | undefined;
}): Promise<{ volume?: string; dir?: string }> {
  if ((p.destinationVolume === undefined) === (p.destinationDir === undefined)) {
    const problem = 'give a destination volume or a destination folder, not both';
    throw new DetailedError('USAGE', 'INVALID_ARGUMENT', `jobs.startRestore: destinationVolume: ${problem}`, { field: 'destinationVolume', problem });
  }
  // A host folder is never emptied from the app (a home folder or a share could be chosen): only a
  // new or empty folder, or a merge that keeps what is there. The CLI's --target-dir --force remains.
  if (p.destinationDir !== undefined && p.force) throw invalid('the app does not replace a folder\'s contents: restore into a new or empty folder, or keep what is there');
  return p.destinationVolume !== undefined ? { volume: p.destinationVolume } : { dir: await checkRestoreFolder(p.destinationDir!) };
}

/** What a merge did, in words (the CLI's last line, the app's job result). */
export function mergeSummary(m: MergeCounts): string {
  const kept = m.skipped ? `, ${m.skipped.toLocaleString()} kept as they were (already there)` : '';
  const replaced = m.overwritten ? ` (${plural(m.overwritten, 'replacing an existing file', 'replacing existing files')})` : '';
  return `${plural(m.written, 'file')} written${replaced}${kept}, ${formatBytes(m.bytes)}, all hashes verified; everything else left as it was`;
}
