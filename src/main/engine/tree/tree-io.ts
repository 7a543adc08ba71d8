import { integrityError } from '../errors.ts';
import type { BlobReader } from '../repo/blob-reader.ts';
import type { BlobWriter } from '../repo/blob-writer.ts';
import type { TarEntryType } from '../tar/tar-types.ts';
import { decodeEntry, encodeEntry, namesOtherType, type TreeEntry } from './tree-entry.ts';

/** The encrypted root of a version: where its tree records are, and what was backed up. */
export interface TreeRoot {
  format: 1;
  /** Meta blobs holding newline-separated tree records, in archive order. */
  tree: string[];
  entries: number;
  /** Host folder of a path backup (kept encrypted: paths are private). */
  sourcePath?: string;
}

const META_BLOB_SIZE = 1024 * 1024;

/**
 * Streams tree records into ~1 MiB meta blobs, so a version with millions of
 * files never needs its whole tree in memory.
 */
export class TreeWriter {
  private readonly writer: BlobWriter;
  private lines: string[] = [];
  private bytes = 0;
  private readonly blobs: string[] = [];
  private count = 0;

  constructor(writer: BlobWriter) {
    this.writer = writer;
  }

  async add(entry: TreeEntry): Promise<void> {
    const line = encodeEntry(entry);
    this.lines.push(line);
    this.bytes += line.length + 1;
    this.count++;
    if (this.bytes >= META_BLOB_SIZE) await this.flushLines();
  }

  async finish(extra: Pick<TreeRoot, 'sourcePath'>): Promise<string> {
    await this.flushLines();
    const root: TreeRoot = { format: 1, tree: this.blobs, entries: this.count, ...extra };
    return this.writer.add('meta', Buffer.from(JSON.stringify(root)));
  }

  private async flushLines(): Promise<void> {
    if (!this.lines.length) return;
    const data = Buffer.from(this.lines.join('\n') + '\n');
    this.lines = [];
    this.bytes = 0;
    this.blobs.push(await this.writer.add('meta', data));
  }
}

export async function readTreeRoot(reader: BlobReader, rootId: string): Promise<TreeRoot> {
  const raw = await reader.read(rootId);
  let root: TreeRoot;
  try {
    root = JSON.parse(raw.toString('utf8')) as TreeRoot;
  } catch {
    throw integrityError('version root is malformed');
  }
  if (root?.format !== 1 || !Array.isArray(root.tree) || !root.tree.every((id) => typeof id === 'string')) {
    throw integrityError('version root is malformed');
  }
  return root;
}

/**
 * Every entry of a version, in archive order (parents before children). With
 * `only`, records that say first they are of another type ('{"t":"file",…',
 * as encodeEntry writes them) are passed over without being decoded: a pass
 * that wants only folders, over a tree of many files, then costs a fraction.
 * Any other record is decoded and yielded whatever its type.
 */
export async function* readTree(reader: BlobReader, root: TreeRoot, only?: TarEntryType): AsyncGenerator<TreeEntry> {
  for (const [i, id] of root.tree.entries()) {
    const text = (await reader.read(id)).toString('utf8');
    const what = `tree part ${i + 1}/${root.tree.length}`;
    for (const line of text.split('\n')) {
      if (!line || (only && namesOtherType(line, only))) continue;
      yield decodeEntry(line, what);
    }
  }
}
