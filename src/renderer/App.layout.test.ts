/* eslint-disable no-restricted-imports -- a test: runs in Node and drives the page in Chromium. */
/**
 * The whole app in Chromium at 800×600 and 1280×800, light and dark (issue
 * 14, items 3 and 9): the sidebar becomes a bar across the top in the narrow
 * window; on every page each button can be scrolled into view, whole, inside
 * every box that clips it and not covered by anything; table headers fit
 * their columns; nothing but tables scrolls sideways. Screenshots of every
 * page go to test-results/layout-*.png (to look at).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ago, backup, job, node, version, volume } from '../../test/renderer-harness/backup-fixtures.ts';
import { schedule, target } from '../../test/renderer-harness/fixtures.ts';
import { FakeApi, EMPTY_ENGINE } from '../../test/renderer-harness/fake-api.ts';
import type { HarnessPage } from '../../test/renderer-harness/harness.ts';
import { describeInHarness } from '../../test/renderer-harness/suite.ts';

const RESULTS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'test-results');

const SIZES = [
  { name: '800x600', width: 800, height: 600 },
  // Just wide enough for the sidebar column: the narrowest content area.
  { name: '1000x700', width: 1000, height: 700 },
  { name: '1280x800', width: 1280, height: 800 },
] as const;

const LONG = 'customer-portal-postgres-primary-data-volume-2031';

/** An engine with something on every page: long names, a running and a failed job, an encrypted backup. */
function engine(): FakeApi {
  const versions = [version('20310101T100000Z-aaaa'), version('20310102T100000Z-bbbb', { createdAt: ago(90), verifiedAt: ago(10) })];
  const fake = new FakeApi({
    ...EMPTY_ENGINE,
    'volumes.list': [
      {
        result: [
          volume('pgdata', { size: 48_000_000, usedBy: [{ name: 'db', running: true }], lastBackup: { backup: 'pgdata', at: ago(30), checked: true } }),
          volume(LONG, { size: 7_300_000_000, usedBy: [{ name: 'customer-portal-postgres-1', running: false }, { name: 'customer-portal-worker-2', running: true }] }),
          volume('cache', { size: 0 }),
        ],
      },
    ],
    'backups.list': [{ result: [backup('pgdata', { encrypted: true, versions: 2, latest: versions[0]! }), backup(LONG, { versions: 1 })] }],
    'backups.versions': [{ result: versions }],
    'backups.tree': [{ result: [node('/etc', 'dir'), node('/etc/app.conf', 'file', 1200), node('/data', 'dir')] }],
    'jobs.list': [
      {
        result: [
          job('job-00000000000a', { kind: 'backup', title: `Back up ${LONG} to ${LONG}`, progress: { phase: 'backing-up', bytesDone: 1_200_000_000, bytesTotal: 7_300_000_000, filesDone: 1200, filesTotal: 4000, rate: 80_000_000, etaSeconds: 75 } }),
          job('job-00000000000b', { kind: 'verify', title: 'Verify pgdata', state: 'failed', finishedAt: ago(5), error: { code: 'ERROR', message: 'a chunk could not be read' } }),
        ],
      },
    ],
    'schedules.list': [{ result: { paused: false, schedules: [schedule(), schedule({ name: `${LONG}-hourly`, backup: LONG, volumes: [LONG], when: { kind: 'interval', every: 1, unit: 'hours' } })] } }],
    'targets.list': [{ result: [target({ name: 'nas', isDefault: true }), target({ name: 'offsite-s3-bucket-with-a-long-name', type: 's3', location: 's3://backups-of-the-whole-company/dvom/ at https://s3.eu-central-1.example.com', settings: { bucket: 'backups-of-the-whole-company', prefix: 'dvom/', hasSecret: true } })] }],
  });
  return fake;
}

interface Problem {
  what: string;
  why: string;
}

/**
 * Every button of the page that is shown: scrolled into view, it must lie
 * inside the window and every ancestor box that clips, and be what is hit at
 * its centre; every table header must fit its column; the page must not
 * scroll sideways (a table may, in its own frame).
 */
