import type { ProgressEvent, ProgressListener } from '../../shared/progress.ts';
import { formatBytes, formatDuration } from '../../shared/format.ts';

/** A one-line progress bar redrawn in place on a terminal; nothing when not interactive. */
export function progressBar(enabled: boolean, label: string): { listener: ProgressListener | undefined; done: () => void } {
  if (!enabled) return { listener: undefined, done: () => undefined };
  let drawn = false;
  const listener = (e: ProgressEvent) => {
    const width = Math.max(20, Math.min(40, (process.stderr.columns ?? 80) - 60));
    const parts: string[] = [label, e.subject ? `${e.phase} ${e.subject}` : e.phase];
    if (e.bytesTotal) {
      const ratio = Math.min(1, e.bytesDone / Math.max(1, e.bytesTotal));
      const filled = Math.round(ratio * width);
      parts.push(`[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(ratio * 100).toFixed(0).padStart(3)}%`);
      parts.push(`${formatBytes(e.bytesDone)}/${formatBytes(e.bytesTotal)}`);
    } else {
      parts.push(formatBytes(e.bytesDone));
    }
    if (e.rate) parts.push(`${formatBytes(e.rate)}/s`);
    if (e.etaSeconds !== undefined) parts.push(`ETA ${formatDuration(e.etaSeconds)}`);
    process.stderr.write(`\r\x1b[2K${parts.join('  ')}`);
    drawn = true;
  };
  return {
    listener,
    done: () => {
      if (drawn) process.stderr.write('\r\x1b[2K');
    },
  };
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** A spinner with a message while waiting on something (e.g. the Docker engine); returns stop(). */
export function spinner(enabled: boolean, text: string): () => void {
  if (!enabled) return () => undefined;
  let frame = 0;
  const draw = () => process.stderr.write(`\r\x1b[2K${FRAMES[frame++ % FRAMES.length]} ${text}`);
  draw();
  const timer = setInterval(draw, 100);
  return () => {
    clearInterval(timer);
    process.stderr.write('\r\x1b[2K');
  };
}
