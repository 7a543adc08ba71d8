import { useEffect } from 'react';
import { Brand } from './components/Brand.tsx';
import { ConnectionBanner } from './components/ConnectionBanner.tsx';
import { FirstLaunch } from './components/first-launch/FirstLaunch.tsx';
import { PAGES } from './navigation.ts';
import { useConnection } from './state/connection-store.ts';
import { useJobsStore } from './state/jobs-store.ts';
import { useNavigation } from './state/navigation-store.ts';
import { useUrlSync } from './use-url-sync.ts';

/** After a reconnect: jobs may have finished meanwhile, and only events move them (the other lists reload on resync events). */
function useJobsResync(): void {
  const reconnects = useConnection((s) => s.status.reconnects);
  useEffect(() => {
    if (reconnects > 0 && useJobsStore.getState().jobs !== null) void useJobsStore.getState().load();
  }, [reconnects]);
}

/** The app shell: the sidebar (a bar across the top in narrow windows), the connection banner and the current page. */
export function App() {
  const currentId = useNavigation((s) => s.page);
  const go = useNavigation((s) => s.go);
  const stale = useConnection((s) => s.status.state === 'lost' || s.status.state === 'refused');
  const current = PAGES.find((p) => p.id === currentId) ?? PAGES[0]!;
  const Page = current.component;
  useUrlSync();
  useJobsResync();

  return (
    <div className="shell">
      <aside className="sidebar">
        <Brand />
        <nav aria-label="Main">
          <ul className="nav-list">
            {PAGES.map((p) => (
              <li key={p.id}>
                <button
                  type="button"
                  className="nav-item"
                  aria-current={p.id === current.id ? 'page' : undefined}
                  onClick={() => go(p.id)}
                >
                  {p.label}
                </button>
              </li>
            ))}
          </ul>
        </nav>
      </aside>
      <main className="content" data-stale={stale || undefined}>
        <ConnectionBanner />
        <FirstLaunch />
        <Page key={current.id} />
      </main>
    </div>
  );
}
