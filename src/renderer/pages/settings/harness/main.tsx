/**
 * The Settings page alone, in the app's shell, over a fake API run by the
 * component tests (SettingsPage.test.ts builds this with Vite and drives it
 * in Chromium). Not part of the app's build.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import type { ApiTransport } from '../../../../shared/api/client.ts';
import { initApi } from '../../../api/api.ts';
import { applyStoredTheme } from '../../../state/theme-store.ts';
import { SettingsPage } from '../SettingsPage.tsx';
import { EMIT_FUNCTION, INVOKE_BINDING, type BridgeReply } from './bridge.ts';
// Last, as in main.tsx (whose App pulls the pages' CSS in first): the page's CSS must hold up in that order.
import '../../../styles.css';

type Listener = (event: string, payload: unknown) => void;
type HarnessWindow = Window & Record<string, unknown>;

const win = window as unknown as HarnessWindow;
const listeners = new Set<Listener>();

const transport: ApiTransport = {
  async invoke(method, params) {
    const invoke = win[INVOKE_BINDING] as ((method: string, params: unknown) => Promise<BridgeReply>) | undefined;
    if (!invoke) throw { code: 'DISCONNECTED', message: 'the test did not expose its fake API' };
    const reply = await invoke(method, params);
    if (reply.ok) return reply.result;
    throw reply.error;
  },
  subscribe(listener) {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};
win[EMIT_FUNCTION] = (event: string, payload: unknown) => {
  for (const listener of listeners) listener(event, payload);
};

applyStoredTheme();
initApi(transport);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <div className="shell">
      <aside className="sidebar">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true" />
          <span className="brand-name">DVOM</span>
        </div>
      </aside>
      <main className="content">
        <SettingsPage />
      </main>
    </div>
  </StrictMode>,
);
