import type { VolumeDto } from '../../../shared/api/dto.ts';
import { Switch } from '../../components/Switch.tsx';
import { useVolumesStore } from '../../state/volumes-store.ts';
import { CheckList } from './CheckList.tsx';
import type { EditorForm } from './use-editor-form.tsx';

const SWITCHES: { key: 'enabled' | 'catchUp' | 'notifyOnSuccess'; label: string; description: string }[] = [
  { key: 'enabled', label: 'Enabled', description: 'Runs at the times above. When off, it runs only when you press Run now.' },
  { key: 'catchUp', label: 'Catch up missed runs', description: 'If the computer was off or asleep at a run time, run once as soon as it can.' },
  { key: 'notifyOnSuccess', label: 'Notify on success', description: 'A notification after every successful run. Failures always notify.' },
];

/** Containers that use the chosen volumes, plus any already chosen. */
function containerChoices(volumes: VolumeDto[] | null, chosenVolumes: string[], selected: string[]): { name: string; note: string }[] {
  const found = new Map<string, { name: string; note: string }>();
  for (const v of volumes ?? []) {
    if (!chosenVolumes.includes(v.name)) continue;
    for (const u of v.usedBy) found.set(u.name, { name: u.name, note: u.running ? 'running' : 'stopped' });
  }
  for (const name of selected) if (!found.has(name)) found.set(name, { name, note: volumes ? 'not using these volumes' : '' });
  return [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** The options of each run: containers to stop, enabled, catch-up, notifications, and how often to test a restore. */
export function OptionsSection({ form }: { form: EditorForm }) {
  const { draft, busy, id, fieldId, hintId, numberInput, reg, hint, change } = form;
  const volumes = useVolumesStore((s) => s.volumes);
  const containers = containerChoices(volumes, draft.volumes, draft.stopContainers);
  return (
    <section className="sch-section" aria-labelledby={`${id}-options`}>
      <h2 id={`${id}-options`}>Options</h2>
      {/* A stack schedule stops the stack's running containers itself, in dependency order. */}
      {draft.what !== 'stack' && (
        <fieldset ref={reg('stopContainers')} className="field" aria-describedby={hintId('stopContainers')}>
          <legend className="field-label">Containers to stop</legend>
          {containers.length > 0 && (
            <CheckList
              className="sch-choices"
              items={containers}
              noteId={(name) => `${id}-ctr-${name}`}
              checked={(name) => draft.stopContainers.includes(name)}
              disabled={busy}
              onChange={(name, on) => change({ stopContainers: on ? [...draft.stopContainers, name] : draft.stopContainers.filter((n) => n !== name) }, ['stopContainers'])}
            />
          )}
          {hint(
            'stopContainers',
            containers.length
              ? 'Stopped during each backup for a consistent copy of databases and apps, and started again afterwards.'
              : draft.volumes.length
                ? 'No container uses the chosen volumes, so nothing needs stopping.'
                : 'Choose volumes first: the containers that use them are listed here.',
          )}
        </fieldset>
      )}

      <div className="sch-switches">
        {SWITCHES.map((w) => (
          <Switch key={w.key} label={w.label} description={w.description} checked={draft[w.key]} disabled={busy} onChange={(on) => change({ [w.key]: on })} />
        ))}
      </div>

      <div className="field">
        <label className="field-label" htmlFor={fieldId('testRestoreEvery')}>
          Test restore every
        </label>
        <div className="sch-inline">
          <input
            {...numberInput('testRestoreEvery')}
            value={draft.testRestoreEvery}
            aria-describedby={`${fieldId('testRestoreEvery')}-unit ${hintId('testRestoreEvery')}`}
            onChange={(e) => change({ testRestoreEvery: e.target.value }, ['testRestoreEvery'])}
          />
          <span id={`${fieldId('testRestoreEvery')}-unit`} className="muted">
            runs
          </span>
        </div>
        {hint('testRestoreEvery', 'Proves the newest version can be restored, by restoring it to a scratch place and checking every file. 0: never.')}
      </div>
    </section>
  );
}
