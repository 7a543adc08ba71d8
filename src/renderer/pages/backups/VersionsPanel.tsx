import { useState } from 'react';
import { originWords } from '../../components/origin-words.ts';
import type { BackupDto, JobDto, VersionDto } from '../../../shared/api/dto.ts';
import { formatBytes, formatDate, percentOf, plural, relativeTime, when } from '../../../shared/format.ts';
import { latestTracked, useBackupsStore, type TrackedJob } from '../../state/backups-store.ts';
import { useNavigation } from '../../state/navigation-store.ts';
import { ChangePasswordDialog } from './ChangePasswordDialog.tsx';
import { DeleteDialog } from './DeleteDialog.tsx';
import { friendlyError, friendlyJobError, needsPassword } from './errors.ts';
import { CheckIcon, TrashIcon, WarningIcon } from '../../components/icons.tsx';
import { PasswordDialog } from './PasswordDialog.tsx';
import { ReclaimDialog } from './ReclaimDialog.tsx';
import { UnlockDialog } from './UnlockDialog.tsx';

type Tone = 'info' | 'ok' | 'error';
interface Notice {
  tone: Tone;
  text: string;
  /** Jobs started before it; a newer job's news replaces it. */
  afterJobs: number;
}

type Dialog =
  | { kind: 'password'; purpose: string; submitLabel: string; run(password: string): Promise<unknown> }
  | { kind: 'delete'; version?: VersionDto }
  | { kind: 'change-password' }
  | { kind: 'unlock' };

