/* eslint-disable no-restricted-imports -- a test: checks the presets against the splitter the engine uses on labels. */
/**
 * The presets the backup dialog offers are real hook command lines: each
 * splits (as DVOM will split the label) into a shell invocation, and the
 * compose.yaml text quotes it so YAML gives back exactly the command.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { splitCommandLine } from '../../../main/docker/command-line.ts';
import { composeLabels, recogniseApp } from './hook-presets.ts';

describe('hook presets', () => {
  it('recognises databases by image name, whatever the registry, namespace or tag', () => {
    assert.equal(recogniseApp({ name: 'db', running: true, image: 'docker.io/library/postgres:16-alpine' })?.app, 'PostgreSQL');
    assert.equal(recogniseApp({ name: 'db', running: true, image: 'mysql:8' })?.app, 'MySQL');
    assert.equal(recogniseApp({ name: 'db', running: true, image: 'mariadb@sha256:abc' })?.app, 'MariaDB');
    assert.equal(recogniseApp({ name: 'c', running: true, image: 'redis' })?.app, 'Redis');
    assert.equal(recogniseApp({ name: 'w', running: true, image: 'nginx:1' }), undefined);
    assert.equal(recogniseApp({ name: 'w', running: true }), undefined);
  });

  it('every preset is one shell command line DVOM splits into sh -c SCRIPT; YAML quoting is exact', () => {
    for (const image of ['postgres', 'mysql', 'mariadb', 'redis']) {
      for (const preset of recogniseApp({ name: 'x', running: true, image })!.presets) {
        const words = splitCommandLine(preset.pre);
        assert.equal(words.length, 3, preset.pre);
        assert.deepEqual(words.slice(0, 2), ['sh', '-c']);
        const line = composeLabels(preset).split('\n')[1]!;
        const quoted = line.slice(line.indexOf(': ') + 2);
        assert.equal(quoted.slice(1, -1).replaceAll("''", "'"), preset.pre);
      }
    }
  });
});
