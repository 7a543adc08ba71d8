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

/** [file, import, refused]: made-up files importing real modules. */
const CASES: [string, string, boolean][] = [
  // Upwards or sideways: refused.
  ['src/main/scheduler/probe.ts', "import { DvomApp as imported } from '../app/dvom-app.ts';", true],
  ['src/main/services/probe.ts', "import { Scheduler as imported } from '../scheduler/scheduler.ts';", true],
  ['src/main/engine/ops/probe.ts', "import { openBackup as imported } from '../../services/open-backup.ts';", true],
  ['src/main/docker/probe.ts', "import { restoreVolume as imported } from '../volumes/restore-volume.ts';", true],
  ['src/main/cli/commands/probe.ts', "import { DvomApp as imported } from '../../app/dvom-app.ts';", true],
  ['src/main/app/probe.ts', "import { openBackup as imported } from '../cli/open-backup.ts';", true],
  ['src/main/desktop/probe.ts', "import { createTray as imported } from '../electron/tray.ts';", true],
  // Electron stays out of the engine, the services and the CLI.
  ['src/main/engine/probe.ts', "import { app as imported } from 'electron';", true],
  ['src/main/services/probe.ts', "import { app as imported } from 'electron';", true],
  ['src/main/cli/probe.ts', "import { app as imported } from 'electron';", true],
  // The app's renderer never imports the component-test harness (its build would carry it).
  ['src/renderer/pages/probe.tsx', "import { FakeApi as imported } from '../../../test/renderer-harness/fake-api.ts';", true],
  // Downwards: allowed.
  ['src/main/scheduler/probe.ts', "import { openUnattended as imported } from '../services/unattended.ts';", false],
  ['src/main/app/probe.ts', "import { Scheduler as imported } from '../scheduler/scheduler.ts';", false],
  ['src/main/cli/commands/probe.ts', "import { openBackup as imported } from '../../services/open-backup.ts';", false],
  ['src/main/electron/probe.ts', "import { DvomApp as imported } from '../app/dvom-app.ts';", false],
  ['src/main/services/probe.ts', "import { restoreVolume as imported } from '../volumes/restore-volume.ts';", false],
  // The dvom command's composition root registers `dvom serve`.
  ['src/main/cli/dvom.ts', "import { serveCommand as imported } from '../serve/serve-command.ts';", false],
];

describe('layering lint rule', () => {
  for (const [file, source, refused] of CASES) {
    it(`${refused ? 'refuses' : 'allows'} in ${file}: ${source}`, async () => {
      const messages = await restricted(file, source);
      assert.equal(messages.length, refused ? 1 : 0, messages.join('\n'));
      if (refused) assert.match(messages[0]!, /imports only from the layers below it|never import Electron|never imports test code/);
    });
  }
});
