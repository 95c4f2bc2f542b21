// A TLS front for a bed server on 127.0.0.1 (S3, Swift, a fake Keystone), with a throw-away CA made by openssl, to
// test certificate checks. Like the chart README's nginx on the VM, it keeps the Host header and adds
// X-Forwarded-Proto: https.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** `requests`: method and path of every request the front passed on, in order. */
export interface TlsFront { url: string; caFile: string; requests: { method: string; path: string }[]; close(): Promise<void> }

function makeCertificates(dir: string): { key: string; cert: string; caFile: string } {
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=swift-to-s3 test CA');
  run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n');
  run('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'ext.cnf');
  return { key: readFileSync(join(dir, 'server.key'), 'utf8'), cert: readFileSync(join(dir, 'server.pem'), 'utf8'), caFile: join(dir, 'ca.pem') };
}

export async function startTlsFront(targetPort: number): Promise<TlsFront> {
  const { key, cert, caFile } = makeCertificates(mkdtempSync(join(tmpdir(), 'tls-')));
  const requests: TlsFront['requests'] = [];
  const server: Server = createServer({ key, cert }, (incoming, outgoing) => {
    requests.push({ method: incoming.method ?? '', path: incoming.url ?? '' });
    const headers = { ...incoming.headers, 'x-forwarded-proto': 'https' };
    const upstream = httpRequest({ host: '127.0.0.1', port: targetPort, method: incoming.method, path: incoming.url, headers }, (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
    });
    upstream.on('error', () => outgoing.destroy());
    incoming.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { url: `https://127.0.0.1:${port}`, caFile, requests, close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) };
}
