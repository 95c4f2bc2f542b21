// Swift authentication: auth v1 (tempauth), an already issued token, or Keystone v3 application credentials.
import type { Dispatcher } from 'undici';
import type { SwiftAuth } from '../config.ts';
import { FatalError, HttpError } from '../errors.ts';

export interface SwiftSession {
  storageUrl: string;
  token: string;
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function rejected(what: string, status: number, fix: string): Error {
  if (status === 401 || status === 403) return new FatalError(`Swift rejected ${what} (${status}): ${fix}`);
  return new HttpError(`Swift auth answered ${status} for ${what}`, status);
}

async function authV1(dispatcher: Dispatcher, auth: Extract<SwiftAuth, { kind: 'v1' }>): Promise<SwiftSession> {
  const url = new URL(auth.authUrl);
  const response = await dispatcher.request({
    origin: url.origin, path: `${url.pathname}${url.search}`, method: 'GET',
    headers: { 'x-auth-user': auth.user, 'x-auth-key': auth.key },
  });
  await response.body.dump();
  if (response.statusCode !== 200) {
    throw rejected(`user ${auth.user} at ${auth.authUrl}`, response.statusCode, 'check SWIFT_USER and SWIFT_KEY');
  }
  const token = firstHeader(response.headers['x-auth-token']) ?? firstHeader(response.headers['x-storage-token']);
  const storageUrl = firstHeader(response.headers['x-storage-url']);
  if (!token || !storageUrl) throw new FatalError(`Swift auth at ${auth.authUrl} answered without X-Auth-Token or X-Storage-Url: is SWIFT_AUTH_URL an auth v1 endpoint?`);
  return { token, storageUrl: auth.storageUrlOverride ?? storageUrl };
}

interface CatalogEntry { type?: string; endpoints?: { interface?: string; region?: string; region_id?: string; url?: string }[] }

async function authV3(dispatcher: Dispatcher, auth: Extract<SwiftAuth, { kind: 'v3' }>): Promise<SwiftSession> {
  const base = auth.authUrl.replace(/\/+$/, '');
  const url = new URL(`${base.endsWith('/v3') ? base : `${base}/v3`}/auth/tokens`);
  const response = await dispatcher.request({
    origin: url.origin, path: url.pathname, method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ auth: { identity: { methods: ['application_credential'], application_credential: { id: auth.credentialId, secret: auth.credentialSecret } } } }),
  });
  if (response.statusCode !== 201 && response.statusCode !== 200) {
    await response.body.dump();
    throw rejected(`application credential ${auth.credentialId} at ${auth.authUrl}`, response.statusCode, 'check OS_APPLICATION_CREDENTIAL_ID and OS_APPLICATION_CREDENTIAL_SECRET');
  }
  const token = firstHeader(response.headers['x-subject-token']);
  const body = (await response.body.json()) as { token?: { catalog?: CatalogEntry[] } };
  const endpoints = (body.token?.catalog ?? []).filter((entry) => entry.type === 'object-store').flatMap((entry) => entry.endpoints ?? []);
  const endpoint = endpoints.find((candidate) => candidate.interface === auth.interface && (!auth.region || candidate.region === auth.region || candidate.region_id === auth.region));
  if (!token) throw new FatalError(`Keystone at ${auth.authUrl} answered without X-Subject-Token`);
  const storageUrl = auth.storageUrlOverride ?? endpoint?.url;
  if (!storageUrl) {
    throw new FatalError(`Keystone's catalog has no object-store endpoint with interface ${auth.interface}${auth.region ? ` in region ${auth.region}` : ''}: set OS_INTERFACE, OS_REGION_NAME or SWIFT_STORAGE_URL`);
  }
  return { token, storageUrl };
}

export async function authenticate(dispatcher: Dispatcher, auth: SwiftAuth): Promise<SwiftSession> {
  switch (auth.kind) {
    case 'v1': return authV1(dispatcher, auth);
    case 'v3': return authV3(dispatcher, auth);
    case 'token': return { storageUrl: auth.storageUrl, token: auth.token };
  }
}

/** True when the auth can be repeated to get a fresh token (a given token cannot). */
export function canReauthenticate(auth: SwiftAuth): boolean {
  return auth.kind !== 'token';
}
