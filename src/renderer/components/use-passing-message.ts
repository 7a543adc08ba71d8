import { useCallback, useEffect, useRef, useState } from 'react';

/** How long a "Saved …" line stays in a page's header. */
const SHOWN_MS = 6000;

/**
 * A short message for a page's header status ("Saved nightly."), gone again
 * after a few seconds; each new one replaces the last.
 */
export function usePassingMessage(): [message: string | null, announce: (text: string) => void] {
  const [message, setMessage] = useState<string | null>(null);
  const timer = useRef<number | undefined>(undefined);

  useEffect(() => () => window.clearTimeout(timer.current), []);

  const announce = useCallback((text: string) => {
    window.clearTimeout(timer.current);
    setMessage(text);
    timer.current = window.setTimeout(() => setMessage(null), SHOWN_MS);
  }, []);

  return [message, announce];
}
