// Prometheus metrics of a run (prom-client), read from Stats at scrape time so the copy path stays unaware of them.
import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Stats } from './stats.ts';

export function metricsRegistry(stats: Stats): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'swift_to_s3_process_' });
  new Counter({
    name: 'swift_to_s3_objects_total', help: 'Objects of this shard by outcome', labelNames: ['outcome'], registers: [registry],
    collect() {
      this.reset();
      for (const [outcome, value] of Object.entries({ copied: stats.copied, unchanged: stats.unchanged, adopted: stats.adopted, skipped: stats.skipped, failed: stats.failed, deleted: stats.deleted })) this.inc({ outcome }, value);
    },
  });
  new Counter({ name: 'swift_to_s3_bytes_copied_total', help: 'Bytes copied', registers: [registry], collect() { this.reset(); this.inc(stats.bytesCopied); } });
  new Counter({ name: 'swift_to_s3_objects_listed_total', help: 'Source objects listed (all shards)', registers: [registry], collect() { this.reset(); this.inc(stats.listed); } });
  new Counter({
    name: 'swift_to_s3_retries_total', help: 'Retries by cause', labelNames: ['cause'], registers: [registry],
    collect() { this.reset(); for (const [cause, value] of stats.retries) this.inc({ cause }, value); },
  });
  new Counter({
    name: 'swift_to_s3_requests_total', help: 'Requests by operation', labelNames: ['operation'], registers: [registry],
    collect() { this.reset(); for (const [operation, value] of stats.requests) this.inc({ operation }, value); },
  });
  new Counter({
    name: 'swift_to_s3_request_seconds_total', help: 'Time spent in requests by operation (divide by requests_total for the mean latency)', labelNames: ['operation'], registers: [registry],
    collect() { this.reset(); for (const [operation, { totalMs }] of stats.latency) this.inc({ operation }, totalMs / 1000); },
  });
  new Counter({
    name: 'swift_to_s3_outages_total', help: 'Outages of Swift or S3 waited out (or that ended the run)', labelNames: ['side'], registers: [registry],
    collect() { this.reset(); for (const [side, { count }] of Object.entries(stats.outages)) this.inc({ side }, count); },
  });
  new Counter({
    name: 'swift_to_s3_outage_seconds_total', help: 'Seconds of outages of Swift or S3', labelNames: ['side'], registers: [registry],
    collect() { this.reset(); for (const [side, { seconds }] of Object.entries(stats.outages)) this.inc({ side }, seconds); },
  });
  new Gauge({ name: 'swift_to_s3_transfers_in_flight', help: 'Objects being copied now', registers: [registry], collect() { this.set(stats.inFlight); } });
  return registry;
}

/** Serves GET /metrics on `port` (all interfaces, as a pod's port must be). */
export async function serveMetrics(stats: Stats, port: number, host = '0.0.0.0'): Promise<Server> {
  const registry = metricsRegistry(stats);
  const server = createServer((request, response) => {
    if (request.url !== '/metrics') { response.writeHead(404).end(); return; }
    registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text),
      () => response.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(port, host, resolve); });
  server.unref();
  return server;
}
