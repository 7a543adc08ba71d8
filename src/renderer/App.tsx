import { Brand } from './components/Brand.tsx';
import { FirstLaunch } from './components/first-launch/FirstLaunch.tsx';
import { PAGES } from './navigation.ts';
import { useNavigation } from './state/navigation-store.ts';

/** The app shell: the sidebar and the current page. */
export function App() {
  const currentId = useNavigation((s) => s.page);
  const go = useNavigation((s) => s.go);
  const current = PAGES.find((p) => p.id === currentId) ?? PAGES[0]!;
  const Page = current.component;

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
      <main className="content">
        <FirstLaunch />
        <Page key={current.id} />
      </main>
    </div>
  );
}
