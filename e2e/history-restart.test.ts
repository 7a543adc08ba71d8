/**
 * Job history across restarts, and the steps of a volume job (issue 14, items
 * 4 and 6), against a real `dvom serve` process over a real Docker engine: a
 * backup and a restore that stop a busybox container announce "checking",
 * "stopping" and "starting" with what they work on and record how long the
 * container was down (a scheduled run too); the server is stopped and started again, and its API
 * and the Activity page in Chromium still list both jobs; a damaged history
 * file is moved aside and the server starts with an empty history.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import WS from 'ws';
import { ApiClient } from '../src/shared/api/client.ts';
import type { JobDto } from '../src/shared/api/dto.ts';
import { WebSocketTransport } from '../src/shared/api/ws-transport.ts';
import type { ProgressEvent } from '../src/shared/progress.ts';
import { collect, dockerSkipReason, PASSWORD, useDockerFixture, type ExecResult } from '../test/docker/docker-fixtures.ts';
import { chromiumSkipReason, launchChromium, requireBuiltRenderer, screenshotPath } from './browser.ts';
import { newestJob } from './backup-helpers.ts';
import { servedLinks } from '../test/cli/run-dvom.ts';

const TITLE = 'job history survives a restart of dvom serve; volume jobs say which container they stop and for how long';
const skip = chromiumSkipReason() ?? (await dockerSkipReason());

if (skip) it(TITLE, { skip }, () => undefined);
else describe(TITLE, body);

interface Served {
  child: ChildProcess;
  link: string;
  api: ApiClient;
  transport: WebSocketTransport;
  exited: Promise<ExecResult>;
}

function body() {
  const fx = useDockerFixture();
  let browser: Browser;
  let served: Served | undefined;
  let volume = '';
  let container = '';
  let historyFile = '';
  const finished: JobDto[] = [];

  /** Starts `dvom serve` as its own process and logs in to its API with the link it prints. */
  async function startServe(): Promise<Served> {
    const child = fx.spawnDvom(['serve', '--port=0'], { env: { DVOM_PASSWORD: undefined } });
    const exited = collect(child, 300_000);
    const { links, first } = servedLinks(child, exited);
    const link = await first;
    // A second login link for the API client: the printed one is for the browser.
    const res = await fetch(link, { redirect: 'manual' });
    await res.body?.cancel();
    const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
    const origin = new URL(link).origin;
    const transport = new WebSocketTransport(
      `ws://${new URL(link).host}/api`,
      (u) => new WS(u, { origin, headers: { cookie } }) as unknown as WebSocket,
    );
    child.kill('SIGUSR2'); // a fresh link for the browser
    const browserLink = await new Promise<string>((resolve) => {
      const check = () => {
        if (links.length > 1) resolve(links[1]!);
        else setTimeout(check, 50);
      };
      check();
    });
    return { child, link: browserLink, api: new ApiClient(transport), transport, exited };
  }

  async function stopServe(): Promise<ExecResult> {
    const s = served!;
    served = undefined;
    s.transport.close();
    s.child.kill('SIGTERM');
    const r = await s.exited;
    assert.equal(r.code, 0, r.stderr);
    return r;
  }

  /** Runs a job through the API and returns its final state and every progress event it published. */
  async function runJob(start: () => Promise<{ jobId: string }>): Promise<{ job: JobDto; events: ProgressEvent[] }> {
    const api = served!.api;
    const events: ProgressEvent[] = [];
    let jobId = '';
    const early: JobDto[] = [];
    let resolveDone!: (job: JobDto) => void;
    const done = new Promise<JobDto>((resolve) => (resolveDone = resolve));
    const seen = (job: JobDto) => {
      if (job.progress) events.push(job.progress);
      if (job.state !== 'running') resolveDone(job);
    };
    const off = api.on('job.updated', (job) => (jobId ? job.id === jobId && seen(job) : early.push(job)));
    try {
      jobId = (await start()).jobId;
      for (const job of early) if (job.id === jobId) seen(job);
      return { job: await done, events };
    } finally {
      off();
    }
  }

  async function openActivity(url: string, viewport: { width: number; height: number }, colorScheme: 'light' | 'dark'): Promise<Page> {
    const context = await browser.newContext({ viewport, colorScheme, reducedMotion: 'reduce' });
    const page = await context.newPage();
    await page.goto(url);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Activity' }).click();
    return page;
  }

  before(async () => {
    requireBuiltRenderer();
    historyFile = path.join(path.dirname(fx.store), 'job-history.json');
    volume = await fx.volume('appdata');
    await fx.runInVolume(volume, 'mkdir -p /data/db && head -c 300000 /dev/urandom > /data/db/table.bin && echo hello > /data/note.txt');
    container = await fx.startContainer('db', volume);
    browser = await launchChromium();
    served = await startServe();
  });

  after(async () => {
    if (served) await stopServe().catch(() => undefined);
    await browser?.close();
  });

  it('a backup that stops a container says so, step by step, and records how long it was down', async () => {
    const api = served!.api;
    const { job, events } = await runJob(() =>
      api.call('jobs.startBackup', { volumes: [volume], backup: 'history', encrypt: true, password: PASSWORD, stopContainers: [container] }),
    );
    assert.equal(job.state, 'succeeded', JSON.stringify(job.error));
    const steps = events.map((e) => `${e.phase}${e.subject ? `:${e.subject}` : ''}`);
    const at = (step: string) => steps.indexOf(step);
    assert.ok(at(`checking:${volume}`) >= 0, `a checking step naming the volume: ${steps.join(' ')}`);
    assert.ok(at(`stopping:${container}`) > at(`checking:${volume}`), `stopping the container after checking: ${steps.join(' ')}`);
    assert.ok(at(`starting:${container}`) > at(`stopping:${container}`), `starting it again after stopping: ${steps.join(' ')}`);
    assert.equal(events.at(-1)!.phase, 'done', 'the finished job reads Done, not "Starting…"');
    assert.ok(events.at(-1)!.bytesDone > 300_000, 'with the figures of the backup');
    assert.equal(typeof job.containersDownMs, 'number');
    const took = Date.parse(job.finishedAt!) - Date.parse(job.startedAt);
    assert.ok(job.containersDownMs! >= 0 && job.containersDownMs! <= took + 1000, `down ${job.containersDownMs} ms within a job of ${took} ms`);
    assert.equal((await fx.inspect(container)).running, true);
    finished.push(job);
  });

  it('a restore says it checks the destination volume and stops the container, and records the downtime', async () => {
    const api = served!.api;
    const destination = fx.name('restored');
    const { job, events } = await runJob(() =>
      api.call('jobs.startRestore', { backup: 'history', destinationVolume: destination, password: PASSWORD, stopContainers: [container] }),
    );
    assert.equal(job.state, 'succeeded', JSON.stringify(job.error));
    const steps = events.map((e) => `${e.phase}${e.subject ? `:${e.subject}` : ''}`);
    assert.ok(steps.includes(`checking:${destination}`), steps.join(' '));
    assert.ok(steps.indexOf(`stopping:${container}`) < steps.indexOf(`starting:${container}`), steps.join(' '));
    assert.ok(steps.indexOf(`stopping:${container}`) >= 0, steps.join(' '));
    assert.equal(typeof job.containersDownMs, 'number');
    finished.push(job);
  });

  it('a restore over a volume that has data says when it replaces its contents', async () => {
    const api = served!.api;
    const { job, events } = await runJob(() => api.call('jobs.startRestore', { backup: 'history', destinationVolume: volume, force: true, password: PASSWORD, stopContainers: [container] }));
    assert.equal(job.state, 'succeeded', JSON.stringify(job.error));
    const steps = events.map((e) => `${e.phase}${e.subject ? `:${e.subject}` : ''}`);
    assert.ok(steps.indexOf(`replacing:${volume}`) > steps.indexOf(`stopping:${container}`), steps.join(' '));
    assert.ok(steps.indexOf(`starting:${container}`) > steps.indexOf(`replacing:${volume}`), steps.join(' '));
    finished.push(job);
  });

  it('a scheduled backup run by hand records the downtime too', async () => {
    const api = served!.api;
    await api.call('schedules.save', {
      schedule: { name: 'nightly', volumes: [volume], backup: 'scheduled', encrypt: false, stopContainers: [container], when: { kind: 'daily', at: '02:00' } },
    });
    const { job, events } = await runJob(() => api.call('schedules.runNow', { name: 'nightly' }));
    assert.equal(job.state, 'succeeded', JSON.stringify(job.error));
    assert.ok(events.some((e) => e.phase === 'stopping' && e.subject === container));
    assert.equal(typeof job.containersDownMs, 'number');
    assert.equal((await fx.inspect(container)).running, true);
    finished.push(job);
  });

  it('after a restart, the API and the Activity page still list the jobs; the file holds no secret', async () => {
    await stopServe();
    const text = await fs.readFile(historyFile, 'utf8');
    assert.ok(!text.includes(PASSWORD), 'the password is not in the history');
    assert.equal((await fs.stat(historyFile)).mode & 0o777, 0o600);

    served = await startServe();
    const listed = await served.api.call('jobs.list', {});
    for (const job of finished) {
      const again = listed.find((j) => j.id === job.id);
      assert.ok(again, `job ${job.title} is listed after the restart`);
      assert.equal(again.title, job.title);
      assert.equal(again.state, 'succeeded');
      assert.equal(again.result, job.result);
      assert.equal(again.startedAt, job.startedAt);
      assert.equal(again.finishedAt, job.finishedAt);
      assert.equal(again.containersDownMs, job.containersDownMs);
      assert.equal(again.progress?.bytesDone, job.progress?.bytesDone);
    }
    assert.deepEqual(listed.map((j) => j.id), finished.map((j) => j.id).reverse(), 'newest first');

    for (const [name, viewport] of [['1280x800', { width: 1280, height: 800 }], ['800x600', { width: 800, height: 600 }]] as const) {
      for (const scheme of ['light', 'dark'] as const) {
        const page = await openActivity(served.link, viewport, scheme);
        try {
          const card = newestJob(page, finished[0]!.title);
          await card.waitFor();
          const cardText = (await card.innerText()).replace(/\s+/g, ' ');
          assert.match(cardText, /Succeeded/);
          assert.match(cardText, /Containers down (\d+|under 1) s/i, 'the downtime is shown with the finished job');
          for (const job of finished) await newestJob(page, job.title).waitFor();
          await page.screenshot({ path: await screenshotPath(`activity-after-restart-${name}-${scheme}.png`) });
        } finally {
          await page.context().close();
        }
        // Each login link works once.
        served.child.kill('SIGUSR2');
        served.link = await nextLink(served);
      }
    }
  });

  it('a damaged history file is moved aside and the server starts with an empty history', async () => {
    await stopServe();
    await fs.writeFile(historyFile, '{"version":1,"jobs":[{"id":"job-', { mode: 0o600 });
    served = await startServe();
    assert.deepEqual(await served.api.call('jobs.list', {}), []);
    const aside = (await fs.readdir(path.dirname(historyFile))).filter((f) => f.startsWith('job-history.json.damaged-'));
    assert.equal(aside.length, 1, 'the damaged file is kept aside');
    assert.equal(await fs.readFile(path.join(path.dirname(historyFile), aside[0]!), 'utf8'), '{"version":1,"jobs":[{"id":"job-');
    const page = await openActivity(served.link, { width: 1280, height: 800 }, 'light');
    try {
      await page.getByText('No activity yet').waitFor();
    } finally {
      await page.context().close();
    }
    const r = await stopServe();
    assert.match(r.stderr, /job history .* is damaged/);
  });
}

/** Waits for the next login link `dvom serve` prints (after SIGUSR2). */
async function nextLink(s: Served): Promise<string> {
  const before = s.link;
  let out = '';
  return new Promise((resolve) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('http://') && l.trim() !== before);
      if (line) {
        s.child.stdout!.off('data', onData);
        resolve(line.trim());
      }
    };
    s.child.stdout!.on('data', onData);
  });
}
