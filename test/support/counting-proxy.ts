// An HTTP proxy in front of the test bed that counts what crosses it: the independent witness of how many
// object GETs and PUTs a run made.
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CountingProxy {
  url: string;
  port: number;
  counts: Map<string, number>;
  reset(): void;
  count(kind: string): number;
  close(): Promise<void>;
}

/** Names a request: swift_object_get, swift_listing, s3_object_put, s3_part_put, s3_list … */
export function requestKind(method: string, rawPath: string): string {
  const [path = '', query = ''] = rawPath.split('?');
  const params = new URLSearchParams(query);
  if (path.startsWith('/auth/')) return 'swift_auth';
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

export async function startCountingProxy(targetPort: number): Promise<CountingProxy> {
  const counts = new Map<string, number>();
  const server: Server = createServer((incoming, outgoing) => {
    const kind = requestKind(incoming.method ?? 'GET', incoming.url ?? '/');
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
    const upstream = httpRequest({ host: '127.0.0.1', port: targetPort, method: incoming.method, path: incoming.url, headers: incoming.headers }, (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
    });
    upstream.on('error', () => outgoing.destroy());
    incoming.pipe(upstream);
  });
  server.keepAliveTimeout = 3000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    counts,
    reset: () => counts.clear(),
    count: (kind) => counts.get(kind) ?? 0,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
