/**
 * The tray's icon, tooltip and menu template, built from plain state (Electron
 * cannot run here; tray.ts only maps this template to a native menu). Times are
 * built with local-time constructors, so the words hold in any time zone.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  MAX_NAME_LENGTH,
  MAX_SCHEDULES,
  buildTrayMenu,
  describeTime,
  trayIcon,
  trayIconFiles,
  trayTooltip,
  truncate,
  type TrayMenuItem,
  type TraySchedule,
  type TrayState,
} from '../../src/main/desktop/tray-menu.ts';

/** Wednesday 13 May 2026, 14:30 local time. */
const NOW = new Date(2026, 4, 13, 14, 30);
const local = (y: number, m: number, d: number, h: number, min: number) => new Date(y, m - 1, d, h, min).toISOString();

function schedule(name: string, extra: Partial<TraySchedule> = {}): TraySchedule {
  return { name, enabled: true, running: false, nextRun: local(2026, 5, 14, 2, 0), lastRun: null, passwordMissing: false, ...extra };
}

function state(extra: Partial<TrayState> = {}): TrayState {
  return { schedules: [], schedulesError: null, paused: false, runningJobs: 0, launchAtLogin: false, schedulerState: null, ...extra };
}

const labels = (items: TrayMenuItem[]) => items.map((i) => i.label);
const find = (items: TrayMenuItem[], label: string) => {
  const item = items.find((i) => i.label === label);
  assert.ok(item, `menu item "${label}" in ${JSON.stringify(labels(items))}`);
  return item;
};
const scheduleItems = (items: TrayMenuItem[]) => items.filter((i) => i.type === 'submenu');

describe('tray icon', () => {
  it('is idle with nothing running and no failures', () => {
    assert.equal(trayIcon(state()), 'idle');
    assert.equal(trayIcon(state({ schedules: [schedule('nightly', { lastRun: { at: local(2026, 5, 13, 2, 0), outcome: 'succeeded', message: 'ok' } })] })), 'idle');
  });

  it('is running while a schedule runs or any job runs', () => {
    assert.equal(trayIcon(state({ schedules: [schedule('nightly', { running: true })] })), 'running');
    assert.equal(trayIcon(state({ runningJobs: 1 })), 'running');
  });

  it('is failed when an enabled schedule last failed, and running wins over failed', () => {
    const failed = schedule('nightly', { lastRun: { at: local(2026, 5, 13, 2, 0), outcome: 'failed', message: 'no Docker' } });
    assert.equal(trayIcon(state({ schedules: [failed] })), 'failed');
    assert.equal(trayIcon(state({ schedules: [failed], runningJobs: 1 })), 'running');
    assert.equal(trayIcon(state({ schedules: [{ ...failed, enabled: false }] })), 'idle', 'a disabled schedule does not colour the icon');
    assert.equal(trayIcon(state({ schedules: [{ ...failed, lastRun: { ...failed.lastRun!, outcome: 'skipped' } }] })), 'idle');
  });

  it("follows the scheduler's own state too (a failure followed by skipped runs is still a failure)", () => {
    assert.equal(trayIcon(state({ schedulerState: 'failed', schedules: [schedule('nightly')] })), 'failed');
    assert.equal(trayIcon(state({ schedulerState: 'running' })), 'running');
    assert.equal(trayIcon(state({ schedulerState: 'idle' })), 'idle');
    assert.equal(buildTrayMenu(state({ schedulerState: 'failed', schedules: [schedule('nightly')] }), NOW)[0]!.label, 'A scheduled backup failed');
  });

  it('has image files of the right size for every state and platform', () => {
    const assets = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'assets', 'tray');
    for (const kind of ['idle', 'running', 'failed'] as const) {
      for (const platform of ['linux', 'win32', 'darwin'] as const) {
        const { files, template } = trayIconFiles(kind, platform);
        assert.equal(template, platform === 'darwin');
        for (const { file, scaleFactor } of files) {
          assert.ok(file.includes(kind));
          if (template) assert.match(file, /Template(@2x)?\.png$/);
          const png = readFileSync(path.join(assets, file));
          assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
          const width = png.readUInt32BE(16);
          const height = png.readUInt32BE(20);
          assert.equal(width, height);
          assert.equal(width, file.includes('@2x') ? 32 : 16, file);
          if (platform !== 'linux') assert.equal(width, 16 * scaleFactor, `${file} at scale ${scaleFactor}`);
        }
      }
    }
  });
});

