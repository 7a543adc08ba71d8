import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { StoredSession } from './session-file.ts';

/** Only a digest is kept and looked up: comparing secrets this way leaks nothing through timing. */
const digest = (secret: string) => createHash('sha256').update(secret).digest('base64url');

/** A session lasts this long, also across restarts of the server. */
export const SESSION_LIFETIME_MS = 30 * 24 * 3600_000;
/** At most this many sessions are kept (the oldest go first): each browser that logged in is one. */
const MAX_SESSIONS = 50;
/** Tab keys kept per session (the newest): each tab of that browser binds one. */
const MAX_KEYS = 16;
const KEY = /^[A-Za-z0-9_-]{43}$/;

interface Session {
  created: number;
  keys: string[];
  /** Read back from the session file: a connection must prove a tab key (see protocol.ts). */
  restored: boolean;
}

/** What a connection with a live session may do, and must prove first. */
export interface SessionGrant {
  /** A session read back from the file: usable only after proof(). */
  needsProof: boolean;
  /** Whether `mac` is HMAC-SHA256(key, nonce) of one of the session's tab keys. */
  proves(nonce: string, mac: string): boolean;
  /** Binds a tab key to the session (only while it is new in this run); true if it was. */
  bind(key: string): boolean;
}

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
  /** By digest of the session id. */
  private readonly sessions = new Map<string, Session>();
  private readonly now: () => number;

  /** `stored`: sessions a previous run of the server gave out (its session file), so open tabs keep working. */
  constructor(port: number, stored: readonly StoredSession[] = [], now: () => number = Date.now) {
    this.cookieName = `dvom_session_${port}`;
    this.now = now;
    for (const s of [...stored].sort((a, b) => a.created - b.created)) this.sessions.set(s.digest, { created: s.created, keys: [...s.keys], restored: true });
    this.trim();
  }

  /** The live sessions (digests of their ids, never the ids) and their tab keys, for the session file. */
  list(): StoredSession[] {
    this.trim();
    return [...this.sessions].map(([digest, s]) => ({ digest, created: s.created, keys: [...s.keys] }));
  }

  private trim(): void {
    const oldest = this.now() - SESSION_LIFETIME_MS;
    for (const [d, s] of this.sessions) if (s.created < oldest || s.created > this.now() + 60_000) this.sessions.delete(d);
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
    this.sessions.set(digest(id), { created: this.now(), keys: [], restored: false });
    this.trim();
    return id;
  }

  /** The Set-Cookie value for a session: never readable by scripts, never sent by other sites' requests. */
  cookie(id: string): string {
    return `${this.cookieName}=${id}; HttpOnly; SameSite=Strict; Path=/`;
  }

  /** Whether a request's Cookie header carries a live session. */
  has(cookieHeader: string | undefined): boolean {
    return this.grant(cookieHeader) !== undefined;
  }

  /** What the live session a Cookie header carries allows; undefined without one. */
  grant(cookieHeader: string | undefined): SessionGrant | undefined {
    for (const part of (cookieHeader ?? '').split(';')) {
      const eq = part.indexOf('=');
      if (eq < 0 || part.slice(0, eq).trim() !== this.cookieName) continue;
      const session = this.sessions.get(digest(part.slice(eq + 1).trim()));
      if (!session || session.created < this.now() - SESSION_LIFETIME_MS) continue;
      return {
        needsProof: session.restored,
        proves: (nonce, mac) => {
          const given = Buffer.from(mac, 'base64url');
          return session.keys.some((key) => {
            const expected = createHmac('sha256', Buffer.from(key, 'base64url')).update(nonce).digest();
            return given.length === expected.length && timingSafeEqual(given, expected);
          });
        },
        bind: (key) => {
          // A restored session takes no new key: that is what a stolen cookie alone would try.
          if (session.restored || !KEY.test(key)) return false;
          if (!session.keys.includes(key)) session.keys = [...session.keys, key].slice(-MAX_KEYS);
          return true;
        },
      };
    }
    return undefined;
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
