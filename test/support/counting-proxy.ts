// An HTTP proxy in front of the test bed that counts what crosses it (the independent witness of how many
// object GETs and PUTs a run made) and, by rule, injects faults: error answers, connection resets before,
// during and after a body, stalls, truncated or corrupted bodies, added latency. 127.0.0.1 only; closes itself after
// `lifetimeMs`.
import { setTimeout as sleep } from 'node:timers/promises';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { listenLocally } from './local-server.ts';

export type Fault =
  | { kind: 'status'; status: number; code?: string }
  | { kind: 'reset-before-response' }
  | { kind: 'reset-mid-request' }
  | { kind: 'reset-mid-response' }
  /** Forwards the request, lets the server answer in full, and resets the client's connection instead of passing the
   *  answer on: the server did the work, the client cannot know it (a timeout or a dropped connection at the worst
   *  moment). */
  | { kind: 'answer-lost' }
  | { kind: 'truncate-keep-length' }
  | { kind: 'corrupt-body' }
  | { kind: 'stall'; ms: number }
  /** Holds the request `ms` before forwarding it: one more round trip of that length (not per TCP window). */
  | { kind: 'delay'; ms: number }
  | { kind: 'hook'; run: (request: { method: string; path: string }) => Promise<void> }
  /** Forwards the request and sets (or, with no value, removes) one header of the answer: e.g. a NooBaa that does
   *  not say it is NooBaa. */
  | { kind: 'answer-header'; name: string; value?: string };

export interface FaultRule {
  /** The request kinds it applies to (see requestKind), e.g. ["s3_object_put", "s3_part_put"]; "swift_*" is every
   *  kind that starts with "swift_". */
  kinds: string[];
  /** Optional further filter on the decoded path. */
  pathIncludes?: string;
  fault: Fault;
  /** Inject on every n-th matching request (1 = every one). */
  every: number;
  /** Stop injecting after this many. */
  limit: number;
}

export interface CountingProxy {
  url: string;
  port: number;
  counts: Map<string, number>;
  /** Every request since the last reset, by kind and decoded path, with its headers. */
  seen: { kind: string; path: string; headers: IncomingHttpHeaders }[];
  /** Requests of `kind` whose decoded path ends with `suffix` (e.g. "/bucket/key"). */
  countFor(kind: string, suffix: string): number;
  injected: Map<string, number>;
  reset(): void;
  count(kind: string): number;
  injectedTotal(): number;
  /** Takes one side away, as a stopped server or a dropped network would: every request to it under way is cut off,
   *  and every new one too, until `up`. */
  down(side: Side): void;
  up(side: Side): void;
  close(): Promise<void>;
}

export type Side = 'swift' | 's3';
const sideOf = (kind: string): Side => (kind.startsWith('swift_') ? 'swift' : 's3');

/** Names a request: swift_object_get, swift_container_get, s3_object_put, s3_part_put, s3_list … A request for the
 *  copier's resync ledger (below ".swift-to-s3/ledger/") is s3_ledger_get / s3_ledger_put, or swift_ledger_head for
 *  its check that Swift has no object of that name; one for the start-up probe's objects (below
 *  ".swift-to-s3/probe/", or a listing of them) is s3_probe_put, s3_probe_list …: apart from the objects' own requests. */
export function requestKind(method: string, rawPath: string): string {
  const [path = '', query = ''] = rawPath.split('?');
  const params = new URLSearchParams(query);
  if (path.startsWith('/auth/')) return 'swift_auth';
  if (path === '/info') return 'swift_info';
  if (safeDecode(path).includes('/.swift-to-s3/probe/') || (params.get('prefix') ?? '').includes('.swift-to-s3/probe/')) {
    return `s3_probe_${method === 'GET' && !path.slice(1).includes('/') ? 'list' : method.toLowerCase()}`;
  }
  if (safeDecode(path).includes('/.swift-to-s3/ledger/')) return `${path.startsWith('/v1/') ? 'swift' : 's3'}_ledger_${method.toLowerCase()}`;
  if (path.startsWith('/v1/')) {
    const depth = path.split('/').length - 1; // /v1/AUTH_x/container/object...
    const what = depth <= 2 ? 'account' : depth === 3 ? 'container' : 'object';
    return `swift_${what}_${method.toLowerCase()}`;
  }
  const parts = path.split('/').filter(Boolean);
  if (parts.length <= 1) return method === 'GET' && params.has('uploads') ? 's3_list_uploads' : method === 'GET' ? 's3_list' : `s3_bucket_${method.toLowerCase()}`;
  if (params.has('partNumber')) return 's3_part_put';
  if (params.has('uploads') || params.has('uploadId')) return `s3_multipart_${method.toLowerCase()}`;
  return `s3_object_${method.toLowerCase()}`;
}

