// What a bucket does with what it is sent, learned once at start from its own answers: a probe under the copier's
// ".swift-to-s3/probe/" prefix (a few small objects written, listed and deleted), never from a Server header, which
// NooBaa stops sending from 5.20 and proxies drop. BUCKET_KIND names a kind instead; KEY_RULES overrides the key rules.
import { MD5_HEX, VERSION_ETAG } from '../md5.ts';
import type { KeyRules } from './keyrules.ts';

/** Content headers an S3 server may accept on a PUT and not keep (Content-Type and Content-Encoding are always kept). */
export type DroppableHeader = 'ContentDisposition' | 'CacheControl' | 'ContentLanguage' | 'Expires';
export const DROPPABLE_HEADERS: readonly DroppableHeader[] = ['ContentDisposition', 'CacheControl', 'ContentLanguage', 'Expires'];

/** s3: AWS, Swift's s3api and most S3; noobaa-data: what a default ObjectBucketClaim gives (metadata in PostgreSQL);
 *  noobaa-nsfs: a NooBaa bucket on a file system (an NSFS bucket class). */
export type BucketKind = 's3' | 'noobaa-data' | 'noobaa-nsfs';
export const BUCKET_KINDS: readonly BucketKind[] = ['s3', 'noobaa-data', 'noobaa-nsfs'];

export interface TargetProfile {
  /** The named kind these answers are nearest to (for people; the copier reads the fields below). */
  kind: BucketKind;
  keyRules: KeyRules;
  /** A PUT's ETag is the MD5 of its body. */
  md5Etags: boolean;
  /** A wrong Content-MD5 is refused (400 BadDigest): with MD5 ETags, the server proves the bytes it stored. */
  checksContentMd5: boolean;
  /** Each write of a key gets a new ETag (it names a version, not a content): a resync ledger can settle objects. */
  etagsNameVersions: boolean;
  /** The order of a plain listing: UTF-8 bytes (S3, SQL in C collation) or UTF-16 code units (JavaScript's sort);
   *  unknown where nothing was probed (a listing is then put in UTF-8 order, which passes a UTF-8 one unchanged). */
  order: 'utf8' | 'utf16' | 'unknown';
  /** A listing with "/" as delimiter, paged, gives every entry once and in order. */
  delimiterListing: boolean;
  /** How to list the bucket: one paged listing, or subtrees at once (where a listing walks a file tree). */
  listing: 'pages' | 'subtrees';
  droppedHeaders: readonly DroppableHeader[];
  /** How it was learned: "probe", "listing" (read-only: from listed ETags), or "BUCKET_KIND". */
  from: 'probe' | 'listing' | 'BUCKET_KIND';
}

/** Each kind as measured (noobaa-core 5.23: ../shared/noobaa, README-db.md; s3api and AWS's documented behaviour). */
export const KINDS: Record<BucketKind, Omit<TargetProfile, 'from'>> = {
  s3: {
    kind: 's3', keyRules: 's3', md5Etags: true, checksContentMd5: true, etagsNameVersions: false, order: 'utf8',
    delimiterListing: true, listing: 'pages', droppedHeaders: [],
  },
  // Listed with a delimiter, each page is re-sorted in UTF-16 order and the next marker taken from it (keys skipped,
  // noobaa-core issue 8218), a "$$" in a marker or a "'" in a prefix answers 500: one listing, by pages, in UTF-8.
  'noobaa-data': {
    kind: 'noobaa-data', keyRules: 'noobaa', md5Etags: true, checksContentMd5: true, etagsNameVersions: false, order: 'utf8',
    delimiterListing: false, listing: 'pages', droppedHeaders: DROPPABLE_HEADERS,
  },
  'noobaa-nsfs': {
    kind: 'noobaa-nsfs', keyRules: 'nsfs', md5Etags: false, checksContentMd5: false, etagsNameVersions: true, order: 'utf16',
    delimiterListing: true, listing: 'subtrees', droppedHeaders: DROPPABLE_HEADERS,
  },
};

/** The folder, below the run's prefix, of the probe's objects: one folder "<random hex>/" per probe. */
export const PROBE_DIR = '.swift-to-s3/probe/';
const PROBE_NAME = /(^|\/)\.swift-to-s3\/probe\/[0-9a-f]+\//;

/** A listed name that is a probe's object (another pod's, still in flight): never an object of a container. */
export function isProbeName(name: string): boolean {
  return PROBE_NAME.test(name);
}