async function layoutProblems(h: HarnessPage): Promise<Problem[]> {
  return h.page.evaluate(() => {
    const problems: { what: string; why: string }[] = [];
    const name = (el: Element) => `${el.tagName.toLowerCase()} "${(el.getAttribute('aria-label') ?? el.textContent ?? '').trim().slice(0, 60)}"`;
    const shown = (el: Element) => {
      const r = el.getBoundingClientRect();
      return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden' && !el.closest('[hidden], .sr-only');
    };
    // With a dialog open, only what is in it can be used.
    const scope = document.querySelector('dialog[open]') ?? document;
    for (const el of scope.querySelectorAll('button, a[href], input[type=checkbox], [role=switch]')) {
      if (!shown(el)) continue;
      el.scrollIntoView({ block: 'center', inline: 'center' });
      // scrollIntoView also scrolls boxes people cannot scroll (overflow: hidden) and the window itself:
      // reachable only that way is not reachable.
      let unscrollable: Element | undefined;
      for (let a = el.parentElement; a; a = a.parentElement) {
        const style = getComputedStyle(a);
        const hides = (o: string) => o === 'hidden' || o === 'clip';
        if ((hides(style.overflowX) && a.scrollLeft !== 0) || (hides(style.overflowY) && a.scrollTop !== 0) || (a === document.documentElement && (a.scrollLeft !== 0 || a.scrollTop !== 0))) {
          unscrollable ??= a;
          a.scrollLeft = 0;
          a.scrollTop = 0;
        }
      }
      if (unscrollable) {
        problems.push({ what: name(el), why: `reachable only by scrolling ${unscrollable.tagName.toLowerCase()}.${[...unscrollable.classList].join('.')}, which people cannot scroll` });
        continue;
      }
      const r = el.getBoundingClientRect();
      const tol = 1;
      if (r.left < -tol || r.top < -tol || r.right > innerWidth + tol || r.bottom > innerHeight + tol) {
        problems.push({ what: name(el), why: `outside the window: ${Math.round(r.left)},${Math.round(r.top)} – ${Math.round(r.right)},${Math.round(r.bottom)}` });
        continue;
      }
      for (let a = el.parentElement; a; a = a.parentElement) {
        const style = getComputedStyle(a);
        if (style.overflowX === 'visible' && style.overflowY === 'visible') continue;
        const c = a.getBoundingClientRect();
        if (r.left < c.left - tol || r.right > c.right + tol || r.top < c.top - tol || r.bottom > c.bottom + tol) {
          problems.push({ what: name(el), why: `cut off by ${a.tagName.toLowerCase()}.${[...a.classList].join('.')}` });
          break;
        }
      }
      const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
      if (hit && hit !== el && !el.contains(hit) && !(el instanceof HTMLInputElement && hit.closest('label')?.contains(el))) {
        problems.push({ what: name(el), why: `covered by ${name(hit)}` });
      }
    }
    for (const th of scope.querySelectorAll('th')) {
      if (!shown(th)) continue;
      if (th.scrollWidth > th.clientWidth + 1) problems.push({ what: `header "${th.textContent?.trim()}"`, why: `text ${th.scrollWidth}px in ${th.clientWidth}px` });
    }
    // Danger buttons are red: their text, or their background (issue 14, item 9: "Delete backup" was not).
    const probe = document.body.appendChild(document.createElement('span'));
    probe.style.color = 'var(--danger)';
    const danger = getComputedStyle(probe).color;
    probe.remove();
    // One Show/Hide style for every secret (issue 14, item 9).
    for (const el of scope.querySelectorAll('button')) {
      if (/^(Show|Hide) (password|key)$/.test(el.textContent?.trim() ?? '') && !(el.classList.contains('link-button') && el.hasAttribute('aria-pressed'))) {
        problems.push({ what: name(el), why: 'a Show/Hide toggle in another style than PasswordField’s' });
      }
    }
    for (const el of scope.querySelectorAll('button[class*=danger]')) {
      if (!shown(el)) continue;
      const style = getComputedStyle(el);
      if (style.color !== danger && style.backgroundColor !== danger) problems.push({ what: name(el), why: `a danger button that is not red (${style.color} on ${style.backgroundColor})` });
    }
    // The restore steps never sit over the form, however far it is scrolled.
    const steps = document.querySelector('.br-wizard-steps');
    const panel = steps?.nextElementSibling;
    if (steps && panel) {
      const scroller = document.querySelector('.content')!;
      scroller.scrollTop = scroller.scrollHeight;
      const a = steps.getBoundingClientRect();
      const b = panel.getBoundingClientRect();
      if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) problems.push({ what: 'the restore steps', why: 'lie over the form' });
      scroller.scrollTop = 0;
    }
    const content = document.querySelector('.content')!;
    if (scope === document && content.scrollWidth > content.clientWidth + 1) problems.push({ what: 'the page', why: `scrolls sideways (${content.scrollWidth}px in ${content.clientWidth}px)` });
    return problems;
  });
}

async function shot(h: HarnessPage, name: string): Promise<void> {
  await fs.mkdir(RESULTS_DIR, { recursive: true });
  await h.page.evaluate(() => document.querySelector('.content')?.scrollTo(0, 0));
  await h.page.screenshot({ path: path.join(RESULTS_DIR, name) });
}

