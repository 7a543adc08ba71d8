/**
 * The page the component tests load: one of this team's pages over a fake
 * engine (FakeTransport) that answers from the scenario the test injected.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { initApi } from '../../../api/api.ts';
import { useNavigation } from '../../../state/navigation-store.ts';
import { BackupsPage } from '../BackupsPage.tsx';
import { RestorePage } from '../../restore/RestorePage.tsx';
import '../../../styles.css';
import { FakeTransport, type HarnessWindow } from './fake-transport.ts';

const win = window as unknown as HarnessWindow;
const scenario = win.dvomScenario ?? { page: 'backups', replies: {} };
const fake = new FakeTransport(scenario.replies);
win.dvomFake = fake;
win.dvomApi = initApi(fake);
useNavigation.setState({ page: scenario.page, intent: scenario.intent ?? {} });

function Harness() {
  const page = useNavigation((s) => s.page);
  const intent = useNavigation((s) => s.intent);
  return (
    <main className="content" data-page={page} data-intent={JSON.stringify(intent)}>
      {page === 'backups' ? <BackupsPage key="backups" /> : page === 'restore' ? <RestorePage key="restore" /> : <h1>Page: {page}</h1>}
    </main>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Harness />
  </StrictMode>,
);
