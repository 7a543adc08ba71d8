/**
 * Engine throughput and memory on a host folder: encrypted first backup,
 * unchanged re-backup, restore, and a plain first backup for comparison.
 * Each operation runs in a fresh process (bench/worker.ts).
 */
import { mkdir, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { bytesLabel, verdict } from './format.ts';
import { pickRun, runWorker, syncDisks, treeTotals } from './measure.ts';
import { formatProfile, summarizeProfile, type ProfileSummary } from './profile.ts';
import type { WorkerRequest, WorkerResult } from './protocol.ts';
import { workerRow, type DatasetContext, type Row, type Section, type SectionResult } from './section.ts';

const PASSWORD = 'bench';
const NAME = 'bench';
const REPO_ROOT = path.resolve(import.meta.dirname, '..');

/** Runs a worker `repeat` times and keeps the fastest (or median) run; `before` prepares each run. */
const best = (ctx: DatasetContext, req: WorkerRequest, before?: () => Promise<void>): Promise<WorkerResult> =>
  pickRun(ctx.options, () => runWorker(req), before);

async function profileBackup(ctx: DatasetContext): Promise<ProfileSummary> {
  const store = path.join(ctx.workDir, 'store-profile');
  await mkdir(ctx.options.resultsDir, { recursive: true });
  const file = path.join(ctx.options.resultsDir, `profile-backup-${new Date().toISOString().replace(/[:.]/g, '-')}.cpuprofile`);
  ctx.log(`profiling an encrypted first backup (backup() call only) into ${path.relative(REPO_ROOT, file)}`);
  await syncDisks();
  const r = await runWorker({
    op: 'backup',
    store,
    name: NAME,
    encrypted: true,
    password: PASSWORD,
    source: ctx.dataset.dir,
    create: true,
    cpuProfile: file,
  });
  await rm(store, { recursive: true, force: true });
  ctx.log(`profiled run took ${r.opSeconds.toFixed(2)} s (${r.cpuSeconds.toFixed(2)} CPU s)`);
  return summarizeProfile(file, REPO_ROOT);
}

export const engineSection: Section = {
  id: 'engine',
  title: 'engine: folder backup / restore (LocalBackend)',

  async run(ctx: DatasetContext): Promise<SectionResult> {
    const { dataset, workDir } = ctx;
    const bytes = dataset.bytes;
    const encStore = path.join(workDir, 'store-enc');
    const plainStore = path.join(workDir, 'store-plain');
    const restoreDir = path.join(workDir, 'restored');
    const enc = { store: encStore, name: NAME, encrypted: true, password: PASSWORD };
    const rows: Row[] = [];
    const notes: string[] = [];

    ctx.log('encrypted first backup');
    const first = await best(ctx, { ...enc, op: 'backup', source: dataset.dir, create: true }, () =>
      rm(encStore, { recursive: true, force: true }),
    );
    rows.push(workerRow('encrypted first backup', first, bytes));

    ctx.log('encrypted unchanged re-backup');
    const again = await best(ctx, { ...enc, op: 'backup', source: dataset.dir, create: false });
    rows.push(workerRow('encrypted unchanged re-backup', again, bytes));

    ctx.log('encrypted restore');
    const restore = await best(ctx, { ...enc, op: 'restore', target: restoreDir }, () =>
      rm(restoreDir, { recursive: true, force: true }),
    );
    rows.push(workerRow('encrypted restore to folder', restore, bytes, `copy ref ${(restore.opSeconds / ctx.baseline.copySeconds).toFixed(2)}×`));
    const restored = await treeTotals(restoreDir);
    const restoreOk = restored.files === dataset.files && restored.bytes === bytes;
    notes.push(
      `restore check: ${restoreOk ? 'OK' : 'MISMATCH'} (${restored.files} files, ${restored.bytes} bytes; ` +
        `dataset ${dataset.files} files, ${bytes} bytes)`,
    );
    await rm(restoreDir, { recursive: true, force: true });

    ctx.log('plain first backup');
    const plain = await best(ctx, { store: plainStore, name: NAME, encrypted: false, password: '', op: 'backup', source: dataset.dir, create: true }, () =>
      rm(plainStore, { recursive: true, force: true }),
    );
    rows.push(workerRow('plain first backup', plain, bytes));
    await rm(plainStore, { recursive: true, force: true });

    let profile: ProfileSummary | undefined;
    if (ctx.options.profile && ctx.sizeIndex === 0) {
      profile = await profileBackup(ctx);
    }
    await rm(encStore, { recursive: true, force: true });

    const added = again.stats?.addedStoredBytes ?? NaN;
    const unlock = [first, again, restore].map((r) => r.unlockSeconds);
    const ops = [first, again, restore, plain];
    notes.push(
      `unchanged re-backup added ${bytesLabel(added)} (${added} bytes, ${((100 * added) / bytes).toFixed(4)}% of the dataset); ` +
        `new content ${again.stats?.addedBytes ?? NaN} bytes`,
      `first backup stored ${bytesLabel(first.stats?.addedStoredBytes ?? NaN)} encrypted, ` +
        `${bytesLabel(plain.stats?.addedStoredBytes ?? NaN)} plain (${(((first.stats?.addedStoredBytes ?? NaN) / bytes) * 100).toFixed(1)}% of the dataset)`,
      `unlock (scrypt N=2^17, not in the times above): ${unlock.map((s) => s.toFixed(2)).join(' / ')} s (create / open / open); ` +
        `peak RSS up to the unlock: ${(Math.max(...ops.map((r) => r.unlockPeakRssKiB)) / 1024).toFixed(0)} MiB`,
      `peak RSS = whole process (incl. node start-up and scrypt); op RSS = the operation alone` +
        (ops.every((r) => r.peakResetWorked) ? ' (kernel high-water mark reset after the unlock)' : ' (sampled every 20 ms)'),
      `CPU s all/main = user+system CPU of all threads / of the main JS thread during the operation (${os.cpus().length} cores)`,
    );
    if (profile) notes.push('', ...formatProfile(profile));

    const engineOps = [first, again, restore, plain];
    return {
      rows,
      notes,
      metrics: {
        encryptedFirstBackupSeconds: first.opSeconds,
        encryptedFirstBackupRatio: first.opSeconds / ctx.baseline.readSeconds,
        plainFirstBackupRatio: plain.opSeconds / ctx.baseline.readSeconds,
        rebackupSeconds: again.opSeconds,
        rebackupAddedStoredBytes: added,
        restoreSeconds: restore.opSeconds,
        restoreRatioToCopy: restore.opSeconds / ctx.baseline.copySeconds,
        peakRssMiB: Math.max(...engineOps.map((r) => r.processPeakRssKiB)) / 1024,
        opPeakRssMiB: Math.max(...engineOps.map((r) => r.opPeakRssKiB)) / 1024,
        restoreOk: restoreOk ? 1 : 0,
      },
      data: { firstBackup: first, rebackup: again, restore, plainBackup: plain, restored, ...(profile ? { profile } : {}) },
    };
  },

  summarize(results) {
    if (!results.length) return [];
    const at = (f: (r: SectionResult) => string) => results.map((x) => `${f(x.result)} at ${x.label}`).join(', ');
    const ratios = results.map((x) => x.result.metrics.encryptedFirstBackupRatio!);
    const peaks = results.map((x) => x.result.metrics.peakRssMiB!);
    const opPeaks = results.map((x) => x.result.metrics.opPeakRssMiB!);
    const growth = (v: number[]) =>
      v.length > 1 ? `, ${v[v.length - 1]! >= v[0]! ? '+' : ''}${((100 * (v[v.length - 1]! - v[0]!)) / v[0]!).toFixed(0)}% from smallest to largest` : '';
    return [
      `encrypted first backup: ${at((r) => `${r.metrics.encryptedFirstBackupRatio!.toFixed(2)}× baseline`)} (target ≤ 1.25×): ${verdict(ratios.every((r) => r <= 1.25))}`,
      `peak RSS: ${at((r) => `${r.metrics.peakRssMiB!.toFixed(0)} MiB`)} (target ≤ 200 MiB, flat${growth(peaks)}): ${verdict(
        peaks.every((p) => p <= 200) && (peaks.length < 2 || Math.max(...peaks) - Math.min(...peaks) <= 0.1 * Math.min(...peaks)),
      )}`,
      `  operation alone (without start-up + scrypt unlock): ${at((r) => `${r.metrics.opPeakRssMiB!.toFixed(0)} MiB`)}${growth(opPeaks)}`,
      `unchanged re-backup: ${at((r) => `${r.metrics.rebackupSeconds!.toFixed(2)} s, +${bytesLabel(r.metrics.rebackupAddedStoredBytes!)}`)}`,
      `restore: ${at((r) => `${r.metrics.restoreRatioToCopy!.toFixed(2)}× tar copy`)}` +
        (results.every((x) => x.result.metrics.restoreOk === 1) ? '' : ' (RESTORE CHECK FAILED)'),
    ];
  },
};
