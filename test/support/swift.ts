// A minimal Swift client for tests and seeding, independent of the copier's own code.
import { createHash } from 'node:crypto';
import { Agent } from 'undici';

const agent = new Agent();

export interface SwiftAccount { storageUrl: string; token: string }

export async function swiftLogin(authUrl: string, user: string, key: string): Promise<SwiftAccount> {
  const response = await fetch(authUrl, { headers: { 'x-auth-user': user, 'x-auth-key': key } });
  if (response.status !== 200) throw new Error(`auth failed: ${response.status}`);
  return { storageUrl: response.headers.get('x-storage-url')!, token: response.headers.get('x-auth-token')! };
}

export function objectPath(name: string): string {
  return name.split('/').map((segment) => (segment === '.' ? '%2E' : segment === '..' ? '%2E%2E' : encodeURIComponent(segment))).join('/');
}

/** One request with the path sent as written: fetch's URL parser would fold "%2E" segments, which Swift keeps. */
async function call(account: SwiftAccount, method: string, path: string, init: { headers?: Record<string, string>; body?: Buffer | string } = {}): Promise<Response> {
  const url = new URL(account.storageUrl);
  const answer = await agent.request({
    origin: url.origin, method, path: `${url.pathname}/${path}`, headers: { 'x-auth-token': account.token, ...init.headers }, ...(init.body !== undefined ? { body: init.body } : {}),
  });
  const body = Buffer.from(await answer.body.arrayBuffer());
  const headers = new Headers();
  for (const [name, value] of Object.entries(answer.headers)) if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  const response = new Response([204, 304].includes(answer.statusCode) || method === 'HEAD' ? null : body, { status: answer.statusCode, headers });
  if (response.status >= 300 && !(method === 'DELETE' && response.status === 404)) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response;
}

export async function putContainer(account: SwiftAccount, container: string): Promise<void> {
  await (await call(account, 'PUT', objectPath(container))).arrayBuffer();
}

export async function putObject(account: SwiftAccount, container: string, name: string, body: Buffer | string, headers: Record<string, string> = {}): Promise<void> {
  await (await call(account, 'PUT', `${objectPath(container)}/${objectPath(name)}`, { headers, body })).arrayBuffer();
}

export async function deleteObject(account: SwiftAccount, container: string, name: string): Promise<void> {
  await (await call(account, 'DELETE', `${objectPath(container)}/${objectPath(name)}`)).arrayBuffer();
}

/** Uploads segments to "<container>_segments" and a Static Large Object manifest pointing at them. */
export async function putSlo(account: SwiftAccount, container: string, name: string, segments: Buffer[]): Promise<void> {
  const segmentContainer = `${container}_segments`;
  await putContainer(account, segmentContainer);
  const manifest = [];
  for (const [index, segment] of segments.entries()) {
    const segmentName = `${name}/slo/${String(index).padStart(4, '0')}`;
    await putObject(account, segmentContainer, segmentName, segment);
    manifest.push({ path: `/${segmentContainer}/${segmentName}`, etag: createHash('md5').update(segment).digest('hex'), size_bytes: segment.length });
  }
  await (await call(account, 'PUT', `${objectPath(container)}/${objectPath(name)}?multipart-manifest=put`, { body: JSON.stringify(manifest), headers: { 'content-type': 'application/octet-stream' } })).arrayBuffer();
}

/** Uploads segments and a Dynamic Large Object manifest (X-Object-Manifest) over their prefix. */
export async function putDlo(account: SwiftAccount, container: string, name: string, segments: Buffer[]): Promise<void> {
  const segmentContainer = `${container}_segments`;
  await putContainer(account, segmentContainer);
  for (const [index, segment] of segments.entries()) {
    await putObject(account, segmentContainer, `${name}/dlo/${String(index).padStart(4, '0')}`, segment);
  }
  await putObject(account, container, name, '', { 'x-object-manifest': `${segmentContainer}/${encodeURIComponent(name).replaceAll('%2F', '/')}/dlo/` });
}

/** Every object of a container with its full content read back: the independent view of the source. */
export async function readAll(account: SwiftAccount, container: string): Promise<Map<string, { size: number; md5: string }>> {
  const out = new Map<string, { size: number; md5: string }>();
  let marker = '';
  for (;;) {
    const response = await call(account, 'GET', `${objectPath(container)}?format=json&limit=1000&marker=${encodeURIComponent(marker)}`);
    const rows = response.status === 204 ? [] : ((await response.json()) as { name: string }[]);
    for (const { name } of rows) {
      const body = Buffer.from(await (await call(account, 'GET', `${objectPath(container)}/${objectPath(name)}`)).arrayBuffer());
      out.set(name, { size: body.length, md5: createHash('md5').update(body).digest('hex') });
    }
    if (rows.length < 1000) return out;
    marker = rows[rows.length - 1]!.name;
  }
}
