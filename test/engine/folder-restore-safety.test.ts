/**
 * Folder restores of crafted versions (L3): nothing is created or linked
 * through a symbolic link the version itself restored, link sources are never
 * followed, and setuid/setgid bits are dropped unless asked for. The versions
 * are written with the engine's own backup API from a crafted source.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { backup, restoreToFolder, type SourceEntry } from '../../src/main/engine/index.ts';
import type { TarHeader } from '../../src/main/engine/tar/tar-types.ts';
import { describeError } from '../../src/main/services/errors.ts';
import { previewRestore } from '../../src/main/services/restore-preview.ts';
import { assertDvomError, createRepo, IS_ROOT, tempDir } from './helpers.ts';

const NOW = Date.now();

function header(p: string, type: TarHeader['type'], extra: Partial<TarHeader> = {}): TarHeader {
  return { path: Buffer.from(p), type, mode: type === 'dir' ? 0o755 : 0o644, uid: 0, gid: 0, mtimeMs: NOW, size: 0, ...extra };
}

const dir = (p: string, mode = 0o755): SourceEntry => ({ header: header(p, 'dir', { mode }) });
const symlink = (p: string, target: string): SourceEntry => ({ header: header(p, 'symlink', { mode: 0o777, linkTarget: Buffer.from(target) }) });
const hardlink = (p: string, target: string): SourceEntry => ({ header: header(p, 'hardlink', { linkTarget: Buffer.from(target) }) });
function file(p: string, data: Buffer, mode = 0o644): SourceEntry {
  return {
    header: header(p, 'file', { mode, size: data.length }),
    body: (async function* () {
      yield data;
    })(),
  };
}

/** A backup holding exactly `entries` (a crafted tree), and a place to restore it. */
async function craftedVersion(t: TestContext, label: string, entries: SourceEntry[]) {
  const base = tempDir(t, label);
  const { repo } = await createRepo(path.join(base, 'store'));
  const version = await backup(repo, (async function* () {
    yield* entries;
  })(), { sourceKind: 'path' });
  return { base, repo, version, target: path.join(base, 'target') };
}

test('a crafted tree cannot create folders or links outside the target through a symlink it restored', async (t) => {
  const outside = tempDir(t, 'outside');
  for (const [label, below, refusal] of [
    ['symlink below', symlink('a/b/file', 'x'), /'a\/b\/file' would be written through a symbolic link/],
    ['symlink deeper', symlink('a/b/c/d', 'x'), /through a symbolic link/],
    // Files' and hard links' folders are made in the first pass, before any symlink: the symlink then clashes.
    ['file below', file('a/b/file', Buffer.from('x')), /'a' clashes with another entry/],
    ['hard link below', hardlink('a/c/h', 'f'), /'a' clashes with another entry/],
  ] as const) {
    const { repo, version, target } = await craftedVersion(t, 'escape', [dir('.'), file('f', Buffer.from('data\n')), symlink('a', outside), below]);
    await assertDvomError(restoreToFolder(repo, version, target), 'INTEGRITY', refusal);
    assert.deepEqual(fs.readdirSync(outside), [], `${label}: nothing was created outside the target`);
    assert.ok(!fs.existsSync(target), `${label}: the target was not created`);
  }
});

test('a hard link whose source goes through a symlink is refused; a symlink as source is never followed', async (t) => {
  const outside = tempDir(t, 'outside-file');
  const secret = path.join(outside, 'secret');
  fs.writeFileSync(secret, 'not yours\n');

  // Through a symlink to a folder, even one inside the target.
  for (const to of ['sub', outside]) {
    const { repo, version, target } = await craftedVersion(t, 'link-through', [dir('.'), dir('sub'), file('sub/f', Buffer.from('x')), symlink('lnk', to), hardlink('h', to === 'sub' ? 'lnk/f' : 'lnk/secret')]);
    await assertDvomError(restoreToFolder(repo, version, target), 'INTEGRITY', /'h' would be written through a symbolic link/);
    assert.ok(!fs.existsSync(target));
  }

  // A hard link to a symlink links the symlink (Linux) or copies it, never the file it points to.
  const { repo, version, target } = await craftedVersion(t, 'link-to-symlink', [dir('.'), symlink('s', secret), hardlink('h', 's')]);
  await restoreToFolder(repo, version, target);
  assert.ok(fs.lstatSync(path.join(target, 'h')).isSymbolicLink());
  assert.equal(fs.readlinkSync(path.join(target, 'h')), secret);
  assert.equal(fs.statSync(secret).nlink, 1, 'the outside file gained no hard link');
});

test('setuid/setgid bits of files are dropped by default and kept with keepSetuid', async (t) => {
  const big = randomBytes(200 * 1024); // large files take another write path than small ones
  const { repo, version, base } = await craftedVersion(t, 'setuid', [
    dir('.'),
    dir('shared', 0o2775),
    file('suid-small', Buffer.from('#!/bin/sh\n'), 0o4755),
    file('sgid-small', Buffer.from('#!/bin/sh\n'), 0o2755),
    file('suid-big', big, 0o4755),
    file('shared/sgid-big', big, 0o6750),
  ]);
  const modes = (root: string) =>
    Object.fromEntries(['suid-small', 'sgid-small', 'suid-big', 'shared/sgid-big', 'shared'].map((p) => [p, (fs.statSync(path.join(root, p)).mode & 0o7777).toString(8)]));

  const plain = path.join(base, 'plain');
  await restoreToFolder(repo, version, plain);
  assert.deepEqual(modes(plain), { 'suid-small': '755', 'sgid-small': '755', 'suid-big': '755', 'shared/sgid-big': '750', shared: '2775' });

  const kept = path.join(base, 'kept');
  await restoreToFolder(repo, version, kept, { keepSetuid: true });
  assert.deepEqual(modes(kept), { 'suid-small': '4755', 'sgid-small': '2755', 'suid-big': '4755', 'shared/sgid-big': '6750', shared: '2775' });
  t.diagnostic(IS_ROOT ? 'ran as root: owners were restored too' : 'ran as an ordinary user');
});

test('a non-empty folder without force: the dry run and the restore refuse with the same code, and the folder is untouched', async (t) => {
  const { repo, version, target } = await craftedVersion(t, 'not-empty', [dir('.'), file('f', Buffer.from('data\n'))]);
  fs.mkdirSync(target);
  fs.writeFileSync(path.join(target, 'precious'), 'keep');
  const preview = await assertDvomError(previewRestore(repo, version, undefined, { kind: 'folder', dir: target }), 'USAGE', /is not empty/);
  const real = await assertDvomError(restoreToFolder(repo, version, target), 'USAGE', /is not empty/);
  for (const err of [preview, real]) {
    const { code, exitCode } = describeError(err);
    assert.deepEqual({ code, exitCode }, { code: 'DESTINATION_NOT_EMPTY', exitCode: 2 });
  }
  assert.deepEqual(fs.readdirSync(target), ['precious']);
});
