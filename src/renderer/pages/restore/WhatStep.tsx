import { useRestoreStore } from '../../state/restore-store.ts';
import { plural } from '../../../shared/format.ts';
import type { WizardFacts } from './derive.ts';
import { Choice } from './Choice.tsx';
import { FileTree } from './FileTree.tsx';
import { PasswordGate } from './PasswordGate.tsx';

/** Step 2: the whole volume, or chosen files and folders from the version's tree. */
export function WhatStep({ facts }: { facts: WizardFacts }) {
  const what = useRestoreStore((s) => s.what);
  const selected = useRestoreStore((s) => s.selected);
  const patch = useRestoreStore((s) => s.patch);
  const passwordOk = useRestoreStore((s) => s.passwordOk);
  const needsUnlock = facts.passwordNeeded && !passwordOk;
  const whole = facts.sourceVolume ? `The whole volume ${facts.sourceVolume}` : 'Everything in this version';

  return (
    <div className="br-step-body">
      <fieldset className="br-fieldset">
        <legend className="br-field-label">Restore</legend>
        <div className="br-choice-list">
          <Choice
            name="restore-what"
            checked={what === 'all'}
            onChoose={() => patch({ what: 'all' })}
            title={whole}
            description="Every file and folder, exactly as backed up."
          />
          <Choice
            name="restore-what"
            checked={what === 'selected'}
            onChoose={() => patch({ what: 'selected' })}
            title="Selected files and folders"
            description="Pick them from the version; the folders above them are restored too."
          />
        </div>
      </fieldset>

      {what === 'selected' && (
        <div className="br-tree-section">
          {needsUnlock ? (
            <PasswordGate backup={facts.backup?.name ?? ''} />
          ) : (
            <>
              <p className="muted small br-selection-count" role="status">
                {selected.length ? `${plural(selected.length, 'item')} selected` : 'Nothing selected yet'}
              </p>
              <FileTree />
            </>
          )}
        </div>
      )}
    </div>
  );
}
