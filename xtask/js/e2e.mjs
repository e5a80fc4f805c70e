// End-to-end tests of the built site in headless Chromium.
//
// usage: node e2e.mjs DIST_DIR ARTIFACTS_DIR
//
// Serves DIST_DIR on a loopback port under a sub-path (the site must work
// from any static server under any sub-path), drives Debian's Chromium with
// playwright-core, saves a screenshot per test into ARTIFACTS_DIR, and ends
// with the line `e2e: N passed, M failed`. Any console error or uncaught
// page error fails the test it happens in.

import { chromium } from "playwright-core";
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import os from "node:os";
import net from "node:net";
import { spawn } from "node:child_process";
import zlib from "node:zlib";

const [distDir, artifactsDir] = process.argv.slice(2);
if (!distDir || !artifactsDir) {
  console.error("usage: node e2e.mjs DIST_DIR ARTIFACTS_DIR");
  process.exit(2);
}
fs.mkdirSync(artifactsDir, { recursive: true });

const SUB_PATH = "/labs/promlab/";
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".json": "application/json",
};

// A page a real exporter would serve, for the real-target tests.
const FAKE_EXPORTER_PAGE = "# HELP fake_requests_total Requests.\n# TYPE fake_requests_total counter\nfake_requests_total{code=\"200\"} 42\n";

// A plain static server: files under SUB_PATH, 404 for everything else,
// and a fake exporter at SUB_PATH + "fake/metrics".
const server = http.createServer((req, res) => {
  const url = new URL(req.url, "http://localhost");
  if (url.pathname === `${SUB_PATH}fake/metrics`) {
    res.writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" });
    res.end(FAKE_EXPORTER_PAGE);
    return;
  }
  // The loopback proxy `cargo xtask serve` offers (trunk.toml's [[proxy]]):
  // a local node_exporter on the site's own origin, so no CORS is needed.
  const proxy = `${SUB_PATH}proxy/node-exporter/`;
  if (url.pathname.startsWith(proxy)) {
    const upstream = http.request({
      host: "127.0.0.1", port: nodePort, method: req.method,
      path: `/${url.pathname.slice(proxy.length)}${url.search}`,
      headers: { accept: req.headers.accept || "*/*" },
    }, (up) => {
      res.writeHead(up.statusCode, { "content-type": up.headers["content-type"] || "text/plain" });
      up.pipe(res);
    });
    upstream.on("error", () => res.writeHead(502).end("node_exporter is not running"));
    req.pipe(upstream);
    return;
  }
  if (!url.pathname.startsWith(SUB_PATH)) {
    res.writeHead(404).end("not found");
    return;
  }
  let rel = decodeURIComponent(url.pathname.slice(SUB_PATH.length)) || "index.html";
  const file = path.join(distDir, path.normalize(rel).replace(/^(\.\.[/\\])+/, ""));
  fs.readFile(file, (err, body) => {
    if (err) {
      res.writeHead(404).end("not found");
      return;
    }
    res.writeHead(200, { "content-type": TYPES[path.extname(file)] || "application/octet-stream" });
    res.end(body);
  });
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const base = `http://127.0.0.1:${server.address().port}${SUB_PATH}`;

// An exporter on another origin that sends no CORS header: the browser
// must refuse to let the page read it.
const otherOrigin = http.createServer((req, res) => {
  res.writeHead(200, { "content-type": "text/plain" });
  res.end(FAKE_EXPORTER_PAGE);
});
await new Promise((resolve) => otherOrigin.listen(0, "127.0.0.1", resolve));
const noCorsUrl = `http://127.0.0.1:${otherOrigin.address().port}/metrics`;

// The real node_exporter and Prometheus (PROMLAB_REFERENCE_BIN), on free
// loopback ports, for the data-source tests.
const referenceBin = process.env.PROMLAB_REFERENCE_BIN;
if (!referenceBin) {
  console.error("PROMLAB_REFERENCE_BIN must name the directory of the reference binaries");
  process.exit(2);
}
async function freePort() {
  const srv = net.createServer();
  await new Promise((resolve) => srv.listen(0, "127.0.0.1", resolve));
  const { port } = srv.address();
  await new Promise((resolve) => srv.close(resolve));
  return port;
}
async function waitForHttp(url, ms) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer within ${ms} ms`);
}
const children = [];
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "promlab-e2e-"));
const nodePort = await freePort();
children.push(spawn(path.join(referenceBin, "prometheus-node-exporter"),
  [`--web.listen-address=127.0.0.1:${nodePort}`], { stdio: "ignore" }));
const promPort = await freePort();
fs.writeFileSync(path.join(scratch, "prometheus.yml"),
  `global: {scrape_interval: 1s}\nscrape_configs:\n  - job_name: prometheus\n    static_configs: [{targets: ["127.0.0.1:${promPort}"]}]\n`);
children.push(spawn(path.join(referenceBin, "prometheus"), [
  `--config.file=${path.join(scratch, "prometheus.yml")}`,
  `--storage.tsdb.path=${path.join(scratch, "data")}`,
  `--web.listen-address=127.0.0.1:${promPort}`,
], { stdio: "ignore" }));
const promUrl = `http://127.0.0.1:${promPort}`;
await waitForHttp(`http://127.0.0.1:${nodePort}/metrics`, 20000);
await waitForHttp(`${promUrl}/-/ready`, 30000);

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});

let passed = 0;
let failed = 0;

