/** Content digests of restored trees, to check a restore byte for byte against its source. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import * as path from 'node:path';

/** Files under a digest: sorted "path size sha256" lines, for comparing a restore with its source. */
export class TreeDigest {
  private readonly lines: string[] = [];
  bytes = 0;

  add(relPath: string, size: number, sha256: string): void {
    this.lines.push(`${relPath}\0${size}\0${sha256}`);
    this.bytes += size;
  }

  get files(): number {
    return this.lines.length;
  }

  digest(): string {
    return createHash('sha256').update(this.lines.sort().join('\n')).digest('hex');
  }
}

export async function folderDigest(root: string): Promise<TreeDigest> {
  const d = new TreeDigest();
  const visit = async (dir: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) await visit(full);
      else if (e.isFile()) {
        const hash = createHash('sha256');
        let size = 0;
        for await (const chunk of createReadStream(full, { highWaterMark: 1024 * 1024 })) {
          hash.update(chunk as Buffer);
          size += (chunk as Buffer).length;
        }
        d.add(path.relative(root, full), size, hash.digest('hex'));
      }
    }
  };
  await visit(root);
  return d;
}
