// The pod runner's client of the (fake) API server: one JSON request, a refusal thrown with the server's Status.
import type { Json } from './objects.ts';

export interface Api { url: string; namespace: string }

/** The API server refused a request: the test fails with the server's own Status message. */
export class ApiRefused extends Error {
  readonly code: number;
  readonly status: Json;
  constructor(code: number, status: Json, what: string) {
    const { reason = '', message = JSON.stringify(status) } = status as { reason?: string; message?: string };
    super(`${what}: ${code} ${reason}: ${message}`);
    this.code = code;
    this.status = status;
  }
}

export async function call(api: Api, method: string, path: string, body?: unknown): Promise<Json> {
  const response = await fetch(`${api.url}${path}`, {
    method, headers: { 'content-type': 'application/json', authorization: 'Bearer job-controller' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const answer = await response.json() as Json;
  if (!response.ok) throw new ApiRefused(response.status, answer, `${method} ${path}`);
  return answer;
}
