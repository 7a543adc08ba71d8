/**
 * Keys: several passwords per backup, password change without rewriting
 * data, the last key cannot be removed, raw 32-byte keys, the sealed key
 * list (a removed key stays removed) and the limit on key files.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { backup, folderSource, Repository, restoreToFolder, verify } from '../../src/main/engine/index.ts';
import type { Credential } from '../../src/main/engine/index.ts';
import { MAX_KEY_FILES } from '../../src/main/engine/repo/repository.ts';
import { sealJson } from '../../src/main/engine/repo/sealed-json.ts';
import { assertDvomError, assertSameTree, CHEAP_SCRYPT, createRepo, hashFiles, listFiles, password, tempDir } from './helpers.ts';

async function backedUp(t: Parameters<typeof tempDir>[0], credential?: Credential) {
  const base = tempDir(t, 'keys');
  const src = path.join(base, 'src');
  fs.mkdirSync(src);
  fs.writeFileSync(path.join(src, 'data.bin'), randomBytes(200_000));
  fs.writeFileSync(path.join(src, 'note.txt'), 'hello\n');
  const storeDir = path.join(base, 'store');
  const { store, repo } = await createRepo(storeDir, 'test', credential ? { credential } : {});
  await backup(repo, folderSource(src), { sourceKind: 'path' });
  return { base, src, storeDir, store, repo };
}

/** Opens with `credential`, restores the latest version and checks it. */
async function opensAndRestores(ctx: Awaited<ReturnType<typeof backedUp>>, credential: Credential, label: string) {
  const repo = await Repository.open(ctx.store, 'test', credential);
  const out = path.join(ctx.base, `out-${label}`);
  await restoreToFolder(repo, await repo.version('latest'), out);
  await assertSameTree(ctx.src, out);
  return repo;
}

const keyFiles = (storeDir: string) => listFiles(storeDir).filter((f) => f.startsWith('backups/test/keys/'));
/** Key files and the sealed key list: what a key change writes. */
const notKeys = (f: string) => !f.includes('/keys/') && !f.endsWith('/keyring.json') && !f.includes('/locks/');

test('addKey: the backup opens with either password', async (t) => {
  const ctx = await backedUp(t);
  const before = hashFiles(ctx.storeDir, notKeys);
  const info = await ctx.repo.addKey(password('second password'), 'laptop', CHEAP_SCRYPT);
  assert.equal(info.label, 'laptop');
  assert.equal(info.kind, 'password');
  assert.equal(keyFiles(ctx.storeDir).length, 2);
  assert.deepEqual(hashFiles(ctx.storeDir, notKeys), before, 'adding a key writes only a key file and the key list');

  const first = await opensAndRestores(ctx, password(), 'first');
  const second = await opensAndRestores(ctx, password('second password'), 'second');
  const keys = await second.listKeys();
  assert.equal(keys.length, 2);
  assert.deepEqual(keys.filter((k) => k.current).map((k) => k.id), [info.id]);
  assert.equal((await first.listKeys()).filter((k) => k.current && k.id === info.id).length, 0);
  await assertDvomError(Repository.open(ctx.store, 'test', password('third')), 'WRONG_PASSWORD');
  // Data written after opening with the second key is readable with the first.
  await backup(second, folderSource(ctx.src), { sourceKind: 'path' });
  assert.deepEqual((await verify(first, { readData: true })).errors, []);
});

test('changeCredential rewrites only the key file and the key list', async (t) => {
  const ctx = await backedUp(t);
  const before = hashFiles(ctx.storeDir, notKeys);
  const oldKeys = keyFiles(ctx.storeDir);
  assert.equal(oldKeys.length, 1);

  const repo = await Repository.open(ctx.store, 'test', password());
  const info = await repo.changeCredential(password('new password'), CHEAP_SCRYPT);

  assert.deepEqual(hashFiles(ctx.storeDir, notKeys), before, 'config, versions, index and packs are byte-identical');
  const newKeys = keyFiles(ctx.storeDir);
  assert.equal(newKeys.length, 1);
  assert.notDeepEqual(newKeys, oldKeys);
  assert.equal(newKeys[0], `backups/test/keys/${info.id}.json`);

  await assertDvomError(Repository.open(ctx.store, 'test', password()), 'WRONG_PASSWORD');
  await opensAndRestores(ctx, password('new password'), 'new');
  // The same open instance keeps working (the master key did not change).
  assert.deepEqual((await verify(repo, { readData: true })).errors, []);
});

