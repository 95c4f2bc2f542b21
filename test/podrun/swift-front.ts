// CUBE's Swift as the chart README sets it up on the VM: a TLS front with its own CA whose certificate names the
// VM (not 127.0.0.1), passing requests on to the bed's Swift with the Host header kept. `down` makes it drop every
// new connection, as an unreachable VM would.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SwiftFront { host: string; port: number; caPem: string; down: boolean; close(): Promise<void> }

/** A CA and a certificate for `host` signed by it, made by openssl in a throw-away folder. */
function certificateFor(host: string): { key: string; cert: string; caPem: string } {
  const dir = mkdtempSync(join(tmpdir(), 'swift-front-'));
  try {
    const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=CUBE VM test CA');
    run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', `/CN=${host}`);
    writeFileSync(join(dir, 'ext.cnf'), `subjectAltName=DNS:${host}\nbasicConstraints=CA:FALSE\n`);
    run('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'ext.cnf');
    return { key: readFileSync(join(dir, 'server.key'), 'utf8'), cert: readFileSync(join(dir, 'server.pem'), 'utf8'), caPem: readFileSync(join(dir, 'ca.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function startSwiftFront(host: string, targetPort: number): Promise<SwiftFront> {
  const { key, cert, caPem } = certificateFor(host);
  const server = createServer({ key, cert }, (incoming, outgoing) => {
    const upstream = httpRequest({ host: '127.0.0.1', port: targetPort, method: incoming.method, path: incoming.url, headers: { ...incoming.headers, 'x-forwarded-proto': 'https' } }, (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
    });
    upstream.on('error', () => outgoing.destroy());
    incoming.pipe(upstream);
  });
  const front = {
    host, port: 0, caPem, down: false,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
  server.on('connection', (socket) => { if (front.down) socket.destroy(); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  front.port = (server.address() as AddressInfo).port;
  return front;
}
