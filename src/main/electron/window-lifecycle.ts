import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { JobDto, JobKind } from '../../shared/api/dto.ts';

/**
 * Closing the window keeps DVOM in the tray (said once, ever); quitting asks
 * first when a job is running: cancel it and quit, wait for it then quit, or
 * stay. Electron objects come in as small interfaces, so this is unit-tested.
 */

/** The part of a BrowserWindow this needs. */
export interface TrayWindow {
  on(event: 'close', listener: (event: { preventDefault(): void }) => void): unknown;
  hide(): void;
}

export interface KeepInTrayOptions {
  /** True when closing should only hide: a tray is up and the app is not quitting. */
  keepRunning(): boolean;
  /** After the window was hidden instead of closed. */
  onHidden?(): void;
}

export function keepInTrayOnClose(win: TrayWindow, options: KeepInTrayOptions): void {
  win.on('close', (event) => {
    if (!options.keepRunning()) return;
    event.preventDefault();
    win.hide();
    options.onHidden?.();
  });
}

export const KEEPS_RUNNING_NOTICE = {
  title: 'DVOM keeps running in the tray',
  body: 'Scheduled backups go on while the window is closed. Choose Quit DVOM in the tray menu to exit.',
} as const;

/**
 * A function that answers true once ever: the first call creates `flagFile`
 * (exclusively, so two instances cannot both win), later calls and later runs
 * of the app answer false. When the file cannot be written it answers true
 * once per run instead.
 */
export function onceEver(flagFile: string): () => Promise<boolean> {
  let asked = false;
  return async () => {
    if (asked) return false;
    asked = true;
    try {
      await fs.mkdir(path.dirname(flagFile), { recursive: true });
    } catch {
      return true;
    }
    try {
      await fs.writeFile(flagFile, `${new Date().toISOString()}\n`, { flag: 'wx' });
      return true;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code !== 'EEXIST';
    }
  };
}

/** A callback that calls `tell` the first time it runs ever (see onceEver), and does nothing after. */
export function tellOnce(flagFile: string, tell: () => void): () => void {
  const first = onceEver(flagFile);
  return () =>
    void first()
      .then((yes) => {
        if (yes) tell();
      })
      .catch(() => undefined);
}

export type QuitChoice = 'cancel' | 'wait' | 'stay';

const KIND_WORDS: Record<JobKind, string> = { backup: 'backup', restore: 'restore', 'test-restore': 'test restore', verify: 'verification' };

/** The native dialog's words; `choices[i]` is what button i means. */
export function quitPrompt(running: readonly JobDto[]): {
  message: string;
  detail: string;
  buttons: string[];
  choices: QuitChoice[];
  defaultId: number;
  cancelId: number;
} {
  const kinds = [...new Set(running.map((j) => j.kind))];
  const what = kinds.length === 1 ? KIND_WORDS[kinds[0]!] : 'job';
  const message = running.length === 1 ? `A ${what} is running. Cancel it and quit?` : `${running.length} ${what}s are running. Cancel them and quit?`;
  const detail = [
    ...running.slice(0, 5).map((j) => `• ${j.title}`),
    ...(running.length > 5 ? [`…and ${running.length - 5} more`] : []),
    '',
    'Cancelling stops safely: helper containers and temporary volumes are removed and stopped containers are started again.',
  ].join('\n');
  return {
    message,
    detail,
    buttons: [running.length === 1 ? 'Cancel it and quit' : 'Cancel them and quit', 'Wait, then quit', "Don't quit"],
    choices: ['cancel', 'wait', 'stay'],
    defaultId: 1,
    cancelId: 2,
  };
}

export interface QuitFlowOptions {
  jobs: { running(): JobDto[]; wait(id: string): Promise<unknown> };
  /** Asks what to do about the running jobs (the native dialog). */
  ask(running: JobDto[]): Promise<QuitChoice>;
  /** Cancels whatever still runs and waits for its cleanup (the app's shutdown). */
  shutdown(): Promise<void>;
  /** Quits for real (app.quit(); request() then lets it through). */
  exit(): void;
}

type QuitStage = 'running' | 'asking' | 'waiting' | 'stopping' | 'done';

/**
 * The app's before-quit decision. `request()` is called from before-quit: it
 * answers true when the quit may go ahead now, else it takes over (the caller
 * prevents the default) and calls exit() once jobs were cancelled or finished.
 * Quit during the wait asks again; quit while asking or cleaning up is ignored.
 */
export class QuitFlow {
  private readonly options: QuitFlowOptions;
  private stage: QuitStage = 'running';
  /** Bumped when a wait is abandoned, so its late end does not quit. */
  private attempt = 0;

  constructor(options: QuitFlowOptions) {
    this.options = options;
  }

  /** True once quitting was decided: windows may close for real. */
  quitting(): boolean {
    return this.stage === 'stopping' || this.stage === 'done';
  }

  request(): boolean {
    if (this.stage === 'done') return true;
    if (this.stage === 'running' || this.stage === 'waiting') void this.decide();
    return false;
  }

  private async decide(): Promise<void> {
    const running = this.options.jobs.running();
    if (running.length === 0) return this.stop();
    this.stage = 'asking';
    const choice = await Promise.resolve()
      .then(() => this.options.ask(running))
      .catch((): QuitChoice => 'stay');
    if (choice === 'cancel') return this.stop();
    if (choice === 'stay') {
      this.attempt++;
      this.stage = 'running';
      return;
    }
    // Waits for the jobs running when asked (a wait from an earlier request is superseded);
    // anything started meanwhile is cancelled by shutdown().
    this.stage = 'waiting';
    const attempt = ++this.attempt;
    await Promise.allSettled(running.map((j) => this.options.jobs.wait(j.id)));
    if (this.attempt === attempt && this.stage === 'waiting') await this.stop();
  }

  private async stop(): Promise<void> {
    this.stage = 'stopping';
    try {
      await this.options.shutdown();
    } catch {
      // Quit anyway: cleanup is best effort and leftovers are swept at the next start.
    }
    this.stage = 'done';
    this.options.exit();
  }
}
