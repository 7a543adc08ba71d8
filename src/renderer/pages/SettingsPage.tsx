import { useEffect, useRef, useState } from 'react';
import { PageHeader } from '../components/PageHeader.tsx';
import { useSettingsStore } from '../state/settings-store.ts';
import { StorageTargetsSection } from './settings/StorageTargetsSection.tsx';
import { SystemSection } from './settings/SystemSection.tsx';
import { ThemeSection } from './settings/ThemeSection.tsx';
import './settings/settings.css';

/** How long a "Saved …" line stays in the header. */
const ANNOUNCE_MS = 6000;

export function SettingsPage() {
  const { info, targets, infoError, loading, load, watch } = useSettingsStore();
  const [message, setMessage] = useState<string | null>(null);
  const timer = useRef<number | undefined>(undefined);

  useEffect(() => {
    void load();
    const unwatch = watch();
    return () => {
      unwatch();
      window.clearTimeout(timer.current);
    };
  }, [load, watch]);

  const announce = (text: string) => {
    window.clearTimeout(timer.current);
    setMessage(text);
    timer.current = window.setTimeout(() => setMessage(null), ANNOUNCE_MS);
  };

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
      <ThemeSection />
      <SystemSection />
    </div>
  );
}
