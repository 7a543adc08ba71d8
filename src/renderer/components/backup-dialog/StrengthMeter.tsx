import type { Strength } from './password-strength.ts';

/**
 * Four segments and a word. Its space is always reserved, so typing never
 * moves the fields below.
 */
export function StrengthMeter({ strength, id }: { strength: Strength | null; id: string }) {
  const level = strength ? Math.max(1, strength.score) : 0;
  const tone = !strength ? 'none' : strength.score <= 1 ? 'weak' : strength.score === 2 ? 'fair' : 'strong';
  return (
    <div className={`strength strength-${tone}`} id={id}>
      <div
        className="strength-bar"
        role="meter"
        aria-label="Password strength"
        aria-valuemin={0}
        aria-valuemax={4}
        aria-valuenow={strength?.score ?? 0}
        aria-valuetext={strength?.label ?? 'No password yet'}
      >
        {[1, 2, 3, 4].map((i) => (
          <span key={i} className={`strength-segment${i <= level ? ' is-on' : ''}`} />
        ))}
      </div>
      <p className="strength-text" aria-live="polite">
        {strength ? (
          <>
            <span className="strength-label">{strength.label}</span>
            {strength.hint && <span className="strength-hint"> · {strength.hint}</span>}
          </>
        ) : (
          <span className="muted">Long passphrases of a few unrelated words are strong and easy to type.</span>
        )}
      </p>
    </div>
  );
}
