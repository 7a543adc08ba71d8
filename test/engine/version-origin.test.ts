/**
 * Each version records what made it (by hand in the app, `dvom backup`, a
 * schedule by name) in its encrypted private part, under its own format
 * number. Versions written before (no origin), and origins this DVOM does not
 * know (a later format or kind), read as unknown; forget's `only` sees the
 * versions of one origin and leaves every other one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { backup, DvomError, folderSource, forget, parseOriginOption, Repository, type VersionOrigin } from '../../src/main/engine/index.ts';
import { LocalBackend } from '../../src/main/engine/storage/local-backend.ts';
import { sealJson } from '../../src/main/engine/repo/sealed-json.ts';
import { isRecordableEngine } from '../../src/main/engine/repo/version-file.ts';
import { createRepo, password, tempDir, versionFiles } from './helpers.ts';

function source(t: Parameters<typeof tempDir>[0]): string {
  const src = path.join(tempDir(t, 'origin-src'), 'src');
  fs.mkdirSync(src);
  fs.writeFileSync(path.join(src, 'a.txt'), 'origin test');
  return src;
}

/** Writes a version as DVOM did before origins (the private part without one), or with a stored origin given as is. */
async function commitRaw(repo: Repository, stored?: Record<string, unknown>): Promise<string> {
  const last = (await repo.versions()).at(-1)!;
  return repo.locked('test', true, async (lock) => {
    const v = await repo.commitVersion(lock, {
      createdAt: new Date(Date.parse(last.createdAt) + 1000),
      sourceKind: 'path',
      volumes: [],
      stats: last.stats,
      root: last.root,
      // Cast: a stored form this DVOM never writes (the origin of a later DVOM).
      private: { horizonMs: 0, rereadSlot: 0, ...(stored ? { origin: stored as unknown as VersionOrigin } : {}) },
    });
    return v.id;
  });
}

for (const encrypted of [true, false]) {
  test(`origins round-trip in ${encrypted ? 'an encrypted' : 'a plain'} backup; versions without one read as unknown`, async (t) => {
    const src = source(t);
    const storeDir = path.join(tempDir(t, 'origin-store'), 'store');
    const { repo } = await createRepo(storeDir, 'test', { encrypted });
    const made: VersionOrigin[] = [{ kind: 'manual' }, { kind: 'cli' }, { kind: 'schedule', schedule: 'every-hour' }];
    for (const origin of made) {
      const v = await backup(repo, folderSource(src), { sourceKind: 'path', origin });
      assert.deepEqual(v.origin, origin, 'the new version says what made it');
    }
    const old = await commitRaw(repo); // as DVOM wrote versions before origins
    const later = await commitRaw(repo, { format: 2, kind: 'manual' }); // a later format
    const strange = await commitRaw(repo, { format: 1, kind: 'robot' }); // a kind this DVOM does not know
    const none = await backup(repo, folderSource(src), { sourceKind: 'path' });

    // Read back by a freshly opened backup.
    const again = await Repository.open(new LocalBackend(storeDir), 'test', encrypted ? password() : undefined);
    const byId = new Map((await again.versions()).map((v) => [v.id, v.origin]));
    assert.deepEqual([...byId.values()].slice(0, 3), made);
    for (const id of [old, later, strange, none.id]) assert.deepEqual(byId.get(id), { kind: 'unknown' });

    // The schedule's name is nowhere in the version files as stored (encrypted, or encoded in a plain backup's private part).
    const text = versionFiles(storeDir).map((f) => fs.readFileSync(path.join(storeDir, f), 'utf8')).join('\n');
    assert.equal(text.includes('every-hour'), false);
  });
}

test('forget with `only` applies the policy to one origin and leaves every other version', async (t) => {
  const src = source(t);
  const { repo } = await createRepo(path.join(tempDir(t, 'origin-forget'), 'store'));
  const hourly: VersionOrigin = { kind: 'schedule', schedule: 'hourly' };
  for (const origin of [{ kind: 'manual' }, hourly, { kind: 'schedule', schedule: 'other' }, hourly, hourly] as VersionOrigin[]) {
    await backup(repo, folderSource(src), { sourceKind: 'path', origin });
  }
  const dry = await forget(repo, { last: 1 }, { only: hourly, dryRun: true });
  assert.equal(dry.decision.remove.length, 2);
  await forget(repo, { last: 1 }, { only: hourly });
  const left = (await repo.versions()).map((v) => v.origin);
  assert.deepEqual(left, [{ kind: 'manual' }, { kind: 'schedule', schedule: 'other' }, hourly]);
  // `unknown` is an origin like the others: here there is none, so nothing goes.
  assert.equal((await forget(repo, { last: 1 }, { only: { kind: 'unknown' } })).decision.remove.length, 0);
});

test('a plain backup with a damaged private part still lists (that version reads as unknown); a store cannot put control codes in an origin or engine', async (t) => {
  const src = source(t);
  const storeDir = path.join(tempDir(t, 'origin-damaged'), 'store');
  const { repo } = await createRepo(storeDir, 'test', { encrypted: false });
  const good = await backup(repo, folderSource(src), { sourceKind: 'path', origin: { kind: 'cli' } });
  const sneaky = await commitRaw(repo, { format: 1, kind: 'schedule', schedule: 'x\u001b[2Jy' });
  const bad = await backup(repo, folderSource(src), { sourceKind: 'path', origin: { kind: 'manual' } });
  // Anyone can rewrite a plain backup's files: a private part that is not one at all.
  const file = path.join(storeDir, versionFiles(storeDir).find((f) => f.includes(bad.id))!);
  const { seal: _seal, ...doc } = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  fs.writeFileSync(file, JSON.stringify(sealJson({ ...doc, private: Buffer.from('not json').toString('base64') }, undefined)));
  const again = await Repository.open(new LocalBackend(storeDir), 'test');
  const byId = new Map((await again.versions()).map((v) => [v.id, v.origin]));
  assert.deepEqual(byId.get(good.id), { kind: 'cli' });
  assert.deepEqual(byId.get(sneaky), { kind: 'unknown' }, 'a schedule name with an escape sequence is not shown');
  assert.deepEqual(byId.get(bad.id), { kind: 'unknown' });
  assert.equal(isRecordableEngine({ name: 'default', host: 'unix:///run/docker.sock' }), true);
  assert.equal(isRecordableEngine({ name: 'x\u001b]0;owned\u0007', host: 'unix:///run/docker.sock' }), false);
});

test('--origin names an origin: manual, cli, unknown or schedule:NAME; anything else is a usage error', () => {
  assert.deepEqual(parseOriginOption('manual'), { kind: 'manual' });
  assert.deepEqual(parseOriginOption('cli'), { kind: 'cli' });
  assert.deepEqual(parseOriginOption('unknown'), { kind: 'unknown' });
  assert.deepEqual(parseOriginOption('schedule:nightly.db'), { kind: 'schedule', schedule: 'nightly.db' });
  for (const bad of ['schedule:', 'schedule:-x', 'Manual', 'app', 'schedule:a b']) {
    assert.throws(() => parseOriginOption(bad), (err: unknown) => err instanceof DvomError && err.code === 'USAGE', bad);
  }
});