/** A rule that adds `ms` of round-trip time to every request to Swift: a Swift far from the copier. */
export function swiftLatency(ms: number): FaultRule {
  return { kinds: ['swift_*'], fault: { kind: 'delay', ms }, every: 1, limit: Infinity };
}

const S3_ERROR_CODES: Record<number, string> = { 500: 'InternalError', 503: 'SlowDown', 429: 'TooManyRequests', 401: 'Unauthorized' };

function errorAnswer(response: ServerResponse, kind: string, status: number, code?: string): void {
  const body = kind.startsWith('s3_')
    ? `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code ?? S3_ERROR_CODES[status] ?? 'Error'}</Code><Message>injected fault</Message></Error>`
    : `<html><h1>injected ${status}</h1></html>`;
  response.writeHead(status, { 'content-type': kind.startsWith('s3_') ? 'application/xml' : 'text/html', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

function safeDecode(path: string): string {
  try { return decodeURIComponent(path); } catch { return path; }
}

function drain(request: IncomingMessage): Promise<void> {
  return new Promise((resolve) => { request.resume(); request.on('end', resolve); request.on('error', () => resolve()); request.on('close', () => resolve()); });
}

/** Where requests go: one port for both (Swift with its s3api), or Swift's port and another S3 server's. */
export type Upstream = number | { swift: number; s3: number };

export async function startCountingProxy(upstream: Upstream, rules: FaultRule[] = [], lifetimeMs = 600_000): Promise<CountingProxy> {
  const portFor = (kind: string) => typeof upstream === 'number' ? upstream : kind.startsWith('swift_') ? upstream.swift : upstream.s3;
  const counts = new Map<string, number>();
  const requests: { kind: string; path: string; headers: IncomingHttpHeaders }[] = [];
  const injected = new Map<string, number>();
  const seen = rules.map(() => 0);
  const fired = rules.map(() => 0);
  const away = new Set<Side>();
  const underWay = new Map<IncomingMessage, Side>();

  const faultFor = (kind: string, path: string): Fault | undefined => {
    for (const [index, rule] of rules.entries()) {
      if (!rule.kinds.some((pattern) => pattern === kind || (pattern.endsWith('*') && kind.startsWith(pattern.slice(0, -1)))) || (rule.pathIncludes && !decodeURIComponent(path).includes(rule.pathIncludes))) continue;
      seen[index]!++;
      if (fired[index]! >= rule.limit || seen[index]! % rule.every !== 0) continue;
      fired[index]!++;
      const name = rule.fault.kind === 'status' ? `status_${rule.fault.status}` : rule.fault.kind;
      injected.set(name, (injected.get(name) ?? 0) + 1);
      return rule.fault;
    }
    return undefined;
  };

  const forward = (incoming: IncomingMessage, outgoing: ServerResponse, fault: Fault | undefined, kind: string) => {
    const upstream = httpRequest({ host: '127.0.0.1', port: portFor(kind), method: incoming.method, path: incoming.url, headers: incoming.headers }, (answer) => {
      const headers = { ...answer.headers };
      if (fault?.kind === 'answer-header') {
        if (fault.value === undefined) delete headers[fault.name];
        else headers[fault.name] = fault.value;
      }
      if (fault?.kind === 'answer-lost') {
        answer.resume();
        answer.on('end', () => outgoing.socket?.resetAndDestroy());
        return;
      }
      outgoing.writeHead(answer.statusCode ?? 502, headers);
      const length = Number(answer.headers['content-length'] ?? 0);
      if (!fault || length < 2 || !['reset-mid-response', 'truncate-keep-length', 'corrupt-body'].includes(fault.kind)) {
        answer.pipe(outgoing);
        return;
      }
      const half = Math.floor(length / 2);
      let sent = 0;
      answer.on('data', (chunk: Buffer) => {
        if (sent >= half && fault.kind !== 'corrupt-body') return;
        if (fault.kind === 'corrupt-body') {
          if (sent <= half && half < sent + chunk.length) { chunk = Buffer.from(chunk); chunk[half - sent] = chunk[half - sent]! ^ 0xff; }
          sent += chunk.length;
          outgoing.write(chunk);
          return;
        }
        const room = half - sent;
        outgoing.write(chunk.subarray(0, room));
        sent += Math.min(room, chunk.length);
        if (sent >= half) {
          answer.destroy();
          if (fault.kind === 'reset-mid-response') outgoing.socket?.resetAndDestroy();
          else outgoing.socket?.end();
        }
      });
      answer.on('end', () => { if (fault.kind === 'corrupt-body') outgoing.end(); });
    });
    upstream.on('error', () => outgoing.destroy());
    // A client gone mid-request (a killed copier) must not leave the upstream request open: NooBaa waits minutes
    // for the rest of a body, and the open socket keeps the test process alive.
    outgoing.on('close', () => { if (!outgoing.writableFinished) upstream.destroy(); });
    incoming.pipe(upstream);
  };

  // A sync listener around the async one: a failure cuts the client off instead of becoming an unhandled rejection.
  const server: Server = createServer((incoming, outgoing) => { handle(incoming, outgoing).catch(() => outgoing.destroy()); });
  async function handle(incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> {
    const method = incoming.method ?? 'GET';
    const path = incoming.url ?? '/';
    const kind = requestKind(method, path);
    if (away.has(sideOf(kind))) return void incoming.socket.resetAndDestroy();
    underWay.set(incoming, sideOf(kind));
    outgoing.on('close', () => underWay.delete(incoming));
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
    requests.push({ kind, path: safeDecode(path.split('?')[0] ?? ''), headers: incoming.headers });
    const fault = faultFor(kind, path);
    if (!fault) return forward(incoming, outgoing, undefined, kind);
    switch (fault.kind) {
      case 'status':
        await drain(incoming);
        return errorAnswer(outgoing, kind, fault.status, fault.code);
      case 'reset-before-response':
        await drain(incoming);
        return void incoming.socket.resetAndDestroy();
      case 'reset-mid-request': {
        const expected = Number(incoming.headers['content-length'] ?? 0);
        let received = 0;
        incoming.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received >= expected / 2) incoming.socket.resetAndDestroy();
        });
        if (expected === 0) incoming.socket.resetAndDestroy();
        return;
      }
      case 'stall': {
        await drain(incoming);
        const timer = setTimeout(() => incoming.socket.destroy(), fault.ms);
        incoming.socket.once('close', () => clearTimeout(timer));
        return;
      }
      case 'hook':
        await fault.run({ method, path });
        return forward(incoming, outgoing, undefined, kind);
      case 'delay':
        await sleep(fault.ms);
        return forward(incoming, outgoing, undefined, kind);
      default:
        return forward(incoming, outgoing, fault, kind);
    }
  }
  const { port, close } = await listenLocally(server, lifetimeMs);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    counts,
    injected,
    seen: requests,
    countFor: (kind, suffix) => requests.filter((request) => request.kind === kind && request.path.endsWith(suffix)).length,
    reset: () => { counts.clear(); requests.length = 0; },
    count: (kind) => counts.get(kind) ?? 0,
    injectedTotal: () => [...injected.values()].reduce((sum, value) => sum + value, 0),
    down: (side) => {
      away.add(side);
      for (const [incoming, of] of underWay) if (of === side) incoming.socket.resetAndDestroy();
    },
    up: (side) => { away.delete(side); },
    close,
  };
}
