import { useSettingsStore } from '../../state/settings-store.ts';
import { EngineSection } from './EngineSection.tsx';

/** Facts about this DVOM: its Docker engine (a switcher of its own), keychain and version. */
export function SystemSection() {
  const { info, infoError } = useSettingsStore();
  const placeholder = info ? '' : infoError ? 'Unknown' : 'Loading…';
  return (
    <>
      <EngineSection />

      <section className="settings-section" aria-labelledby="settings-about-title">
        <div className="settings-section-heading">
          <div>
            <h2 id="settings-about-title">About DVOM</h2>
            <p className="muted">Encrypted, deduplicating backups of Docker volumes.</p>
          </div>
        </div>
        <dl className="settings-facts">
          <div className="settings-fact">
            <dt>Version</dt>
            <dd>{info ? info.version : <span className="muted">{placeholder}</span>}</dd>
          </div>
          <div className="settings-fact">
            <dt>Keychain</dt>
            <dd>
              {info ? info.keychain : <span className="muted">{placeholder}</span>}
              <span className="settings-fact-hint muted">Keeps S3 secret keys and remembered backup passwords, never the config file.</span>
            </dd>
          </div>
        </dl>
      </section>
    </>
  );
}
