import { useId } from 'react';
import type { TargetDto } from '../../../shared/api/dto.ts';
import type { TargetTest } from '../../state/settings-store.ts';

interface Props {
  target: TargetDto;
  test: TargetTest | undefined;
  /** Another action on this target is under way (e.g. making it the default). */
  busy: boolean;
  onTest(): void;
  onEdit(): void;
  onMakeDefault(): void;
  onRemove(): void;
}

/** One storage target: what and where it is, its last connection test, and what can be done with it. */
export function TargetCard({ target, test, busy, onTest, onEdit, onMakeDefault, onRemove }: Props) {
  const nameId = useId();
  const testing = test?.state === 'testing';
  return (
    <article className="settings-target-card" aria-labelledby={nameId}>
      <div className="settings-target-title">
        <h3 id={nameId} className="settings-target-name">
          {target.name}
        </h3>
        {target.isDefault && <span className="settings-badge settings-badge-default">Default</span>}
        <span className="settings-badge settings-badge-type">{target.type === 's3' ? 'S3 bucket' : 'Local folder'}</span>
      </div>
      <p className="settings-location settings-target-location">{target.location}</p>
      <TestOutcome test={test} />
      <div className="settings-target-actions" role="group" aria-label={`Actions for ${target.name}`}>
        {/* aria-disabled, not disabled: the button keeps the keyboard focus while it waits. */}
        <button type="button" className="button" onClick={() => !testing && onTest()} aria-disabled={testing || undefined} aria-describedby={nameId}>
          Test connection
        </button>
        <button type="button" className="button" onClick={onEdit} aria-describedby={nameId}>
          Edit
        </button>
        <button
          type="button"
          className="button"
          onClick={() => !target.isDefault && !busy && onMakeDefault()}
          aria-disabled={target.isDefault || busy || undefined}
          aria-describedby={nameId}
        >
          Make default
        </button>
        <button type="button" className="button settings-button-quiet-danger" onClick={onRemove} aria-describedby={nameId}>
          Remove
        </button>
      </div>
    </article>
  );
}

/** Always one line tall (at least), so a result never pushes the list around. */
function TestOutcome({ test }: { test: TargetTest | undefined }) {
  let content = null;
  let kind = 'idle';
  if (test?.state === 'testing') {
    kind = 'testing';
    content = (
      <>
        <span className="spinner settings-spinner-small" aria-hidden="true" />
        Testing the connection…
      </>
    );
  } else if (test?.state === 'ok') {
    kind = 'ok';
    content = (
      <>
        <span className="settings-outcome-mark" aria-hidden="true">
          ✓
        </span>
        <span>
          Connection works: DVOM wrote, listed, read back and deleted a test file in <span className="settings-location">{test.location}</span>.
        </span>
      </>
    );
  } else if (test?.state === 'failed') {
    kind = 'failed';
    content = (
      <>
        <span className="settings-outcome-mark" aria-hidden="true">
          ✕
        </span>
        <span>Connection failed. {test.message}</span>
      </>
    );
  }
  return (
    <p className={`settings-target-test settings-target-test-${kind}`} role="status">
      {content}
    </p>
  );
}
