import { createHash, randomBytes } from 'node:crypto';

/** Only a digest is kept and looked up: comparing secrets this way leaks nothing through timing. */
const digest = (secret: string) => createHash('sha256').update(secret).digest('base64url');

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
  private readonly sessions = new Set<string>();

  constructor(port: number) {
    this.cookieName = `dvom_session_${port}`;
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
    this.sessions.add(digest(id));
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
      if (this.sessions.has(digest(part.slice(eq + 1).trim()))) return true;
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
