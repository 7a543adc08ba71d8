import { useState, type ReactNode } from 'react';
import type { BackupDto, TargetDto, VolumeDto } from '../../../shared/api/dto.ts';
import { useVolumesStore } from '../../state/volumes-store.ts';
import { backupHint } from './backup-hint.ts';
import type { Draft } from './draft.ts';
import type { EditorForm } from './use-editor-form.tsx';
import type { Choices } from './use-choices.ts';
import { StackChoice } from './StackChoice.tsx';
import { VolumeChoices } from './VolumeChoices.tsx';

interface Props {
  form: EditorForm;
  /** A schedule being edited keeps its names; a new one takes them from the first volume until the user types one. */
  editing: boolean;
  choices: Choices;
  /** The backup the name names in the chosen store, when there is one. */
  existing: BackupDto | undefined;
  /** Shown under the backup name: why the schedule cannot run as it is (a password not remembered). */
  notice?: ReactNode;
}

/** The storage choices: the default store (whichever that is when it runs), then each target. */
function storageOptions(targets: TargetDto[], defaultLocation: string | null, current: string): { value: string; label: string }[] {
  const def = targets.find((t) => t.isDefault);
  const now = def ? `now ${def.name}` : defaultLocation;
  const options = [{ value: '', label: `Default store${now ? ` (${now})` : ''}` }, ...targets.map((t) => ({ value: t.name, label: `${t.name} — ${t.location}` }))];
  if (current && !targets.some((t) => t.name === current)) options.push({ value: current, label: `${current} (not set up on this computer)` });
  return options;
}

