/**
 * The page component tests drive: the app's real components and stores over
 * a FakeApi, controlled through `window.harness` (see control.ts).
 */
import { StrictMode, useState, type ReactNode } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { initApi } from '../api/api.ts';
import { App } from '../App.tsx';
import { BackupDialog } from '../components/backup-dialog/BackupDialog.tsx';
import { Dialog } from '../components/Dialog.tsx';
import { ActivityPage } from '../pages/activity/ActivityPage.tsx';
import { SchedulesPage } from '../pages/schedules/SchedulesPage.tsx';
import { useJobsStore } from '../state/jobs-store.ts';
import { useNavigation } from '../state/navigation-store.ts';
import { useSchedulesStore } from '../state/schedules-store.ts';
import { useVolumesStore } from '../state/volumes-store.ts';
import type { HarnessView } from './control.ts';
import { FakeApi } from './fake-api.ts';
import '../styles.css';

let fake = new FakeApi();
initApi(fake);
let closes = 0;
let root: Root | undefined;

/** Puts every zustand store of the app back as it was when the page loaded. */
function resetStores(): void {
  useJobsStore.setState(useJobsStore.getInitialState(), true);
  useVolumesStore.setState(useVolumesStore.getInitialState(), true);
  useNavigation.setState(useNavigation.getInitialState(), true);
  useSchedulesStore.setState(useSchedulesStore.getInitialState(), true);
}

/** An opener button, so tests can check where focus goes back to. */
function WithOpener({ label, children }: { label: string; children: (close: () => void) => ReactNode }) {
  const [open, setOpen] = useState(true);
  const close = () => {
    closes++;
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

function DialogDemo() {
  const [name, setName] = useState('');
  const [submitted, setSubmitted] = useState('');
  return (
    <WithOpener label="Open demo dialog">
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

function View({ view }: { view: HarnessView }) {
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
    case 'backup-dialog':
      return <WithOpener label="Open backup dialog">{(close) => <BackupDialog volume={view.volume} onClose={close} />}</WithOpener>;
    case 'dialog-demo':
      return <DialogDemo />;
  }
}

window.harness = {
  reply: (method, reply) => fake.reply(method, reply),
  replyOnce: (method, reply) => fake.replyOnce(method, reply),
  release: (method, reply) => fake.release(method, reply),
  emit: (event, payload) => fake.emit(event, payload),
  calls: () => structuredClone(fake.recorded),
  navigation: () => {
    const { page, intent } = useNavigation.getState();
    return { page, intent };
  },
  closes: () => closes,
  reset() {
    root?.unmount();
    root = undefined;
    fake = new FakeApi();
    initApi(fake);
    closes = 0;
    resetStores();
  },
  mount(view) {
    root ??= createRoot(document.getElementById('root')!);
    root.render(
      <StrictMode>
        <View view={view} />
      </StrictMode>,
    );
  },
};
document.documentElement.dataset.harness = 'ready';
