/** What the harness page can mount: the app's real components, in the markup the app puts around them. */
import { useState, type ReactNode } from 'react';
import { App } from '../../../src/renderer/App.tsx';
import { Brand } from '../../../src/renderer/components/Brand.tsx';
import { BackupDialog } from '../../../src/renderer/components/backup-dialog/BackupDialog.tsx';
import { Dialog } from '../../../src/renderer/components/Dialog.tsx';
import { ActivityPage } from '../../../src/renderer/pages/activity/ActivityPage.tsx';
import { BackupsPage } from '../../../src/renderer/pages/backups/BackupsPage.tsx';
import { RestorePage } from '../../../src/renderer/pages/restore/RestorePage.tsx';
import { SchedulesPage } from '../../../src/renderer/pages/schedules/SchedulesPage.tsx';
import { SettingsPage } from '../../../src/renderer/pages/settings/SettingsPage.tsx';
import { useNavigation } from '../../../src/renderer/state/navigation-store.ts';
import type { HarnessView } from '../contract.ts';

/** An opener button, so tests can check where focus goes back to. */
function WithOpener({ label, onClose, children }: { label: string; onClose(): void; children: (close: () => void) => ReactNode }) {
  const [open, setOpen] = useState(true);
  const close = () => {
    onClose();
    setOpen(false);
  };
  return (
    <main className="content">
      <button type="button" className="button" onClick={() => setOpen(true)}>
        {label}
      </button>
      {open && children(close)}
    </main>
  );
}

function DialogDemo({ onClose }: { onClose(): void }) {
  const [name, setName] = useState('');
  const [submitted, setSubmitted] = useState('');
  return (
    <WithOpener label="Open demo dialog" onClose={onClose}>
      {(close) => (
        <Dialog
          title="Rename thing"
          description="A demo of the generic dialog."
          onClose={close}
          onSubmit={() => setSubmitted(name)}
          footer={
            <>
              <button type="button" className="button" onClick={close}>
                Cancel
              </button>
              <button type="submit" className="button button-primary">
                Save
              </button>
            </>
          }
        >
          <label>
            New name <input data-autofocus value={name} onChange={(e) => setName(e.target.value)} />
          </label>
          <p role="status">{submitted && `Saved ${submitted}`}</p>
        </Dialog>
      )}
    </WithOpener>
  );
}

/** Backups and Restore as the navigation store shows them (they open each other); another page by its name. */
function NavigatedPages() {
  const page = useNavigation((s) => s.page);
  const intent = useNavigation((s) => s.intent);
  return (
    <main className="content" data-page={page} data-intent={JSON.stringify(intent)}>
      {page === 'backups' ? <BackupsPage key="backups" /> : page === 'restore' ? <RestorePage key="restore" /> : <h1>Page: {page}</h1>}
    </main>
  );
}

/** The Settings page in the app's shell. */
function SettingsInShell() {
  return (
    <div className="shell">
      <aside className="sidebar">
        <Brand />
      </aside>
      <main className="content">
        <SettingsPage />
      </main>
    </div>
  );
}

/** `onClose`: a dialog asked to close (counted for the test). */
export function View({ view, onClose }: { view: HarnessView; onClose(): void }) {
  switch (view.view) {
    case 'app':
      return <App />;
    case 'activity':
      return (
        <main className="content">
          <ActivityPage />
        </main>
      );
    case 'schedules':
      return (
        <main className="content">
          <SchedulesPage />
        </main>
      );
    case 'settings':
      return <SettingsInShell />;
    case 'pages':
      return <NavigatedPages />;
    case 'backup-dialog':
      return (
        <WithOpener label="Open backup dialog" onClose={onClose}>
          {(close) => <BackupDialog volume={view.volume} onClose={close} />}
        </WithOpener>
      );
    case 'dialog-demo':
      return <DialogDemo onClose={onClose} />;
  }
}
