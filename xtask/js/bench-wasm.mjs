// The WebAssembly half of `cargo xtask bench-promql`: loads the benchmark
// entry (wasm-bindgen's `--target web` output in DIR) in a page of headless
// Chromium and prints what its `run(RUNS)` returns: a `data ready` line,
// then `name<TAB>kind<TAB>milliseconds` per query.
//
// usage: node bench-wasm.mjs DIR RUNS

import { chromium } from "playwright-core";
import http from "node:http";
import fs from "node:fs";
import path from "node:path";

const [dir, runsArg] = process.argv.slice(2);
if (!dir || !runsArg) {
  console.error("usage: node bench-wasm.mjs DIR RUNS");
  process.exit(2);
}
const runs = Number(runsArg);
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm",
};

const server = http.createServer((req, res) => {
  const name = path.basename(new URL(req.url, "http://localhost").pathname) || "index.html";
  fs.readFile(path.join(dir, name), (err, body) => {
    if (err) {
      res.writeHead(404).end("not found");
      return;
    }
    res.writeHead(200, { "content-type": TYPES[path.extname(name)] || "application/octet-stream" });
    res.end(body);
  });
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const base = `http://127.0.0.1:${server.address().port}/`;

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu"],
});
let failed = false;
try {
  const page = await browser.newPage();
  page.on("pageerror", (e) => {
    console.error(`page error: ${e}`);
    failed = true;
  });
  await page.goto(base);
  const out = await page.evaluate(async (runs) => {
    const m = await import("./promql_bench_wasm.js");
    await m.default();
    return m.run(runs);
  }, runs);
  process.stdout.write(out);
} catch (e) {
  console.error(`${e}`);
  failed = true;
} finally {
  await browser.close();
  server.close();
}
process.exit(failed ? 1 : 0);
