import type { VolumeDto } from '../../../shared/api/dto.ts';
import { Switch } from '../../components/Switch.tsx';
import { useVolumesStore } from '../../state/volumes-store.ts';
import type { EditorForm } from './use-editor-form.tsx';

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
  const { draft, busy, id, fieldId, hintId, bind, reg, hint, change } = form;
  const volumes = useVolumesStore((s) => s.volumes);
  const containers = containerChoices(volumes, draft.volumes, draft.stopContainers);
  return (
    <section className="sch-section" aria-labelledby={`${id}-options`}>
      <h2 id={`${id}-options`}>Options</h2>
      <fieldset ref={reg('stopContainers')} className="field" aria-describedby={hintId('stopContainers')}>
        <legend className="field-label">Containers to stop</legend>
        {containers.length > 0 && (
          <ul className="sch-choices">
            {containers.map((c) => (
              <li key={c.name}>
                <label className="sch-check">
                  <input
                    type="checkbox"
                    aria-label={c.name}
                    aria-describedby={c.note ? `${id}-ctr-${c.name}` : undefined}
                    checked={draft.stopContainers.includes(c.name)}
                    disabled={busy}
                    onChange={(e) =>
                      change({ stopContainers: e.target.checked ? [...draft.stopContainers, c.name] : draft.stopContainers.filter((n) => n !== c.name) }, ['stopContainers'])
                    }
                  />
                  <span className="sch-check-name">{c.name}</span>
                  {c.note && (
                    <span id={`${id}-ctr-${c.name}`} className="sch-tag">
                      {c.note}
                    </span>
                  )}
                </label>
              </li>
            ))}
          </ul>
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

      <div className="sch-switches">
        <Switch
          label="Enabled"
          description="Runs at the times above. When off, it runs only when you press Run now."
          checked={draft.enabled}
          disabled={busy}
          onChange={(enabled) => change({ enabled })}
        />
        <Switch
          label="Catch up missed runs"
          description="If the computer was off or asleep at a run time, run once as soon as it can."
          checked={draft.catchUp}
          disabled={busy}
          onChange={(catchUp) => change({ catchUp })}
        />
        <Switch
          label="Notify on success"
          description="A notification after every successful run. Failures always notify."
          checked={draft.notifyOnSuccess}
          disabled={busy}
          onChange={(notifyOnSuccess) => change({ notifyOnSuccess })}
        />
      </div>

      <div className="field">
        <label className="field-label" htmlFor={fieldId('testRestoreEvery')}>
          Test restore every
        </label>
        <div className="sch-inline">
          <input
            {...bind('testRestoreEvery')}
            className="text-input sch-input sch-number"
            inputMode="numeric"
            value={draft.testRestoreEvery}
            autoComplete="off"
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
