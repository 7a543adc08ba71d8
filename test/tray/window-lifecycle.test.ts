/**
 * Close-to-tray and quitting, with a fake window and the real JobManager:
 * closing hides while the tray is up (told once, ever), quitting asks when a
 * job runs and then cancels, waits or stays.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { JobDto } from '../../src/shared/api/dto.ts';
import { EventHub } from '../../src/main/services/event-hub.ts';
import { JobManager } from '../../src/main/services/job-manager.ts';
import { DvomError } from '../../src/main/engine/errors.ts';
import { QuitFlow, keepInTrayOnClose, onceEver, quitPrompt, tellOnce, type QuitChoice } from '../../src/main/electron/window-lifecycle.ts';

let tmp: string;
before(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'dvom-lifecycle-'));
});
after(() => fs.rm(tmp, { recursive: true, force: true }));

function fakeWindow() {
  let listener: ((event: { preventDefault(): void }) => void) | undefined;
  const win = {
    hidden: 0,
    on: (_event: 'close', l: (event: { preventDefault(): void }) => void) => void (listener = l),
    hide: () => void win.hidden++,
    /** Fires 'close'; true when it was let through. */
    close: () => {
      let prevented = false;
      listener?.({ preventDefault: () => (prevented = true) });
      return !prevented;
    },
  };
  return win;
}

describe('close to tray', () => {
  it('hides instead of closing while the app keeps running, and closes otherwise', () => {
    const win = fakeWindow();
    let keep = true;
    let told = 0;
    keepInTrayOnClose(win, { keepRunning: () => keep, onHidden: () => told++ });
    assert.equal(win.close(), false);
    assert.equal(win.hidden, 1);
    assert.equal(told, 1);
    keep = false; // quitting, or no tray
    assert.equal(win.close(), true);
    assert.equal(win.hidden, 1);
  });

  it('tells once ever: the flag file survives a restart', async () => {
    const flag = path.join(tmp, 'user-data', 'tray-hint-shown');
    const first = onceEver(flag);
    assert.equal(await first(), true);
    assert.equal(await first(), false);
    const afterRestart = onceEver(flag);
    assert.equal(await afterRestart(), false);
  });

  it('tellOnce tells on the first hide only, across restarts', async () => {
    const flag = path.join(tmp, 'tell', 'tray-hint-shown');
    let told = 0;
    const onHidden = tellOnce(flag, () => told++);
    onHidden();
    onHidden();
    await new Promise((resolve) => setTimeout(resolve, 20));
    tellOnce(flag, () => told++)();
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(told, 1);
  });

  it('tells once per run when the flag cannot be written', async () => {
    const blocker = path.join(tmp, 'a-file');
    await fs.writeFile(blocker, '');
    const once = onceEver(path.join(blocker, 'tray-hint-shown'));
    assert.equal(await once(), true);
    assert.equal(await once(), false);
  });
});

function job(kind: JobDto['kind'], title: string): JobDto {
  return { id: title, kind, title, state: 'running', startedAt: '', finishedAt: null, progress: null, result: null, error: null };
}

describe('quit prompt', () => {
  it('asks about a running backup: cancel and quit, wait, or stay', () => {
    const p = quitPrompt([job('backup', 'Scheduled backup nightly')]);
    assert.equal(p.message, 'A backup is running. Cancel it and quit?');
    assert.deepEqual(p.buttons, ['Cancel it and quit', 'Wait, then quit', "Don't quit"]);
    assert.deepEqual(p.choices, ['cancel', 'wait', 'stay']);
    assert.equal(p.choices[p.defaultId], 'wait');
    assert.equal(p.choices[p.cancelId], 'stay');
    assert.ok(p.detail.includes('• Scheduled backup nightly'));
  });

  it('words several and other jobs', () => {
    assert.equal(quitPrompt([job('restore', 'a'), job('restore', 'b')]).message, '2 restores are running. Cancel them and quit?');
    assert.equal(quitPrompt([job('backup', 'a'), job('verify', 'b')]).message, '2 jobs are running. Cancel them and quit?');
    const many = quitPrompt(Array.from({ length: 7 }, (_, i) => job('backup', `b${i}`)));
    assert.ok(many.detail.includes('…and 2 more'));
  });
});

