import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built renderer: $DVOM_RENDERER_DIR, else dist/renderer of this package (from source or from dist/). */
export function rendererDir(): string {
  if (process.env.DVOM_RENDERER_DIR) return path.resolve(process.env.DVOM_RENDERER_DIR);
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return path.join(dir, 'dist', 'renderer');
}
