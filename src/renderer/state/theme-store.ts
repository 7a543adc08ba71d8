import { create } from 'zustand';

/** What the user chose in Settings: follow the system, or force one theme. */
export type ThemeChoice = 'system' | 'light' | 'dark';

export const THEME_CHOICES: readonly ThemeChoice[] = ['system', 'light', 'dark'];

/** The localStorage key; one per browser profile (the Electron app or the browser of `dvom serve`). */
export const THEME_STORAGE_KEY = 'dvom.theme';

function isThemeChoice(value: unknown): value is ThemeChoice {
  return typeof value === 'string' && (THEME_CHOICES as readonly string[]).includes(value);
}

/** The stored choice; 'system' when none is stored, it is unreadable, or storage is disabled. */
export function readStoredTheme(): ThemeChoice {
  try {
    const value = window.localStorage.getItem(THEME_STORAGE_KEY);
    return isThemeChoice(value) ? value : 'system';
  } catch {
    return 'system';
  }
}

/**
 * Sets `data-theme` on the root element: styles.css then forces the light or
 * dark color-scheme (every colour is a light-dark() pair); 'system' follows the OS.
 */
export function applyTheme(choice: ThemeChoice, root: HTMLElement = document.documentElement): void {
  root.dataset.theme = choice;
}

interface ThemeState {
  choice: ThemeChoice;
  /** Stores and applies a choice at once. */
  setChoice(choice: ThemeChoice): void;
}

export const useThemeStore = create<ThemeState>()((set) => ({
  choice: typeof window === 'undefined' ? 'system' : readStoredTheme(),
  setChoice(choice) {
    try {
      window.localStorage.setItem(THEME_STORAGE_KEY, choice);
    } catch {
      // Storage disabled: the choice still applies until the page is reloaded.
    }
    applyTheme(choice);
    set({ choice });
  },
}));

let following = false;

/**
 * Applies the stored theme; call it once at startup, before the first render,
 * so the page never flashes in the other theme. It also follows changes made
 * in another window of the same profile. Safe to call more than once.
 */
export function applyStoredTheme(): void {
  const choice = readStoredTheme();
  applyTheme(choice);
  useThemeStore.setState({ choice });
  if (following) return;
  following = true;
  window.addEventListener('storage', (event) => {
    if (event.key === THEME_STORAGE_KEY || event.key === null) {
      const next = readStoredTheme();
      applyTheme(next);
      useThemeStore.setState({ choice: next });
    }
  });
}

// The app imports this module at startup (through the Settings page), so the
// stored theme applies even before main.tsx calls applyStoredTheme() itself.
if (typeof document !== 'undefined') applyStoredTheme();
