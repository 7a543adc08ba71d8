/**
 * The layering lint rule (eslint.config.js): the main process's folders import
 * only downwards. Linted as text under made-up file names, so nothing is written.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';

const eslint = new ESLint({ cwd: new URL('../..', import.meta.url).pathname });

async function restricted(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${source}\nexport const used = imported;\n`, { filePath: file });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layering lint rule', () => {
  it('refuses imports upwards and sideways', async () => {
    const cases: [string, string][] = [
      ['src/main/scheduler/probe.ts', "import { DvomApp as imported } from '../app/dvom-app.ts';"],
      ['src/main/services/probe.ts', "import { Scheduler as imported } from '../scheduler/scheduler.ts';"],
      ['src/main/engine/ops/probe.ts', "import { openBackup as imported } from '../../services/open-backup.ts';"],
      ['src/main/docker/probe.ts', "import { restoreVolume as imported } from '../volumes/restore-volume.ts';"],
      ['src/main/cli/commands/probe.ts', "import { DvomApp as imported } from '../../app/dvom-app.ts';"],
      ['src/main/app/probe.ts', "import { openBackup as imported } from '../cli/open-backup.ts';"],
      ['src/main/desktop/probe.ts', "import { createTray as imported } from '../electron/tray.ts';"],
    ];
    for (const [file, source] of cases) {
      const messages = await restricted(file, source);
      assert.equal(messages.length, 1, `${file}: ${source}`);
      assert.match(messages[0]!, /imports only from the layers below it/);
    }
  });

  it('allows imports downwards', async () => {
    const cases: [string, string][] = [
      ['src/main/scheduler/probe.ts', "import { openUnattended as imported } from '../services/unattended.ts';"],
      ['src/main/app/probe.ts', "import { Scheduler as imported } from '../scheduler/scheduler.ts';"],
      ['src/main/cli/commands/probe.ts', "import { openBackup as imported } from '../../services/open-backup.ts';"],
      ['src/main/electron/probe.ts', "import { DvomApp as imported } from '../app/dvom-app.ts';"],
      ['src/main/services/probe.ts', "import { restoreVolume as imported } from '../volumes/restore-volume.ts';"],
      ['src/main/cli/dvom.ts', "import { serveCommand as imported } from '../serve/serve-command.ts';"],
    ];
    for (const [file, source] of cases) assert.deepEqual(await restricted(file, source), [], `${file}: ${source}`);
  });

  it('keeps Electron out of the engine, services and CLI', async () => {
    for (const file of ['src/main/engine/probe.ts', 'src/main/services/probe.ts', 'src/main/cli/probe.ts']) {
      assert.equal((await restricted(file, "import { app as imported } from 'electron';")).length, 1, file);
    }
  });
});
