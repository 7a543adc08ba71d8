/**
 * Store edits an attacker with write access to a local store can make, for
 * the tests that show DVOM refuses them.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { sealJson } from '../../src/main/engine/repo/sealed-json.ts';

/**
 * The downgrade of finding H1: keys, key list, index and versions moved
 * aside, and config.json rewritten to say `encrypted: false` with an unkeyed
 * (SHA-256) seal, so that a client that trusts it writes plaintext.
 */
export async function downgradeToPlain(storeDir: string, backup: string): Promise<void> {
  const root = path.join(storeDir, 'backups', backup);
  const aside = path.join(storeDir, `aside-${backup}`);
  await fs.mkdir(aside, { recursive: true });
  for (const name of ['keys', 'keyring.json', 'index', 'versions', 'verified']) {
    await fs.rename(path.join(root, name), path.join(aside, name)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
  }
  const configFile = path.join(root, 'config.json');
  const { seal: _seal, ...config } = JSON.parse(await fs.readFile(configFile, 'utf8')) as Record<string, unknown>;
  await fs.writeFile(configFile, JSON.stringify(sealJson({ ...config, encrypted: false }, undefined), null, 2));
}

/** Every file under the store except locks (which readers may leave behind): path → size and mtime. */
export async function storeSnapshot(storeDir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const visit = async (dir: string): Promise<void> => {
    for (const e of await fs.readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) await visit(full);
      else if (!full.includes(`${path.sep}locks${path.sep}`)) {
        const st = await fs.stat(full);
        out.set(path.relative(storeDir, full), `${st.size} ${st.mtimeMs}`);
      }
    }
  };
  await visit(storeDir);
  return out;
}
