import type { ScheduleRun, ScheduleStatus } from '../../shared/schedule.ts';
import { DAY_NAMES } from '../scheduler/describe.ts';

/**
 * The tray's icon, tooltip and menu as plain data, built from the scheduler's
 * state: no Electron here (src/main/electron/tray.ts turns the template into a
 * native menu and the actions into clicks), so all of it is unit-tested.
 */

export type TrayIconKind = 'idle' | 'running' | 'failed';

/** What the tray needs of a schedule. */
export type TraySchedule = Pick<ScheduleStatus, 'name' | 'enabled' | 'running' | 'nextRun' | 'lastRun' | 'passwordMissing'>;

export interface TrayState {
  schedules: TraySchedule[];
  /** Why the schedules could not be read (null when they could). */
  schedulesError: string | null;
  /** All schedules paused. */
  paused: boolean;
  /** Running jobs of any kind (a backup started from the window counts too). */
  runningJobs: number;
  /** Launch at login: on or off, or null where it is not available. */
  launchAtLogin: boolean | null;
  /** The scheduler's own overall state (it also counts a failure followed by skipped runs), or null when unknown. */
  schedulerState: TrayIconKind | null;
}

/** What a click does; tray.ts maps each kind to a call. */
export type TrayAction =
  | { kind: 'run'; schedule: string }
  | { kind: 'pauseAll'; paused: boolean }
  | { kind: 'open' }
  | { kind: 'launchAtLogin'; enabled: boolean }
  | { kind: 'quit' };

export interface TrayMenuItem {
  type: 'normal' | 'separator' | 'checkbox' | 'submenu';
  label: string;
  enabled: boolean;
  checked?: boolean;
  action?: TrayAction;
  submenu?: TrayMenuItem[];
}

/** Longest schedule name shown in full; longer ones end in "…". */
export const MAX_NAME_LENGTH = 32;
/** Longest error or outcome message shown in the menu. */
export const MAX_MESSAGE_LENGTH = 60;
/** Schedules listed in the menu; the rest are summed up in one line. */
export const MAX_SCHEDULES = 12;

export function truncate(text: string, max: number): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length <= max ? oneLine : `${oneLine.slice(0, max - 1).trimEnd()}…`;
}

export function trayIcon(state: TrayState): TrayIconKind {
  if (state.runningJobs > 0 || state.schedulerState === 'running' || state.schedules.some((s) => s.running)) return 'running';
  if (state.schedulerState === 'failed' || failedSchedules(state).length > 0) return 'failed';
  return 'idle';
}

