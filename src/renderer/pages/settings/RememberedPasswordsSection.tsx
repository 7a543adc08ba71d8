import { useCallback, useEffect, useState } from 'react';
import { api } from '../../api/api.ts';
import { errorText } from '../../api/error-text.ts';
import { useSettingsStore } from '../../state/settings-store.ts';

interface Store {
  /** The target's name; undefined for the default store. */
  target: string | undefined;
  label: string;
}

interface Remembered {
  key: string;
  backup: string;
  store: Store;
}

type Listing = { kind: 'loading' } | { kind: 'ready'; rows: Remembered[]; errors: { store: Store; error: string }[] };

/** The default store, then every other target: each is asked which of its backups have a remembered password. */
function storesOf(targets: { name: string; isDefault: boolean }[] | null): Store[] {
  const named = targets ?? [];
  const def = named.find((t) => t.isDefault);
  return [{ target: undefined, label: def ? def.name : 'default store' }, ...named.filter((t) => !t.isDefault).map((t) => ({ target: t.name, label: t.name }))];
}

/**
 * The backup passwords remembered in the keychain (backups of the stores DVOM
 * knows), each with Forget: runs and restores of that backup then ask for it,
 * and scheduled runs of an encrypted backup fail until it is remembered again.
 */
export function RememberedPasswordsSection({ announce }: { announce(message: string): void }) {
  const targets = useSettingsStore((s) => s.targets);
  const keychain = useSettingsStore((s) => s.info?.keychain);
  const [listing, setListing] = useState<Listing>({ kind: 'loading' });
  const [forgetting, setForgetting] = useState<string | null>(null);
  const [forgetError, setForgetError] = useState<{ key: string; text: string } | null>(null);
  const storesKey = JSON.stringify(storesOf(targets));

  const load = useCallback(async () => {
    const stores = JSON.parse(storesKey) as Store[];
    const answers = await Promise.all(
      stores.map((store) =>
        api()
          .call('backups.list', store.target ? { target: store.target } : {})
          .then((backups) => ({ store, backups, error: null as string | null }), (err: unknown) => ({ store, backups: [], error: errorText(err) })),
      ),
    );
    setListing({
      kind: 'ready',
      rows: answers.flatMap(({ store, backups }) =>
        backups.filter((b) => b.passwordRemembered).map((b) => ({ key: `${store.target ?? ''}#${b.name}`, backup: b.name, store })),
      ),
      errors: answers.filter((a) => a.error !== null).map((a) => ({ store: a.store, error: a.error! })),
    });
  }, [storesKey]);

  useEffect(() => {
    void load();
  }, [load]);

  async function forget(row: Remembered) {
    setForgetting(row.key);
    setForgetError(null);
    try {
      await api().call('secrets.deletePassword', { backup: row.backup, ...(row.store.target ? { target: row.store.target } : {}) });
      announce(`Forgot the password of ${row.backup}.`);
      await load();
    } catch (err) {
      setForgetError({ key: row.key, text: `Could not forget it: ${errorText(err)}` });
    } finally {
      setForgetting(null);
    }
  }

  return (
    <section className="settings-section" aria-labelledby="settings-passwords-title">
      <div className="settings-section-heading">
        <div>
          <h2 id="settings-passwords-title">Remembered passwords</h2>
          <p className="muted">
            Backup passwords kept in the {keychain ?? 'keychain'} of this computer, so backups, restores and scheduled runs need no typing. Forget one and DVOM
            asks for it again; scheduled runs of that backup fail until it is remembered again.
          </p>
        </div>
      </div>
      {listing.kind === 'loading' ? (
        <p className="muted" role="status">
          Looking for remembered passwords…
        </p>
      ) : (
        <>
          {listing.rows.length ? (
            <ul className="settings-passwords" aria-label="Remembered passwords">
              {listing.rows.map((row) => (
                <li key={row.key} className="settings-password-row">
                  <span className="settings-password-name">
                    <strong>{row.backup}</strong>
                    <span className="muted small"> in {row.store.label}</span>
                  </span>
                  <button
                    type="button"
                    className="button"
                    aria-label={`Forget the password of ${row.backup} in ${row.store.label}`}
                    disabled={forgetting !== null}
                    onClick={() => void forget(row)}
                  >
                    {forgetting === row.key ? 'Forgetting…' : 'Forget'}
                  </button>
                  {forgetError?.key === row.key && (
                    <p className="settings-password-error" role="alert">
                      {forgetError.text}
                    </p>
                  )}
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted">No backup password is remembered on this computer.</p>
          )}
          {listing.errors.map(({ store, error }) => (
            <p key={store.label} className="settings-password-error" role="alert">
              Could not look into {store.label}: {error}
            </p>
          ))}
        </>
      )}
    </section>
  );
}
