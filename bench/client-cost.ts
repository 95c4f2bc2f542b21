// What an S3 client costs per small PUT: the AWS SDK v3 as the copier calls it (a stream body, UNSIGNED-PAYLOAD,
// Content-MD5) against a minimal SigV4 signer over node:http, 16 PUTs in flight. Evidence for a stack decision, not
// a copier. Run on a bed, compiled as the image runs its code (type stripping alone adds tens of MiB):
//   BED_DIR=.bed/cost node test/bed/with-bed.ts bash -c 'tsc --outDir .bed/cost-js --module nodenext --target es2023 \
//     --skipLibCheck --rewriteRelativeImportExtensions bench/client-cost.ts && for m in raw sdk; do \
//     /usr/bin/time -v node --max-semi-space-size=4 --heap-growing-percent=50 .bed/cost-js/client-cost.js $m s3api 3000; done'
// It prints the CPU per PUT; /usr/bin/time's "Maximum resident set size" is the peak.
import { createHash, createHmac } from 'node:crypto';
import { Agent, request } from 'node:http';
import { Readable } from 'node:stream';

const [mode = 'raw', target = 's3api', countText = '3000'] = process.argv.slice(2);
const count = Number(countText);
const prefix = target === 'nbdb' || target === 'nsfs' ? `BED_${target.toUpperCase()}` : 'BED_S3';
const need = (name: string): string => process.env[name] ?? (() => { throw new Error(`${name} is not set: run on a bed (see the first lines)`); })();
const endpoint = new URL(need(`${prefix}_ENDPOINT`));
const accessKeyId = need(`${prefix}_ACCESS_KEY_ID`);
const secretAccessKey = need(`${prefix}_SECRET_ACCESS_KEY`);
const region = 'us-east-1';
const bucket = `client-cost-${mode}-${Date.now()}`;
const body = Buffer.alloc(16 * 1024, 7);
const md5 = createHash('md5').update(body).digest('base64');
const agent = new Agent({ keepAlive: true, maxSockets: 16 });

/** SigV4 of a request with an unsigned payload: the headers to send. */
function signed(method: string, path: string, headers: Record<string, string>): Record<string, string> {
  const amzDate = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const all: Record<string, string> = { ...headers, host: endpoint.host, 'x-amz-date': amzDate, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' };
  const names = Object.keys(all).sort();
  const canonical = [method, path, '', ...names.map((name) => `${name}:${all[name]!.trim()}`), '', names.join(';'), 'UNSIGNED-PAYLOAD'].join('\n');
  const scope = `${day}/${region}/s3/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, createHash('sha256').update(canonical).digest('hex')].join('\n');
  let key = createHmac('sha256', `AWS4${secretAccessKey}`).update(day).digest();
  for (const part of [region, 's3', 'aws4_request']) key = createHmac('sha256', key).update(part).digest();
  const signature = createHmac('sha256', key).update(toSign).digest('hex');
  return { ...all, authorization: `AWS4-HMAC-SHA256 Credential=${accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}` };
}

/** PUT of an object, or with no key of the bucket itself. */
function rawPut(key?: string): Promise<void> {
  const path = key === undefined ? `/${bucket}` : `/${bucket}/${key}`;
  const sent = key === undefined ? Buffer.alloc(0) : body;
  const headers = signed('PUT', path, key === undefined ? { 'content-length': '0' } : { 'content-length': String(sent.length), 'content-md5': md5, 'content-type': 'application/octet-stream' });
  return new Promise((resolve, reject) => {
    const put = request({ host: endpoint.hostname, port: endpoint.port, method: 'PUT', path, headers, agent }, (answer) => {
      answer.resume();
      answer.on('end', () => (answer.statusCode === 200 ? resolve() : reject(new Error(`PUT ${path}: ${answer.statusCode}`))));
    });
    put.on('error', reject);
    put.end(sent);
  });
}

/** The SDK's PUT, loaded only in this mode: its modules are part of what it costs. */
async function sdkPut(): Promise<(key: string) => Promise<void>> {
  const { CreateBucketCommand, PutObjectCommand, S3Client } = await import('@aws-sdk/client-s3');
  const client = new S3Client({
    endpoint: endpoint.origin, region, forcePathStyle: true, credentials: { accessKeyId, secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED', requestHandler: { httpAgent: agent },
  });
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  return async (key) => { await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: Readable.from([body]), ContentMD5: md5, ContentLength: body.length })); };
}

const put = mode === 'sdk' ? await sdkPut() : (await rawPut(), rawPut);
await put('warm-up');
const cpu = process.cpuUsage();
const started = performance.now();
let next = 0;
await Promise.all(Array.from({ length: 16 }, async () => { while (next < count) await put(`object-${next++}`); }));
const used = process.cpuUsage(cpu);
console.log(JSON.stringify({ mode, target, count, seconds: Math.round(performance.now() - started) / 1000, cpuMsPerPut: Math.round((used.user + used.system) / count) / 1000 }));
