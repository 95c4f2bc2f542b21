// What loading one module costs the copier at start: resident memory and milliseconds. node bench/import-cost.ts <module>
const what = process.argv[2];
if (!what) { console.error('usage: node bench/import-cost.ts <module or ./path>'); process.exit(2); }
const before = process.memoryUsage().rss;
const started = performance.now();
await import(what.startsWith('.') ? new URL(`../${what}`, import.meta.url).href : what);
console.log(`${what}: +${Math.round((process.memoryUsage().rss - before) / 1048576)} MiB RSS (${Math.round(process.memoryUsage().rss / 1048576)} MiB in all), ${Math.round(performance.now() - started)} ms`);
