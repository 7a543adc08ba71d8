import { createHash, randomBytes } from 'node:crypto';
import type { StoredSession } from './session-file.ts';

/** Only a digest is kept and looked up: comparing secrets this way leaks nothing through timing. */
const digest = (secret: string) => createHash('sha256').update(secret).digest('base64url');

/** A session lasts this long, also across restarts of the server. */
export const SESSION_LIFETIME_MS = 30 * 24 * 3600_000;
/** At most this many sessions are kept (the oldest go first): each browser that logged in is one. */
const MAX_SESSIONS = 50;

/**
 * Who may use the API of `dvom serve`. A link carries a one-time code (it
 * shows up on command lines, in logs and in browser history, so it must not
 * stay useful); the first GET with it gets an HttpOnly, SameSite=Strict
 * session cookie, which the WebSocket then checks.
 */
export class Sessions {
  /** Per port: browsers send a 127.0.0.1 cookie to every port of that host. */
  readonly cookieName: string;
  private readonly codes = new Set<string>();
  /** Digest of each session id → when it was made (ms). */
  private readonly sessions = new Map<string, number>();
  private readonly now: () => number;

  /** `stored`: sessions a previous run of the server gave out (its session file), so open tabs keep working. */
  constructor(port: number, stored: readonly StoredSession[] = [], now: () => number = Date.now) {
    this.cookieName = `dvom_session_${port}`;
    this.now = now;
    for (const s of [...stored].sort((a, b) => a.created - b.created)) this.sessions.set(s.digest, s.created);
    this.trim();
  }

  /** The live sessions, as digests only, for the session file. */
  list(): StoredSession[] {
    this.trim();
    return [...this.sessions].map(([digest, created]) => ({ digest, created }));
  }

  private trim(): void {
    const oldest = this.now() - SESSION_LIFETIME_MS;
    for (const [d, created] of this.sessions) if (created < oldest || created > this.now() + 60_000) this.sessions.delete(d);
    // Map order is insertion order, oldest first.
    for (const d of [...this.sessions.keys()].slice(0, Math.max(0, this.sessions.size - MAX_SESSIONS))) this.sessions.delete(d);
  }

  /** A new one-time login code. */
  newCode(): string {
    const code = randomBytes(24).toString('base64url');
    this.codes.add(digest(code));
    return code;
  }

  /** Exchanges an unused code for a new session id; undefined for a used or unknown code. */
  redeem(code: string): string | undefined {
    if (!this.codes.delete(digest(code))) return undefined;
    const id = randomBytes(32).toString('base64url');
    this.sessions.set(digest(id), this.now());
    this.trim();
    return id;
  }

  /** The Set-Cookie value for a session: never readable by scripts, never sent by other sites' requests. */
  cookie(id: string): string {
    return `${this.cookieName}=${id}; HttpOnly; SameSite=Strict; Path=/`;
  }

  /** Whether a request's Cookie header carries a live session. */
  has(cookieHeader: string | undefined): boolean {
    for (const part of (cookieHeader ?? '').split(';')) {
      const eq = part.indexOf('=');
      if (eq < 0 || part.slice(0, eq).trim() !== this.cookieName) continue;
      const created = this.sessions.get(digest(part.slice(eq + 1).trim()));
      if (created !== undefined && created >= this.now() - SESSION_LIFETIME_MS) return true;
    }
    return false;
  }
}

/**
 * Only this server's own names in the Host header: a page of another site
 * whose name was made to resolve to 127.0.0.1 (DNS rebinding) is refused.
 */
export function isOwnHost(host: string | undefined, port: number): boolean {
  if (!host) return false;
  const h = host.toLowerCase();
  return h === `127.0.0.1:${port}` || h === `localhost:${port}` || h === `[::1]:${port}`;
}
