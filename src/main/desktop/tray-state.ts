import type { ApiMethod, ParamsOf, ResultOf } from '../../shared/api/contract.ts';
import type { JobDto } from '../../shared/api/dto.ts';
import type { EventListener } from '../services/event-hub.ts';
import { MAX_NAME_LENGTH, truncate, type TrayAction, type TrayIconKind, type TrayState } from './tray-menu.ts';

/** The part of the Dispatcher the tray uses. */
export interface DispatcherLike {
  dispatch(method: unknown, params: unknown): Promise<{ ok: true; result: unknown } | { ok: false; error: { code: string; message: string } }>;
}

/** Calls the app API as the window would; a refused call throws an Error with the API's message. */
export async function callApi<M extends ApiMethod>(dispatcher: DispatcherLike, method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
  const outcome = await dispatcher.dispatch(method, params);
  if (!outcome.ok) throw new Error(outcome.error.message);
  return outcome.result as ResultOf<M>;
}

export interface TrayStateSourceOptions {
  /** schedules.list (through the dispatcher, so it is the same view the window has). */
  listSchedules(): Promise<ResultOf<'schedules.list'>>;
  /** Jobs running now (app.jobs.running()). */
  runningJobs(): JobDto[];
  /** The app's events (app.events.subscribe). */
  subscribe(listener: EventListener): () => void;
  /** Launch at login on/off, or null where unavailable. */
  launchAtLogin(): Promise<boolean | null>;
  /** The scheduler's overall state (scheduler.state()), when there is one. */
  schedulerState?(): TrayIconKind;
  /** Called with each new state (also when only the time of day moved on). */
  onChange(state: TrayState): void;
  /** Told when onChange threw (the next change is still delivered). */
  onError?(err: unknown): void;
  /**
   * Re-read at least this often (default 5 minutes), so changes nobody announced
   * (the config edited by the CLI) show. A read checks each schedule's store and
   * keychain entry, so not much more often.
   */
  refreshMs?: number;
}

/**
 * Keeps the tray's state current: re-reads on 'schedules.changed', when a job
 * starts or ends (not on every progress event), on refresh() (e.g. the
 * scheduler's state changed) and every few minutes. Reads never
 * overlap; a request during a read triggers one more read after it.
 */
export class TrayStateSource {
  private readonly options: TrayStateSourceOptions;
  private state: TrayState = { schedules: [], schedulesError: null, paused: false, runningJobs: 0, launchAtLogin: null, schedulerState: null };
  private readonly jobStates = new Map<string, JobDto['state']>();
  private unsubscribe: (() => void) | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private reading: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(options: TrayStateSourceOptions) {
    this.options = options;
  }

  current(): TrayState {
    return this.state;
  }

  start(): Promise<void> {
    this.unsubscribe = this.options.subscribe((event, payload) => {
      if (event === 'schedules.changed') void this.refresh();
      if (event === 'job.updated') {
        const job = payload as JobDto;
        if (this.jobStates.get(job.id) !== job.state) {
          if (job.state === 'running') this.jobStates.set(job.id, job.state);
          else this.jobStates.delete(job.id);
          void this.refresh();
        }
      }
    });
    this.timer = setInterval(() => void this.refresh(), this.options.refreshMs ?? 5 * 60_000);
    this.timer.unref?.();
    return this.refresh();
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Re-reads everything; resolves once a read that began after this call has finished. */
  refresh(): Promise<void> {
    if (this.reading) {
      this.again = true;
      return this.reading;
    }
    this.reading = (async () => {
      try {
        do {
          this.again = false;
          this.state = await this.read();
          if (!this.stopped) this.notify();
        } while (this.again && !this.stopped);
      } finally {
        this.reading = undefined;
      }
    })();
    return this.reading;
  }

  private notify(): void {
    try {
      this.options.onChange(this.state);
    } catch (err) {
      // A failing redraw must not stop later updates.
      this.options.onError?.(err);
    }
  }

  private async read(): Promise<TrayState> {
    const [schedules, launchAtLogin] = await Promise.all([
      Promise.resolve().then(() => this.options.listSchedules()).then(
        (list) => ({ list, error: null }),
        (err: unknown) => ({ list: undefined, error: err instanceof Error ? err.message : String(err) }),
      ),
      Promise.resolve().then(() => this.options.launchAtLogin()).catch(() => null),
    ]);
    const running = this.options.runningJobs();
    for (const job of running) this.jobStates.set(job.id, 'running');
    return {
      schedules: schedules.list?.schedules ?? [],
      schedulesError: schedules.error,
      paused: schedules.list?.paused ?? false,
      runningJobs: running.length,
      launchAtLogin,
      schedulerState: this.options.schedulerState?.() ?? null,
    };
  }
}

export interface TrayActionDeps {
  dispatcher: DispatcherLike;
  setLaunchAtLogin(enabled: boolean): Promise<void>;
  openWindow(): void;
  quit(): void;
}

/** Does what a menu item says; a failure throws an Error whose message is for the user. */
export async function performTrayAction(action: TrayAction, deps: TrayActionDeps): Promise<void> {
  switch (action.kind) {
    case 'run':
      await callApi(deps.dispatcher, 'schedules.runNow', { name: action.schedule });
      return;
    case 'pauseAll':
      await callApi(deps.dispatcher, 'schedules.pauseAll', { paused: action.paused });
      return;
    case 'launchAtLogin':
      await deps.setLaunchAtLogin(action.enabled);
      return;
    case 'open':
      deps.openWindow();
      return;
    case 'quit':
      deps.quit();
      return;
  }
}

/** The notification title when an action failed. */
export function trayActionFailure(action: TrayAction): string {
  switch (action.kind) {
    case 'run':
      return `Could not start the backup: ${truncate(action.schedule, MAX_NAME_LENGTH)}`;
    case 'pauseAll':
      return action.paused ? 'Could not pause the schedules' : 'Could not resume the schedules';
    case 'launchAtLogin':
      return action.enabled ? 'Could not turn on launch at login' : 'Could not turn off launch at login';
    case 'open':
      return 'Could not open DVOM';
    case 'quit':
      return 'Could not quit DVOM';
  }
}
