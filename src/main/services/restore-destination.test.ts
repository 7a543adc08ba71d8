/**
 * The app's folder destination: an absolute path on the machine running
 * DVOM, never the root or a system folder (also not through a symbolic
 * link), and a folder or creatable.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { DetailedError } from '../engine/errors.ts';
import { checkRestoreFolder, restoreDestination } from './restore-destination.ts';

const base = await fs.mkdtemp(path.join(os.tmpdir(), 'dvom-folder-check-'));
after(() => fs.rm(base, { recursive: true, force: true }));

async function refused(dir: string, problem: RegExp): Promise<void> {
  await assert.rejects(checkRestoreFolder(dir), (err: unknown) => {
    assert.ok(err instanceof DetailedError, String(err));
    assert.equal(err.detail, 'INVALID_ARGUMENT');
    assert.equal(err.field, 'destinationDir');
    assert.match(err.problem ?? '', problem);
    return true;
  });
}

describe('a folder on this computer as a restore destination', () => {
  it('refuses a relative path, the root and system folders', async () => {
    await refused('restored', /absolute path/);
    await refused('/', /not the root/);
    await refused('/etc', /not inside \/etc/);
    await refused('/usr/share/dvom-restored', /not inside \/usr/);
    await refused('/var/lib/docker/volumes/x', /not inside \/var\/lib\/docker/);
  });

  it('never replaces a folder\'s contents from the app (a home folder or a share could be chosen); the checked path is the real one', async () => {
    await assert.rejects(restoreDestination({ destinationDir: base, force: true }), (err: unknown) => {
      assert.ok(err instanceof DetailedError, String(err));
      assert.equal(err.field, 'destinationDir');
      assert.match(err.problem ?? '', /does not replace a folder/);
      return true;
    });
    await fs.mkdir(path.join(base, 'real'));
    await fs.symlink(path.join(base, 'real'), path.join(base, 'link'));
    assert.deepEqual(await restoreDestination({ destinationDir: path.join(base, 'link', 'new') }), { dir: path.join(await fs.realpath(base), 'real', 'new') });
  });

  it('refuses a path that leads into a system folder through a symbolic link', async () => {
    await fs.symlink('/etc', path.join(base, 'to-etc'));
    await refused(path.join(base, 'to-etc', 'new'), /not inside \/etc/);
  });

  it('refuses a path below a file', async () => {
    await fs.writeFile(path.join(base, 'a-file'), 'x');
    await refused(path.join(base, 'a-file', 'sub'), /is not a folder/);
  });

  it('takes an existing folder, and one that can be created', async () => {
    assert.equal(await checkRestoreFolder(base), base);
    assert.equal(await checkRestoreFolder(path.join(base, 'new', 'deeper')), path.join(base, 'new', 'deeper'));
    await fs.access(path.join(base, 'new')).then(() => assert.fail('nothing is created by the check'), () => undefined);
  });
});
