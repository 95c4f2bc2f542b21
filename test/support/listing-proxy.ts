// An HTTP proxy in front of one server of the test bed that rewrites its listing answers (Swift's JSON container
// listings, S3's ListObjectsV2 XML), to play a server that answers differently from the bed's: an old Swift, one that
// caps pages silently, an S3 that ignores EncodingType. Answers are rewritten, never requests, so S3 signatures hold.
// 127.0.0.1 only; closes itself after `lifetimeMs`.
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import { listenLocally } from './local-server.ts';

export interface ListingProxy {
  url: string;
  /** How many answers were rewritten. */
  rewritten: number;
  close(): Promise<void>;
}

/** Which answers to rewrite, and how: `body` gets the whole answer as text and returns the new one. */
export interface Rewrite {
  matches(method: string, path: string): boolean;
  body(text: string, path: string): string;
}

export async function startListingProxy(upstreamPort: number, rewrite: Rewrite, lifetimeMs = 300_000): Promise<ListingProxy> {
  const proxy: ListingProxy = { url: '', rewritten: 0, close: () => Promise.resolve() };
  const server: Server = createServer((incoming, outgoing) => {
    const method = incoming.method ?? 'GET';
    const path = incoming.url ?? '/';
    const upstream = httpRequest({ host: '127.0.0.1', port: upstreamPort, method, path, headers: incoming.headers }, (answer) => {
      const status = answer.statusCode ?? 502;
      if (status !== 200 || !rewrite.matches(method, path)) {
        outgoing.writeHead(status, answer.headers);
        answer.pipe(outgoing);
        return;
      }
      if (answer.headers['content-encoding'] && answer.headers['content-encoding'] !== 'identity') {
        outgoing.destroy(new Error(`listing proxy: cannot rewrite a ${answer.headers['content-encoding']} answer`));
        return;
      }
      const chunks: Buffer[] = [];
      answer.on('data', (chunk: Buffer) => chunks.push(chunk));
      answer.on('end', () => {
        const body = Buffer.from(rewrite.body(Buffer.concat(chunks).toString('utf8'), path), 'utf8');
        proxy.rewritten++;
        const headers: IncomingHttpHeaders = { ...answer.headers, 'content-length': String(body.length) };
        delete headers['transfer-encoding'];
        outgoing.writeHead(status, headers);
        outgoing.end(body);
      });
    });
    upstream.on('error', () => outgoing.destroy());
    incoming.pipe(upstream);
  });
  const { port, close } = await listenLocally(server, lifetimeMs);
  proxy.url = `http://127.0.0.1:${port}`;
  proxy.close = close;
  return proxy;
}

/** One row of a Swift JSON container listing. */
export interface SwiftListingRow { name?: string; subdir?: string; bytes?: number; hash?: string; content_type?: string; slo_etag?: string; [more: string]: unknown }

/** Rewrites the JSON listings of one Swift container (GET /v1/<account>/<container>?format=json…). */
export function swiftListing(container: string, rows: (page: SwiftListingRow[]) => SwiftListingRow[]): Rewrite {
  return {
    matches: (method, path) => {
      const [where = '', query = ''] = path.split('?');
      const parts = where.split('/').filter(Boolean);
      return method === 'GET' && parts[0] === 'v1' && parts.length === 3 && decodeURIComponent(parts[2]!) === container
        && new URLSearchParams(query).get('format') === 'json';
    },
    body: (text) => JSON.stringify(rows(JSON.parse(text) as SwiftListingRow[])),
  };
}

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** An S3 server that ignores `encoding-type=url` in ListObjectsV2: the bed's servers encode, so their keys are
 *  decoded back to what they are (AWS style, "+" is a space) and the answer no longer says `<EncodingType>`. */
export const s3IgnoringEncodingType: Rewrite = {
  matches: (method, path) => method === 'GET' && new URLSearchParams(path.split('?')[1] ?? '').get('list-type') === '2',
  body: (text) => !/<EncodingType>url<\/EncodingType>/.test(text) ? text : text
    .replace(/<EncodingType>[^<]*<\/EncodingType>/g, '')
    .replace(/<(Key|Prefix|StartAfter|Delimiter)>([^<]*)<\/\1>/g, (_all, element: string, value: string) =>
      `<${element}>${decodeURIComponent(value.replaceAll('+', ' ')).replace(/[&<>"']/g, (char) => XML_ESCAPES[char]!)}</${element}>`),
};
