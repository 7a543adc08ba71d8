/**
 * The page component tests drive: the app's real components and stores over
 * the test's FakeApi (through BridgeTransport), controlled through
 * `window.harness` (see ../contract.ts). Built by the tests only, never part
 * of the app.
 */
import { StrictMode } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { initApi } from '../../../src/renderer/api/api.ts';
import { useBackupsStore } from '../../../src/renderer/state/backups-store.ts';
import { useJobsStore } from '../../../src/renderer/state/jobs-store.ts';
import { useNavigation } from '../../../src/renderer/state/navigation-store.ts';
import { useSchedulesStore } from '../../../src/renderer/state/schedules-store.ts';
import { applyStoredTheme } from '../../../src/renderer/state/theme-store.ts';
import { useTargetsStore } from '../../../src/renderer/state/targets-store.ts';
import { useVolumesStore } from '../../../src/renderer/state/volumes-store.ts';
import { BridgeTransport } from './bridge-transport.ts';
import { View } from './views.tsx';
// Last, as in the app (whose App pulls the pages' CSS in first): the pages' CSS must hold up in that order.
import '../../../src/renderer/styles.css';

let transport = new BridgeTransport(0);
initApi(transport);
let closes = 0;
let root: Root | undefined;

/** Puts every zustand store of the app back as it was when the page loaded. */
function resetStores(): void {
  useJobsStore.setState(useJobsStore.getInitialState(), true);
  useVolumesStore.setState(useVolumesStore.getInitialState(), true);
  useNavigation.setState(useNavigation.getInitialState(), true);
  useSchedulesStore.setState(useSchedulesStore.getInitialState(), true);
  useBackupsStore.setState(useBackupsStore.getInitialState(), true);
  useTargetsStore.setState(useTargetsStore.getInitialState(), true);
}

window.harness = {
  sent: () => transport.sent,
  deliver(generation, event, payload) {
    if (generation === transport.generation) transport.deliver(event, payload);
  },
  navigation: () => {
    const { page, intent } = useNavigation.getState();
    return { page, intent };
  },
  closes: () => closes,
  reset() {
    root?.unmount();
    root = undefined;
    // The app keeps its page in the hash (use-url-sync.ts): a reset starts from none.
    window.history.replaceState(null, '', window.location.pathname);
    transport = new BridgeTransport(transport.generation + 1);
    initApi(transport);
    closes = 0;
    resetStores();
    return transport.generation;
  },
  mount(view) {
    if (view.view === 'pages') useNavigation.setState({ page: view.page, intent: view.intent ?? {} });
    if (view.view === 'settings') applyStoredTheme();
    root ??= createRoot(document.getElementById('root')!);
    root.render(
      <StrictMode>
        <View view={view} onClose={() => closes++} />
      </StrictMode>,
    );
  },
};
if (window.harnessView) window.harness.mount(window.harnessView);
document.documentElement.dataset.harness = 'ready';