/** What to back up: the schedule's name, its volumes, the storage and the backup the runs add to. */
export function WhatSection({ form, editing, choices, existing, notice }: Props) {
  const { draft, busy, id, fieldId, hintId, textInput, reg, invalid, hint, change, touch } = form;
  const volumeList = useVolumesStore((s) => s.volumes);
  const [named, setNamed] = useState({ name: editing, backup: editing });
  const storage = storageOptions(choices.targets.state === 'ready' ? choices.targets.value : [], choices.defaultLocation, draft.target);

  /** An existing backup of these volumes (the same set first), else the first volume's name. */
  const suggestedBackup = (chosen: string[]): string => {
    const first = chosen[0];
    if (!first) return '';
    const backups = choices.backups.state === 'ready' ? choices.backups.value.filter((b) => !b.damaged && b.volumes.includes(first)) : [];
    const same = backups.find((b) => b.volumes.length === chosen.length && chosen.every((v) => b.volumes.includes(v)));
    return (same ?? backups.find((b) => b.name === first) ?? backups[0])?.name ?? first.slice(0, 128);
  };

  const toggleVolume = (name: string, on: boolean) => {
    const next = on ? [...draft.volumes, name] : draft.volumes.filter((v) => v !== name);
    const first = next[0] ?? '';
    const patch: Partial<Draft> = { volumes: next };
    // As the backup dialog does: a new schedule stops the running containers of its volumes (a consistent copy) unless unticked.
    if (!editing) patch.stopContainers = stopDefaults(draft.stopContainers, draft.volumes, next, volumeList ?? []);
    if (!named.name) patch.name = first.slice(0, 64);
    if (!named.backup) patch.backup = suggestedBackup(next);
    change(patch, ['volumes', 'name', 'backup']);
    touch('volumes');
  };

  const stacks = [...new Set((volumeList ?? []).flatMap((v) => (v.stack ? [v.stack] : [])))].sort();
  // The choice appears only when there is a stack to choose (or the schedule is one already).
  const offerStacks = stacks.length > 0 || draft.what === 'stack';
  const chooseStack = (stack: string) => {
    const patch: Partial<Draft> = { stack };
    if (!named.name) patch.name = stack.slice(0, 64);
    if (!named.backup) patch.backup = stack.slice(0, 128);
    change(patch, ['stack', 'name', 'backup']);
    touch('stack');
  };
  const chooseWhat = (what: Draft['what']) => {
    if (what === draft.what) return;
    const patch: Partial<Draft> = { what };
    // Names taken from the other choice follow the new one, until typed.
    const from = what === 'stack' ? draft.stack : (draft.volumes[0] ?? '');
    if (!named.name) patch.name = from.slice(0, 64);
    if (!named.backup) patch.backup = what === 'stack' ? from.slice(0, 128) : suggestedBackup(draft.volumes);
    change(patch, ['volumes', 'stack', 'name', 'backup']);
  };

  const backupProblem = form.shown('backup');
  const backup = backupProblem ? null : backupHint(draft.backup.trim(), choices.backups, existing);

  return (
    <section className="sch-section" aria-labelledby={`${id}-what`}>
      <h2 id={`${id}-what`}>What to back up</h2>
      <div className="field">
        <label className="field-label" htmlFor={fieldId('name')}>
          Schedule name
        </label>
        <input
          {...textInput('name')}
          value={draft.name}
          onChange={(e) => {
            setNamed((n) => ({ ...n, name: true }));
            change({ name: e.target.value }, ['name']);
          }}
        />
        {hint('name', 'How it is listed here. Letters, digits, “.”, “_” and “-”.')}
      </div>

      {offerStacks && (
        <fieldset className="field sch-what-kind">
          <legend className="field-label">Back up</legend>
          <div className="sch-radio-row">
            {(
              [
                ['volumes', 'Volumes'],
                ['stack', 'A Compose stack'],
              ] as const
            ).map(([value, label]) => (
              <label key={value} className="check-row">
                <input type="radio" name={`${id}-what-kind`} value={value} checked={draft.what === value} disabled={busy} onChange={() => chooseWhat(value)} />
                <span>{label}</span>
              </label>
            ))}
          </div>
        </fieldset>
      )}

      {draft.what === 'stack' ? (
        <StackChoice form={form} stacks={stacks} volumes={volumeList ?? []} onChoose={chooseStack} />
      ) : (
        <fieldset ref={reg('volumes')} className="field" aria-describedby={hintId('volumes')} aria-invalid={invalid('volumes')}>
          <legend className="field-label">Volumes</legend>
          <VolumeChoices form={form} onToggle={toggleVolume} />
          {hint('volumes', 'Every run saves the chosen volumes together, as one new version.')}
        </fieldset>
      )}

      <div className="field">
        <label className="field-label" htmlFor={fieldId('target')}>
          Storage
        </label>
        <select
          ref={reg('target')}
          id={fieldId('target')}
          className="select-input sch-input"
          value={draft.target}
          aria-invalid={invalid('target')}
          aria-describedby={hintId('target')}
          disabled={busy}
          onChange={(e) => change({ target: e.target.value }, ['target', 'backup'])}
        >
          {storage.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
        {hint(
          'target',
          choices.targets.state === 'error' ? `Could not list the storage targets (${choices.targets.error}).` : 'Where the versions are written. Targets are set up in Settings.',
        )}
      </div>
      <div className="field">
        <label className="field-label" htmlFor={fieldId('backup')}>
          Backup name
        </label>
        <input
          {...textInput('backup')}
          value={draft.backup}
          list={`${id}-backups`}
          onChange={(e) => {
            setNamed((n) => ({ ...n, backup: true }));
            change({ backup: e.target.value }, ['backup']);
          }}
        />
        <datalist id={`${id}-backups`}>{choices.backups.state === 'ready' && choices.backups.value.map((b) => <option key={b.name} value={b.name} />)}</datalist>
        <p id={hintId('backup')} className={`field-hint sch-hint-2${backupProblem ? ' field-error' : backup?.warn ? ' sch-warn-text' : ''}`}>
          {backupProblem ?? backup?.text}
        </p>
      </div>
      {notice}
    </section>
  );
}

/**
 * The containers to stop after the volumes changed: running users of a newly
 * chosen volume are added; users of a volume no longer chosen go, unless
 * another chosen volume uses them too. Choices made by hand otherwise stay.
 */
export function stopDefaults(stop: readonly string[], before: readonly string[], after: readonly string[], volumes: readonly VolumeDto[]): string[] {
  const users = (names: readonly string[], running: boolean) =>
    new Set(volumes.filter((v) => names.includes(v.name)).flatMap((v) => v.usedBy.filter((u) => !running || u.running).map((u) => u.name)));
  const added = users(after.filter((v) => !before.includes(v)), true);
  const stillUsed = users(after, false);
  const dropped = users(before.filter((v) => !after.includes(v)), false);
  const next = stop.filter((c) => !dropped.has(c) || stillUsed.has(c));
  for (const c of added) if (!next.includes(c)) next.push(c);
  return next;
}
