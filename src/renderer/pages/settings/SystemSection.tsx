import { useSettingsStore } from '../../state/settings-store.ts';

/** Read-only facts about this DVOM: its Docker connection, keychain and version. */
export function SystemSection() {
  const { info, infoError } = useSettingsStore();
  const placeholder = info ? '' : infoError ? 'Unknown' : 'Loading…';
  return (
    <>
      <section className="settings-section" aria-labelledby="settings-docker-title">
        <div className="settings-section-heading">
          <div>
            <h2 id="settings-docker-title">Docker connection</h2>
            <p className="muted">The Docker engine whose volumes DVOM backs up and restores.</p>
          </div>
        </div>
        <div className="settings-field">
          <label className="settings-field-label" htmlFor="settings-docker-host">
            Docker engine
          </label>
          <input
            id="settings-docker-host"
            className="settings-input settings-mono"
            readOnly
            value={info?.dockerHost ?? ''}
            placeholder={placeholder}
            aria-describedby="settings-docker-host-note"
          />
          <p id="settings-docker-host-note" className="settings-field-note">
            Read-only here. Like the docker command, DVOM connects where the <code>DOCKER_HOST</code> environment variable points when it starts,
            else to the local Docker socket. To use another engine, set <code>DOCKER_HOST</code> and start DVOM again.
          </p>
        </div>
      </section>

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