test('changeCredential with two keys replaces only the key used to open', async (t) => {
  const ctx = await backedUp(t);
  const other = await ctx.repo.addKey(password('other'), 'other', CHEAP_SCRYPT);
  const repo = await Repository.open(ctx.store, 'test', password());
  await repo.changeCredential(password('changed'), CHEAP_SCRYPT);
  await assertDvomError(Repository.open(ctx.store, 'test', password()), 'WRONG_PASSWORD');
  await opensAndRestores(ctx, password('changed'), 'changed');
  const viaOther = await opensAndRestores(ctx, password('other'), 'other');
  assert.ok((await viaOther.listKeys()).some((k) => k.id === other.id && k.current));
});

test('removeKey refuses the last key and removes others', async (t) => {
  const ctx = await backedUp(t);
  const [only] = await ctx.repo.listKeys();
  await assertDvomError(ctx.repo.removeKey(only!.id), 'USAGE', /only key/);
  assert.equal(keyFiles(ctx.storeDir).length, 1);
  await assertDvomError(ctx.repo.removeKey('0123456789abcdef'), 'NOT_FOUND');

  const second = await ctx.repo.addKey(password('second'), 'second', CHEAP_SCRYPT);
  await ctx.repo.removeKey(second.id);
  await assertDvomError(Repository.open(ctx.store, 'test', password('second')), 'WRONG_PASSWORD');
  const again = await ctx.repo.addKey(password('second'), 'again', CHEAP_SCRYPT);
  await ctx.repo.removeKey(only!.id); // the original may go while another remains
  await assertDvomError(Repository.open(ctx.store, 'test', password()), 'WRONG_PASSWORD');
  const repo = await opensAndRestores(ctx, password('second'), 'second');
  await assertDvomError(repo.removeKey(again.id), 'USAGE', /only key/);
});

test('a raw 32-byte key creates and opens a backup; a wrong raw key or a password fails', async (t) => {
  const key = randomBytes(32);
  const ctx = await backedUp(t, { kind: 'raw-key', key });
  const keys = await ctx.repo.listKeys();
  assert.deepEqual(keys.map((k) => k.kind), ['raw-key']);
  await opensAndRestores(ctx, { kind: 'raw-key', key: Buffer.from(key) }, 'raw');
  const flipped = Buffer.from(key);
  flipped[31]! ^= 1;
  await assertDvomError(Repository.open(ctx.store, 'test', { kind: 'raw-key', key: flipped }), 'WRONG_PASSWORD', /wrong key/);
  await assertDvomError(Repository.open(ctx.store, 'test', { kind: 'raw-key', key: randomBytes(32) }), 'WRONG_PASSWORD');
  await assertDvomError(Repository.open(ctx.store, 'test', password(key.toString('base64'))), 'WRONG_PASSWORD');
  // A password can be added next to the raw key.
  await ctx.repo.addKey(password('pw'), 'pw', CHEAP_SCRYPT);
  await opensAndRestores(ctx, password('pw'), 'pw');
});

test('a plain backup has no keys', async (t) => {
  const base = tempDir(t, 'plain-keys');
  const { store, repo } = await createRepo(path.join(base, 'store'), 'test', { encrypted: false });
  await assertDvomError(repo.addKey(password('x'), 'x', CHEAP_SCRYPT), 'USAGE', /not encrypted/);
  await assertDvomError(repo.changeCredential(password('x'), CHEAP_SCRYPT), 'USAGE', /not encrypted/);
  assert.deepEqual(await repo.listKeys(), []);
  await Repository.open(store, 'test');
  await assertDvomError(Repository.create(store, 'test', { encrypted: false }), 'ALREADY_EXISTS');
  await assertDvomError(Repository.create(store, 'enc', { encrypted: true }), 'USAGE', /needs a password/);
});

/** Puts a removed key file back, as someone with write access to the store could. */
function putBack(storeDir: string, file: string, bytes: Buffer): void {
  fs.writeFileSync(path.join(storeDir, file), bytes);
}

test('after a password change, putting the old key file back does not bring the old password back', async (t) => {
  const ctx = await backedUp(t);
  const [oldFile] = keyFiles(ctx.storeDir);
  const oldBytes = fs.readFileSync(path.join(ctx.storeDir, oldFile!));
  const repo = await Repository.open(ctx.store, 'test', password());
  await repo.changeCredential(password('new password'), CHEAP_SCRYPT);
  putBack(ctx.storeDir, oldFile!, oldBytes);
  await assertDvomError(Repository.open(ctx.store, 'test', password()), 'INTEGRITY', /removed from the backup.*put back/);
  await opensAndRestores(ctx, password('new password'), 'new');
});

test('a removed key stays removed when its key file comes back', async (t) => {
  const ctx = await backedUp(t);
  const second = await ctx.repo.addKey(password('second'), 'second', CHEAP_SCRYPT);
  const file = `backups/test/keys/${second.id}.json`;
  const bytes = fs.readFileSync(path.join(ctx.storeDir, file));
  await ctx.repo.removeKey(second.id);
  putBack(ctx.storeDir, file, bytes);
  await assertDvomError(Repository.open(ctx.store, 'test', password('second')), 'INTEGRITY', new RegExp(`key ${second.id}`));
  await opensAndRestores(ctx, password(), 'first');
});

