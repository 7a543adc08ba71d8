/**
 * Small compressed blobs read at the same time are decompressed together
 * (BlobReader, compression.ts decompressFrames). Each still comes back as its
 * own bytes, and a damaged one fails alone, with INTEGRITY, as it would if it
 * were read by itself.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { backup, folderSource, isDvomError } from '../../src/main/engine/index.ts';
import { compressibleText, createRepo, packFiles, sha256, tempDir } from './helpers.ts';

/** Plain packs: a 9-byte header ('DVOM-RAW' and a version), then the blobs' payloads. */
const RAW_HEADER = 9;

/** A plain backup of `contents`, one small file each: a blob's id is the SHA-256 of its plaintext, and its stored bytes can be edited in place. */
async function backedUp(t: TestContext, contents: Buffer[]) {
  const dir = tempDir(t, 'small-blobs');
  const src = path.join(dir, 'src');
  const storeDir = path.join(dir, 'store');
  fs.mkdirSync(src);
  contents.forEach((c, i) => fs.writeFileSync(path.join(src, `f${String(i).padStart(2, '0')}.txt`), c));
  const { repo } = await createRepo(storeDir, 'test', { encrypted: false });
  await backup(repo, folderSource(src), { sourceKind: 'path' });
  const { index } = await repo.loadIndex();
  const ids = contents.map(sha256);
  for (const id of ids) assert.equal(index.get(id)?.compressed, true, 'each file is one compressed blob');
  /** Where a blob's payload lies in its pack file. */
  const where = (id: string) => {
    const loc = index.get(id)!;
    return { file: path.join(storeDir, packFiles(storeDir).find((f) => path.basename(f) === loc.pack)!), at: RAW_HEADER + loc.offset, length: loc.length };
  };
  return { repo, index, ids, where };
}

/** Reads every blob at once: the damaged one must fail with INTEGRITY, every other come back as itself. */
async function assertFailsAlone(reader: { read(id: string): Promise<Buffer> }, ids: string[], contents: Buffer[], victim: number) {
  const results = await Promise.allSettled(ids.map((id) => reader.read(id)));
  results.forEach((result, i) => {
    if (i === victim) {
      assert.equal(result.status, 'rejected', 'the damaged blob');
      assert.ok(isDvomError((result as PromiseRejectedResult).reason, 'INTEGRITY'), String((result as PromiseRejectedResult).reason));
    } else {
      assert.equal(result.status, 'fulfilled', `blob ${i} beside the damaged one: ${(result as PromiseRejectedResult).reason}`);
      assert.ok((result as PromiseFulfilledResult<Buffer>).value.equals(contents[i]!), `blob ${i} beside the damaged one`);
    }
  });
}

test('small compressed blobs read together come back each as itself; a damaged one fails alone', async (t) => {
  const contents = Array.from({ length: 40 }, (_, i) => compressibleText(1500 + i * 97, i + 1));
  const { repo, index, ids, where } = await backedUp(t, contents);

  const read = await Promise.all(ids.map((id) => repo.blobReader(index).read(id)));
  read.forEach((plain, i) => assert.ok(plain.equals(contents[i]!), `blob ${i}`));
  const shared = repo.blobReader(index);
  const together = await Promise.all(ids.map((id) => shared.read(id)));
  together.forEach((plain, i) => assert.ok(plain.equals(contents[i]!), `blob ${i}, read with the others`));

  const victim = 17;
  const { file, at, length } = where(ids[victim]!);
  const bytes = fs.readFileSync(file);
  bytes[at + Math.floor(length / 2)]! ^= 0x5a;
  fs.writeFileSync(file, bytes);
  await assertFailsAlone(repo.blobReader(index), ids, contents, victim);
});

test('a store that swaps in another blob\'s valid payload of the same sizes is caught by the id, in a batch too', async (t) => {
  // Two texts that differ in one byte, each absent from the rest: their payloads have the same length.
  const base = compressibleText(3000, 99);
  const contents = Array.from({ length: 30 }, (_, i) => compressibleText(1200 + i * 61, i + 1));
  const victim = 11;
  const donor = 12;
  contents[victim] = Buffer.concat([Buffer.from('#'), base]);
  contents[donor] = Buffer.concat([Buffer.from('%'), base]);
  const { repo, index, ids, where } = await backedUp(t, contents);
  const to = where(ids[victim]!);
  const from = where(ids[donor]!);
  assert.equal(to.length, from.length, 'payloads of the same length');
  const donorPayload = fs.readFileSync(from.file).subarray(from.at, from.at + from.length);
  const bytes = fs.readFileSync(to.file);
  donorPayload.copy(bytes, to.at);
  fs.writeFileSync(to.file, bytes);
  await assertFailsAlone(repo.blobReader(index), ids, contents, victim);
});
