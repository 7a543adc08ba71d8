// Small files are prepared on an engine thread in batches while the archiver
// goes on; what it stores must still be exactly the source, in source order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { backup, openVersion, type SourceEntry } from '../../src/main/engine/index.ts';
import type { TarHeader } from '../../src/main/engine/tar/tar-types.ts';
import { compressibleText, createRepo, sha256, tempDir } from './helpers.ts';

const MiB = 1024 * 1024;
const T0 = Date.UTC(2026, 0, 1);

interface Planned {
  header: TarHeader;
  data?: Buffer;
  /** Given as a stream, as a tar source does, instead of in one piece. */
  streamed?: boolean;
}

/**
 * Thousands of entries across many batches: small files (some identical, some
 * empty, some streamed), folders and links between them, and large files that
 * go to the thread as streams in the middle of it all.
 */
function plan(): Planned[] {
  const h = (path: string, type: TarHeader['type'], size = 0, linkTarget?: string): TarHeader => ({
    path: Buffer.from(path),
    type,
    mode: type === 'dir' ? 0o755 : 0o644,
    uid: 1000,
    gid: 1000,
    mtimeMs: T0,
    size,
    ...(linkTarget ? { linkTarget: Buffer.from(linkTarget) } : {}),
  });
  const out: Planned[] = [{ header: h('.', 'dir') }];
  for (let d = 0; d < 6; d++) {
    out.push({ header: h(`d${d}`, 'dir') });
    for (let i = 0; i < 300; i++) {
      const name = `d${d}/f${String(i).padStart(3, '0')}`;
      const data =
        i % 50 === 7 ? Buffer.alloc(0) : i % 10 === 3 ? Buffer.from('the same small file\n') : i % 2 ? randomBytes(100 + i * 13) : compressibleText(200 + i * 29, i + d * 1000);
      out.push({ header: h(name, 'file', data.length), data, streamed: i % 7 === 0 });
      if (i === 150) {
        const big = d % 2 ? randomBytes(3 * MiB + 5) : compressibleText(2 * MiB + 7, d);
        out.push({ header: h(`d${d}/f150-large`, 'file', big.length), data: big });
        out.push({ header: h(`d${d}/f150-link`, 'symlink', 0, 'f150-large') });
      }
      if (i === 200) out.push({ header: h(`d${d}/f200-hard`, 'hardlink', 0, `d${d}/f200`) });
    }
  }
  return out;
}

function source(entries: Planned[]): AsyncIterable<SourceEntry> {
  return (async function* () {
    for (const { header, data, streamed } of entries) {
      if (!data) yield { header };
      else if (streamed || data.length >= MiB) {
        yield {
          header,
          body: (async function* () {
            for (let pos = 0; pos < data.length; pos += 65_536) yield data.subarray(pos, pos + 65_536);
          })(),
        };
      } else yield { header, readAll: () => Buffer.from(data) };
    }
  })();
}

test('a source of thousands of small files, folders, links and large files is stored exactly, in source order', async (t) => {
  const { repo } = await createRepo(tempDir(t, 'batches'));
  const entries = plan();
  const version = await backup(repo, source(entries), { sourceKind: 'path', sourceClockMs: T0 + 60_000 });
  const stored: { path: string; type: string; sha?: string; size: number }[] = [];
  for await (const { entry, content } of (await openVersion(repo, version)).items()) {
    const parts: Buffer[] = [];
    if (content) for await (const part of content) parts.push(Buffer.from(part));
    stored.push({ path: entry.path.toString(), type: entry.type, size: entry.size, ...(content ? { sha: sha256(Buffer.concat(parts)) } : {}) });
    if (entry.type === 'file') assert.equal(entry.sha256, sha256(Buffer.concat(parts)), `${entry.path}: recorded hash`);
  }
  const expected = entries.map(({ header, data }) => ({
    path: header.path.toString(),
    type: header.type,
    size: data?.length ?? 0,
    ...(header.type === 'file' ? { sha: sha256(data!) } : {}),
  }));
  assert.equal(stored.length, expected.length);
  assert.deepEqual(stored, expected);

  // Read again in full: every chunk is stored already, and the tree comes out the same.
  const again = await backup(repo, source(entries), { sourceKind: 'path', sourceClockMs: T0 + 120_000, forceRead: true });
  assert.equal(again.root, version.root);
});