/** The probe's objects, below its own folder: what each one asks. */
export const PROBE_BODY = Buffer.from('swift-to-s3 probe: what does this bucket do with what it is sent?\n');
export const PROBE_KEYS = {
  /** Sent with its Content-MD5 and the four droppable headers: the ETag form, and which headers come back. */
  etag: 'etag',
  /** Sent with a wrong Content-MD5: refused, or stored. */
  digest: 'digest',
  /** Kept as named, or as a file path ("a/b")? */
  doubleSlash: 'a//b',
  /** Kept as named, or as "f/" (NooBaa)? */
  folder: 'f_$folder$',
  /** U+1F600 before U+FF61 in UTF-16 order, after it in UTF-8 order. */
  astral: 'o\u{1F600}',
  bmp: 'o\uFF61',
  /** Sub-prefixes that a delimiter listing must give once each and in order, and one a "$$" marker must page past. */
  astralDir: 'c\u{1F600}/y',
  bmpDir: 'c\uFF61/y',
  dollars: 'q$$/x',
} as const;

/** What the bucket answered to the probe. Names are below the probe's folder. */
export interface ProbeAnswers {
  /** The ETag of the first PUT, and the MD5 (hex) of its body. */
  etag: string;
  bodyMd5: string;
  /** The PUT with a wrong Content-MD5 was refused with 400. */
  refusedBadDigest: boolean;
  /** The droppable headers a HEAD of the first object gave back. */
  keptHeaders: readonly DroppableHeader[];
  /** A plain listing of the probe's folder, in the server's order. */
  listed: readonly string[];
  /** A listing with delimiter "/" a key at a time, in the server's order; undefined when it failed. */
  delimited: readonly string[] | undefined;
}

/** The entries a delimiter listing of a folder gives for these keys: each key without "/", each sub-prefix once. */
function delimitedEntries(listed: readonly string[]): string[] {
  const entries: string[] = [];
  for (const name of listed) {
    const slash = name.indexOf('/');
    const entry = slash < 0 ? name : name.slice(0, slash + 1);
    if (!entries.includes(entry)) entries.push(entry);
  }
  return entries;
}

function keyRulesFrom(listed: readonly string[]): KeyRules {
  const has = (name: string) => listed.includes(name);
  if (!has(PROBE_KEYS.doubleSlash) && has('a/b')) return 'nsfs';
  if (!has(PROBE_KEYS.folder) && has('f/')) return 'noobaa';
  return 's3';
}

function nearestKind(keyRules: KeyRules): BucketKind {
  return keyRules === 'nsfs' ? 'noobaa-nsfs' : keyRules === 'noobaa' ? 'noobaa-data' : 's3';
}

/** The profile the probe's answers show. */
export function profileFrom(answers: ProbeAnswers): Omit<TargetProfile, 'from'> {
  const keyRules = keyRulesFrom(answers.listed);
  const astral = answers.listed.indexOf(PROBE_KEYS.astral);
  const bmp = answers.listed.indexOf(PROBE_KEYS.bmp);
  const order = astral >= 0 && bmp >= 0 && astral < bmp ? 'utf16' : 'utf8';
  const expected = delimitedEntries(answers.listed);
  const delimiterListing = answers.delimited !== undefined && answers.delimited.length === expected.length
    && answers.delimited.every((entry, at) => entry === expected[at]);
  return {
    kind: nearestKind(keyRules),
    keyRules,
    md5Etags: answers.etag === answers.bodyMd5,
    checksContentMd5: answers.refusedBadDigest,
    etagsNameVersions: !MD5_HEX.test(answers.etag.replace(/-\d+$/, '')),
    order,
    delimiterListing,
    // Subtrees pay where a listing walks a file tree (NooBaa NSFS: about 2 ms of its CPU per key) and only where a
    // delimiter listing is whole; elsewhere a listing is an index or database query (0.06-0.18 ms per key on a data
    // bucket) and one paged listing is as fast.
    listing: delimiterListing && keyRules === 'nsfs' ? 'subtrees' : 'pages',
    droppedHeaders: DROPPABLE_HEADERS.filter((header) => !answers.keptHeaders.includes(header)),
  };
}

/** What a read-only run (DRY_RUN, plan, verify) can tell without writing: listed ETags that name versions show a
 *  file-backed NooBaa bucket; anything else is taken as plain S3, listed by pages with the order repaired. */
export function profileFromListing(etags: readonly string[]): TargetProfile {
  const fileBacked = etags.some((etag) => VERSION_ETAG.test(etag));
  return fileBacked ? { ...KINDS['noobaa-nsfs'], from: 'listing' } : { ...KINDS.s3, order: 'unknown', from: 'listing' };
}

/** The profile of a named kind (BUCKET_KIND). */
export function profileOfKind(kind: BucketKind): TargetProfile {
  return { ...KINDS[kind], from: 'BUCKET_KIND' };
}

/** The profile in one line's fields, for the log. */
export function describeProfile(profile: TargetProfile): Record<string, unknown> {
  return { ...profile, droppedHeaders: profile.droppedHeaders.join(',') || 'none' };
}