test('the key list is sealed, bound to its backup, and required by new backups', async (t) => {
  const ctx = await backedUp(t);
  const list = path.join(ctx.storeDir, 'backups/test/keyring.json');
  const doc = JSON.parse(fs.readFileSync(list, 'utf8')) as { keys: string[]; generation: number };
  assert.equal(doc.generation, 1);
  // Adding an id by hand breaks the seal.
  fs.writeFileSync(list, JSON.stringify({ ...doc, keys: [...doc.keys, '0123456789abcdef'] }));
  await assertDvomError(Repository.open(ctx.store, 'test', password()), 'INTEGRITY', /key list.*modified/);
  // Without it, a backup of this format does not open: its key files cannot be trusted.
  fs.rmSync(list);
  await assertDvomError(Repository.open(ctx.store, 'test', password()), 'INTEGRITY', /lost its sealed key list/);
});

test('a backup made before key lists gets one on first unlock, and a key removed later stays removed', async (t) => {
  const ctx = await backedUp(t);
  // Turn it into a format 1 backup: no key list, config format 1 (sealed with its key).
  const configPath = path.join(ctx.storeDir, 'backups/test/config.json');
  const { seal: _seal, ...config } = JSON.parse(fs.readFileSync(configPath, 'utf8')) as Record<string, unknown>;
  fs.writeFileSync(configPath, JSON.stringify(sealJson({ ...config, format: 1 }, ctx.repo.keys!.metaMac)));
  fs.rmSync(path.join(ctx.storeDir, 'backups/test/keyring.json'));

  const repo = await opensAndRestores(ctx, password(), 'legacy');
  assert.equal(repo.keyringGeneration, 1);
  assert.ok(fs.existsSync(path.join(ctx.storeDir, 'backups/test/keyring.json')), 'the first unlock wrote the key list');
  const [oldFile] = keyFiles(ctx.storeDir);
  const oldBytes = fs.readFileSync(path.join(ctx.storeDir, oldFile!));
  await repo.changeCredential(password('new password'), CHEAP_SCRYPT);
  putBack(ctx.storeDir, oldFile!, oldBytes);
  await assertDvomError(Repository.open(ctx.store, 'test', password()), 'INTEGRITY', /put back/);
});

test('a key list older than the one last seen is refused (rolled back with its key file)', async (t) => {
  const ctx = await backedUp(t);
  const list = path.join(ctx.storeDir, 'backups/test/keyring.json');
  const [oldFile] = keyFiles(ctx.storeDir);
  const saved = { list: fs.readFileSync(list), key: fs.readFileSync(path.join(ctx.storeDir, oldFile!)) };
  const repo = await Repository.open(ctx.store, 'test', password());
  await repo.changeCredential(password('new password'), CHEAP_SCRYPT);
  const seen = repo.keyringGeneration;
  assert.ok(seen > 1);
  fs.writeFileSync(list, saved.list);
  putBack(ctx.storeDir, oldFile!, saved.key);
  await assertDvomError(Repository.open(ctx.store, 'test', password(), { minKeyringGeneration: seen }), 'INTEGRITY', /rolled back/);
  fs.rmSync(list);
  await assertDvomError(Repository.open(ctx.store, 'test', password(), { minKeyringGeneration: seen }), 'INTEGRITY', /lost its sealed key list/);
});

test(`more than ${MAX_KEY_FILES} key files: the unlock refuses before deriving any key; adding a key stops at the limit`, async (t) => {
  const ctx = await backedUp(t);
  for (let i = 1; i < MAX_KEY_FILES; i++) await ctx.repo.addKey({ kind: 'raw-key', key: randomBytes(32) }, `raw ${i}`);
  assert.equal(keyFiles(ctx.storeDir).length, MAX_KEY_FILES);
  await Repository.open(ctx.store, 'test', password());
  await assertDvomError(ctx.repo.addKey(password('one too many'), 'x', CHEAP_SCRYPT), 'USAGE', /remove one first/);
  // A store with one more (copied) key file.
  const [first] = keyFiles(ctx.storeDir);
  const doc = JSON.parse(fs.readFileSync(path.join(ctx.storeDir, first!), 'utf8')) as { id: string };
  const extra = { ...doc, id: 'ffffffffffffffff' };
  fs.writeFileSync(path.join(ctx.storeDir, 'backups/test/keys/ffffffffffffffff.json'), JSON.stringify(extra));
  await assertDvomError(Repository.open(ctx.store, 'test', password()), 'INTEGRITY', new RegExp(`more than ${MAX_KEY_FILES} key files`));
});