/** The pages, each with what shows it has loaded and what it is about. */
const PAGES: { label: string; ready: (h: HarnessPage) => Promise<void>; more?: (h: HarnessPage) => Promise<void>; close?: (h: HarnessPage) => Promise<void> }[] = [
  {
    label: 'Volumes',
    ready: (h) => h.page.getByRole('button', { name: `Back up ${LONG}` }).waitFor(),
    // The backup dialog, encrypted (its tallest form): Start backup must be reachable in a 600 px window.
    more: async (h) => {
      await h.page.getByRole('button', { name: 'Back up pgdata' }).click();
      const dialog = h.page.getByRole('dialog', { name: 'Back up pgdata' });
      await dialog.getByRole('button', { name: 'Start backup' }).waitFor();
    },
    close: (h) => h.page.keyboard.press('Escape'),
  },
  {
    label: 'Backups',
    ready: (h) => h.page.getByRole('row', { name: /pgdata/ }).first().waitFor(),
    // The open backup: its version rows and actions must be reachable too.
    more: async (h) => {
      await h.page.getByRole('button', { name: /pgdata/ }).first().click();
      await h.page.getByRole('button', { name: /^Restore the version from/ }).first().waitFor();
    },
  },
  {
    label: 'Restore',
    ready: (h) => h.page.getByRole('heading', { name: 'Restore', level: 1 }).waitFor(),
    // A backup chosen: its versions make the form taller than the window.
    more: async (h) => {
      await h.page.getByLabel('Backup', { exact: true }).selectOption('pgdata');
      await h.page.getByRole('group', { name: 'Version' }).getByRole('radio').first().waitFor();
    },
  },
  { label: 'Activity', ready: (h) => h.page.getByRole('button', { name: /Cancel/ }).first().waitFor() },
  { label: 'Schedules', ready: (h) => h.page.getByRole('heading', { name: 'nightly' }).waitFor() },
  {
    label: 'Settings',
    ready: (h) => h.page.getByRole('heading', { name: 'nas' }).first().waitFor(),
    // The target form with its S3 fields (the secret key's Show/Hide among them).
    more: async (h) => {
      await h.page.getByRole('button', { name: 'Add target' }).click();
      const dialog = h.page.getByRole('dialog', { name: 'Add a storage target' });
      await dialog.getByRole('radio', { name: /S3/ }).check();
      await dialog.getByRole('button', { name: 'Show key' }).waitFor();
    },
    close: (h) => h.page.keyboard.press('Escape'),
  },
];

describeInHarness('App layout at 800×600 and 1280×800 (app, in Chromium)', (harness) => {
  for (const size of SIZES) {
    for (const scheme of ['light', 'dark'] as const) {
      it(`${size.name}, ${scheme}: the sidebar ${size.width < 1000 ? 'is a bar across the top' : 'is a column'}; every page’s buttons are reachable`, async () => {
        const h = await harness.open({ view: 'app' }, { fake: engine(), context: { viewport: { width: size.width, height: size.height }, colorScheme: scheme } });
        try {
          const nav = h.page.getByRole('navigation', { name: 'Main' });
          // All pages first, then the verdict: one run shows every problem.
          const problems: string[] = [];
          const check = async (where: string) => {
            for (const p of await layoutProblems(h)) problems.push(`${where}: ${p.what} ${p.why}`);
          };
          for (const page of PAGES) {
            const item = nav.getByRole('button', { name: page.label });
            await item.click();
            await page.ready(h);
            await shot(h, `layout-${page.label.toLowerCase()}-${size.name}-${scheme}.png`);
            await check(page.label);
            if (page.more) {
              await page.more(h);
              await shot(h, `layout-${page.label.toLowerCase()}-open-${size.name}-${scheme}.png`);
              await check(`${page.label} (open)`);
              await page.close?.(h);
            }
            // Every nav item stays visible, whole, in the window.
            for (const p of PAGES) {
              const box = await nav.getByRole('button', { name: p.label }).boundingBox();
              if (!(box && box.x >= 0 && box.x + box.width <= size.width + 1 && box.y >= 0 && box.y + box.height <= size.height)) {
                problems.push(`${page.label}: nav item ${p.label} not in the window: ${JSON.stringify(box)}`);
              }
            }
          }
          assert.deepEqual(problems, []);
          const sidebar = await h.page.locator('.sidebar').boundingBox();
          assert.ok(sidebar);
          if (size.width < 1000) {
            assert.ok(sidebar.height <= 56 && sidebar.width === size.width, `collapsed to a top bar: ${JSON.stringify(sidebar)}`);
          } else {
            assert.ok(sidebar.width >= 180 && sidebar.height === size.height, `a column: ${JSON.stringify(sidebar)}`);
          }
          assert.deepEqual(h.errors, []);
        } finally {
          await h.close();
        }
      });
    }
  }
});
