import type { ProgressEvent, ProgressListener, ProgressPhase } from '../../shared/progress.ts';

/** What a step around the engine's work keeps of the latest event: its figures, so the bar does not jump back to zero. */
function figures(e: ProgressEvent): ProgressEvent {
  const { phase, bytesDone, bytesTotal, filesDone, filesTotal, bytesNew, bytesStored } = e;
  return { phase, bytesDone, filesDone, ...{ bytesTotal, filesTotal, bytesNew, bytesStored } };
}

export interface PhaseSteps {
  /** The engine's events, passed through (and remembered). */
  onProgress: ProgressListener;
  /** Announces a step the engine does not report: checking a volume, stopping or starting a container. */
  step(phase: ProgressPhase, subject?: string): void;
  /** After the last step: the engine's final 'done' event again, so a finished job does not read "Starting db…". */
  finished(): void;
}

/**
 * Progress for a volume backup or restore: the engine's events plus the slow
 * Docker steps around them, so no wait goes unexplained.
 */
export function phaseSteps(listener: ProgressListener | undefined): PhaseSteps {
  let last: ProgressEvent | undefined;
  return {
    onProgress(e) {
      last = e;
      listener?.(e);
    },
    step(phase, subject) {
      const base = last ? figures(last) : { phase, bytesDone: 0, filesDone: 0 };
      listener?.({ ...base, phase, ...(subject ? { subject } : {}) });
    },
    finished() {
      if (last?.phase === 'done') listener?.(figures(last));
    },
  };
}