describe('times in words (local time)', () => {
  it('says today, tomorrow and yesterday', () => {
    assert.equal(describeTime(local(2026, 5, 13, 18, 5), NOW), 'today at 18:05');
    assert.equal(describeTime(local(2026, 5, 14, 2, 0), NOW), 'tomorrow at 02:00');
    assert.equal(describeTime(local(2026, 5, 12, 23, 59), NOW), 'yesterday at 23:59');
  });

  it('gives weekday and date further away, with the year only when it differs', () => {
    assert.equal(describeTime(local(2026, 5, 18, 9, 0), NOW), 'Mon 18 May at 09:00');
    assert.equal(describeTime(local(2026, 5, 1, 0, 0), NOW), 'Fri 1 May at 00:00');
    assert.equal(describeTime(local(2027, 1, 1, 0, 0), NOW), 'Fri 1 Jan 2027 at 00:00');
  });

  it('counts days across midnight by the calendar, not by 24-hour spans', () => {
    const lateEvening = new Date(2026, 4, 13, 23, 50);
    assert.equal(describeTime(local(2026, 5, 14, 0, 10), lateEvening), 'tomorrow at 00:10');
  });

  it('copes with an unparsable time', () => {
    assert.equal(describeTime('not a date', NOW), 'at an unknown time');
  });
});