/** The versions of one backup and what can be done with them. */
export function VersionsPanel({ backup }: { backup: BackupDto }) {
  const entry = useBackupsStore((s) => s.versions[backup.name]);
  const tracked = useBackupsStore((s) => s.tracked);
  const jobs = useBackupsStore((s) => s.jobs);
  const target = useBackupsStore((s) => s.target);
  const store = useBackupsStore.getState;
  const go = useNavigation((s) => s.go);
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const [notice, setNotice] = useState<Notice | null>(null);
  const [starting, setStarting] = useState<string | null>(null);
  // Apart from `dialog`: the password dialog that leads here closes itself once its run resolves.
  const [reclaim, setReclaim] = useState<{ estimate: { bytesToFree: number; packsSpared: number }; password?: string } | null>(null);

  const versions = entry?.list ?? null;
  const byId = new Map(versions?.map((v) => [v.id, v]) ?? []);
  const verify = latestTracked({ tracked, jobs, target }, 'verify', backup.name);
  const verifying = !!verify && isRunning(verify.job);

  /** Starts a job; asks for the password and retries when the engine needs one. */
  async function start(key: string, run: (password?: string) => Promise<unknown>, purpose: string, submitLabel: string) {
    setStarting(key);
    try {
      await run();
    } catch (err) {
      if (needsPassword(err)) setDialog({ kind: 'password', purpose, submitLabel, run: (password) => run(password) });
      else setNotice({ tone: 'error', text: friendlyError(err), afterJobs: store().tracked.length });
    } finally {
      setStarting(null);
    }
  }

  const testRestore = (v: VersionDto) =>
    void start(`test:${v.id}`, (password) => store().startTestRestore(backup.name, v.id, password), 'run the test restore', 'Test restore');
  const runVerify = () =>
    void start('verify', (password) => store().startVerify(backup.name, password), 'check all its data', 'Verify');

  const openReclaim = () =>
    void start(
      'reclaim',
      async (password) => setReclaim({ estimate: await store().reclaimEstimate(backup.name, password), ...(password ? { password } : {}) }),
      'see how much space it can reclaim',
      'Continue',
    );

  const status = statusLine(backup.name, target, tracked, jobs, byId, notice);

  return (
    <div className="br-versions-panel">
      <div className="br-versions-toolbar">
        <h2 className="br-versions-title">
          <span className="sr-only">Versions of </span>
          {plural(backup.versions, 'version')}
        </h2>
        <div className="br-versions-actions">
          <button
            type="button"
            className="button br-button-small"
            onClick={runVerify}
            disabled={verifying || starting === 'verify'}
            title="Read every stored chunk of every version and check it against its hash"
          >
            {verifying ? 'Verifying…' : 'Verify'}
          </button>
          {backup.encrypted && (
            <button type="button" className="button br-button-small" onClick={() => setDialog({ kind: 'change-password' })}>
              Change password…
            </button>
          )}
          <button
            type="button"
            className="button br-button-small"
            onClick={openReclaim}
            disabled={starting === 'reclaim'}
            title="Remove stored data that no version uses any more"
          >
            {starting === 'reclaim' ? 'Measuring…' : 'Reclaim space…'}
          </button>
          <button
            type="button"
            className="button br-button-small"
            onClick={() => setDialog({ kind: 'unlock' })}
            title="Remove locks left by a backup or restore that crashed"
          >
            Unlock…
          </button>
          <button type="button" className="button br-button-small br-button-danger-quiet" onClick={() => setDialog({ kind: 'delete' })}>
            Delete backup…
          </button>
        </div>
      </div>

      <p className={`br-panel-status br-tone-${status?.tone ?? 'info'}`} role={status?.tone === 'error' ? 'alert' : 'status'}>
        {status?.tone === 'ok' && <CheckIcon className="br-status-icon" />}
        {status?.tone === 'error' && <WarningIcon className="br-status-icon" />}
        {status?.text ?? ''}
      </p>

      {versionsBody()}

      {dialog?.kind === 'password' && (
        <PasswordDialog
          backup={backup.name}
          purpose={dialog.purpose}
          submitLabel={dialog.submitLabel}
          onSubmit={async (password) => {
            await dialog.run(password);
            setDialog(null);
          }}
          onClose={() => setDialog(null)}
        />
      )}
      {dialog?.kind === 'delete' && (
        <DeleteDialog
          backup={backup}
          {...(dialog.version ? { version: dialog.version } : {})}
          onDelete={async (password) => {
            const version = dialog.version;
            if (version) {
              await store().deleteVersion(backup.name, version.id, password);
              setNotice({ tone: 'ok', text: `Deleted the version created ${formatDate(version.createdAt)}.`, afterJobs: store().tracked.length });
            } else {
              await store().deleteBackup(backup.name);
            }
            setDialog(null);
          }}
          onClose={() => setDialog(null)}
        />
      )}
      {reclaim && (
        <ReclaimDialog
          backup={backup.name}
          estimate={reclaim.estimate}
          onReclaim={async () => {
            const freed = await store().reclaim(backup.name, reclaim.password);
            setNotice({ tone: 'ok', text: `Reclaimed ${formatBytes(freed)}.`, afterJobs: store().tracked.length });
            setReclaim(null);
            return freed;
          }}
          onClose={() => setReclaim(null)}
        />
      )}
      {dialog?.kind === 'unlock' && (
        <UnlockDialog
          backup={backup.name}
          onUnlock={(force) => store().unlock(backup.name, force)}
          onDone={(removed) => {
            const text = removed ? `Removed ${plural(removed, 'lock')}.` : 'The backup was not locked.';
            setNotice({ tone: 'ok', text, afterJobs: store().tracked.length });
            setDialog(null);
          }}
          onClose={() => setDialog(null)}
        />
      )}
      {dialog?.kind === 'change-password' && (
        <ChangePasswordDialog
          backup={backup}
          onChange={async (password, newPassword) => {
            await store().changePassword(backup.name, password, newPassword);
            setNotice({ tone: 'ok', text: 'Password changed. Use the new password from now on.', afterJobs: store().tracked.length });
            setDialog(null);
          }}
          onClose={() => setDialog(null)}
        />
      )}
    </div>
  );

  function versionsBody() {
    if (!versions) {
      if (entry?.error) {
        return (
          <div className="br-panel-message" role="alert">
            <p className="error-message">Cannot list the versions: {entry.error}</p>
            <button type="button" className="button br-button-small" onClick={() => void store().loadVersions(backup.name)}>
              Retry
            </button>
          </div>
        );
      }
      return (
        <div className="br-panel-message" role="status">
          <span className="spinner" aria-hidden="true" />
          <span className="muted">Loading versions…</span>
        </div>
      );
    }
    if (!versions.length) {
      return (
        <div className="br-panel-message">
          <p className="muted">This backup has no versions left.</p>
        </div>
      );
    }
    return (
      <table className="br-versions-table" aria-label={`Versions of ${backup.name}`}>
        <thead>
          <tr>
            <th scope="col">Created</th>
            <th scope="col" className="numeric br-fit">
              Size
            </th>
            <th scope="col" className="numeric br-fit" title="What this version added to the store: only data no earlier version had, compressed">
              New data
            </th>
            <th scope="col" className="numeric br-fit">
              Files
            </th>
            <th scope="col" className="br-fit">
              Verified
            </th>
            <th scope="col" className="br-fit">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {versions.map((v) => {
            const date = formatDate(v.createdAt);
            const test = latestTracked({ tracked, jobs, target }, 'test-restore', backup.name, v.id);
            const testing = (!!test && isRunning(test.job)) || starting === `test:${v.id}`;
            return (
              <tr key={v.id}>
                <th scope="row">
                  <div className="stack">
                    <time dateTime={v.createdAt} className="br-nowrap">
                      {date}
                    </time>
                    <span className="muted small">
                      {[relativeTime(v.createdAt), v.origin && v.origin.kind !== 'unknown' ? originWords(v.origin) : null].filter(Boolean).join(' · ')}
                    </span>
                    {/* The id, for copying into `dvom` commands. */}
                    <span className="muted small br-version-id" title="Version id">
                      {v.id}
                    </span>
                    {v.engine && <EngineLine engine={v.engine} />}
                  </div>
                </th>
                <td className="numeric">{formatBytes(v.stats.bytes)}</td>
                <td className="numeric" title={`${formatBytes(v.stats.addedStoredBytes)} of data no earlier version had`}>
                  {formatBytes(v.stats.addedStoredBytes)}
                </td>
                <td className="numeric">{v.stats.files.toLocaleString()}</td>
                <td className="br-nowrap">
                  <VerifiedCell version={v} test={test?.job ?? null} testing={testing} />
                </td>
                <td>
                  <div className="br-row-actions">
                    <button
                      type="button"
                      className="button br-button-small"
                      aria-label={`Restore the version from ${date}…`}
                      onClick={() => go('restore', { backup: backup.name, version: v.id })}
                    >
                      Restore…
                    </button>
                    <button
                      type="button"
                      className="button br-button-small"
                      aria-label={`Test restore of the version from ${date}`}
                      onClick={() => testRestore(v)}
                      disabled={testing}
                    >
                      {testing ? 'Testing…' : 'Test restore'}
                    </button>
                    <button
                      type="button"
                      className="button br-button-small br-button-danger-quiet br-icon-button"
                      aria-label={`Delete the version from ${date}…`}
                      title="Delete this version…"
                      onClick={() => setDialog({ kind: 'delete', version: v })}
                    >
                      <TrashIcon />
                    </button>
                  </div>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    );
  }
}

/** Which Docker engine a version came from: its context name and endpoint (cut short; the whole in the tooltip). */
function EngineLine({ engine }: { engine: NonNullable<VersionDto['engine']> }) {
  return (
    <span className="muted small br-version-engine" title={`Backed up from the Docker engine ${engine.name} at ${engine.host}`}>
      Engine {engine.name} · {engine.host}
    </span>
  );
}

function isRunning(job: JobDto | null): boolean {
  // No state yet: the job was just started and its first event is on its way.
  return !job || job.state === 'running';
}

/** "Verified 3 minutes ago", "Not verified", a running test's progress, or a failed test. */
function VerifiedCell({ version, test, testing }: { version: VersionDto; test: JobDto | null; testing: boolean }) {
  if (testing) {
    const pct = percentOf(test?.progress ?? null);
    return (
      <span className="br-verified br-verified-running">
        <span className="spinner br-spinner-small" aria-hidden="true" />
        Testing{pct === null ? '…' : ` ${pct}%`}
      </span>
    );
  }
  const failedLater =
    test?.state === 'failed' && (!version.verifiedAt || (test.finishedAt ?? '') > version.verifiedAt);
  if (failedLater) {
    return (
      <span className="br-verified br-verified-failed">
        <WarningIcon className="br-status-icon" />
        Test restore failed
      </span>
    );
  }
  if (version.verifiedAt && !version.checked) {
    // Listed without the backup's password: the store says so, nobody checked.
    return (
      <span className="br-verified muted" title="The store records a verification, but without this backup's password its seal cannot be checked">
        Verified {when(version.verifiedAt)} (unchecked)
      </span>
    );
  }
  if (version.verifiedAt) {
    return (
      <span className="br-verified br-verified-yes" title={`Proven restorable on ${formatDate(version.verifiedAt)}`}>
        <CheckIcon className="br-status-icon" />
        <span>
          Verified <span className="br-when">{when(version.verifiedAt)}</span>
        </span>
      </span>
    );
  }
  return <span className="br-verified muted">Not verified</span>;
}

/** What the status line of a backup says: the newest job started here for it, or a newer notice. */
function statusLine(
  backup: string,
  target: string,
  tracked: TrackedJob[],
  jobs: Record<string, JobDto>,
  versions: Map<string, VersionDto>,
  notice: Notice | null,
): { tone: Tone; text: string } | null {
  let latest: TrackedJob | undefined;
  let latestIndex = 0;
  tracked.forEach((t, i) => {
    if (t.backup !== backup || t.target !== target) return;
    latest = t;
    latestIndex = i + 1;
  });
  if (notice && notice.afterJobs >= latestIndex) return notice;
  if (!latest) return null;
  const job = jobs[latest.jobId] ?? null;
  const version = latest.version ? versions.get(latest.version) : undefined;
  const what =
    latest.kind === 'verify'
      ? 'Verify'
      : `Test restore of the version from ${version ? formatDate(version.createdAt) : latest.version}`;
  if (!job || job.state === 'running') {
    const pct = percentOf(job?.progress ?? null);
    return { tone: 'info', text: `${what}: running${pct === null ? '…' : ` (${pct}%)`}` };
  }
  if (job.state === 'succeeded') {
    const detail = (job.result ?? '').replace(/^(Passed|Intact):\s*/, '');
    return {
      tone: 'ok',
      text: latest.kind === 'verify' ? `Verify passed: all data is intact (${detail}).` : `${what} passed: ${detail}.`,
    };
  }
  if (job.state === 'cancelled') return { tone: 'info', text: `${what} was cancelled.` };
  return { tone: 'error', text: `${what} failed: ${friendlyJobError(job.error)}` };
}
