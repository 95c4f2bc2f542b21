// The read limit: every object of a Swift container read to nowhere, TRANSFERS at once over one keep-alive pool.
// What no copier can beat on the same bed. Env: SWIFT_AUTH_URL, SWIFT_USER, SWIFT_KEY, SWIFT_CONTAINERS, TRANSFERS.
import { Agent, request } from 'undici';

const need = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const transfers = Number(process.env.TRANSFERS ?? 16);
const container = need('SWIFT_CONTAINERS');
const dispatcher = new Agent({ connections: transfers + 1, keepAliveTimeout: 4_000 });

const auth = await request(need('SWIFT_AUTH_URL'), { dispatcher, headers: { 'x-auth-user': need('SWIFT_USER'), 'x-auth-key': need('SWIFT_KEY') } });
await auth.body.dump();
const token = String(auth.headers['x-auth-token']);
const storageUrl = String(auth.headers['x-storage-url']);
const encode = (name: string) => name.split('/').map((segment) => encodeURIComponent(segment)).join('/');

/** Names page by page (10,000 a page, as the copier lists). */
async function* names(): AsyncGenerator<string> {
  let marker = '';
  for (;;) {
    const answer = await request(`${storageUrl}/${encode(container)}?format=json&limit=10000&marker=${encodeURIComponent(marker)}`, { dispatcher, headers: { 'x-auth-token': token } });
    const rows = answer.statusCode === 204 ? (await answer.body.dump(), []) : ((await answer.body.json()) as { name: string }[]);
    for (const row of rows) yield row.name;
    if (rows.length < 10_000) return;
    marker = rows[rows.length - 1]!.name;
  }
}

let objects = 0;
let bytes = 0;
const running = new Set<Promise<void>>();
for await (const name of names()) {
  while (running.size >= transfers) await Promise.race(running);
  const read: Promise<void> = (async () => {
    const answer = await request(`${storageUrl}/${encode(container)}/${encode(name)}`, { dispatcher, headers: { 'x-auth-token': token } });
    if (answer.statusCode !== 200) throw new Error(`GET ${name}: ${answer.statusCode}`);
    for await (const chunk of answer.body) bytes += (chunk as Buffer).length;
    objects++;
  })().finally(() => running.delete(read));
  running.add(read);
}
await Promise.all(running);
await dispatcher.close();
console.log(JSON.stringify({ objects, bytes }));
