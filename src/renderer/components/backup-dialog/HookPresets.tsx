import { useState } from 'react';
import type { VolumeUserDto } from '../../../shared/api/dto.ts';
import { composeLabels, recogniseApp } from './hook-presets.ts';

/**
 * For a database the dialog recognises by its image: the hook labels that
 * make its copy app-consistent, to add to its service (shown, not applied:
 * Docker cannot add labels to an existing container).
 */
export function HookPresets({ users }: { users: VolumeUserDto[] }) {
  const apps = users.map(recogniseApp).filter((a) => a !== undefined);
  const [chosen, setChosen] = useState<Record<string, string>>({});
  if (!apps.length) return null;
  return (
    <details className="field hook-presets">
      <summary className="field-label">App-consistent copy: {apps.map((a) => `${a.app} in ${a.container}`).join(', ')}</summary>
      <p className="field-hint">
        DVOM runs a container’s <code>dvom.backup.pre</code> label in it before its volumes are read, and <code>dvom.backup.post</code> after. Add one of these to
        its service in compose.yaml and recreate it (docker compose up -d).
      </p>
      {apps.map((a) => {
        const preset = a.presets.find((p) => p.id === chosen[a.container]) ?? a.presets[0]!;
        return (
          <fieldset key={a.container} className="hook-preset">
            <legend>
              {a.app} in {a.container}
            </legend>
            {a.presets.map((p) => (
              <label key={p.id} className="check-row">
                <input type="radio" name={`preset-${a.container}`} checked={p.id === preset.id} onChange={() => setChosen({ ...chosen, [a.container]: p.id })} />
                <span>{p.label}</span>
              </label>
            ))}
            <pre className="hook-labels" aria-label={`Labels for ${a.container}`}>
              {composeLabels(preset)}
            </pre>
          </fieldset>
        );
      })}
    </details>
  );
}
