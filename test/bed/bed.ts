// The local test bed: a real OpenStack Swift (Debian's swift-* servers, tempauth, one replica) on 127.0.0.1,
// with Swift's own s3api middleware in the same proxy serving a real S3 API for a second account.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync, existsSync, openSync } from 'node:fs';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** What a test needs to reach the bed. Swift user/key mirror docker-swift-onlyone. */
export interface BedEndpoints {
  swiftAuthUrl: string;
  swiftUser: string;
  swiftKey: string;
  s3Endpoint: string;
  s3AccessKeyId: string;
  s3SecretAccessKey: string;
  proxyPort: number;
}

export interface Bed extends BedEndpoints {
  stop(): Promise<void>;
  /** Stops the proxy's memcached (tempauth's token store) and starts it again, empty, after `downMs`. */
  restartMemcached(downMs: number): Promise<void>;
}

export const SWIFT_USER = 'chris:chris1234';
export const SWIFT_KEY = 'testing';
export const S3_ACCESS_KEY_ID = 's3test:tester';
export const S3_SECRET_ACCESS_KEY = 'testsecret';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function serverConf(kind: 'account' | 'container' | 'object', port: number, dir: string, user: string): string {
  return `[DEFAULT]
bind_ip = 127.0.0.1
bind_port = ${port}
devices = ${dir}/srv
mount_check = false
swift_dir = ${dir}/etc
user = ${user}
workers = 1
log_name = ${kind}-server
log_level = WARNING

[pipeline:main]
pipeline = ${kind}-server

[app:${kind}-server]
use = egg:swift#${kind}
`;
}

function proxyConf(port: number, memcachePort: number, dir: string, user: string): string {
  return `[DEFAULT]
bind_ip = 127.0.0.1
bind_port = ${port}
swift_dir = ${dir}/etc
user = ${user}
workers = 2
log_name = proxy-server
log_level = WARNING

[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats bulk ratelimit s3api tempauth copy slo dlo symlink proxy-logging proxy-server

[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true
allow_account_management = true
node_timeout = 30

[filter:tempauth]
use = egg:swift#tempauth
user_chris_chris1234 = ${SWIFT_KEY} .admin
user_admin_admin = admin .reseller_admin
user_s3test_tester = ${S3_SECRET_ACCESS_KEY} .admin

[filter:s3api]
use = egg:swift#s3api
location = us-east-1
s3_acl = false
allow_multipart_uploads = true
max_upload_part_num = 10000
max_bucket_listing = 1000

[filter:cache]
use = egg:swift#memcache
memcache_servers = 127.0.0.1:${memcachePort}
# Swift's default is 2 connections per worker with a 1 s wait for one: a burst of a few hundred requests (the suite's
# files in parallel) then times out enough memcache calls that the proxy stops using memcached for a minute, and
# tempauth refuses every token (measured: 800 concurrent HEADs). The copier rides that out (test/faults/outage.test.ts
# restarts memcached on purpose); the shared bed should not do it by accident.
memcache_max_connections = 32

[filter:catch_errors]
use = egg:swift#catch_errors
[filter:gatekeeper]
use = egg:swift#gatekeeper
[filter:healthcheck]
use = egg:swift#healthcheck
[filter:proxy-logging]
use = egg:swift#proxy_logging
[filter:listing_formats]
use = egg:swift#listing_formats
[filter:bulk]
use = egg:swift#bulk
[filter:ratelimit]
use = egg:swift#ratelimit
[filter:copy]
use = egg:swift#copy
[filter:slo]
use = egg:swift#slo
min_segment_size = 1
[filter:dlo]
use = egg:swift#dlo
[filter:symlink]
use = egg:swift#symlink
`;
}

function buildRing(etcDir: string, kind: string, port: number): void {
  const builder = join(etcDir, `${kind}.builder`);
  const run = (...args: string[]) => {
    const result = spawnSync('swift-ring-builder', [builder, ...args], { encoding: 'utf8' });
    // exit 1 from rebalance is a warning ("no partitions reassigned"), not a failure
    if (result.status !== 0 && result.status !== 1) throw new Error(`swift-ring-builder ${args.join(' ')}: ${result.stderr}${result.stdout}`);
  };
  run('create', '4', '1', '1');
  run('add', `r1z1-127.0.0.1:${port}/d1`, '100');
  run('rebalance');
}

