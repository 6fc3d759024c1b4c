// Browser end-to-end test of the chat demo.
//
//	node examples/chat/e2e/chat.spec.mjs http://127.0.0.1:PORT/ [screenshot.png]
//
// Drives Debian's /usr/bin/chromium (apt-get install -y chromium) headless
// through playwright-core; it never downloads a browser. Run by
// examples/chat/chat_browser_test.go against an in-process demo server.
// Exits 0 on success, 1 with a message on failure; gives up after 30 s.
import { chromium } from "playwright-core";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const HARD_TIMEOUT_MS = 30_000;
const STEP_TIMEOUT_MS = 10_000;
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";

const url = process.argv[2];
if (!url) {
  console.error("usage: node chat.spec.mjs <server url> [screenshot.png]");
  process.exit(1);
}
const started = Date.now();
const profile = mkdtempSync(join(tmpdir(), "gosio-chat-e2e-profile-"));

let context;
let step = "start";
const log = (msg) => console.log(`[${((Date.now() - started) / 1000).toFixed(2)}s] ${msg}`);

async function cleanup() {
  if (context) {
    const c = context;
    context = undefined;
    await Promise.race([c.close().catch(() => {}), new Promise((r) => setTimeout(r, 5000))]);
  }
  rmSync(profile, { recursive: true, force: true });
}

async function fail(msg) {
  console.error(`FAIL (${step}): ${msg}`);
  await cleanup();
  process.exit(1);
}

const hard = setTimeout(() => fail(`hard timeout of ${HARD_TIMEOUT_MS / 1000} s`), HARD_TIMEOUT_MS);

// The lines of a page's #log, as the user sees them.
const lines = (page) => page.$$eval("#log > div", (ds) => ds.map((d) => d.textContent));

async function waitForLine(page, who, text) {
  try {
    await page.waitForFunction(
      (t) => [...document.querySelectorAll("#log > div")].some((d) => d.textContent === t),
      text,
      { timeout: STEP_TIMEOUT_MS, polling: 50 },
    );
  } catch {
    throw new Error(`${who}'s log never showed ${JSON.stringify(text)}; it has ${JSON.stringify(await lines(page))}`);
  }
}

async function waitForStatus(page, who, text) {
  try {
    await page.waitForFunction((t) => document.querySelector("#status").textContent === t, text, {
      timeout: STEP_TIMEOUT_MS,
      polling: 50,
    });
  } catch {
    const got = await page.textContent("#status");
    throw new Error(`${who}'s status never became ${JSON.stringify(text)}; it is ${JSON.stringify(got)}`);
  }
}

async function open(who) {
  // A context (window) per user: isolated like separate browsers, and each
  // page is in front, so requestAnimationFrame (Playwright's waits) runs at
  // full speed; background tabs of one context are throttled to ~1 frame/s.
  const page = await (await context.browser().newContext()).newPage();
  page.on("pageerror", (err) => console.error(`${who}: page error: ${err.message}`));
  page.on("response", async (r) => {
    if (r.status() >= 400 && !r.url().endsWith("/favicon.ico")) {
      console.error(`${who}: ${r.request().method()} ${r.url()}: ${r.status()} ${(await r.text().catch(() => "")).trim()}`);
    }
  });
  page.on("console", (m) => {
    if (m.type() === "error") console.error(`${who}: console: ${m.text()}`);
  });
  const res = await page.goto(url, { timeout: STEP_TIMEOUT_MS });
  if (!res || !res.ok()) throw new Error(`${who}: GET ${url}: ${res ? res.status() : "no response"}`);
  // The client script is served from /vendor/ (examples/chat/node_modules).
  if (!(await page.evaluate(() => typeof window.io === "function"))) {
    throw new Error(`${who}: window.io is missing: /vendor/socket.io.min.js was not served (npm ci --prefix examples/chat)`);
  }
  return page;
}

async function login(page, name) {
  await page.fill("#login input[name=name]", name);
  await page.click("#login button");
}

async function say(page, text) {
  await page.fill("#say input[name=text]", text);
  await page.click("#say button");
}

