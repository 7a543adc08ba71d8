import { useEffect, useId, useState } from 'react';
import { useSettingsStore } from '../../state/settings-store.ts';
import { useNavigation } from '../../state/navigation-store.ts';
import './first-launch.css';

/** The localStorage key; one per browser profile (the Electron app or the browser of `dvom serve`). */
export const WELCOMED_KEY = 'dvom.welcomed';

function welcomedBefore(): boolean {
  try {
    return window.localStorage.getItem(WELCOMED_KEY) === '1';
  } catch {
    return false;
  }
}

/**
 * Shown until dismissed, on top of the first page (not a modal: the app stays
 * usable): where backups go, that they are encrypted unless chosen otherwise,
 * and that schedules run only while the app or `dvom serve` runs.
 */
export function FirstLaunch() {
  const headingId = useId();
  const [shown, setShown] = useState(() => !welcomedBefore());
  const info = useSettingsStore((s) => s.info);
  const targets = useSettingsStore((s) => s.targets);
  const load = useSettingsStore((s) => s.load);
  const go = useNavigation((s) => s.go);

  useEffect(() => {
    if (shown && !info) void load();
  }, [shown, info, load]);

  if (!shown) return null;
  const defaultTarget = targets?.find((t) => t.isDefault);
  const where = defaultTarget ? `${defaultTarget.name} (${defaultTarget.location})` : info?.storeLocation;

  const dismiss = () => {
    try {
      window.localStorage.setItem(WELCOMED_KEY, '1');
    } catch {
      // Storage disabled: it shows again next time.
    }
    setShown(false);
  };

  return (
    <section className="first-launch" aria-labelledby={headingId}>
      <h2 id={headingId}>Welcome to DVOM</h2>
      <ul className="first-launch-points">
        <li>
          <strong>Where backups go:</strong> {where ? <code className="first-launch-where">{where}</code> : 'the store on this computer'}. Add a folder on
          another disk, a share or an S3 bucket in Settings.
        </li>
        <li>
          <strong>Encrypted by default:</strong> each new backup gets a password; nobody can read it without one, and nobody can recover a lost one. You can
          choose to make a backup without encryption.
        </li>
        <li>
          <strong>Schedules run while DVOM runs:</strong> the app (or <code>dvom serve</code>) must be running at their times; a run missed while it was
          closed or the computer slept is made up once when it starts again.
        </li>
      </ul>
      <div className="first-launch-actions">
        <button type="button" className="button button-primary" onClick={dismiss}>
          Got it
        </button>
        <button
          type="button"
          className="button"
          onClick={() => {
            dismiss();
            go('settings');
          }}
        >
          Choose where backups go
        </button>
      </div>
    </section>
  );
}