describe('quitting', () => {
  function setup(answers: QuitChoice[]) {
    const jobs = new JobManager(new EventHub());
    const log: string[] = [];
    let exits = 0;
    const flow = new QuitFlow({
      jobs,
      ask: async (running) => {
        log.push(`ask:${running.map((j) => j.title).join(',')}`);
        return answers.shift() ?? 'stay';
      },
      shutdown: async () => {
        log.push(`shutdown:${jobs.running().length}`);
        await jobs.shutdown();
      },
      exit: () => {
        exits++;
        log.push('exit');
      },
    });
    /** before-quit as Electron fires it: true when the quit went through. */
    const beforeQuit = () => flow.request();
    /** A job that runs until released or cancelled. */
    const start = (title: string) => {
      let release!: () => void;
      const done = new Promise<void>((resolve) => (release = resolve));
      const id = jobs.start('backup', title, async ({ signal }) => {
        await new Promise<void>((resolve, reject) => {
          void done.then(resolve);
          signal.addEventListener('abort', () => reject(new DvomError('CANCELLED', 'cancelled')));
        });
        return 'ok';
      });
      return { id, release };
    };
    const settle = () => new Promise((resolve) => setTimeout(resolve, 10));
    return { jobs, flow, log, beforeQuit, start, settle, exits: () => exits };
  }

  it('quits at once (after the usual cleanup) when nothing runs', async () => {
    const h = setup([]);
    assert.equal(h.beforeQuit(), false, 'held back for the cleanup');
    await h.settle();
    assert.deepEqual(h.log, ['shutdown:0', 'exit']);
    assert.equal(h.flow.quitting(), true);
    assert.equal(h.beforeQuit(), true, 'the quit from exit() goes through');
  });

  it('"Cancel it and quit" cancels the running backup, then quits', async () => {
    const h = setup(['cancel']);
    const b = h.start('Scheduled backup nightly');
    assert.equal(h.beforeQuit(), false);
    await h.settle();
    assert.deepEqual(h.log, ['ask:Scheduled backup nightly', 'shutdown:1', 'exit']);
    assert.equal((await h.jobs.wait(b.id))!.state, 'cancelled');
  });

  it('"Don\'t quit" keeps everything running and a later quit asks again', async () => {
    const h = setup(['stay', 'cancel']);
    const b = h.start('Scheduled backup nightly');
    assert.equal(h.beforeQuit(), false);
    await h.settle();
    assert.deepEqual(h.log, ['ask:Scheduled backup nightly']);
    assert.equal(h.flow.quitting(), false, 'windows may go back to the tray');
    assert.equal(h.jobs.running().length, 1);
    assert.equal(h.exits(), 0);

    h.beforeQuit();
    await h.settle();
    assert.equal(h.exits(), 1);
    b.release();
  });

  it('"Wait, then quit" lets the backup finish, then quits', async () => {
    const h = setup(['wait', 'wait']);
    const b = h.start('Scheduled backup nightly');
    h.beforeQuit();
    await h.settle();
    assert.equal(h.exits(), 0, 'still waiting');
    assert.equal(h.flow.quitting(), false);
    assert.equal(h.beforeQuit(), false, 'a quit while waiting is held back (and asks again: wait)');
    await h.settle();
    assert.equal(h.exits(), 0);
    b.release();
    await h.settle();
    assert.equal((await h.jobs.wait(b.id))!.state, 'succeeded');
    assert.ok(h.log.includes('exit'));
    assert.equal(h.exits(), 1);
  });

  /** A backup runs; the user quits, answers the first choice, then quits again and answers the second. */
  async function quitTwice(choices: [QuitChoice, QuitChoice]) {
    const h = setup(choices);
    const b = h.start('Scheduled backup nightly');
    for (let i = 0; i < 2; i++) {
      h.beforeQuit();
      await h.settle();
    }
    return { h, b };
  }

  it('quitting again while waiting asks again, and can cancel then', async () => {
    const { h, b } = await quitTwice(['wait', 'cancel']);
    assert.deepEqual(h.log, ['ask:Scheduled backup nightly', 'ask:Scheduled backup nightly', 'shutdown:1', 'exit']);
    assert.equal((await h.jobs.wait(b.id))!.state, 'cancelled');
  });

  it('choosing to stay while waiting abandons the quit, even when the backup ends later', async () => {
    const { h, b } = await quitTwice(['wait', 'stay']);
    b.release();
    await h.settle();
    assert.equal(h.exits(), 0);
    assert.equal(h.flow.quitting(), false);
  });

  it('ignores quit requests while the question is open, and treats a failed dialog as "stay"', async () => {
    const jobs = new JobManager(new EventHub());
    let asked = 0;
    let answer!: (c: QuitChoice) => void;
    const flow = new QuitFlow({
      jobs,
      ask: () => {
        asked++;
        return asked === 1 ? new Promise<QuitChoice>((resolve) => (answer = resolve)) : Promise.reject(new Error('no display'));
      },
      shutdown: async () => undefined,
      exit: () => assert.fail('must not quit'),
    });
    jobs.start('backup', 'b', () => new Promise<string>(() => undefined));
    flow.request();
    flow.request();
    flow.request();
    await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(asked, 1);
    answer('stay');
    await new Promise((resolve) => setTimeout(resolve, 5));
    flow.request();
    await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(asked, 2);
    assert.equal(flow.quitting(), false);
  });
});
