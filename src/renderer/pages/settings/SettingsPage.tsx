import { useEffect } from 'react';
import { PageHeader } from '../../components/PageHeader.tsx';
import { usePassingMessage } from '../../components/use-passing-message.ts';
import { useSettingsStore } from '../../state/settings-store.ts';
import { RememberedPasswordsSection } from './RememberedPasswordsSection.tsx';
import { StorageTargetsSection } from './StorageTargetsSection.tsx';
import { SystemSection } from './SystemSection.tsx';
import { ThemeSection } from './ThemeSection.tsx';
import './settings.css';

export function SettingsPage() {
  const { info, targets, infoError, loading, load, watch } = useSettingsStore();
  const [message, announce] = usePassingMessage();

  useEffect(() => {
    void load();
    const unwatch = watch();
    return unwatch;
  }, [load, watch]);

  const refreshing = loading && (info !== null || targets !== null);

  return (
    <div className="settings-page">
      <PageHeader
        title="Settings"
        description="Where backups are stored, how DVOM reaches Docker, and how it looks."
        status={refreshing ? 'Refreshing…' : message}
        actions={
          <button type="button" className="button" onClick={() => void load()} disabled={loading}>
            Refresh
          </button>
        }
      />
      {infoError && (
        <div className="banner banner-error" role="alert">
          <p>Cannot read DVOM’s details (store in use, Docker connection, keychain, version): {infoError}</p>
          <button type="button" className="button" onClick={() => void load()} disabled={loading}>
            Retry
          </button>
        </div>
      )}
      <StorageTargetsSection announce={announce} />
      <RememberedPasswordsSection announce={announce} />
      <ThemeSection />
      <SystemSection />
    </div>
  );
}
