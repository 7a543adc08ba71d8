import { useState } from 'react';
import { api } from '../../api/api.ts';
import { errorText } from '../../api/error-text.ts';
import { useNavigation } from '../../state/navigation-store.ts';
import { useRestoreStore } from '../../state/restore-store.ts';
import type { WizardFacts } from './derive.ts';

/** The Compose stack the version's volumes belong to on this engine, when they all belong to one. */
export function stackOfVersion(facts: WizardFacts): string | null {
  if (facts.sourceVolumes.length < 2 || !facts.volumes) return null;
  const stacks = new Set(facts.sourceVolumes.map((v) => facts.volumes!.find((x) => x.name === v)?.stack ?? null));
  const [only] = [...stacks];
  return stacks.size === 1 && only ? only : null;
}

/**
 * A version of a whole stack can be restored as one: every volume back into
 * the volume of the same name, all verified in staging first, the stack's
 * containers stopped and started again in dependency order (jobs.startStackRestore).
 * Started from here, apart from the wizard's one-volume steps.
 */
export function StackRestoreOffer({ facts }: { facts: WizardFacts }) {
  const go = useNavigation((s) => s.go);
  const password = useRestoreStore((s) => s.password);
  const passwordOk = useRestoreStore((s) => s.passwordOk);
  const [confirm, setConfirm] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  /** The backup's password, typed here when the wizard has none yet. */
  const [typed, setTyped] = useState('');
  const stack = stackOfVersion(facts);
  if (!stack || !facts.backup || !facts.version) return null;
  const askPassword = facts.passwordNeeded && !passwordOk;
  const given = askPassword ? typed : passwordOk ? password : '';

  async function start() {
    setBusy(true);
    setError(null);
    try {
      await api().call('jobs.startStackRestore', {
        backup: facts.backup!.name,
        version: facts.version!.id,
        stack: stack!,
        force: confirm,
        ...(given ? { password: given } : {}),
      });
      go('activity');
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  }

  return (
    <section className="br-fieldset stack-restore" aria-label={`Restore stack ${stack}`}>
      <h3 className="br-field-label">Or restore the whole stack {stack}</h3>
      <p className="muted">
        Every volume of this version ({facts.sourceVolumes.join(', ')}) back into the volume of the same name. All are restored and verified in staging volumes
        first; only then are the stack’s running containers stopped, the volumes replaced, and the containers started again.
      </p>
      <label className="check-row">
        <input type="checkbox" checked={confirm} disabled={busy} onChange={(e) => setConfirm(e.target.checked)} />
        <span>Replace what these volumes hold now</span>
      </label>
      {askPassword && (
        <label className="stack-restore-password">
          <span>Password of {facts.backup.name}</span>
          <input type="password" className="br-input" autoComplete="current-password" value={typed} disabled={busy} onChange={(e) => setTyped(e.target.value)} />
        </label>
      )}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <button type="button" className="button" disabled={busy || (askPassword && !typed)} onClick={() => void start()}>
        {busy ? 'Starting…' : `Restore stack ${stack}`}
      </button>
    </section>
  );
}
