/**
 * Helpers for the backup and Activity UI tests (backup-activity.test.ts):
 * a page of `dvom serve` in Chromium, the Volumes row of a volume, the backup
 * dialog's fields by their accessible names (also used by the dialog's
 * component test), and the Activity job cards.
 */
import type { Browser, Locator, Page } from 'playwright-core';

export async function openApp(browser: Browser, url: string, colorScheme: 'light' | 'dark' = 'light'): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1200, height: 820 }, colorScheme, reducedMotion: 'reduce' });
  const page = await context.newPage();
  await page.goto(url);
  return page;
}

/** The row of `volume` in the Volumes table. */
export function volumeRow(page: Page, volume: string): Locator {
  return page
    .getByRole('table', { name: 'Volumes' })
    .getByRole('row')
    .filter({ has: page.getByRole('rowheader', { name: volume, exact: true }) });
}

/** The backup dialog of `volume` and its fields, by role and accessible name. */
export function backupDialog(page: Page, volume: string) {
  const dialog = page.getByRole('dialog', { name: `Back up ${volume}` });
  return {
    dialog,
    name: dialog.getByLabel('Backup name'),
    storage: dialog.getByLabel('Storage'),
    encrypt: dialog.getByRole('switch', { name: 'Encrypt' }),
    password: dialog.getByLabel('Password', { exact: true }),
    confirm: dialog.getByLabel('Confirm password'),
    remember: dialog.getByRole('checkbox', { name: 'Remember in keychain' }),
    start: dialog.getByRole('button', { name: 'Start backup' }),
  };
}

/** Opens Volumes (from anywhere), then the backup dialog of `volume`. */
export async function openBackupDialog(page: Page, volume: string): Promise<ReturnType<typeof backupDialog>> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Volumes' }).click();
  await volumeRow(page, volume).getByRole('button', { name: `Back up ${volume}` }).click();
  const f = backupDialog(page, volume);
  await f.name.waitFor();
  return f;
}

/** The newest job card with this title on the Activity page (the list is newest first). */
export function newestJob(page: Page, title: string): Locator {
  return page.getByRole('list', { name: 'Jobs' }).getByRole('article', { name: title, exact: true }).first();
}

/** The title of the newest job card whose title matches `pattern` (for titles that name a time). */
export async function newestJobTitle(page: Page, pattern: RegExp): Promise<string> {
  const card = page.getByRole('list', { name: 'Jobs' }).getByRole('article', { name: pattern }).first();
  await card.waitFor();
  return card.evaluate((el) => document.getElementById(el.getAttribute('aria-labelledby') ?? '')?.textContent ?? '');
}

/**
 * Waits until the newest job titled `title` has finished, and returns its
 * state, the bar's final aria-valuenow and the card's text.
 */
export async function waitForJobToFinish(page: Page, title: string, timeoutMs = 120_000): Promise<{ state: string; valueNow: string | null; text: string }> {
  const card = newestJob(page, title);
  await card.waitFor();
  await card.getByRole('button', { name: `Cancel ${title}` }).waitFor({ state: 'detached', timeout: timeoutMs });
  const text = (await card.innerText()).replace(/\s+/g, ' ');
  const state = /\b(Succeeded|Failed|Cancelled)\b/.exec(text)?.[1] ?? 'unknown';
  const valueNow = await card.getByRole('progressbar', { name: title, exact: true }).getAttribute('aria-valuenow');
  return { state, valueNow, text };
}

/** Every aria-valuenow the newest bar titled `title` shows from now on (to see progress arrive as events). */
export async function recordProgress(page: Page, title: string): Promise<() => Promise<string[]>> {
  await page.evaluate((t) => {
    const seen: string[] = [];
    (window as unknown as { __progress: string[] }).__progress = seen;
    const note = () => {
      const bar = document.querySelector(`[role=progressbar][aria-label="${CSS.escape(t)}"]`);
      const value = bar?.getAttribute('aria-valuenow') ?? 'none';
      if (seen.at(-1) !== value) seen.push(value);
    };
    new MutationObserver(note).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['aria-valuenow'] });
    note();
  }, title);
  return () => page.evaluate(() => (window as unknown as { __progress: string[] }).__progress);
}