/** Runs one test in a fresh page; fails it on any console error. */
async function test(name, body, options = {}) {
  const allowed = options.allowConsoleErrors || [];
  const context = await browser.newContext({ viewport: options.viewport || { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems = [];
  const requests = [];
  page.on("console", (msg) => {
    if (msg.type() === "error" && !allowed.some((re) => re.test(msg.text()))) {
      problems.push(`console error: ${msg.text()}`);
    }
  });
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  page.on("request", (req) => requests.push(req.url()));
  page.on("requestfailed", (req) => {
    if (!allowed.some((re) => re.test(req.url()))) problems.push(`request failed: ${req.url()}`);
  });
  page.on("response", (resp) => {
    if (resp.status() >= 400) problems.push(`HTTP ${resp.status()} for ${resp.url()}`);
  });
  const started = Date.now();
  try {
    await page.goto(base, { waitUntil: "load" });
    await page.waitForSelector("#send-ping", { timeout: 20000 });
    await body(page, { requests });
    if (problems.length) throw new Error(problems.join("\n"));
    passed++;
    console.log(`test ${name} ... ok (${Date.now() - started} ms)`);
  } catch (err) {
    failed++;
    console.log(`test ${name} ... FAILED\n  ${String(err && err.stack || err).split("\n").join("\n  ")}`);
    if (problems.length) console.log(`  ${problems.join("\n  ")}`);
  } finally {
    const shot = path.join(artifactsDir, `${name}.png`);
    await page.screenshot({ path: shot, fullPage: true }).catch(() => {});
    await context.close();
  }
}

function assert(cond, message) {
  if (!cond) throw new Error(message);
}

// A reload aborts the first load's downloads still in flight (the
// worker's wasm, the icon); a missing file is still an HTTP 404, which
// fails the test.
const RELOAD_ABORTS = /\/labs\/promlab\/[^/]+\.(wasm|js|svg|css)$/;

/** Opens the data sources page. */
async function toSources(page) {
  await page.click('nav a[href="#/data-sources"]');
  await page.waitForSelector("#target-url");
}

async function runQuery(page, query) {
  if (!(await page.$("#query-input"))) {
    await page.click('nav a[href="#/query"]');
    await page.waitForSelector("#query-input");
  }
  await page.fill("#query-input", query);
  await page.press("#query-input", "Control+Enter");
}

/** Counts canvas pixels close to the first series colour. */
async function seriesPixels(page) {
  return page.evaluate(() => {
    const canvas = document.querySelector("canvas#graph");
    if (!canvas) return -1;
    const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
    let n = 0;
    for (let i = 0; i < data.length; i += 4) {
      const near = (a, b) => Math.abs(a - b) < 24;
      if (near(data[i], 0x1f) && near(data[i + 1], 0x77) && near(data[i + 2], 0xb4)) n++;
    }
    return n;
  });
}

// What a visitor downloads: the WebAssembly and JavaScript of the site,
// raw and gzipped (as a static server would send them compressed).
{
  const sizes = { wasm: [0, 0], js: [0, 0] };
  for (const f of fs.readdirSync(distDir)) {
    const kind = f.endsWith(".wasm") ? "wasm" : f.endsWith(".js") ? "js" : null;
    if (!kind) continue;
    const body = fs.readFileSync(path.join(distDir, f));
    sizes[kind][0] += body.length;
    sizes[kind][1] += zlib.gzipSync(body, { level: 9 }).length;
    console.log(`metric: ${f}: ${body.length} bytes, ${zlib.gzipSync(body, { level: 9 }).length} gzipped`);
  }
  for (const [kind, [raw, gz]] of Object.entries(sizes)) {
    console.log(`metric: all ${kind}: ${raw} bytes, ${gz} gzipped`);
  }
}

await test("load-to-first-graph", async (page) => {
  // A fresh page opened on a link to a graph, timed until the graph is
  // drawn: loading the page, starting the engine's worker with its hour of
  // history, the range query and the drawing.
  const context = page.context();
  const fresh = await context.newPage();
  const started = Date.now();
  await fresh.goto(`${base}#/query?expr=${encodeURIComponent("rate(node_cpu_seconds_total{mode=\"user\"}[5m])")}&tab=graph`);
  await fresh.waitForSelector('canvas#graph[data-drawn="true"]', { timeout: 60000 });
  console.log(`metric: load to first graph: ${Date.now() - started} ms`);
  await fresh.screenshot({ path: path.join(artifactsDir, "load-to-first-graph.png") });
  await fresh.close();
});

await test("a-corrupt-store-is-reported-and-the-lab-starts-clean", async (page) => {
  await page.evaluate(() => localStorage.setItem("promlab.query-history", "{not json"));
  await page.reload();
  await page.waitForSelector(".clock-error");
  const error = await page.textContent(".clock-error");
  assert(error.includes('"query-history"') && error.includes("reset"), `reported: ${error}`);
  assert(await page.evaluate(() => localStorage.getItem("promlab.query-history") === null), "reset");
  await runQuery(page, "up");
  await page.waitForSelector(".result-table td.value");
  // A reload may abort the first load's worker download; the lab answering
  // above shows the second one loaded.
}, { allowConsoleErrors: [RELOAD_ABORTS] });

await test("six-pings-show-in-table-and-graph", async (page) => {
  for (let i = 0; i < 6; i++) await page.click("#send-ping");
  await page.waitForFunction(() => document.querySelector("#ping-count")?.textContent === "6");
  const before = await page.textContent("#clock-time");
  await page.click("#step-15s");
  await page.waitForFunction((t) => document.querySelector("#clock-time")?.textContent !== t, before);
  await runQuery(page, "ping_request_count");
  await page.waitForSelector(".result-table td.value");
  const value = await page.textContent(".result-table td.value");
  assert(value === "6", `table shows ${value}, expected 6`);
  const series = await page.textContent(".result-table td .series");
  assert(series.includes('job="prom-example"'), `series ${series}`);
  await page.click("#tab-graph");
  await page.waitForSelector('canvas#graph[data-drawn="true"]');
  const pixels = await seriesPixels(page);
  assert(pixels > 200, `graph has ${pixels} pixels in the series colour`);
});

/** The texts of all elements matching `selector`. */
async function texts(page, selector) {
  return page.$$eval(selector, (els) => els.map((e) => e.textContent));
}

await test("playground-table-sorts-and-counts", async (page) => {
  await page.click("#step-15s");
  await runQuery(page, "node_load1");
  await page.waitForSelector(".result-table td.value");
  const count = await page.textContent("#series-count");
  assert(count === "3 series", `count: ${count}`);
  assert(/\d{4}-\d\d-\d\dT/.test(await page.textContent(".eval-time")), "evaluation time shown");
  await page.click("th.value button");
  let values = (await texts(page, ".result-table tbody td.value")).map(Number);
  assert(values.every((v, i) => i === 0 || values[i - 1] >= v), `largest first: ${values}`);
  await page.click("th.value button");
  values = (await texts(page, ".result-table tbody td.value")).map(Number);
  assert(values.every((v, i) => i === 0 || values[i - 1] <= v), `smallest first: ${values}`);
  await page.click("th.series-col button");
  await page.click("th.series-col button");
  const rows = await texts(page, ".result-table tbody td .series");
  assert([...rows].sort().reverse().join() === rows.join(), `series descending: ${rows}`);
  assert((await page.getAttribute("th.series-col", "aria-sort")) === "descending", "aria-sort");
  // A scalar is shown too.
  await runQuery(page, "scalar(sum(up))");
  await page.waitForFunction(() => document.querySelector(".result-table td .muted")?.textContent === "scalar");
});

await test("playground-graph-legend-toggle-and-hover", async (page) => {
  await runQuery(page, "node_memory_MemAvailable_bytes");
  await page.click("#tab-graph");
  await page.waitForSelector('canvas#graph[data-drawn="true"]');
  assert((await page.$$(".legend-item")).length === 3, "three nodes in the legend");
  assert(page.url().includes("tab=graph"), `tab in the URL: ${page.url()}`);
  const before = await seriesPixels(page);
  assert(before > 100, `first series drawn: ${before}`);
  // Click hides the first series; click again shows it.
  await page.click(".legend-item >> nth=0");
  await page.waitForSelector(".legend-item.hidden");
  const hidden = await seriesPixels(page);
  assert(hidden < before / 4, `hidden series still has ${hidden} pixels (was ${before})`);
  await page.click(".legend-item >> nth=0");
  await page.waitForFunction(() => !document.querySelector(".legend-item.hidden"));
  // Double-click shows the second alone; again shows all.
  await page.dblclick(".legend-item >> nth=1");
  await page.waitForFunction(() => document.querySelectorAll(".legend-item.hidden").length === 2);
  assert(!(await page.getAttribute(".legend-item >> nth=1", "class")).includes("hidden"), "the isolated one shows");
  await page.dblclick(".legend-item >> nth=1");
  await page.waitForFunction(() => document.querySelectorAll(".legend-item.hidden").length === 0);
  // Bytes on the value axis, and a tooltip with time, series and value
  // under the pointer.
  const box = await page.locator("canvas#graph").boundingBox();
  await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.4);
  await page.waitForSelector(".graph-tooltip");
  const tip = await page.textContent(".graph-tooltip");
  assert(/node_memory_MemAvailable_bytes\{/.test(tip), `tooltip series: ${tip}`);
  assert(/\d+(\.\d+)? (GiB|MiB)/.test(tip), `tooltip value in bytes: ${tip}`);
  assert(/T\d\d:\d\d:\d\d(\.\d+)?Z/.test(tip), `tooltip time: ${tip}`);
  const during = await seriesPixels(page);
  assert(during > 100, `the graph stays drawn under the tooltip: ${during} pixels`);
  await page.screenshot({ path: path.join(artifactsDir, "playground-graph-hover.png") });
  // Stacked, a range and a resolution: into the URL.
  await page.click("#mode-stacked");
  await page.selectOption("#graph-range", String(6 * 3600_000));
  await page.selectOption("#graph-step", String(60_000));
  await page.waitForFunction(() => location.hash.includes("range=6h") && location.hash.includes("step=1m") && location.hash.includes("stacked=1"));
  await page.waitForSelector('canvas#graph[data-drawn="true"]');
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5);
});

await test("playground-graph-1920", async (page) => {
  await runQuery(page, "rate(node_cpu_seconds_total{mode!=\"idle\"}[5m])");
  await page.click("#tab-graph");
  await page.waitForSelector('canvas#graph[data-drawn="true"]');
  const width = await page.$eval("canvas#graph", (c) => c.width);
  assert(width > 1100, `the graph uses the width: ${width}`);
}, { viewport: { width: 1920, height: 1080 } });

await test("playground-explain-tree", async (page) => {
  await runQuery(page, "sum by (job) (rate(ping_request_count[5m])) * 60");
  await page.click("#tab-explain");
  await page.waitForSelector(".explain-node");
  const exprs = await texts(page, ".explain-expr");
  assert(exprs[0] === "sum by (job) (rate(ping_request_count[5m])) * 60", `root: ${exprs[0]}`);
  assert(exprs.includes("ping_request_count[5m]"), `the selector node: ${exprs}`);
  assert((await page.$$(".explain-node")).length >= 4, "a node per sub-expression");
  assert((await texts(page, ".badge")).some((b) => /series/.test(b)), "series counts");
  // Fold the root, unfold it; a click puts a node's text into the editor.
  await page.click(".explain-node >> nth=0 >> .fold");
  await page.waitForSelector(".explain-node.folded");
  assert((await page.$$(".explain-node")).length === 1, "folded");
  await page.click(".explain-node >> nth=0 >> .fold");
  await page.click('.explain-expr >> text="ping_request_count[5m]"');
  assert((await page.inputValue("#query-input")) === "ping_request_count[5m]", "picked into the editor");
  // A query the engine refuses says why.
  await runQuery(page, "rate(up)");
  await page.waitForSelector(".query-error");
  assert((await page.textContent(".query-error")).includes("range vector"), await page.textContent(".query-error"));
});

await test("playground-history-and-url-state", async (page) => {
  for (const q of ["up", "ping_request_count", "up"]) {
    await runQuery(page, q);
    await page.waitForFunction((q) => decodeURIComponent(location.hash).includes(`expr=${q}&`), q);
  }
  await page.click("#history-toggle");
  await page.waitForSelector(".history-item");
  assert((await texts(page, ".history-item")).join() === "up,ping_request_count", "latest first, once each");
  await page.fill(".history-filter", "ping");
  await page.waitForFunction(() => document.querySelectorAll(".history-item").length === 1);
  await page.screenshot({ path: path.join(artifactsDir, "playground-history-open.png") });
  await page.click(".history-item");
  await page.waitForFunction(() => location.hash.includes("expr=ping_request_count"));
  await page.click("#tab-graph");
  await page.selectOption("#graph-range", String(15 * 60_000));
  await page.waitForFunction(() => location.hash.includes("range=15m"));
  // The link reproduces the view in a fresh page; the history survives.
  // (In a second page of the same browser: its storage is shared.)
  const second = await page.context().newPage();
  await second.goto(page.url());
  await second.waitForSelector('canvas#graph[data-drawn="true"]', { timeout: 20000 });
  assert((await second.inputValue("#query-input")) === "ping_request_count", "the query from the link");
  assert((await second.inputValue("#graph-range")) === String(15 * 60_000), "the range from the link");
  assert((await second.textContent(".history-count")) === "2", "the history is kept");
  // A link with an end time shows that time and does not follow the clock.
  const third = await page.context().newPage();
  await third.goto(`${base}#/query?expr=up&tab=graph&end=2026-01-01T00:00:00Z&range=5m`);
  await third.waitForSelector('canvas#graph[data-drawn="true"]', { timeout: 20000 });
  assert((await third.inputValue("#graph-end")) === "2026-01-01T00:00:00Z", "end time");
  await third.screenshot({ path: path.join(artifactsDir, "playground-url-with-end.png") });
  await third.click("#graph-now");
  await third.waitForFunction(() => !location.hash.includes("end="));
  await second.close();
  await third.close();
});

await test("playground-cancel-a-slow-query", async (page) => {
  // Every series, counted at each second of the last hour: slow enough
  // to be seen running.
  const started = Date.now();
  await runQuery(page, 'max_over_time(count(count_over_time({__name__=~".+"}[5m]))[1h:250ms])');
  await page.waitForSelector("#cancel-query:not([disabled])", { timeout: 10000 });
  await page.click("#cancel-query");
  await page.waitForSelector("#query-cancelled");
  console.log(`  cancelled after ${Date.now() - started} ms`);
  // The page goes on working; the next query answers once the engine is
  // free again.
  await page.click("#send-ping");
  await runQuery(page, "up");
  await page.waitForSelector(".result-table td.value", { timeout: 120000 });
  assert(!(await page.isVisible("#query-cancelled")), "the note goes with the next run");
  console.log(`  next answer after ${Date.now() - started} ms`);
});

await test("playground-korean", async (page) => {
  await page.click(".lang-switch");
  await runQuery(page, "up");
  await page.waitForSelector(".result-table td.value");
  assert((await page.textContent("#tab-graph")) === "그래프", "tabs in Korean");
  assert((await page.textContent("#series-count")).startsWith("시리즈"), "count in Korean");
  await page.click("#tab-graph");
  await page.waitForSelector('canvas#graph[data-drawn="true"]');
});

await test("bad-query-shows-error-and-page-keeps-working", async (page) => {
  await runQuery(page, "ping_request_count{job=");
  await page.waitForSelector(".query-error");
  const text = await page.textContent(".query-error");
  assert(text.includes("parse error"), `error text: ${text}`);
  assert(await page.isVisible(".error-span"), "the error's span is marked");
  // The page still works: the app counts pings and a good query runs.
  await page.click("#send-ping");
  await page.waitForFunction(() => document.querySelector("#ping-count")?.textContent === "1");
  await runQuery(page, "up");
  await page.waitForSelector(".result-table td.value");
  assert(!(await page.isVisible(".query-error")), "the error is cleared");
  assert((await page.textContent(".result-table td.value")) === "1", "up is 1");
});

await test("editor-highlights-completes-and-matches-brackets", async (page) => {
  const input = "#query-input";
  await page.click(input);
  await page.keyboard.type("ping_req");
  await page.waitForSelector(".completion.selected");
  assert((await page.textContent(".completion.selected .name")) === "ping_request_count",
    "the metric is suggested first");
  await page.keyboard.press("Tab");
  assert((await page.inputValue(input)) === "ping_request_count", "Tab takes the suggestion");
  await page.keyboard.type("{");
  await page.waitForSelector(".completion .name >> text=job");
  await page.keyboard.type("jo");
  await page.keyboard.press("Tab");
  await page.keyboard.type("=");
  await page.waitForSelector(".completion .name >> text=prom-example");
  await page.keyboard.press("Tab");
  await page.keyboard.type("}");
  assert((await page.inputValue(input)) === 'ping_request_count{job="prom-example"}',
    `completed query: ${await page.inputValue(input)}`);
  // The brace just typed and its partner are marked; the parts are coloured.
  await page.waitForFunction(() => document.querySelectorAll(".editor-highlight .bracket-match").length === 2);
  assert((await page.textContent(".editor-highlight .tok-label")) === "job", "label coloured");
  // Functions come with their signature and documentation.
  await page.fill(input, "");
  await page.keyboard.type("sum(ra");
  await page.waitForSelector(".completion-doc");
  await page.keyboard.press("ArrowDown");
  await page.waitForFunction(() => document.querySelector(".completion-doc code")?.textContent.startsWith("rate("));
  await page.keyboard.press("Escape");
  // A parse error shows as it is typed, before the query runs.
  await page.keyboard.type("te(x[5m]");
  await page.waitForSelector(".query-error");
  assert((await page.textContent(".query-error")).includes("unclosed left parenthesis"),
    await page.textContent(".query-error"));
  await page.keyboard.type("))");
  await page.waitForSelector(".query-error", { state: "detached" });
});

await test("clock-runs-pauses-and-changes-speed", async (page) => {
  const t0 = await page.textContent("#clock-time");
  await page.waitForFunction((t) => document.querySelector("#clock-time")?.textContent !== t, t0, { timeout: 5000 });
  await page.click("#clock-toggle");
  await page.waitForSelector("#clock-time.paused");
  await page.waitForTimeout(300);
  const paused = await page.textContent("#clock-time");
  await page.waitForTimeout(1500);
  assert((await page.textContent("#clock-time")) === paused, "a paused clock stands still");
  await page.click("#clock-toggle");
  await page.click("text=600x");
  const fastFrom = await page.textContent("#clock-time");
  await page.waitForTimeout(1000);
  const fastTo = await page.textContent("#clock-time");
  const secs = (s) => Date.parse(s.replace(" UTC", "Z").replace(" ", "T")) / 1000;
  const advanced = secs(fastTo) - secs(fastFrom);
  assert(advanced >= 300, `at 600x one real second moved the clock only ${advanced}s`);
});

await test("site-loads-only-from-its-sub-path", async (page, { requests }) => {
  // blob: URLs are the page's own (the engine's worker is started from one).
  const outside = requests.filter((u) => !u.startsWith(base) && !u.startsWith("data:") && !u.startsWith("blob:"));
  assert(outside.length === 0, `requests outside ${base}: ${outside.join(", ")}`);
  assert(requests.some((u) => u.endsWith(".wasm")), "the wasm module was fetched");
  assert(requests.some((u) => u.endsWith("/worker.js")), "the engine's worker was loaded from the sub-path");
});

await test("real-exporter-is-scraped-and-cors-refusal-explained", async (page) => {
  await toSources(page);
  await page.fill("#target-url", `${base}fake/metrics`);
  await page.fill("#target-job", "fake");
  await page.click("#add-target");
  await page.click("#step-15s");
  await page.waitForSelector("tr.target.up", { timeout: 10000 });
  await runQuery(page, "fake_requests_total");
  await page.waitForSelector(".result-table td.value");
  assert((await page.textContent(".result-table td.value")) === "42", "the fake exporter's counter is stored");
  const series = await page.textContent(".result-table td .series");
  assert(series.includes('job="fake"'), `series ${series}`);

  await toSources(page);
  await page.fill("#target-url", noCorsUrl);
  await page.fill("#target-job", "nocors");
  await page.click("#add-target");
  await page.click("#step-15s");
  await page.waitForSelector("tr.target.down", { timeout: 10000 });
  const error = await page.textContent("tr.target.down .target-error");
  assert(error.includes("CORS"), `the refusal is explained: ${error}`);
}, { allowConsoleErrors: [/Access-Control-Allow-Origin|CORS|Failed to load resource/, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/] });

await test("node-exporter-through-the-loopback-proxy", async (page) => {
  await toSources(page);
  await page.fill("#target-url", `${base}proxy/node-exporter/metrics`);
  await page.fill("#target-job", "node");
  await page.click("#add-target");
  await page.click("#step-15s");
  await page.waitForSelector("tr.target.up", { timeout: 15000 });
  // The real node_exporter 1.11's own build info, stored in the lab.
  await runQuery(page, 'node_exporter_build_info{job="node"}');
  await page.waitForSelector(".result-table td.value");
  const series = await page.textContent(".result-table td .series");
  assert(/version="1\.\d+/.test(series), `the real exporter's version: ${series}`);
  await runQuery(page, 'count(node_cpu_seconds_total{job="node"}) > 0');
  await page.waitForSelector(".result-table td.value");
});

await test("openmetrics-pasted-imported-and-exported", async (page) => {
  const t = Math.floor(Date.now() / 1000);
  await toSources(page);
  await page.fill("#import-text", `# TYPE pasted_temperature_celsius gauge\npasted_temperature_celsius{room="lab"} 21.5 ${t - 60}\npasted_temperature_celsius{room="lab"} 22.5 ${t - 30}\n# EOF\n`);
  await page.click("#import");
  await page.waitForSelector("#data-outcome.form-ok");
  await runQuery(page, 'max_over_time(pasted_temperature_celsius[5m])');
  await page.waitForSelector(".result-table td.value");
  assert((await page.textContent(".result-table td.value")) === "22.5", "the pasted samples are stored");
  // A bad line is refused with its line and column; the lab keeps its data.
  await toSources(page);
  await page.fill("#import-text", "pasted_temperature_celsius{room=} 1 2\n");
  await page.click("#import");
  await page.waitForSelector("#data-outcome.form-error");
  const error = await page.textContent("#data-outcome");
  assert(/1:\d+/.test(error), `the error says where: ${error}`);
  // Export: the selector's samples as a file.
  await page.fill("#export-selector", "{__name__=\"pasted_temperature_celsius\"}");
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#export")]);
  const file = path.join(artifactsDir, "export.om");
  await download.saveAs(file);
  const text = fs.readFileSync(file, "utf8");
  assert(text.includes('pasted_temperature_celsius{room="lab"} 22.5') && text.endsWith("# EOF\n"), `export: ${text}`);
});

await test("remote-prometheus-answers-the-playground", async (page) => {
  // Prometheus scrapes itself every second; wait for a sample.
  const until = Date.now() + 20000;
  for (;;) {
    const r = await (await fetch(`${promUrl}/api/v1/query?query=up`)).json();
    if (r.data.result.length) break;
    if (Date.now() > until) throw new Error("the reference Prometheus has no sample");
    await new Promise((res) => setTimeout(res, 250));
  }
  await toSources(page);
  await page.fill("#remote-url", promUrl);
  await page.click("#remote-connect");
  await page.waitForSelector("#remote-connected");
  await runQuery(page, 'prometheus_build_info');
  await page.waitForSelector(".result-table td.value");
  const series = await page.textContent(".result-table td .series");
  assert(series.includes('job="prometheus"') && /version="3\.5/.test(series), `the server's own series: ${series}`);
  // Its targets page is the server's.
  await page.click("nav >> text=Targets");
  await page.waitForSelector("section.pool");
  const pools = await page.$$eval("section.pool h2", (hs) => hs.map((h) => h.textContent));
  assert(pools.some((p) => p.startsWith("prometheus")), `the server's targets: ${pools}`);
  // Remembered across a reload, then back to the lab.
  await page.goto(`${base}#/data-sources`);
  await page.reload();
  await page.waitForSelector("#remote-connected");
  await page.click("#remote-disconnect");
  await page.waitForSelector("#remote-url");
  // The lab answers again (and its worker has loaded before the page
  // closes).
  await runQuery(page, 'count(up{job="prom-example"})');
  await page.waitForFunction(() => document.querySelector(".result-table td.value")?.textContent === "1", null, { timeout: 30000 });
}, { allowConsoleErrors: [RELOAD_ABORTS] });

await test("status-pages-show-targets-tsdb-and-config", async (page) => {
  await page.waitForSelector("#clock-time");
  await page.click("nav >> text=Targets");
  await page.waitForSelector("section.pool");
  assert(page.url().endsWith("#/targets"), `hash route: ${page.url()}`);
  const pools = await page.$$eval("section.pool h2", (hs) => hs.map((h) => h.textContent));
  // The operator's jobs for the cluster's ServiceMonitors.
  for (const sm of ["qks-monitoring/qks-monitoring-kube-state-metrics", "qks-monitoring/qks-monitoring-prometheus-node-exporter", "gpu-operator/nvidia-dcgm-exporter", "qks-monitoring/prom-example"]) {
    const job = `serviceMonitor/${sm}/0`;
    assert(pools.some((p) => p.startsWith(job) && /\((\d+)\/\1 up\)/.test(p)), `${job} all up in ${pools}`);
  }
  // The app's raw page, as a scrape fetches it.
  const app = page.locator("tr.target", { hasText: "10.244.1.17:8090" });
  await app.locator("button.link").click();
  await page.waitForSelector("pre.raw-page");
  assert((await page.textContent("pre.raw-page")).includes("# TYPE ping_request_count counter"), "raw page");

  await page.click("nav >> text=TSDB status");
  await page.waitForSelector("#head-stats");
  const series = Number(await page.textContent("#head-stats .stat >> nth=0 >> .stat-value"));
  assert(series > 1000, `series ${series}`);

  await page.click("nav >> text=Configuration");
  await page.waitForSelector("#config-yaml");
  await page.waitForFunction(() => document.querySelector("#config-yaml")?.textContent.includes("job_name: serviceMonitor/qks-monitoring/prom-example/0"));

  // A link to a page reproduces it.
  await page.goto(`${base}#/service-discovery`);
  await page.waitForSelector(".sd-target");
});

// ── Status pages, Alertmanager and time controls ─────────────────────

// A webhook receiver on another origin that allows this page (CORS), and
// records what Alertmanager's webhooks POST to it.
const hookBodies = [];
const hookServer = http.createServer((req, res) => {
  const cors = {
    "access-control-allow-origin": "*",
    "access-control-allow-methods": "POST, OPTIONS",
    "access-control-allow-headers": "content-type",
  };
  if (req.method === "OPTIONS") {
    res.writeHead(204, cors).end();
    return;
  }
  let body = "";
  req.on("data", (chunk) => (body += chunk));
  req.on("end", () => {
    hookBodies.push(body);
    res.writeHead(200, cors).end("ok");
  });
});
await new Promise((resolve) => hookServer.listen(0, "127.0.0.1", resolve));
const hookUrl = `http://127.0.0.1:${hookServer.address().port}/hook`;

/** The virtual time the clock shows, in milliseconds. */
async function clockMs(page) {
  const text = await page.textContent("#clock-time");
  return Date.parse(text.replace(" UTC", "Z").replace(" ", "T"));
}

/** Loads the Rules page's example (the training course's alert). */
async function loadExampleRules(page) {
  await page.goto(`${base}#/rules`);
  await page.click("#rules-example");
  await page.click("#rules-load");
  await page.waitForSelector("#rules-ok");
}

/** Six pings, then time for a scrape and two evaluations (pending, then firing after `for: 10s`). */
async function makeTheAlertFire(page) {
  await page.click("nav >> text=Query");
  await page.click("#clock-toggle");
  await page.waitForSelector("#clock-time.paused");
  await page.click("#send-10-pings");
  await page.waitForFunction(() => Number(document.querySelector("#ping-count")?.textContent) >= 10);
  for (let i = 0; i < 3; i++) {
    const before = await page.textContent("#clock-time");
    await page.click("#step-1m");
    await page.waitForFunction((t) => document.querySelector("#clock-time")?.textContent !== t, before);
  }
}

await test("rules-page-loads-edits-and-keeps-a-rule-file", async (page) => {
  await page.goto(`${base}#/rules`);
  await page.waitForSelector("#no-rules");
  // A mistake is shown with its line and column, and nothing changes.
  await page.fill("#rules-text", "groups:\n  - name: broken\n    rules:\n      - alert: A\n        expr: up >\n");
  await page.click("#rules-load");
  await page.waitForSelector("#rules-error");
  const error = await page.textContent("#rules-error");
  assert(/rules\.yml:5:\d+/.test(error), `the error names line 5: ${error}`);
  assert(await page.isVisible("#no-rules"), "a refused file loads nothing");
  await page.click("#rules-example");
  await page.click("#rules-load");
  await page.waitForSelector("#rules-ok");
  await page.waitForSelector(".rule-group h2 >> text=Count greater than 5");
  assert((await page.$$(".rule-group tr.rule")).length === 2, "an alerting and a recording rule");
  const href = await page.getAttribute(".rule-group .query-link", "href");
  assert(href === "#/query?expr=ping_request_count%20%3E%205", `playground link ${href}`);
  // Evaluated on the virtual clock: health ok after the next evaluation.
  await page.click("#step-1m");
  await page.waitForSelector(".rule-group .rule-health.ok");
  // Kept in the browser and loaded again at the next start.
  await page.reload();
  await page.waitForSelector("#rules-loaded code");
  await page.waitForSelector(".rule-group h2 >> text=Count greater than 5");
  assert((await page.inputValue("#rules-text")).includes("CountGreaterThan5"), "the text area keeps the file");
});

await test("alerts-page-shows-the-alert-pending-then-firing", async (page) => {
  await page.goto(`${base}#/alerts`);
  await page.waitForSelector("#no-alert-rules");
  await loadExampleRules(page);
  await makeTheAlertFire(page);
  await page.click("nav >> text=Alerts");
  await page.waitForSelector(".alert-rule.firing");
  assert((await page.textContent("#count-firing")) === "1", "one firing rule");
  assert((await page.textContent("#count-inactive")) === "0", "no inactive rule");
  const row = await page.textContent(".alert-row.firing");
  assert(row.includes('job="prom-example"') && row.includes("firing"), `alert row: ${row}`);
  assert((await page.textContent(".alert-row.firing td.value")).trim() === "1e+01", "the value as Prometheus writes it");
  assert(/served (10|1e\+01) pings/.test(await page.textContent(".alert-annotations")), "annotations expanded");
  // The filter hides firing rules and says how many there are.
  await page.click("#show-firing");
  await page.waitForSelector(".alert-rule.firing", { state: "detached" });
  await page.click("#show-firing");
  await page.waitForSelector(".alert-rule.firing");
  // In Korean, the same page.
  await page.click(".lang-switch");
  await page.waitForSelector("nav >> text=알림");
  await page.click(".lang-switch");
});

await test("alertmanager-groups-silences-routes-and-webhooks", async (page) => {
  await page.goto(`${base}#/alertmanager`);
  await page.click("#am-tab-config");
  await page.click("#am-config-example");
  const yaml = (await page.inputValue("#am-config-text")).replace("http://localhost:5001/", hookUrl);
  await page.fill("#am-config-text", yaml);
  await page.click("#am-config-load");
  await page.waitForSelector("#am-config-ok");
  await page.waitForFunction(() => document.querySelector("#am-config-running")?.textContent.includes("/hook"));
  // A mistake in the file: line and column, and the running config stays.
  await page.fill("#am-config-text", "route:\n  receiver: nobody\nreceivers:\n  - name: team\n");
  await page.click("#am-config-load");
  await page.waitForSelector("#am-config-error");
  assert(/\d+:\d+/.test(await page.textContent("#am-config-error")), "line:column");

  await page.click("#am-tab-notifications");
  await page.check("#deliver-webhooks");
  await loadExampleRules(page);
  await makeTheAlertFire(page);
  await page.click("nav >> text=Alertmanager");
  await page.click("#am-tab-alerts");
  await page.waitForSelector(".am-group");
  assert((await page.textContent(".am-group-head")).includes("webhook"), "routed to the webhook receiver");

  // The notification log, with the payload and the browser's delivery.
  await page.click("#am-tab-notifications");
  await page.waitForSelector("tr.notification");
  await page.waitForSelector(".delivery.ok", { timeout: 10000 });
  assert((await page.textContent(".delivery.ok")).includes("HTTP 200"), "delivered");
  assert(hookBodies.some((b) => JSON.parse(b).alerts[0].labels.alertname === "CountGreaterThan5"), "the receiver got the webhook JSON");
  await page.click(".payload-toggle");
  const payload = JSON.parse(await page.textContent("pre.payload"));
  assert(payload.status === "firing" && payload.receiver === "webhook", `payload ${JSON.stringify(payload)}`);
  await page.screenshot({ path: path.join(artifactsDir, "alertmanager-notifications-1280.png"), fullPage: true });

  // A silence: a bad matcher is shown at its place, then created, then expired.
  await page.click("#am-tab-alerts");
  await page.click(".silence-alert");
  await page.waitForSelector("#silence-matchers");
  assert((await page.inputValue("#silence-matchers")).includes('alertname="CountGreaterThan5"'), "prefilled from the alert");
  await page.fill("#silence-matchers", 'alertname=~"(", job="prom-example"');
  await page.click("#create-silence");
  await page.waitForSelector("#silence-error .error-span");
  assert((await page.textContent("#silence-error")).includes("missing closing )"), await page.textContent("#silence-error"));
  await page.fill("#silence-matchers", 'alertname="CountGreaterThan5"');
  await page.fill("#silence-comment", "e2e: planned maintenance");
  await page.click("#create-silence");
  await page.waitForSelector("#silence-created");
  await page.waitForSelector("tr.silence.active");
  await page.click("#am-tab-alerts");
  await page.waitForSelector(".am-state.suppressed");
  await page.click("#am-tab-silences");
  await page.click("tr.silence.active .expire-silence");
  await page.waitForSelector("tr.silence.expired");
  assert(!(await page.isVisible("tr.silence.active")), "no active silence left");
  await page.setViewportSize({ width: 1920, height: 1000 });
  await page.screenshot({ path: path.join(artifactsDir, "alertmanager-silences-1920.png"), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });

  // The route tree and the tester.
  await page.click("#am-tab-routes");
  await page.waitForSelector("#route-tree .route");
  assert((await page.$$("#route-tree .route")).length === 3, "root and two routes");
  await page.fill("#route-labels", 'job="prom-example", severity="critical"');
  await page.click("#test-routes");
  await page.waitForSelector("#route-result");
  const receivers = await page.$$eval("#route-result .receiver", (rs) => rs.map((r) => r.textContent));
  assert(receivers.join(",") === "pager,webhook", `receivers ${receivers}`);
  assert((await page.$$(".route.matched")).length === 2, "both routes marked");
  await page.fill("#route-labels", "job!=x");
  await page.click("#test-routes");
  await page.waitForSelector("#route-error .error-span");
});

await test("time-controls-step-jump-and-run-scenarios", async (page) => {
  await page.click("#clock-toggle");
  await page.waitForSelector("#clock-time.paused");
  const t0 = await clockMs(page);
  await page.click("#step-10m");
  await page.waitForFunction((t) => Date.parse(document.querySelector("#clock-time").textContent.replace(" UTC", "Z").replace(" ", "T")) === t, t0 + 600000);
  await page.click("#step-1h");
  await page.waitForFunction((t) => Date.parse(document.querySelector("#clock-time").textContent.replace(" UTC", "Z").replace(" ", "T")) === t, t0 + 4200000);
  // Jump to a given virtual time (UTC).
  const target = new Date(t0 + 6 * 3600000).toISOString().slice(0, 19);
  await page.fill("#jump-time", target);
  await page.click("#jump");
  await page.waitForFunction((t) => document.querySelector("#clock-time").textContent.startsWith(t.replace("T", " ")), target);
  // The clock only moves forward: a time in the past is refused, with a reason.
  await page.fill("#jump-time", new Date(t0).toISOString().slice(0, 19));
  await page.click("#jump");
  await page.waitForSelector(".clock-error");
  assert((await page.textContent(".clock-error")).includes("only moves forward"), await page.textContent(".clock-error"));
  await page.click(".clock-error .dismiss");
  await page.waitForSelector(".clock-error", { state: "detached" });
  // Speeds.
  await page.click("#speed-60");
  await page.waitForSelector("#speed-60.active");
  await page.click("#clock-toggle");
  await page.waitForSelector("#clock-time:not(.paused)");
  await page.click("#clock-toggle");
  // Scenarios from the top bar: reboot a node, stop an exporter.
  await page.click("#scenario-menu summary");
  await page.click('#scenario-menu [data-node="qks-worker-1"] .reboot-node');
  await page.waitForSelector('#scenario-menu [data-node="qks-worker-1"] .node-state.rebooting');
  await page.click('#scenario-menu [data-node="qks-master-1"] .node-not-ready');
  await page.waitForSelector('#scenario-menu [data-node="qks-master-1"] .node-state.stopping');
  const ksm = page.locator("#scenario-menu li.scenario-item", { hasText: "kube-state-metrics" });
  await ksm.locator(".stop-exporter").click();
  await ksm.locator(".start-exporter").waitFor();
  await page.waitForSelector("#scenario-menu .trouble");
  await page.screenshot({ path: path.join(artifactsDir, "time-controls-menu-1280.png") });
  await page.click("#step-1m");
  await page.waitForSelector('#scenario-menu [data-node="qks-master-1"] .node-state.not-ready');
  await page.setViewportSize({ width: 1920, height: 1000 });
  await page.screenshot({ path: path.join(artifactsDir, "time-controls-menu-1920.png") });
  // Targets show the stopped exporter down.
  await page.click("#scenario-menu summary");
  await page.click("nav >> text=Targets");
  await page.click("#step-1m");
  await page.waitForSelector("section.pool h2 .pool-count.degraded");
});

await browser.close();
server.close();
otherOrigin.close();
for (const child of children) child.kill();
fs.rmSync(scratch, { recursive: true, force: true });
hookServer.close();
console.log(`e2e: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
