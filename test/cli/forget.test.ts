import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { exists, manifest, removeAll, runDvom, runOk, storeCopy, tempDir, writeRandomFile } from './run-dvom.ts';

const PW = { DVOM_PASSWORD: 'forgetful' };

interface Version {
  id: string;
  /** The manifest of the folder this version was taken from. */
  want: Record<string, string>;
}

interface Made {
  store: string;
  work: string;
}

describe('dvom forget and delete', { concurrency: true }, () => {
  const dirs: string[] = [];
  /** A store whose encrypted backup 'hist' has 4 versions of a changing folder, oldest first. */
  let template: string;
  let history: Version[];
  let ids: string[];

  before(async () => {
    template = await tempDir('forget-template');
    const work = await tempDir('forget-src');
    dirs.push(template, work);
    const src = path.join(work, 'src');
    await fs.mkdir(src);
    await writeRandomFile(path.join(src, 'shared.bin'), 256 * 1024);
    history = [];
    for (let i = 0; i < 4; i++) {
      await writeRandomFile(path.join(src, `gen-${i}.bin`), 128 * 1024);
      await fs.writeFile(path.join(src, 'counter.txt'), `generation ${i}\n`);
      if (i > 0) await fs.rm(path.join(src, `gen-${i - 1}.bin`));
      const args = ['backup', `--path=${src}`, '--name=hist', '-q', ...(i === 0 ? ['--encrypt'] : [])];
      const r = await runOk(args, { store: template, env: PW });
      history.push({ id: r.stdout.trim(), want: await manifest(src) });
    }
    ids = history.map((v) => v.id);
  });
  after(() => removeAll(...dirs));

  /** A private copy of the 4-version store, plus a scratch folder. */
  const setup = (label: string): Promise<Made> => storeCopy(template, label, dirs);

  const versionIds = async (store: string): Promise<string[]> => {
    const r = await runOk(['versions', 'hist', '--json'], { store });
    return (JSON.parse(r.stdout) as { id: string }[]).map((v) => v.id);
  };

  const restoresTo = async (m: Made, v: Version) => {
    const target = path.join(m.work, `restore-${v.id}`);
    await runOk(['restore', '--snapshot=hist', `--version=${v.id}`, `--target-dir=${target}`, '-q'], { store: m.store, env: PW });
    assert.deepEqual(await manifest(target), v.want, `version ${v.id}`);
    await removeAll(target);
  };

  const packCount = async (store: string) =>
    (await fs.readdir(path.join(store, 'backups', 'hist', 'packs'), { recursive: true })).filter((n) => /[0-9a-f]{64}$/.test(n)).length;

  test('forget --keep-last=2 --prune keeps the 2 newest versions, which still restore', async () => {
    const m = await setup('forget');
    assert.deepEqual(await versionIds(m.store), ids);
    const packsBefore = await packCount(m.store);

    const r = await runOk(['forget', 'hist', '--keep-last=2', '--prune'], { store: m.store, env: PW });
    const lines = r.stdout.split('\n');
    const keep = lines.filter((l) => l.startsWith('keep ')).map((l) => l.split(/\s+/)[1]);
    const remove = lines.filter((l) => l.startsWith('remove ')).map((l) => l.split(/\s+/)[1]);
    assert.deepEqual(keep.sort(), ids.slice(2).sort());
    assert.deepEqual(remove.sort(), ids.slice(0, 2).sort());
    assert.match(r.stderr, /^Pruned: freed \d/m);

    assert.deepEqual(await versionIds(m.store), ids.slice(2));
    assert.ok((await packCount(m.store)) <= packsBefore, 'prune added no packs');
    for (const v of history.slice(2)) await restoresTo(m, v);
    const verify = await runOk(['verify', 'hist', '--read-data'], { store: m.store, env: PW });
    assert.match(verify.stdout, /is intact: 2 versions/);
    assert.doesNotMatch(verify.stderr, /Note:/, 'no unreferenced pack is left');
    const gone = await runDvom(['restore', '--snapshot=hist', `--version=${ids[0]!}`, '--dry-run'], { store: m.store, env: PW });
    assert.equal(gone.code, 4);
  });

  test('forget --dry-run only reports; forget without a --keep option (or only zeros) is a usage error', async () => {
    const m = await setup('forget-usage');
    const r = await runOk(['forget', 'hist', '--keep-last=1', '--dry-run'], { store: m.store, env: PW });
    for (const id of ids.slice(0, 3)) assert.match(r.stdout, new RegExp(`^would remove ${id}`, 'm'));
    assert.match(r.stdout, new RegExp(`^keep\\s+${ids[3]!}\\s.*\\(last\\)`, 'm'));
    for (const args of [[], ['--keep-last=0'], ['--keep-last=two']]) {
      const u = await runDvom(['forget', 'hist', ...args, '--prune'], { store: m.store, env: PW });
      assert.equal(u.code, 2, `${args.join(' ')}: ${u.stderr}`);
      assert.match(u.stderr, /^Error: .*(at least one --keep|must be a whole number)/m);
    }
    assert.deepEqual(await versionIds(m.store), ids, 'nothing was removed');
  });

  test('delete --version without --force is refused; with --force only that version goes', async () => {
    const m = await setup('delete-version');
    const [v0, v1, v2, v3] = history as [Version, Version, Version, Version];
    const storeBefore = await fs.readdir(path.join(m.store, 'backups', 'hist'), { recursive: true });

    const refused = await runDvom(['delete', 'hist', `--version=${v1.id}`], { store: m.store, env: PW });
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, new RegExp(`^Error: this deletes version ${v1.id} of backup 'hist' for good; add --force`, 'm'));
    assert.deepEqual(await fs.readdir(path.join(m.store, 'backups', 'hist'), { recursive: true }), storeBefore, 'nothing changed');

    const done = await runOk(['delete', 'hist', `--version=${v1.id}`, '--force'], { store: m.store, env: PW });
    assert.match(done.stdout, new RegExp(`^Deleted version ${v1.id} of backup 'hist'; freed `));
    assert.deepEqual(await versionIds(m.store), [v0.id, v2.id, v3.id]);
    await Promise.all([restoresTo(m, v0), restoresTo(m, v2)]);
    await runOk(['verify', 'hist', '--read-data'], { store: m.store, env: PW });

    const again = await runDvom(['delete', 'hist', `--version=${v1.id}`, '--force'], { store: m.store, env: PW });
    assert.equal(again.code, 4);
    const wrongPw = await runDvom(['delete', 'hist', `--version=${v0.id}`, '--force'], { store: m.store, env: { DVOM_PASSWORD: 'x' } });
    assert.equal(wrongPw.code, 3);
    assert.deepEqual(await versionIds(m.store), [v0.id, v2.id, v3.id]);
  });

  test('delete NAME without --force is refused; with --force the backup is gone', async () => {
    const m = await setup('delete-all');
    const root = path.join(m.store, 'backups', 'hist');
    const refused = await runDvom(['delete', 'hist'], { store: m.store });
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /^Error: this deletes backup 'hist' with all its versions for good; add --force/m);
    assert.equal(await exists(path.join(root, 'config.json')), true);

    const done = await runOk(['delete', 'hist', '--force'], { store: m.store });
    assert.match(done.stdout, /^Deleted backup 'hist' \(\d+ objects\)/);
    const info = await runDvom(['info', 'hist'], { store: m.store });
    assert.equal(info.code, 4);
    assert.match(info.stderr, /^Error: backup 'hist' not found/);
    assert.equal(await exists(root), false, 'nothing of the backup is left in the store');
    const list = await runOk(['list'], { store: m.store });
    assert.match(list.stdout, /^No backups in /);

    const missing = await runDvom(['delete', 'hist', '--force'], { store: m.store });
    assert.equal(missing.code, 4);
  });
});
