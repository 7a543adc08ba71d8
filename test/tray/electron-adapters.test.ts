/**
 * tray.ts and notifications.ts loaded with a fake Electron (fake-electron.ts):
 * the tray shows the state, clicks reach the API, failures become
 * notifications, scheduled runs notify, and the quit dialog's buttons map to
 * choices. Real Electron behaviour (a visible icon, a native menu) is not
 * covered: no Electron binary can run here.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import type { JobDto } from '../../src/shared/api/dto.ts';
import type { Schedule, ScheduleRun } from '../../src/shared/schedule.ts';
import { EventHub } from '../../src/main/services/event-hub.ts';
import { JobManager } from '../../src/main/services/job-manager.ts';
import type { DispatcherLike } from '../../src/main/desktop/tray-state.ts';
import { fake, menuItem, useFakeElectron, type NativeImage } from './fake-electron.ts';
import { scheduleStatus as status } from './schedule-fixtures.ts';

useFakeElectron();
const { startTray } = await import('../../src/main/electron/tray.ts');
const { TRAY_MENU_PROBE } = await import('../../src/main/desktop/tray-menu.ts');
const { askToQuit, showNotice, startRunNotifications } = await import('../../src/main/electron/notifications.ts');

const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'dvom-tray-adapter-'));
after(() => fs.rm(tmp, { recursive: true, force: true }));

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));


/** The scheduler as the tray sees it. */
function fakeScheduler() {
  const stateListeners = new Set<(s: string) => void>();
  const runListeners = new Set<(s: Schedule, r: ScheduleRun) => void>();
  const scheduler = {
    current: 'idle' as 'idle' | 'running' | 'failed',
    state: () => scheduler.current,
    onStateChange: (l: (s: string) => void) => {
      stateListeners.add(l);
      return () => stateListeners.delete(l);
    },
    onRunFinished: (l: (s: Schedule, r: ScheduleRun) => void) => {
      runListeners.add(l);
      return () => runListeners.delete(l);
    },
    setState: (s: 'idle' | 'running' | 'failed') => {
      scheduler.current = s;
      for (const l of stateListeners) l(s);
    },
    finish: (s: Schedule, r: ScheduleRun) => {
      for (const l of runListeners) l(s, r);
    },
  };
  return scheduler;
}

function harness() {
  const events = new EventHub();
  const jobs = new JobManager(events);
  const scheduler = fakeScheduler();
  const calls: [unknown, unknown][] = [];
  let schedules = { paused: false, schedules: [status('nightly')] };
  let refuse: string | undefined;
  const dispatcher: DispatcherLike = {
    dispatch: async (method, params) => {
      calls.push([method, params]);
      if (refuse && method !== 'schedules.list') return { ok: false, error: { code: 'LOCKED', message: refuse } };
      if (method === 'schedules.list') return { ok: true, result: schedules };
      if (method === 'schedules.pauseAll') {
        schedules = { ...schedules, paused: (params as { paused: boolean }).paused };
        return { ok: true, result: { paused: schedules.paused } };
      }
      return { ok: true, result: { jobId: 'job-1' } };
    },
  };
  let login = false;
  const loginItem = {
    isEnabled: async () => login,
    setEnabled: async (enabled: boolean) => void (login = enabled),
    refresh: async () => undefined,
  };
  const opened: string[] = [];
  const notices: { title: string; body: string; failed: boolean }[] = [];
  const dvom = { jobs, events, scheduler } as unknown as Parameters<typeof startTray>[0]['dvom'];
  const handle = startTray({
    dvom,
    dispatcher,
    loginItem,
    openWindow: () => void opened.push('open'),
    quit: () => void opened.push('quit'),
    notify: (n) => void notices.push(n),
  });
  assert.ok(handle);
  return { handle, tray: fake.trays.at(-1)!, calls, opened, notices, scheduler, jobs, refuse: (m: string | undefined) => (refuse = m) };
}

const sizes = (image: NativeImage) => image.representations.map((r) => [r.scaleFactor, r.buffer.readUInt32BE(16)]);

