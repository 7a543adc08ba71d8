/* eslint-disable no-restricted-imports -- a test: runs in Node. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { job, MiB, progress } from '../../../../test/renderer-harness/fixtures.ts';
import { dedupText, durationText, etaText, jobFacts, jobPercent, progressValueText, rateText, stepText } from './job-view.ts';

describe('job-view', () => {
  it('jobPercent: bytes first, files when bytes are unknown, 100 only when done', () => {
    assert.equal(jobPercent(job({ progress: progress({ bytesDone: 10, bytesTotal: 40 }) })), 25);
    assert.equal(jobPercent(job({ progress: progress({ bytesTotal: undefined, filesDone: 1, filesTotal: 3 }) })), 33);
    assert.equal(jobPercent(job({ progress: progress({ bytesTotal: undefined, filesTotal: undefined }) })), null);
    assert.equal(jobPercent(job({ progress: null })), null);
    assert.equal(jobPercent(job({ progress: progress({ bytesDone: 40, bytesTotal: 40, phase: 'finalizing' }) })), 99, 'still writing');
    assert.equal(jobPercent(job({ progress: progress({ phase: 'done' }) })), 100);
    assert.equal(jobPercent(job({ state: 'succeeded', progress: null })), 100);
    assert.equal(jobPercent(job({ state: 'succeeded', progress: progress({ bytesDone: 1, bytesTotal: 40 }) })), 100);
    assert.equal(jobPercent(job({ state: 'failed', progress: progress({ bytesDone: 10, bytesTotal: 40 }) })), 25);
    assert.equal(jobPercent(job({ state: 'failed', progress: null })), 0);
    assert.equal(jobPercent(job({ progress: progress({ bytesDone: 50, bytesTotal: 40 }) })), 99, 'never above the total');
    assert.equal(jobPercent(job({ progress: progress({ bytesDone: 0, bytesTotal: 0, filesTotal: 0 }) })), null, 'an empty volume');
  });

  it('stepText names what a step works on; the engine’s own phases are left to phaseLabel', () => {
    assert.equal(stepText(progress({ phase: 'stopping', subject: 'db' }), 'backup'), 'Stopping db…');
    assert.equal(stepText(progress({ phase: 'starting', subject: 'db' }), 'restore'), 'Starting db…');
    assert.equal(stepText(progress({ phase: 'checking', subject: 'data' }), 'restore'), 'Checking the destination volume data…');
    assert.equal(stepText(progress({ phase: 'checking', subject: 'a, b' }), 'backup'), 'Checking the volumes a, b…');
    assert.equal(stepText(progress({ phase: 'checking', subject: 'a' }), 'backup'), 'Checking the volume a…');
    assert.equal(stepText(progress({ phase: 'stopping' }), 'backup'), 'Stopping containers…');
    assert.equal(stepText(progress({ phase: 'replacing', subject: 'data' }), 'restore'), 'Replacing the contents of data…');
    assert.equal(stepText(progress({ phase: 'backing-up' }), 'backup'), null);
    const facts = (ms: number | undefined) => jobFacts(job({ state: 'succeeded', finishedAt: new Date().toISOString(), containersDownMs: ms })).find((f) => f.label === 'Containers down')?.value;
    assert.equal(facts(12_400), '12 s');
    assert.equal(facts(300), 'under 1 s');
    assert.equal(facts(undefined), undefined, 'no fact when nothing was stopped');
  });

  it('durations, rates and times left read calmly', () => {
    assert.equal(durationText(8.4), '8 s');
    assert.equal(durationText(125), '2 min 5 s');
    assert.equal(durationText(1500), '25 min');
    assert.equal(durationText(3600 + 180), '1 h 3 min');
    assert.equal(durationText(7200), '2 h');
    assert.equal(durationText(-1), '—');
    assert.equal(etaText(undefined), null);
    assert.equal(etaText(3), 'a few seconds');
    assert.equal(etaText(90), 'about 1 min 30 s');
    assert.equal(etaText(Infinity), null);
    assert.equal(rateText(8 * MiB), '8.00 MiB/s');
    assert.equal(rateText(undefined), null);
  });

  it('dedup: new bytes against bytes read, for backups only', () => {
    assert.equal(dedupText(job({ progress: progress({ bytesDone: 40 * MiB, bytesNew: 10 * MiB }) })), '75% · 10.0 MiB new');
    assert.equal(dedupText(job({ progress: progress({ bytesDone: 4 * MiB, bytesNew: 4 * MiB }) })), '0% · 4.00 MiB new');
    assert.equal(dedupText(job({ progress: progress({ bytesDone: 0, bytesNew: 0 }) })), null);
    assert.equal(dedupText(job({ kind: 'restore', progress: progress() })), null);
  });

  it('facts keep the same labels while a job runs, and say how long it took once finished', () => {
    const labels = (j: ReturnType<typeof job>) => jobFacts(j).map((f) => f.label);
    assert.deepEqual(labels(job({ progress: null })), ['Phase', 'Data', 'Files', 'Speed', 'Time left', 'Deduplicated']);
    assert.deepEqual(labels(job()), ['Phase', 'Data', 'Files', 'Speed', 'Time left', 'Deduplicated']);
    const done = job({ kind: 'verify', state: 'succeeded', startedAt: '2025-01-01T00:00:00Z', finishedAt: '2025-01-01T00:00:42Z' });
    assert.deepEqual(jobFacts(done).at(-1), { label: 'Took', value: '42 s' });
    assert.equal(progressValueText(job({ progress: progress({ bytesDone: 10 * MiB, bytesTotal: 40 * MiB }) })), '25 percent, 10.0 MiB of 40.0 MiB');
    assert.equal(progressValueText(job({ progress: null })), 'In progress');
  });

  it('a cancelled or failed job no longer says the phase it was in as if still working', () => {
    const phase = (j: ReturnType<typeof job>) => jobFacts(j)[0]!.value;
    assert.equal(phase(job({ state: 'cancelled', progress: progress({ phase: 'backing-up' }) })), 'Cancelled');
    assert.equal(phase(job({ state: 'failed', progress: progress({ phase: 'finalizing' }) })), 'Failed');
    assert.equal(phase(job({ state: 'cancelled', progress: null })), 'Cancelled');
    assert.equal(phase(job({ progress: progress({ phase: 'backing-up' }) })), 'Backing up', 'still running');
  });
});