async function joinRoom(page, who, room) {
  await page.fill("#room input[name=room]", room);
  await page.click("#room button");
  try {
    await page.waitForFunction((r) => document.querySelector("#current").textContent === r, room, {
      timeout: STEP_TIMEOUT_MS,
      polling: 50,
    });
  } catch {
    throw new Error(`${who} did not get into room ${room}: #current is ${JSON.stringify(await page.textContent("#current"))}`);
  }
}

try {
  step = "launch chromium";
  // launchPersistentContext passes --user-data-dir=<profile> (a fresh empty
  // temp dir); Playwright refuses that flag in args.
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    timeout: STEP_TIMEOUT_MS,
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
  log(`chromium ${context.browser()?.version() ?? ""} up`);

  step = "log in ann and bob";
  const ann = await open("ann");
  const bob = await open("bob");
  await login(ann, "ann");
  await login(bob, "bob");
  // The client connects over polling, then upgrades; the page shows both.
  await waitForStatus(ann, "ann", "connected over websocket");
  await waitForStatus(bob, "bob", "connected over websocket");
  for (const [page, who] of [[ann, "ann"], [bob, "bob"]]) {
    if (!(await page.isHidden("#login"))) throw new Error(`${who}'s login form is still shown after connecting`);
    if (!(await page.isVisible("#chat"))) throw new Error(`${who}'s chat is not shown after connecting`);
  }
  log("ann and bob connected over websocket");

  step = "bob in lobby";
  // The server puts everyone in lobby; use the form only if it did not.
  if ((await bob.textContent("#current")) !== "lobby") await joinRoom(bob, "bob", "lobby");
  await waitForLine(bob, "bob", "bob joined lobby");

  step = "ann says hello in lobby";
  await say(ann, "hello from ann");
  await waitForLine(bob, "bob", "[lobby] ann: hello from ann");
  await waitForLine(ann, "ann", "[lobby] ann: hello from ann");
  await waitForLine(ann, "ann", "✓ delivered to 2 in lobby");
  log("bob got ann's line; ann got the ack");

  step = "empty name refused";
  const anon = await open("anon");
  // The input is `required`; switch off form validation so the empty name
  // reaches the server's middleware, as a hand-made client's would.
  await anon.$eval("#login", (f) => (f.noValidate = true));
  await login(anon, "");
  await waitForStatus(anon, "anon", "refused: a name of 1 to 32 characters is required");
  if (!(await anon.isHidden("#chat"))) throw new Error("the chat is shown to a refused client");
  await anon.close();
  log("empty name refused");

  step = "ann moves to blue";
  await joinRoom(ann, "ann", "blue");
  await waitForLine(bob, "bob", "ann left lobby");
  const secret = "only for blue";
  await say(ann, secret);
  await waitForLine(ann, "ann", `[blue] ann: ${secret}`);
  await waitForLine(ann, "ann", "✓ delivered to 1 in blue");
  // Barrier: a lobby line bob sees after ann's blue message was acked. The
  // server emitted to blue before acking, and bob's connection is ordered,
  // so a leaked blue line would already be in bob's log.
  await say(bob, "anyone here?");
  await waitForLine(bob, "bob", "[lobby] bob: anyone here?");
  await waitForLine(bob, "bob", "✓ delivered to 1 in lobby");
  const bobLines = await lines(bob);
  if (bobLines.some((l) => l.includes(secret))) {
    throw new Error(`bob (lobby) received ann's blue message: ${JSON.stringify(bobLines)}`);
  }
  const annLines = await lines(ann);
  if (annLines.some((l) => l.includes("anyone here?"))) {
    throw new Error(`ann (blue) received bob's lobby message: ${JSON.stringify(annLines)}`);
  }
  log("rooms are separate");

  step = "screenshot";
  const screenshot = process.argv[3] || join(mkdtempSync(join(tmpdir(), "gosio-chat-e2e-")), "chat.png");
  await ann.screenshot({ path: screenshot, fullPage: true });
  log(`screenshot: ${screenshot}`);

  step = "close";
  await cleanup();
  clearTimeout(hard);
  log("ok");
  process.exit(0);
} catch (err) {
  await fail(err && err.stack ? err.stack : String(err));
}
