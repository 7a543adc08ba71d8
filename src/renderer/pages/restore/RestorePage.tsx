import { useEffect, useRef, type FormEvent } from 'react';
import { PageHeader } from '../../components/PageHeader.tsx';
import { useBackupsStore } from '../../state/backups-store.ts';
import { useNavigation } from '../../state/navigation-store.ts';
import { STEPS, useRestoreStore, type StepId } from '../../state/restore-store.ts';
import { useVolumesStore } from '../../state/volumes-store.ts';
import { blocker, buildRequest, deriveFacts, stepAfter, stepBefore, type WizardFacts } from './derive.ts';
import { PasswordStep } from './PasswordStep.tsx';
import { ReviewStep } from './ReviewStep.tsx';
import { ProgressView, ResultView } from './RunView.tsx';
import { SourceStep } from './SourceStep.tsx';
import { StepList } from './StepList.tsx';
import { TargetStep } from './TargetStep.tsx';
import { WhatStep } from './WhatStep.tsx';
import './restore.css';

const TITLES: Record<StepId, string> = {
  source: 'Choose the backup and version',
  what: 'Choose what to restore',
  target: 'Choose where to restore it',
  password: 'Enter the password',
  review: 'Check and start',
};

/** The restore wizard: five steps, nothing happens until Start; then progress and the result. */
export function RestorePage() {
  const intent = useNavigation((s) => s.intent);
  const s = useRestoreStore();
  const backups = useBackupsStore((b) => b.backups);
  const versionsEntry = useBackupsStore((b) => (s.backup ? b.versions[s.backup] : undefined));
  const volumes = useVolumesStore((v) => v.volumes);
  const facts = deriveFacts(s, backups, versionsEntry, volumes);
  const heading = useRef<HTMLHeadingElement>(null);
  const shownStep = useRef<StepId | null>(null);

  // Apply the intent (Backups page → "Restore…"), follow job events, load what the steps need.
  useEffect(() => {
    useRestoreStore.getState().applyIntent(intent);
    const stopRestore = useRestoreStore.getState().watch();
    const stopVolumes = useVolumesStore.getState().watch();
    void useBackupsStore.getState().load();
    void useVolumesStore.getState().load();
    return () => {
      stopRestore();
      stopVolumes();
    };
  }, [intent]);

  useEffect(() => {
    if (s.backup) void useBackupsStore.getState().loadVersions(s.backup);
  }, [s.backup]);

  // Preselect the newest version when none is chosen.
  const newest = facts.versions?.[0]?.id;
  useEffect(() => {
    if (s.backup && !s.version && newest) useRestoreStore.getState().chooseVersion(newest);
  }, [s.backup, s.version, newest]);

  // A preselected backup or version that no longer exists: say so on step 1.
  const missingVersion = !!s.version && !!facts.versions && !facts.version;

  // Focus the new step's heading so keyboard and screen reader users land on it.
  useEffect(() => {
    if (s.phase !== 'edit') return;
    if (shownStep.current && shownStep.current !== s.step) heading.current?.focus();
    shownStep.current = s.step;
  }, [s.step, s.phase]);

  const passwordNote = !facts.backup ? null : !facts.backup.encrypted ? 'not needed' : !facts.passwordNeeded ? 'remembered' : s.passwordOk ? 'entered' : null;

  return (
    <>
      <PageHeader title="Restore" description="Bring a backup back into a Docker volume or a folder on this computer: all of it, or chosen files and folders." />
      <div className="br-wizard">
        <StepList current={s.phase === 'edit' ? s.step : null} passwordNote={passwordNote} />
        <div className="br-wizard-main">
          {s.phase === 'edit' ? editor(facts) : runner()}
        </div>
      </div>
    </>
  );

  function runner() {
    if (!s.request) return null;
    if (s.phase === 'done' && s.job) return <ResultView job={s.job} request={s.request} />;
    return <ProgressView job={s.job} request={s.request} />;
  }

  function editor(f: WizardFacts) {
    const index = STEPS.findIndex((x) => x.id === s.step);
    const why = missingVersion ? 'Choose a version.' : blocker(s.step, s, f);
    const previous = stepBefore(s.step, f);
    const next = stepAfter(s.step, f);
    const busy = s.checkingPassword || s.starting;

    async function submit(e: FormEvent) {
      e.preventDefault();
      if (why || busy) return;
      const st = useRestoreStore.getState();
      if (s.step === 'password' && !(await st.checkPassword())) return;
      if (s.step === 'review') {
        await st.start(buildRequest(useRestoreStore.getState(), f));
        return;
      }
      const to = s.step === 'password' ? 'review' : next;
      if (to) st.goTo(to);
    }

    return (
      <form className="br-wizard-form" onSubmit={(e) => void submit(e)} noValidate aria-labelledby="restore-step-title">
        <h2 id="restore-step-title" className="br-step-title" ref={heading} tabIndex={-1}>
          <span className="muted br-step-count">
            Step {index + 1} of {STEPS.length}
          </span>
          {TITLES[s.step]}
        </h2>
        {missingVersion && s.step === 'source' && (
          <p className="br-field-error" role="alert">
            The version {s.version} is no longer in {s.backup}. Choose another one.
          </p>
        )}
        {stepBody(f)}
        <div className="br-wizard-nav">
          <button type="button" className="button" onClick={() => previous && s.goTo(previous)} disabled={!previous || busy}>
            Back
          </button>
          <span className="br-wizard-hint muted small" id="wizard-hint" aria-live="polite">
            {why ?? ''}
          </span>
          <button
            type="submit"
            className="button button-primary"
            disabled={!!why || busy}
            aria-describedby={why ? 'wizard-hint' : undefined}
          >
            {s.step === 'review' ? (s.starting ? 'Starting…' : 'Start restore') : s.checkingPassword ? 'Checking…' : 'Next'}
          </button>
        </div>
      </form>
    );
  }

  function stepBody(f: WizardFacts) {
    switch (s.step) {
      case 'source':
        return <SourceStep facts={f} />;
      case 'what':
        return <WhatStep facts={f} />;
      case 'target':
        return <TargetStep facts={f} />;
      case 'password':
        return <PasswordStep backup={f.backup?.name ?? ''} />;
      case 'review':
        return <ReviewStep facts={f} />;
    }
  }
}