function ensureSwiftConf(): void {
  // Swift reads its hash path settings from this fixed path; Debian's package ships one, a bare machine may not.
  if (existsSync('/etc/swift/swift.conf')) return;
  mkdirSync('/etc/swift', { recursive: true });
  writeFileSync('/etc/swift/swift.conf', '[swift-hash]\nswift_hash_path_suffix = swift-to-s3-bed\n\n[storage-policy:0]\nname = Policy-0\ndefault = yes\n');
}

async function waitForProxy(port: number, children: ChildProcess[], deadlineMs: number): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    const dead = children.find((child) => child.exitCode !== null);
    if (dead) throw new Error(`test bed: ${dead.spawnfile} exited with ${dead.exitCode}`);
    try {
      const auth = await fetch(`http://127.0.0.1:${port}/auth/v1.0`, { headers: { 'x-auth-user': SWIFT_USER, 'x-auth-key': SWIFT_KEY } });
      const token = auth.headers.get('x-auth-token');
      const storage = auth.headers.get('x-storage-url');
      if (auth.ok && token && storage) {
        // Account, container and object servers are up once a container can be made and removed.
        const probe = await fetch(`${storage}/bed-probe`, { method: 'PUT', headers: { 'x-auth-token': token } });
        if (probe.status === 201 || probe.status === 202) {
          await fetch(`${storage}/bed-probe`, { method: 'DELETE', headers: { 'x-auth-token': token } });
          return;
        }
      }
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(`test bed: Swift proxy on 127.0.0.1:${port} not ready within ${deadlineMs} ms`);
}

/** Starts memcached and the four Swift servers in `dir` (wiped first); resolves once Swift answers. */
export async function startBed(dir: string): Promise<Bed> {
  rmSync(dir, { recursive: true, force: true });
  const etcDir = join(dir, 'etc');
  mkdirSync(etcDir, { recursive: true });
  mkdirSync(join(dir, 'srv', 'd1'), { recursive: true });
  mkdirSync(join(dir, 'log'), { recursive: true });
  ensureSwiftConf();
  const user = userInfo().username;
  const [memcachePort, proxyPort, accountPort, containerPort, objectPort] = await Promise.all(
    [0, 1, 2, 3, 4].map(() => freePort()),
  ) as [number, number, number, number, number];
  const ports = { account: accountPort, container: containerPort, object: objectPort };
  for (const kind of ['account', 'container', 'object'] as const) {
    buildRing(etcDir, kind, ports[kind]);
    writeFileSync(join(etcDir, `${kind}-server.conf`), serverConf(kind, ports[kind], dir, user));
  }
  writeFileSync(join(etcDir, 'proxy-server.conf'), proxyConf(proxyPort, memcachePort, dir, user));

  const children: ChildProcess[] = [];
  const launch = (command: string, args: string[], name: string) => {
    const log = openSync(join(dir, 'log', `${name}.log`), 'a');
    const child = spawn(command, args, { stdio: ['ignore', log, log], detached: true });
    children.push(child);
    return child;
  };
  const launchMemcached = () => launch('memcached', ['-l', '127.0.0.1', '-p', String(memcachePort), '-U', '0', '-m', '64', ...(user === 'root' ? ['-u', 'root'] : [])], 'memcached');
  let memcached = launchMemcached();
  for (const kind of ['account', 'container', 'object'] as const) {
    launch(`swift-${kind}-server`, [join(etcDir, `${kind}-server.conf`)], `${kind}-server`);
  }
  launch('swift-proxy-server', [join(etcDir, 'proxy-server.conf')], 'proxy-server');

  const stopChildren = async (stopping: ChildProcess[]) => {
    for (const child of stopping) {
      if (child.exitCode === null && child.pid) {
        try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ }
      }
    }
    await Promise.all(stopping.filter((child) => child.exitCode === null).map((child) => Promise.race([
      new Promise((resolve) => child.once('exit', resolve)),
      sleep(5000).then(() => { try { if (child.pid) process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } }),
    ])));
  };
  const stop = () => stopChildren(children);
  const restartMemcached = async (downMs: number) => {
    await stopChildren([memcached]);
    await sleep(downMs);
    memcached = launchMemcached();
  };
  try {
    await waitForProxy(proxyPort, children, 60_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    swiftAuthUrl: `http://127.0.0.1:${proxyPort}/auth/v1.0`,
    swiftUser: SWIFT_USER,
    swiftKey: SWIFT_KEY,
    s3Endpoint: `http://127.0.0.1:${proxyPort}`,
    s3AccessKeyId: S3_ACCESS_KEY_ID,
    s3SecretAccessKey: S3_SECRET_ACCESS_KEY,
    proxyPort,
    stop,
    restartMemcached,
  };
}
