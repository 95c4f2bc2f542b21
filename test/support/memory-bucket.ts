// A strict fake of the two calls a resync ledger makes of the bucket: it keeps the bytes it is sent (checked against
// their length and Content-MD5) and gives them back in chunks, as a GET's body comes.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ObjectHeaders } from '../../src/s3/target.ts';

const CHUNK = 64 * 1024;

export class MemoryBucket {
  readonly objects = new Map<string, Buffer>();
  puts = 0;
  /** The keys read, in order. */
  readonly reads: string[] = [];

  async writeFrom(key: string, open: () => Readable, length: number, _headers: ObjectHeaders, contentMd5: string): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of open()) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    assert.equal(body.length, length, 'the PUT announced the length of its body');
    assert.equal(createHash('md5').update(body).digest('base64'), contentMd5, 'the PUT announced the Content-MD5 of its body');
    this.objects.set(key, body);
    this.puts++;
    return `mtime-${Date.now().toString(36)}-ino-1`;
  }

  async readWith<T>(key: string, consume: (body: Readable) => Promise<T>): Promise<T | undefined> {
    this.reads.push(key);
    const body = this.objects.get(key);
    if (!body) return undefined;
    const chunks = function* () { for (let at = 0; at < body.length; at += CHUNK) yield body.subarray(at, at + CHUNK); };
    return consume(Readable.from(chunks()));
  }
}
