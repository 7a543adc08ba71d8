/** This machine's record of a backup: the key-list generation is written as keyringGeneration, and still read under its first name. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { knownBackupFile, readKnownBackup, writeKnownBackup, type KnownBackup } from '../../src/main/config/known-backups.ts';
import { isDvomError } from '../../src/main/engine/errors.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dvom-known-'));
process.env.DVOM_CONFIG = path.join(dir, 'config.json');
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

const STORE = '/srv/backups';
const record: KnownBackup = { format: 1, store: STORE, backup: 'vault', repoId: '0123456789abcdef0123456789abcdef', encrypted: true, keyringGeneration: 7 };

test('a record is written with keyringGeneration and read back as written', async () => {
  await writeKnownBackup(record);
  const written = JSON.parse(fs.readFileSync(knownBackupFile(STORE, 'vault'), 'utf8')) as Record<string, unknown>;
  assert.equal(written.keyringGeneration, 7);
  assert.equal('keyring' in written, false);
  assert.deepEqual(await readKnownBackup(STORE, 'vault'), record);
});

test('a record written under the first name of the field (keyring) is still read', async () => {
  const { keyringGeneration, ...rest } = record;
  const file = knownBackupFile(STORE, 'old');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ ...rest, backup: 'old', keyring: keyringGeneration }));
  assert.deepEqual(await readKnownBackup(STORE, 'old'), { ...record, backup: 'old' });
});

test('a record with neither name, or a generation that is not a count, is damaged', async () => {
  const { keyringGeneration: _g, ...rest } = record;
  for (const [name, doc] of [['none', rest], ['bad', { ...rest, keyringGeneration: -1 }], ['badold', { ...rest, keyring: 'x' }]] as const) {
    const file = knownBackupFile(STORE, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify({ ...doc, backup: name }));
    await assert.rejects(readKnownBackup(STORE, name), (err) => isDvomError(err, 'INTEGRITY'));
  }
});