describe('tray menu', () => {
  it('has one entry per schedule with its last result and next run in words', () => {
    const menu = buildTrayMenu(
      state({
        schedules: [
          schedule('nightly', { lastRun: { at: local(2026, 5, 13, 2, 0), outcome: 'succeeded', message: '1.2 GiB, 3 new files' } }),
          schedule('hourly', { nextRun: local(2026, 5, 13, 15, 0), lastRun: { at: local(2026, 5, 13, 14, 0), outcome: 'failed', message: 'cannot reach Docker' } }),
          schedule('weekly', { nextRun: local(2026, 5, 18, 3, 30) }),
        ],
      }),
      NOW,
    );
    const entries = scheduleItems(menu);
    assert.deepEqual(labels(entries), ['nightly', 'hourly: last run failed', 'weekly']);

    const nightly = entries[0]!.submenu!;
    assert.deepEqual(nightly[0], { type: 'normal', label: 'Back up now: nightly', enabled: true, action: { kind: 'run', schedule: 'nightly' } });
    assert.ok(nightly.some((i) => i.label === 'Last: succeeded today at 02:00' && !i.enabled));
    assert.ok(nightly.some((i) => i.label === 'Next: tomorrow at 02:00' && !i.enabled));

    const hourly = entries[1]!.submenu!;
    assert.ok(labels(hourly).includes('Last: failed today at 14:00 (cannot reach Docker)'));
    assert.ok(labels(hourly).includes('Next: today at 15:00'));

    const weekly = entries[2]!.submenu!;
    assert.ok(labels(weekly).includes('Last: not run yet'));
    assert.ok(labels(weekly).includes('Next: Mon 18 May at 03:30'));
  });

  it('marks disabled schedules and gives them no next run', () => {
    const menu = buildTrayMenu(state({ schedules: [schedule('old', { enabled: false })] }), NOW);
    const [entry] = scheduleItems(menu);
    assert.equal(entry!.label, 'old (disabled)');
    assert.ok(labels(entry!.submenu!).includes('Next: none, the schedule is disabled'));
    assert.equal(entry!.submenu![0]!.enabled, true, 'a disabled schedule can still be run by hand');
  });

  it('shows a running schedule and does not offer to start it twice', () => {
    const menu = buildTrayMenu(state({ schedules: [schedule('nightly', { running: true })], runningJobs: 1 }), NOW);
    assert.equal(menu[0]!.label, 'Backing up: nightly…');
    const [entry] = scheduleItems(menu);
    assert.equal(entry!.label, 'nightly: running…');
    assert.equal(entry!.submenu![0]!.enabled, false);
  });

  it('warns about a missing password', () => {
    const [entry] = scheduleItems(buildTrayMenu(state({ schedules: [schedule('secure', { passwordMissing: true })] }), NOW));
    assert.equal(entry!.label, 'secure: password missing');
    assert.ok(entry!.submenu!.some((i) => /password is not in the keychain/.test(i.label)));
  });

  it('"Pause all schedules" is a checkbox reflecting and toggling the paused state', () => {
    const running = find(buildTrayMenu(state({ schedules: [schedule('nightly')] }), NOW), 'Pause all schedules');
    assert.equal(running.type, 'checkbox');
    assert.equal(running.checked, false);
    assert.deepEqual(running.action, { kind: 'pauseAll', paused: true });

    const paused = buildTrayMenu(state({ paused: true, schedules: [schedule('nightly')] }), NOW);
    const item = find(paused, 'Pause all schedules');
    assert.equal(item.checked, true);
    assert.deepEqual(item.action, { kind: 'pauseAll', paused: false });
    assert.equal(paused[0]!.label, 'Scheduled backups are paused');
    assert.ok(labels(scheduleItems(paused)[0]!.submenu!).includes('Next: none while schedules are paused'));
  });

  it('"Launch at login" is checked when on, and absent where unavailable', () => {
    const off = find(buildTrayMenu(state({ launchAtLogin: false }), NOW), 'Launch at login');
    assert.equal(off.type, 'checkbox');
    assert.equal(off.checked, false);
    assert.deepEqual(off.action, { kind: 'launchAtLogin', enabled: true });
    const on = find(buildTrayMenu(state({ launchAtLogin: true }), NOW), 'Launch at login');
    assert.equal(on.checked, true);
    assert.deepEqual(on.action, { kind: 'launchAtLogin', enabled: false });
    assert.ok(!labels(buildTrayMenu(state({ launchAtLogin: null }), NOW)).includes('Launch at login'));
  });

  it('always offers Open DVOM and, last, Quit', () => {
    for (const s of [state(), state({ schedules: [schedule('nightly')] }), state({ schedulesError: 'boom' })]) {
      const menu = buildTrayMenu(s, NOW);
      assert.deepEqual(find(menu, 'Open DVOM').action, { kind: 'open' });
      const last = menu.at(-1)!;
      assert.equal(last.label, 'Quit DVOM');
      assert.equal(last.enabled, true);
      assert.deepEqual(last.action, { kind: 'quit' });
    }
  });

  it('says "No scheduled backups" in a disabled line when there are none', () => {
    const menu = buildTrayMenu(state(), NOW);
    const line = find(menu, 'No scheduled backups');
    assert.equal(line.enabled, false);
    assert.equal(line.action, undefined);
    assert.equal(scheduleItems(menu).length, 0);
  });

  it('says why when the schedules cannot be read, and disables pausing', () => {
    const menu = buildTrayMenu(state({ schedulesError: 'scheduled backups are not available yet' }), NOW);
    assert.equal(find(menu, 'Schedules unavailable: scheduled backups are not available yet').enabled, false);
    assert.equal(find(menu, 'Pause all schedules').enabled, false);
    assert.equal(menu[0]!.label, 'Scheduled backups are unavailable');
  });

  it('truncates long names and messages', () => {
    const long = `a${'b'.repeat(63)}`;
    const message = `error ${'x'.repeat(200)}`;
    const menu = buildTrayMenu(state({ schedules: [schedule(long, { lastRun: { at: local(2026, 5, 13, 2, 0), outcome: 'failed', message } })] }), NOW);
    const [entry] = scheduleItems(menu);
    assert.ok(entry!.label.startsWith(`${long.slice(0, MAX_NAME_LENGTH - 1)}…`), entry!.label);
    assert.ok(entry!.label.length < long.length);
    assert.equal(entry!.submenu![0]!.label, `Back up now: ${long.slice(0, MAX_NAME_LENGTH - 1)}…`);
    assert.deepEqual(entry!.submenu![0]!.action, { kind: 'run', schedule: long }, 'the action keeps the full name');
    const last = entry!.submenu!.find((i) => i.label.startsWith('Last:'))!;
    assert.ok(last.label.length < 120, last.label);
    assert.ok(last.label.endsWith('…)'));
    assert.equal(truncate('  two\nlines  ', 20), 'two lines');
  });

  it('lists at most MAX_SCHEDULES schedules and sums up the rest', () => {
    const many = Array.from({ length: MAX_SCHEDULES + 3 }, (_, i) => schedule(`s${i}`));
    const menu = buildTrayMenu(state({ schedules: many }), NOW);
    assert.equal(scheduleItems(menu).length, MAX_SCHEDULES);
    assert.equal(find(menu, '…and 3 more (open DVOM to see all)').enabled, false);
  });

  it('starts with a disabled status line and puts the same words in the tooltip', () => {
    const failed = schedule('nightly', { lastRun: { at: local(2026, 5, 13, 2, 0), outcome: 'failed', message: 'x' } });
    const cases: [TrayState, string][] = [
      [state(), 'No scheduled backups'],
      [state({ schedules: [schedule('nightly')] }), 'Scheduled backups are up to date'],
      [state({ schedules: [failed] }), 'Last backup failed: nightly'],
      [state({ schedules: [failed, { ...failed, name: 'other' }] }), '2 scheduled backups failed'],
      [state({ runningJobs: 1 }), 'A job is running…'],
      [state({ runningJobs: 2, schedules: [schedule('nightly', { running: true })] }), '2 jobs are running…'],
    ];
    for (const [s, words] of cases) {
      const menu = buildTrayMenu(s, NOW);
      assert.deepEqual(menu[0], { type: 'normal', label: words, enabled: false });
      assert.equal(trayTooltip(s), `DVOM: ${words}`);
    }
  });

  it('is plain data: no functions, so it survives JSON', () => {
    const menu = buildTrayMenu(state({ schedules: [schedule('nightly')], launchAtLogin: true }), NOW);
    assert.deepEqual(JSON.parse(JSON.stringify(menu)), menu);
  });
});
