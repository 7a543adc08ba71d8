// Native notices: desktop notifications (scheduled runs that finished or
// failed, the one-time "keeps running in the tray") and the quit prompt. The
// decisions and words live in plain, tested modules (desktop/tray-notices.ts,
// window-lifecycle.ts); this only shows them.
import { Notification, dialog } from 'electron';
import type { JobDto } from '../../shared/api/dto.ts';
import type { DvomApp } from '../app/dvom-app.ts';
import { watchScheduledRuns } from '../desktop/tray-notices.ts';
import { trayImage } from './tray.ts';
import { quitPrompt, type QuitChoice } from './window-lifecycle.ts';

export interface Notice {
  title: string;
  body: string;
  /** Failures stay until dismissed where the desktop allows it. */
  failed?: boolean;
}

/** Shown notifications, referenced until closed: a collected one loses its click handler. */
const shown = new Set<Notification>();
const MAX_REFERENCED = 20;

export function showNotice(notice: Notice, onClick?: () => void): void {
  if (!Notification.isSupported()) return;
  const notification = new Notification({
    title: notice.title,
    body: notice.body,
    urgency: notice.failed ? 'critical' : 'normal',
    timeoutType: notice.failed ? 'never' : 'default',
    // macOS shows the app's icon; the tray images there are black templates.
    ...(process.platform === 'darwin' ? {} : { icon: trayImage(notice.failed ? 'failed' : 'idle', 'linux') }),
  });
  const forget = () => shown.delete(notification);
  notification.on('click', () => {
    forget();
    onClick?.();
  });
  notification.on('close', forget);
  shown.add(notification);
  if (shown.size > MAX_REFERENCED) shown.delete(shown.values().next().value!);
  notification.show();
}

/**
 * Notifies about finished scheduled backups (the scheduler's onRunFinished):
 * failures always, successes when the schedule asks for it. A click opens the
 * window. Returns the function that stops it.
 */
export function startRunNotifications(dvom: Pick<DvomApp, 'scheduler'>, onClick: () => void): () => void {
  return watchScheduledRuns(dvom.scheduler, (notice) => showNotice(notice, onClick));
}

/** The quit prompt while jobs run: cancel them and quit, wait for them then quit, or stay. */
export async function askToQuit(running: JobDto[]): Promise<QuitChoice> {
  const prompt = quitPrompt(running);
  const { response } = await dialog.showMessageBox({
    type: 'question',
    title: 'Quit DVOM',
    message: prompt.message,
    detail: prompt.detail,
    buttons: prompt.buttons,
    defaultId: prompt.defaultId,
    cancelId: prompt.cancelId,
    noLink: true,
  });
  return prompt.choices[response] ?? 'stay';
}