/** Enabled schedules whose last run failed (a disabled schedule's old failure does not colour the icon). */
function failedSchedules(state: TrayState): TraySchedule[] {
  return state.schedules.filter((s) => s.enabled && s.lastRun?.outcome === 'failed');
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * A moment in words, in local time, relative to `now`'s day: "today at 02:00",
 * "tomorrow at 02:00", "yesterday at 23:15", else "Mon 12 May at 02:00" (with
 * the year when it is not this year). No minute counts, so the menu only
 * changes when the state or the day does.
 */
export function describeTime(iso: string, now: Date): string {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return 'at an unknown time';
  const hhmm = `${String(t.getHours()).padStart(2, '0')}:${String(t.getMinutes()).padStart(2, '0')}`;
  const dayOf = (d: Date) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  // Rounded: a day across a daylight-saving change is 23 or 25 hours long.
  const days = Math.round((dayOf(t) - dayOf(now)) / 86_400_000);
  if (days === 0) return `today at ${hhmm}`;
  if (days === 1) return `tomorrow at ${hhmm}`;
  if (days === -1) return `yesterday at ${hhmm}`;
  const year = t.getFullYear() === now.getFullYear() ? '' : ` ${t.getFullYear()}`;
  return `${DAY_NAMES[t.getDay()]} ${t.getDate()} ${MONTHS[t.getMonth()]}${year} at ${hhmm}`;
}

export function describeLastRun(run: ScheduleRun | null, now: Date): string {
  if (!run) return 'Last: not run yet';
  const when = describeTime(run.at, now);
  const message = run.outcome === 'succeeded' || !run.message ? '' : ` (${truncate(run.message, MAX_MESSAGE_LENGTH)})`;
  return `Last: ${run.outcome} ${when}${message}`;
}

export function describeNextRun(schedule: TraySchedule, paused: boolean, now: Date): string {
  if (!schedule.enabled) return 'Next: none, the schedule is disabled';
  if (paused) return 'Next: none while schedules are paused';
  if (!schedule.nextRun) return 'Next: not planned';
  return `Next: ${describeTime(schedule.nextRun, now)}`;
}

/** The schedule's line in the menu: its name and, when it matters, what is up with it. */
function scheduleLabel(s: TraySchedule): string {
  const name = truncate(s.name, MAX_NAME_LENGTH);
  if (s.running) return `${name}: running…`;
  if (!s.enabled) return `${name} (disabled)`;
  if (s.lastRun?.outcome === 'failed') return `${name}: last run failed`;
  if (s.passwordMissing) return `${name}: password missing`;
  return name;
}

function scheduleItem(s: TraySchedule, paused: boolean, now: Date): TrayMenuItem {
  const info = (label: string): TrayMenuItem => ({ type: 'normal', label, enabled: false });
  const submenu: TrayMenuItem[] = [
    {
      type: 'normal',
      label: s.running ? 'Backing up now…' : `Back up now: ${truncate(s.name, MAX_NAME_LENGTH)}`,
      enabled: !s.running,
      action: { kind: 'run', schedule: s.name },
    },
    { type: 'separator', label: '', enabled: true },
    info(describeLastRun(s.lastRun, now)),
    info(describeNextRun(s, paused, now)),
  ];
  if (s.passwordMissing) submenu.push(info('The backup password is not in the keychain: runs will fail'));
  return { type: 'submenu', label: scheduleLabel(s), enabled: true, submenu };
}

/** The first line: how things stand, in words. */
export function trayStatusLine(state: TrayState): string {
  const running = state.schedules.filter((s) => s.running);
  if (running.length === 1 && state.runningJobs <= 1) return `Backing up: ${truncate(running[0]!.name, MAX_NAME_LENGTH)}…`;
  const busy = Math.max(state.runningJobs, running.length);
  if (busy > 0) return busy === 1 ? 'A job is running…' : `${busy} jobs are running…`;
  if (state.schedulerState === 'running') return 'A scheduled backup is starting…';
  const failed = failedSchedules(state);
  if (failed.length === 1) return `Last backup failed: ${truncate(failed[0]!.name, MAX_NAME_LENGTH)}`;
  if (failed.length > 1) return `${failed.length} scheduled backups failed`;
  if (state.schedulerState === 'failed') return 'A scheduled backup failed';
  if (state.schedulesError !== null) return 'Scheduled backups are unavailable';
  if (state.schedules.length === 0) return 'No scheduled backups';
  if (state.paused) return 'Scheduled backups are paused';
  return 'Scheduled backups are up to date';
}

export function trayTooltip(state: TrayState): string {
  return `DVOM: ${trayStatusLine(state)}`;
}

/** The whole tray menu, top to bottom. `now` places "today"/"tomorrow". */
export function buildTrayMenu(state: TrayState, now: Date = new Date()): TrayMenuItem[] {
  const separator: TrayMenuItem = { type: 'separator', label: '', enabled: true };
  const items: TrayMenuItem[] = [{ type: 'normal', label: trayStatusLine(state), enabled: false }, separator];

  if (state.schedulesError !== null) {
    items.push({ type: 'normal', label: `Schedules unavailable: ${truncate(state.schedulesError, MAX_MESSAGE_LENGTH)}`, enabled: false });
  } else if (state.schedules.length === 0) {
    items.push({ type: 'normal', label: 'No scheduled backups', enabled: false });
  } else {
    for (const s of state.schedules.slice(0, MAX_SCHEDULES)) items.push(scheduleItem(s, state.paused, now));
    const more = state.schedules.length - MAX_SCHEDULES;
    if (more > 0) items.push({ type: 'normal', label: `…and ${more} more (open DVOM to see all)`, enabled: false });
  }

  items.push(separator, {
    type: 'checkbox',
    label: 'Pause all schedules',
    enabled: state.schedulesError === null,
    checked: state.paused,
    action: { kind: 'pauseAll', paused: !state.paused },
  });
  items.push({ type: 'normal', label: 'Open DVOM', enabled: true, action: { kind: 'open' } });
  if (state.launchAtLogin !== null) {
    items.push(separator, {
      type: 'checkbox',
      label: 'Launch at login',
      enabled: true,
      checked: state.launchAtLogin,
      action: { kind: 'launchAtLogin', enabled: !state.launchAtLogin },
    });
  }
  items.push(separator, { type: 'normal', label: 'Quit DVOM', enabled: true, action: { kind: 'quit' } });
  return items;
}

export interface TrayIconFile {
  /** File name in assets/tray/. */
  file: string;
  scaleFactor: number;
}

/**
 * The image files for an icon on a platform: black-and-alpha template images
 * on macOS (the menu bar recolours them), colour elsewhere; Linux panels get
 * the 32 px image as their only size (they scale it to the panel).
 */
export function trayIconFiles(kind: TrayIconKind, platform: NodeJS.Platform): { files: TrayIconFile[]; template: boolean } {
  if (platform === 'darwin') {
    return { files: [{ file: `tray-${kind}Template.png`, scaleFactor: 1 }, { file: `tray-${kind}Template@2x.png`, scaleFactor: 2 }], template: true };
  }
  if (platform === 'win32') {
    return { files: [{ file: `tray-${kind}.png`, scaleFactor: 1 }, { file: `tray-${kind}@2x.png`, scaleFactor: 2 }], template: false };
  }
  return { files: [{ file: `tray-${kind}@2x.png`, scaleFactor: 1 }], template: false };
}

/**
 * The global under which the Electron tray puts the labels of the menu it
 * shows, for the Electron e2e test, which reads them in the main process
 * (electronApp.evaluate): Electron has no way to list a tray's menu. Labels
 * only, nothing secret.
 */
export const TRAY_MENU_PROBE = '__dvomTrayMenuLabels';
