/**
 * Progress of a long-running engine operation. Emitted by the engine as
 * events, throttled by the front end; shared with the renderer, so no Node types.
 */
export const PROGRESS_PHASES = [
  'preparing',
  /** Checking the volumes to back up, or the destination of a restore (runs a helper container). */
  'checking',
  /** Stopping the container named in `subject` (Docker waits up to 10 s for it to exit). */
  'stopping',
  'scanning',
  'backing-up',
  'restoring',
  'verifying',
  'finalizing',
  'pruning',
  /** Replacing a restore destination's contents with the verified copy in the staging volume. */
  'replacing',
  /** Writing the verified files into a destination that holds other data, keeping it (a merge). */
  'writing',
  /** Starting the container named in `subject` again. */
  'starting',
  'done',
] as const;

export type ProgressPhase = (typeof PROGRESS_PHASES)[number];

export interface ProgressEvent {
  phase: ProgressPhase;
  /** Bytes of file content processed so far. */
  bytesDone: number;
  /** Total bytes expected, when known. */
  bytesTotal?: number;
  filesDone: number;
  filesTotal?: number;
  /** Content bytes that were new (not deduplicated) so far (backup only). */
  bytesNew?: number;
  /** Bytes written to the store so far (backup only). */
  bytesStored?: number;
  /** Bytes per second over the recent past. */
  rate?: number;
  /** Seconds to completion, when the total is known. */
  etaSeconds?: number;
  /** Path of the file being processed (display only; never logged). */
  current?: string;
  /** What the phase is working on: the container being stopped or started, the volume being checked. */
  subject?: string;
}

export type ProgressListener = (event: ProgressEvent) => void;
