/**
 * A worker script of the engine: the .ts file when running from source (type
 * stripping), the .js one when built. `name` is relative to the engine folder.
 */
export function workerUrl(name: string): URL {
  return new URL(`./${name}${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);
}
