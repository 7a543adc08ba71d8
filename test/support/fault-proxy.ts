/**
 * A fault-injecting HTTP proxy for the S3 fault suite: listens on 127.0.0.1,
 * forwards every request unchanged to a real S3 endpoint (Ceph RGW), and
 * breaks the requests a script names ("the 3rd PUT to packs/ gets a reset").
 *
 * Requests keep their Host header, so the client's SigV4 signature (made for
 * the proxy's address) still verifies upstream: this only works for endpoints
 * that do not pin a DNS name, like the test gateway.
 */
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Fault =
  /** An S3 error answered by the proxy; the request never reaches the store. */
  | { kind: 'status'; status: 500 | 503 }
  /** 503 with S3's SlowDown error document (throttling). */
  | { kind: 'slow-down' }
  /** A TCP reset: before the store sees the request, or after it handled it (the answer is lost). */
  | { kind: 'reset'; when: 'before' | 'after' }
  /** The store's answer with only the first half of its body, then a reset. */
  | { kind: 'truncate' }
  /** The store's answer with `bytes` more bytes after its body, its length raised to match. */
  | { kind: 'pad'; bytes: number }
  /** Waits `ms`, then forwards. */
  | { kind: 'stall'; ms: number }
  /** Awaits `run` (e.g. to pause a process), then forwards. */
  | { kind: 'hook'; run: () => Promise<void> };

export interface FaultRule {
  /** HTTP method to match (any when omitted). */
  method?: string;
  /** Matched against the request's path and query (e.g. /\/packs\//). */
  path?: RegExp;
  /** The first matching request that gets the fault (1-based; default 1). */
  nth?: number;
  /** How many matching requests from the nth on get it (default 1). */
  times?: number;
  fault: Fault;
}

export interface ProxyLogEntry {
  method: string;
  path: string;
  /** The fault injected into this request, if any. */
  fault?: Fault['kind'];
  /** Status the client received (undefined when the connection was cut). */
  status?: number;
}

const S3_ERRORS = {
  500: ['InternalError', 'We encountered an internal error. Please try again.'],
  503: ['ServiceUnavailable', 'Please reduce your request rate.'],
  slowDown: ['SlowDown', 'Please reduce your request rate.'],
} as const;

function s3ErrorBody(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message><RequestId>fault-proxy</RequestId></Error>`;
}

export class FaultProxy {
  private readonly server: http.Server;
  private readonly upstream: URL;
  private readonly agent = new http.Agent({ keepAlive: true });
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private rules: { rule: FaultRule; seen: number }[] = [];
  /** Every request since the last `script`, in arrival order. */
  log: ProxyLogEntry[] = [];

  private constructor(upstream: string) {
    this.upstream = new URL(upstream);
    this.server = http.createServer((req, res) => this.handle(req, res));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  /** Starts a proxy in front of `upstream` (an http:// URL) on a free loopback port. */
  static async start(upstream: string): Promise<FaultProxy> {
    const proxy = new FaultProxy(upstream);
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  /** The endpoint clients should use. */
  get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Replaces the fault script and clears the log. */
  script(rules: FaultRule[]): void {
    this.rules = rules.map((rule) => ({ rule, seen: 0 }));
    this.log = [];
  }

  /** Stops injecting faults; the log is kept. */
  heal(): void {
    this.rules = [];
  }

  /** Requests that got a fault. */
  injected(): ProxyLogEntry[] {
    return this.log.filter((e) => e.fault);
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    for (const s of this.sockets) s.destroy();
    this.agent.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private pick(method: string, path: string): Fault | undefined {
    for (const entry of this.rules) {
      const { rule } = entry;
      if (rule.method && rule.method !== method) continue;
      if (rule.path && !rule.path.test(path)) continue;
      entry.seen++;
      const first = rule.nth ?? 1;
      if (entry.seen >= first && entry.seen < first + (rule.times ?? 1)) return rule.fault;
    }
    return undefined;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const fault = this.pick(method, path);
    const entry: ProxyLogEntry = { method, path, ...(fault ? { fault: fault.kind } : {}) };
    this.log.push(entry);
    res.on('finish', () => (entry.status = res.statusCode));
    const cut = () => req.socket.resetAndDestroy();
    switch (fault?.kind) {
      case 'status':
      case 'slow-down': {
        const status = fault.kind === 'status' ? fault.status : 503;
        const [code, message] = fault.kind === 'status' ? S3_ERRORS[fault.status] : S3_ERRORS.slowDown;
        req.resume();
        req.on('end', () => {
          const body = method === 'HEAD' ? '' : s3ErrorBody(code, message);
          res.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
          res.end(body);
        });
        return;
      }
      case 'reset':
        if (fault.when === 'before') {
          cut();
          return;
        }
        this.forward(req, res, (upstreamRes) => {
          upstreamRes.resume();
          upstreamRes.on('end', cut);
        });
        return;
      case 'truncate':
        this.forwardWhole(req, res, (upstreamRes, body) => {
          res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
          res.write(body.subarray(0, Math.floor(body.length / 2)), () => cut());
        });
        return;
      case 'pad':
        this.forwardWhole(req, res, (upstreamRes, body) => {
          const padded = Buffer.concat([body, Buffer.alloc(fault.bytes, 0x55)]);
          res.writeHead(upstreamRes.statusCode ?? 502, { ...upstreamRes.headers, 'content-length': String(padded.length) });
          res.end(padded);
        });
        return;
      case 'stall': {
        req.pause();
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          this.forward(req, res);
        }, fault.ms);
        this.timers.add(timer);
        return;
      }
      case 'hook':
        req.pause();
        fault.run().then(
          () => this.forward(req, res),
          () => cut(),
        );
        return;
      default:
        this.forward(req, res);
    }
  }

  /** Sends the request to the store and hands its whole answer to `answer`, instead of passing it through. */
  private forwardWhole(req: http.IncomingMessage, res: http.ServerResponse, answer: (upstreamRes: http.IncomingMessage, body: Buffer) => void): void {
    this.forward(req, res, (upstreamRes) => {
      const parts: Buffer[] = [];
      upstreamRes.on('data', (d: Buffer) => parts.push(d));
      upstreamRes.on('end', () => answer(upstreamRes, Buffer.concat(parts)));
    });
  }

  /** Sends the request to the store; `onResponse` replaces passing the answer through. */
  private forward(req: http.IncomingMessage, res: http.ServerResponse, onResponse?: (r: http.IncomingMessage) => void): void {
    const headers = { ...req.headers };
    // Not signed by SigV4; the proxy has already answered it (Node sends 100 Continue itself).
    delete headers.expect;
    const out = http.request(
      {
        host: this.upstream.hostname,
        port: this.upstream.port,
        method: req.method,
        path: req.url,
        headers,
        agent: this.agent,
      },
      (upstreamRes) => {
        if (onResponse) return onResponse(upstreamRes);
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        upstreamRes.pipe(res);
      },
    );
    out.on('error', () => req.socket.resetAndDestroy());
    req.on('aborted', () => out.destroy());
    req.pipe(out);
    req.resume();
  }
}
