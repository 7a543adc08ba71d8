import { useThemeStore, type ThemeChoice } from '../../state/theme-store.ts';

const OPTIONS: { value: ThemeChoice; label: string; hint: string }[] = [
  { value: 'system', label: 'System', hint: 'Follows this computer’s setting' },
  { value: 'light', label: 'Light', hint: 'Always light' },
  { value: 'dark', label: 'Dark', hint: 'Always dark' },
];

/** System, Light or Dark: applied at once and remembered in this browser profile. */
export function ThemeSection() {
  const choice = useThemeStore((s) => s.choice);
  const setChoice = useThemeStore((s) => s.setChoice);
  return (
    <section className="settings-section" aria-labelledby="settings-appearance-title">
      <div className="settings-section-heading">
        <div>
          <h2 id="settings-appearance-title">Appearance</h2>
          <p className="muted">How DVOM looks on this computer.</p>
        </div>
      </div>
      <div className="settings-theme-choice" role="radiogroup" aria-labelledby="settings-theme-label">
        <span id="settings-theme-label" className="settings-field-label">
          Theme
        </span>
        <div className="settings-theme-options">
          {OPTIONS.map((o) => (
            <label key={o.value} className="settings-theme-option">
              <span className={`settings-theme-preview settings-theme-preview-${o.value}`} aria-hidden="true">
                <span className="settings-preview-bar" />
                <span className="settings-preview-line" />
                <span className="settings-preview-line settings-preview-short" />
              </span>
              <span className="settings-theme-option-text">
                <input
                  type="radio"
                  name="settings-theme"
                  value={o.value}
                  checked={choice === o.value}
                  onChange={() => setChoice(o.value)}
                  aria-describedby={`settings-theme-${o.value}-hint`}
                />
                <span className="settings-theme-option-label">{o.label}</span>
              </span>
              {/* Hidden from the label's text (the radio's name stays "System"…), read as its description. */}
              <span id={`settings-theme-${o.value}-hint`} className="muted small" aria-hidden="true">
                {o.hint}
              </span>
            </label>
          ))}
        </div>
      </div>
    </section>
  );
}
