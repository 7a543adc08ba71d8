import { existsSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import * as path from 'node:path';

/**
 * dockerode requires, as it loads, a BuildKit session client (gRPC and
 * protobuf, over a hundred files), and docker-modem an SSH client. DVOM never
 * builds images and reaches few engines over ssh://, yet every process that
 * talked to Docker paid for both: about 90 ms of start-up, 5 MiB of heap that
 * each full collection marks again, and 19 MiB of resident memory.
 *
 * Each of the two modules is a single function. A stand-in takes its place
 * in require's cache and loads the real one on its first call. A layout
 * other than the one expected is left alone (loaded as it comes).
 */
export function deferUnusedDockerModules(): void {
  const require = createRequire(import.meta.url);
  let dockerode: string;
  try {
    dockerode = require.resolve('dockerode');
  } catch {
    return;
  }
  const fromDockerode = createRequire(dockerode);
  let modem: string | undefined;
  try {
    modem = fromDockerode.resolve('docker-modem');
  } catch {
    modem = undefined;
  }
  defer(path.join(path.dirname(dockerode), 'session.js'));
  if (modem) defer(path.join(path.dirname(modem), 'ssh.js'));
}

function defer(file: string): void {
  const cache = createRequire(file).cache;
  if (cache[file] || !existsSync(file)) return;
  let real: ((...args: unknown[]) => unknown) | undefined;
  const standIn = new Module(file);
  standIn.filename = file;
  standIn.loaded = true;
  standIn.exports = function (this: unknown, ...args: unknown[]): unknown {
    if (!real) {
      delete cache[file];
      real = createRequire(file)(file) as (...args: unknown[]) => unknown;
    }
    return real.apply(this, args);
  };
  cache[file] = standIn;
}
