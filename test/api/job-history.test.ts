/**
 * The job history file on its own (JobManager + JobHistoryFile, real files in
 * a temporary folder): bounded to the newest HISTORY_LIMIT jobs, newest first
 * after a reload, a moment's figures (speed, current file) not kept, jobs
 * started while the file loads listed after the saved ones, and a file that
 * is not a history moved aside rather than stopping anything. The restart of
 * a real `dvom serve` is in e2e/history-restart.test.ts.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { EventHub } from '../../src/main/services/event-hub.ts';
import { HISTORY_LIMIT, JobHistoryFile } from '../../src/main/services/job-history.ts';
import { JobManager } from '../../src/main/services/job-manager.ts';
import { DvomError } from '../../src/main/engine/errors.ts';

const root = await fs.mkdtemp(path.join(os.tmpdir(), 'dvom-job-history-'));
after(() => fs.rm(root, { recursive: true, force: true }));
let n = 0;
const newFile = () => path.join(root, `h${++n}`, 'job-history.json');

describe('job history on disk', () => {
  it('keeps the newest HISTORY_LIMIT finished jobs, newest first after a reload, without a moment’s figures', async () => {
    const file = newFile();
    const first = new JobManager(new EventHub(), new JobHistoryFile(file));
    await first.ready;
    const ids: string[] = [];
    for (let i = 0; i < HISTORY_LIMIT + 3; i++) {
      const id = first.start('verify', `Check b${i}`, async ({ onProgress }) => {
        onProgress({ phase: 'verifying', bytesDone: i, filesDone: 1, rate: 5, etaSeconds: 1, current: '/secret-looking/path' });
        if (i === HISTORY_LIMIT + 2) throw new DvomError('INTEGRITY', 'backup b is damaged');
        return `Intact ${i}`;
      }, { target: 'nas' });
      ids.push(id);
      await first.wait(id);
    }
    await first.shutdown();
    assert.equal((await fs.stat(file)).mode & 0o777, 0o600);
    assert.doesNotMatch(await fs.readFile(file, 'utf8'), /secret-looking|"rate"|"etaSeconds"/);

    const second = new JobManager(new EventHub(), new JobHistoryFile(file));
    await second.ready;
    const listed = second.list();
    assert.equal(listed.length, HISTORY_LIMIT);
    assert.deepEqual(listed.map((j) => j.id), ids.slice(3).reverse(), 'the oldest dropped, newest first');
    const newest = listed[0]!;
    assert.equal(newest.state, 'failed');
    assert.deepEqual(newest.error, { code: 'INTEGRITY', message: 'backup b is damaged' });
    assert.equal(newest.target, 'nas');
    assert.deepEqual(newest.progress, { phase: 'verifying', bytesDone: HISTORY_LIMIT + 2, filesDone: 1 });
    assert.equal(listed[1]!.result, `Intact ${HISTORY_LIMIT + 1}`);
    assert.equal(second.cancel(newest.id), false, 'a saved job cannot be cancelled');
  });

  it('lists a job started while the history loads after the saved ones, and saves both', async () => {
    const file = newFile();
    const one = new JobManager(new EventHub(), new JobHistoryFile(file));
    const saved = one.start('verify', 'saved', async () => 'ok');
    await one.wait(saved);
    await one.shutdown();

    const two = new JobManager(new EventHub(), new JobHistoryFile(file));
    const fresh = two.start('verify', 'fresh', async () => 'ok'); // before ready
    await two.ready;
    await two.wait(fresh);
    assert.deepEqual(two.list().map((j) => j.title), ['fresh', 'saved']);
    await two.shutdown();
    const three = new JobManager(new EventHub(), new JobHistoryFile(file));
    await three.ready;
    assert.deepEqual(three.list().map((j) => j.title), ['fresh', 'saved']);
  });

  it('moves a file that is not a job history aside, says so, and starts empty', async () => {
    for (const bad of ['not json', '{"version":2,"jobs":[]}', '{"version":1,"jobs":[{"id":"job-000000000001","state":"running"}]}']) {
      const file = newFile();
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.writeFile(file, bad);
      const logged: string[] = [];
      const jobs = new JobManager(new EventHub(), new JobHistoryFile(file, (m) => logged.push(m)));
      await jobs.ready;
      assert.deepEqual(jobs.list(), []);
      assert.equal(logged.length, 1);
      assert.match(logged[0]!, /job history .* is damaged/);
      const aside = (await fs.readdir(path.dirname(file))).filter((f) => f.startsWith('job-history.json.damaged-'));
      assert.equal(aside.length, 1);
      assert.equal(await fs.readFile(path.join(path.dirname(file), aside[0]!), 'utf8'), bad);
      const id = jobs.start('verify', 'after', async () => 'ok');
      await jobs.wait(id);
      assert.equal(JSON.parse(await fs.readFile(file, 'utf8')).jobs.length, 1, 'a new history is written');
    }
  });
});
