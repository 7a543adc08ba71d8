import { useEffect, useState } from 'react';
import { useConnection } from '../state/connection-store.ts';

const clock = (ms: number) => new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

/** Re-renders every second while `active` (for the countdown). */
function useNow(active: boolean): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [active]);
  return now;
}

/**
 * Across the top of every page while the DVOM server cannot be reached: that
 * what is shown may be out of date, and that the page is reconnecting by
 * itself (with a button to try now). Nothing while connected.
 */
export function ConnectionBanner() {
  const status = useConnection((s) => s.status);
  const retryNow = useConnection((s) => s.retryNow);
  const down = status.state === 'lost' || status.state === 'refused';
  const now = useNow(down);
  if (!down) return null;

  const seconds = status.retryAt === undefined ? 0 : Math.max(0, Math.ceil((status.retryAt - now) / 1000));
  const attempt = seconds > 0 ? `Trying again in ${seconds} s.` : 'Reconnecting…';
  const title = status.state === 'refused' ? 'This tab is not logged in to DVOM' : 'Connection to DVOM lost';
  const detail =
    status.state === 'refused'
      ? 'The server is running but does not know this tab. Open a new login link (dvom serve prints one on SIGUSR2); this tab then reconnects by itself.'
      : `${status.lostAt !== undefined ? `Since ${clock(status.lostAt)}, what` : 'What'} you see may be out of date. ` +
        'Is dvom serve running? This page reconnects by itself.';
  return (
    <div className="connection-banner" role="alert" aria-label={title}>
      <div className="connection-banner-text">
        <strong>{title}</strong> <span>{detail}</span> <span className="connection-banner-attempt">{attempt}</span>
      </div>
      <button type="button" className="button" onClick={retryNow}>
        Reconnect now
      </button>
    </div>
  );
}