describe('tray adapter', () => {
  it('shows the state as icon, tooltip and native menu', async () => {
    const h = harness();
    await settle();
    assert.deepEqual(sizes(h.tray.image), [[1, 32]], 'Linux: the 32 px image');
    assert.equal(h.tray.image.template, false);
    assert.equal(h.tray.tooltip, 'DVOM: Scheduled backups are up to date');
    const labels = h.tray.menu.map((i) => i.label ?? `(${i.type})`);
    assert.deepEqual(labels, ['Scheduled backups are up to date', '(separator)', 'nightly', '(separator)', 'Pause all schedules', 'Open DVOM', '(separator)', 'Launch at login', '(separator)', 'Quit DVOM']);
    assert.equal(menuItem(h.tray.menu, 'Launch at login')!.type, 'checkbox');
    assert.equal(typeof menuItem(h.tray.menu, 'Back up now: nightly')!.click, 'function');
    assert.equal(menuItem(h.tray.menu, 'Scheduled backups are up to date')!.click, undefined, 'info lines have no click');
    // What the Electron e2e test reads in the main process: the labels shown, without separators.
    assert.deepEqual((globalThis as Record<string, unknown>)[TRAY_MENU_PROBE], labels.filter((l) => l !== '(separator)'));
    h.handle.destroy();
    assert.equal(h.tray.destroyed, true);
    assert.equal((globalThis as Record<string, unknown>)[TRAY_MENU_PROBE], undefined);
  });

  it('runs clicks through the API and redraws', async () => {
    const h = harness();
    await settle();
    menuItem(h.tray.menu, 'Back up now: nightly')!.click!();
    menuItem(h.tray.menu, 'Pause all schedules')!.click!();
    menuItem(h.tray.menu, 'Launch at login')!.click!();
    menuItem(h.tray.menu, 'Open DVOM')!.click!();
    menuItem(h.tray.menu, 'Quit DVOM')!.click!();
    await settle();
    assert.deepEqual(
      h.calls.filter(([m]) => m !== 'schedules.list'),
      [
        ['schedules.runNow', { name: 'nightly' }],
        ['schedules.pauseAll', { paused: true }],
      ],
    );
    assert.deepEqual(h.opened, ['open', 'quit']);
    assert.equal(menuItem(h.tray.menu, 'Pause all schedules')!.checked, true);
    assert.equal(menuItem(h.tray.menu, 'Launch at login')!.checked, true);
    h.handle.destroy();
  });

  it('tells about a refused click in a notification', async () => {
    const h = harness();
    await settle();
    h.refuse('backup nightly is being written right now');
    menuItem(h.tray.menu, 'Back up now: nightly')!.click!();
    await settle();
    assert.deepEqual(h.notices, [{ title: 'Could not start the backup: nightly', body: 'backup nightly is being written right now', failed: true }]);
    h.handle.destroy();
  });

  it("follows the scheduler's state and running jobs in the icon, and rebuilds the menu only on change", async () => {
    const h = harness();
    await settle();
    const builds = h.tray.menuBuilds;
    await h.handle.refresh();
    assert.equal(h.tray.menuBuilds, builds, 'same state, same menu: not rebuilt');

    const idle = h.tray.image;
    h.scheduler.setState('failed');
    await settle();
    assert.notEqual(h.tray.image, idle);
    assert.equal(h.tray.tooltip, 'DVOM: A scheduled backup failed');

    let release!: () => void;
    const id = h.jobs.start('backup', 'Back up data', () => new Promise<string>((resolve) => (release = () => resolve('ok'))));
    await settle();
    assert.equal(h.tray.tooltip, 'DVOM: A job is running…');
    release();
    await h.jobs.wait(id);
    await settle();
    assert.equal(h.tray.tooltip, 'DVOM: A scheduled backup failed');
    h.handle.destroy();
  });
});

describe('notifications', () => {
  it('notifies scheduled failures (critical) and wanted successes; a click opens the window', () => {
    const scheduler = fakeScheduler();
    let clicks = 0;
    const before = fake.notifications.length;
    const stop = startRunNotifications({ scheduler } as unknown as Parameters<typeof startRunNotifications>[0], () => clicks++);
    const s = (name: string, notifyOnSuccess: boolean) => ({ ...status(name), notifyOnSuccess });
    scheduler.finish(s('nightly', false), { at: '', outcome: 'failed', message: 'the store is full' });
    scheduler.finish(s('nightly', false), { at: '', outcome: 'succeeded', message: 'ok' });
    scheduler.finish(s('loud', true), { at: '', outcome: 'succeeded', message: '3 files' });
    const shown = fake.notifications.slice(before);
    assert.deepEqual(
      shown.map((n) => [n.options.title, n.options.body, n.options.urgency, n.shown]),
      [
        ['Scheduled backup failed: nightly', 'the store is full', 'critical', true],
        ['Scheduled backup finished: loud', '3 files', 'normal', true],
      ],
    );
    assert.ok(shown[0]!.options.icon, 'with the tray icon as image');
    shown[0]!.emit('click');
    assert.equal(clicks, 1);
    stop();
    scheduler.finish(s('nightly', false), { at: '', outcome: 'failed', message: 'again' });
    assert.equal(fake.notifications.length, before + 2);
  });

  it('showNotice works without a click handler', () => {
    showNotice({ title: 'DVOM keeps running in the tray', body: 'b' });
    const n = fake.notifications.at(-1)!;
    assert.equal(n.options.title, 'DVOM keeps running in the tray');
    assert.doesNotThrow(() => n.emit('click'));
  });

  it("maps the quit dialog's buttons to choices", async () => {
    const running: JobDto[] = [{ id: 'j', kind: 'backup', title: 'Scheduled backup nightly', state: 'running', startedAt: '', finishedAt: null, progress: null, result: null, error: null }];
    const answers = [];
    for (const response of [0, 1, 2]) {
      fake.dialogResponse = response;
      answers.push(await askToQuit(running));
    }
    assert.deepEqual(answers, ['cancel', 'wait', 'stay']);
    const dialog = fake.dialogs.at(-1)!;
    assert.equal(dialog.message, 'A backup is running. Cancel it and quit?');
    assert.deepEqual(dialog.buttons, ['Cancel it and quit', 'Wait, then quit', "Don't quit"]);
  });
});
