import { useCallback, useEffect, useId, useState } from 'react';
import type { AppInfo, EngineChoiceDto } from '../../../shared/api/dto.ts';
import { api } from '../../api/api.ts';
import { errorText } from '../../api/error-text.ts';
import { useSettingsStore } from '../../state/settings-store.ts';
import './engine-section.css';

/** Why this engine is the one in use, in words. */
const SOURCE_TEXT: Record<AppInfo['engine']['source'], string> = {
  flag: 'picked for this session',
  DOCKER_HOST: 'set by the DOCKER_HOST environment variable',
  DOCKER_CONTEXT: 'set by the DOCKER_CONTEXT environment variable',
  'dvom-config': 'picked in DVOM',
  'docker-config': "the docker command's current context",
  'built-in': 'the local Docker engine',
};

/**
 * Which Docker engine DVOM uses, and a switch to another: the engines are the
 * docker command's contexts (`docker context ls`). The choice is remembered.
 */
export function EngineSection() {
  const { info, infoError, load } = useSettingsStore();
  const [engines, setEngines] = useState<EngineChoiceDto[] | null>(null);
  const [chosen, setChosen] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const ids = { select: useId(), note: useId(), title: useId() };

  const refresh = useCallback(async () => {
    try {
      const list = await api().call('engines.list', {});
      setEngines(list);
      setChosen(list.find((e) => e.current)?.name ?? list[0]?.name ?? '');
    } catch (err) {
      setError(errorText(err));
    }
  }, []);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const current = engines?.find((e) => e.current);
  const use = async () => {
    setBusy(true);
    setError(null);
    try {
      await api().call('engines.select', { name: chosen });
      await Promise.all([refresh(), load()]);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="settings-section" aria-labelledby={ids.title}>
      <div className="settings-section-heading">
        <div>
          <h2 id={ids.title}>Docker engine</h2>
          <p className="muted">
            The engine whose volumes DVOM backs up and restores. Engines are the docker command&apos;s contexts (<code className="engine-nowrap">docker context ls</code>).
          </p>
        </div>
      </div>
      <div className="settings-field">
        <label className="settings-field-label" htmlFor={ids.select}>
          Engine
        </label>
        <div className="engine-choice">
          <select
            id={ids.select}
            className="select-input engine-select"
            value={chosen}
            disabled={!engines || busy}
            aria-describedby={ids.note}
            onChange={(e) => {
              setChosen(e.target.value);
              setError(null);
            }}
          >
            {!engines && <option value="">Loading…</option>}
            {engines?.map((e) => (
              <option key={e.name} value={e.name}>
                {e.name} — {e.host}
              </option>
            ))}
          </select>
          <button type="button" className="button" disabled={!engines || busy || chosen === current?.name} onClick={() => void use()}>
            {busy ? 'Connecting…' : 'Use this engine'}
          </button>
        </div>
        <p id={ids.note} className="settings-field-note">
          {info ? (
            <>
              In use: <strong>{info.engine.name}</strong> <span className="settings-mono">{info.engine.host}</span> ({SOURCE_TEXT[info.engine.source]}).
            </>
          ) : infoError ? (
            'In use: unknown.'
          ) : (
            'Loading…'
          )}
        </p>
      </div>
      {error && (
        <div className="banner banner-error" role="alert">
          <p>{error}</p>
        </div>
      )}
    </section>
  );
}
