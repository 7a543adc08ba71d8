/**
 * Which build of the engine the workers load. Users run the JavaScript in
 * dist/ (`npm run build`), not the TypeScript sources through Node's type
 * stripping (which costs tens of MiB of RSS on its own), so the workers import
 * dist/ when it is complete and newer than every source it is built from, and
 * fall back to src/ otherwise (the summary then says so).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { WorkerModules } from './protocol.ts';

const REPO_ROOT = path.resolve(import.meta.dirname, '..');

/** Source trees the workers and the dvom CLI load (the main process and shared types), relative to src/. */
const TREES = ['main', 'shared'];

/** Modules of the project the workers import, relative to src/ without extension. */
const PROJECT_MODULES = {
  engine: 'main/engine/index',
  s3Backend: 'main/engine/storage/s3-backend',
  dockerClient: 'main/docker/docker-client',
  backupVolumes: 'main/volumes/backup-volumes',
  restoreVolume: 'main/volumes/restore-volume',
} as const;

export type EngineFrom = 'auto' | 'dist' | 'src';

export interface EngineModules {
  from: 'dist' | 'src';
  /** Why (for the report). */
  reason: string;
  urls: WorkerModules;
  /** The dvom CLI's entry point (file path) from the same build. */
  cli: string;
}

function sourcesUnder(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) sourcesUnder(full, out);
    else if (e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

/** Undefined when dist/ is complete and newer than its sources; otherwise why it cannot be used. */
export function distProblem(root = REPO_ROOT): string | undefined {
  const index = path.join(root, 'dist', `${PROJECT_MODULES.engine}.js`);
  if (!existsSync(index)) return `${path.relative(root, index)} does not exist`;
  for (const tree of TREES) {
    const dir = path.join(root, 'src', tree);
    if (!existsSync(dir)) continue;
    for (const src of sourcesUnder(dir)) {
      const rel = path.relative(path.join(root, 'src'), src);
      const built = path.join(root, 'dist', rel.replace(/\.ts$/, '.js'));
      if (!existsSync(built)) return `dist/${path.relative(path.join(root, 'dist'), built)} is missing`;
      if (statSync(built).mtimeMs < statSync(src).mtimeMs) return `src/${rel} is newer than its build`;
    }
  }
  return undefined;
}

/** Decides once per run (sources edited mid-run must not switch builds between operations). */
export function chooseEngineModules(from: EngineFrom = 'auto'): EngineModules {
  const problem = from === 'src' ? undefined : distProblem();
  if (from === 'dist' && problem) throw new Error(`--engine-from=dist: ${problem} (run npm run build)`);
  const useDist = from !== 'src' && !problem;
  const project = Object.fromEntries(
    Object.entries(PROJECT_MODULES).map(([key, rel]) => [
      key,
      pathToFileURL(path.join(REPO_ROOT, useDist ? 'dist' : 'src', `${rel}${useDist ? '.js' : '.ts'}`)).href,
    ]),
  ) as Record<keyof typeof PROJECT_MODULES, string>;
  return {
    from: useDist ? 'dist' : 'src',
    reason: useDist ? 'dist/ is complete and newer than its sources' : from === 'src' ? 'requested with --engine-from=src' : `${problem}`,
    urls: {
      ...project,
      dockerode: import.meta.resolve('dockerode'),
      s3Client: import.meta.resolve('@aws-sdk/client-s3'),
      libStorage: import.meta.resolve('@aws-sdk/lib-storage'),
    },
    cli: path.join(REPO_ROOT, useDist ? 'dist' : 'src', `main/cli/dvom${useDist ? '.js' : '.ts'}`),
  };
}
