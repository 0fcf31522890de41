// node_fetch: the URLs fetched by Node's fetch (undici, built in since Node
// 18), a promise per URL on Node's one-threaded event loop (libuv: chapter
// 07's reactor; chapter 08's deferreds as promises). undici's default
// Agent sets no cap on connections per origin (connections: null).
// Same command line as the Python peers: URLs on stdin, --save DIR, --timeout S.
// Left out: retries.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";

let opts;
try {
  ({ values: opts } = parseArgs({
    options: { save: { type: "string" }, timeout: { type: "string", default: "60" },
               help: { type: "boolean" } },
  }));
  if (!(Number(opts.timeout) > 0)) throw new Error(`--timeout: not a number of seconds: ${opts.timeout}`);
} catch (e) {
  console.error(`node_fetch: ${e.message}\nTry 'node node_fetch.mjs --help'.`);
  process.exit(2);
}
if (opts.help) {
  console.log("usage: node node_fetch.mjs [--save DIR] [--timeout S] < URLS\nFetch with Node's fetch, a promise per URL.");
  process.exit(0);
}
let input = "";
for await (const chunk of process.stdin) input += chunk;
const urls = input.split("\n").filter((line) => line.trim() !== "");
const t0 = performance.now();

async function load(url) {
  const answer = await fetch(url, { signal: AbortSignal.timeout(Number(opts.timeout) * 1000) });
  const body = Buffer.from(await answer.arrayBuffer());
  if (answer.status !== 200) throw new Error(`status ${answer.status}`);
  return body;
}

const results = await Promise.allSettled(urls.map(load));
let failed = 0, size = 0;
results.forEach((r, i) => {
  if (r.status === "rejected") {
    failed++;
    console.error(`node: ${urls[i]}: ${r.reason?.cause?.message ?? r.reason?.message}`);
  } else {
    size += r.value.length;
    if (opts.save) writeFileSync(join(opts.save, String(i + 1)), r.value);
  }
});
const wall = (performance.now() - t0) / 1000;
console.log(`node: ${urls.length - failed} fetched, ${failed} failed, ${size} bytes in ${wall.toFixed(3)} s`);
process.exitCode = failed ? 1 : 0;
