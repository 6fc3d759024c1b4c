// The official Socket.IO admin UI (@socket.io/admin-ui 0.5.1, its ui/dist
// build) against a gosio server, in Debian's headless Chromium.
//
//	node admin/testdata/browser/admin.spec.mjs http://127.0.0.1:PORT OUT_DIR
//
// The server (admin/browser_test.go) serves the UI at /admin/, the
// socket.io-client build at /vendor/, and at /test/state what it knows
// (sockets, rooms, engine counts, what each application client got), so
// that every number the UI shows is compared with the server's. With
// ADMIN_NODES=2 (admin/cluster) the servers page must list two nodes.
// Screenshots go to OUT_DIR. Exits 0 on success, 1 with a message; gives
// up after 60 s.
import { chromium } from "playwright-core";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const HARD_TIMEOUT_MS = 60_000;
const STEP_TIMEOUT_MS = 10_000;
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const USER = process.env.ADMIN_USER || "admin";
const PASSWORD = process.env.ADMIN_PASSWORD || "";
const NODES = Number(process.env.ADMIN_NODES || "1");

const [url, outDir] = process.argv.slice(2);
if (!url || !outDir) {
  console.error("usage: node admin.spec.mjs <server url> <screenshot dir>");
  process.exit(1);
}
const origin = new URL(url).origin;
const started = Date.now();
const profile = mkdtempSync(join(tmpdir(), "gosio-admin-e2e-profile-"));
let context;
let page;
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
  if (page) await page.screenshot({ path: join(outDir, "failure.png"), fullPage: true }).catch(() => {});
  await cleanup();
  process.exit(1);
}

const hard = setTimeout(() => fail(`hard timeout of ${HARD_TIMEOUT_MS / 1000} s`), HARD_TIMEOUT_MS);

const state = async () => (await fetch(`${url}/test/state`)).json();

// until polls fn (async, returns a truthy value when done) for up to
// STEP_TIMEOUT_MS; describe() explains a failure.
async function until(fn, describe) {
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  let last;
  while (Date.now() < deadline) {
    last = await fn().catch((e) => (last = e));
    if (last === true || (last && last !== false && !(last instanceof Error))) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(await describe(last));
}

// The rows of the data table or simple table under the card titled
// title, as arrays of cell texts.
const tableRows = (selector) =>
  page.$$eval(`${selector} tbody tr`, (trs) =>
    trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent.trim())),
  );

async function cardRows(title) {
  return page.evaluate((title) => {
    const card = [...document.querySelectorAll(".v-card")].find((c) =>
      c.querySelector(".v-card__title")?.textContent.trim().startsWith(title),
    );
    if (!card) return null;
    return [...card.querySelectorAll("tbody tr")].map((tr) =>
      [...tr.querySelectorAll("td, th")].map((td) => td.textContent.trim().replace(/\s+/g, " ")),
    );
  }, title);
}

async function shot(name) {
  await page.screenshot({ path: join(outDir, `${name}.png`), fullPage: true });
  log(`screenshot ${name}.png`);
}

async function go(hash) {
  await page.evaluate((h) => (location.hash = h), hash);
}

try {
  step = "launch chromium";
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    timeout: STEP_TIMEOUT_MS,
    viewport: { width: 1400, height: 1000 },
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
  // The UI's index.html links web fonts on public CDNs: no network here,
  // refuse them at once rather than wait.
  await context.route((u) => new URL(u).origin !== origin, (route) => route.abort());
  page = context.pages()[0] || (await context.newPage());
  page.on("pageerror", (err) => console.error(`page error: ${err.message}`));
  log(`chromium ${context.browser()?.version() ?? ""} up`);

  step = "open the UI";
  const res = await page.goto(`${url}/admin/`, { timeout: STEP_TIMEOUT_MS });
  if (!res || !res.ok()) throw new Error(`GET /admin/: ${res ? res.status() : "no response"}`);
  await page.getByLabel("Server URL").waitFor({ timeout: STEP_TIMEOUT_MS });

  step = "wrong password refused";
  await page.getByLabel("Server URL").fill(url);
  await page.getByLabel("Username").fill(USER);
  await page.getByLabel("Password").fill("wrong password");
  await page.getByRole("button", { name: "Connect" }).click();
  await page.getByText("Invalid credentials").waitFor({ timeout: STEP_TIMEOUT_MS });
  log("wrong password: the UI shows Invalid credentials");

  step = "log in";
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Connect" }).click();
  await page.getByLabel("Server URL").waitFor({ state: "hidden", timeout: STEP_TIMEOUT_MS });
  const sessionId = await until(
    () => page.evaluate(() => localStorage.getItem("session_id")),
    () => "the UI kept no session id",
  );
  log(`logged in; session ${sessionId}`);

  step = "dashboard matches the server";
  await go("#/");
  const expected = await state();
  await until(
    async () => {
      const rows = await cardRows("Namespaces");
      const s = await state();
      const want = Object.entries(s.namespaces).map(([n, c]) => `${n} ${c}`).sort();
      const got = (rows || []).map((r) => r.join(" ")).sort();
      return JSON.stringify(got) === JSON.stringify(want) && want.length > 0;
    },
    async () => `namespaces card ${JSON.stringify(await cardRows("Namespaces"))}, server ${JSON.stringify((await state()).namespaces)}`,
  );
  await until(
    async () => {
      const rows = (await cardRows("Clients")) || [];
      const s = await state();
      const count = (name) => rows.find((r) => r[0].toLowerCase().includes(name))?.[1]?.split(" ")[0];
      return count("websocket") === String(s.clientsCount - s.pollingClientsCount) && count("polling") === String(s.pollingClientsCount);
    },
    async () => `clients card ${JSON.stringify(await cardRows("Clients"))}, server ${JSON.stringify(await state())}`,
  );
  log(`dashboard: namespaces ${JSON.stringify(expected.namespaces)}, ${expected.clientsCount} clients, ${expected.pollingClientsCount} on polling`);
  await shot("dashboard");

  if (NODES > 1) {
    step = "servers page lists every node";
    await go("#/servers/");
    await until(
      async () => (await tableRows(".v-data-table")).filter((r) => r.length > 1).length === NODES,
      async () => `servers table ${JSON.stringify(await tableRows(".v-data-table"))}`,
    );
    log(`servers: ${JSON.stringify(await tableRows(".v-data-table"))}`);
    await shot("servers");
  }

  step = "rooms page matches the server";
  await go("#/rooms/");
  await until(
    async () => {
      const s = await state();
      const rows = await tableRows(".v-data-table");
      const want = Object.entries(s.rooms).map(([r, ids]) => `${r} ${ids.length}`).sort();
      const got = rows.filter((r) => r.length > 2).map((r) => `${r[0]} ${r[2]}`).sort();
      return JSON.stringify(got) === JSON.stringify(want);
    },
    async () => `rooms table ${JSON.stringify(await tableRows(".v-data-table"))}, server ${JSON.stringify((await state()).rooms)}`,
  );
  log(`rooms: ${JSON.stringify((await state()).rooms)}`);
  await shot("rooms");

  step = "sockets page and a socket's details";
  await go("#/sockets/");
  const carol = expected.clients.find((c) => c.name === "carol");
  await until(
    async () => {
      const ids = (await tableRows(".v-data-table")).map((r) => r[0]);
      return expected.clients.every((c) => ids.includes(c.id));
    },
    async () => `sockets table ${JSON.stringify(await tableRows(".v-data-table"))}`,
  );
  await page.getByRole("cell", { name: carol.id, exact: true }).click({ timeout: STEP_TIMEOUT_MS });
  await page.waitForFunction((id) => location.hash.includes(encodeURIComponent(id)) || location.hash.includes(id), carol.id, {
    timeout: STEP_TIMEOUT_MS,
  });
  const details = await until(
    async () => {
      const rows = (await cardRows("Details")) || [];
      const cell = (key) => rows.find((r) => r[0] === key)?.[1];
      const ok =
        cell("Transport") === "HTTP long-polling" &&
        cell("IP address") === "127.0.0.1" &&
        rows.some((r) => r[0] === "ID" && r[1] === carol.id) &&
        cell("Data")?.replace(/\s/g, "") === '{"name":"carol"}';
      return ok && rows;
    },
    async () => `socket details ${JSON.stringify(await cardRows("Details"))}`,
  );
  log(`carol's details: ${JSON.stringify(details.filter((r) => ["ID", "Transport", "IP address", "Data"].includes(r[0])))}`);
  await shot("socket");

  step = "join a room from the UI";
  await page.getByLabel("Join a room").fill("vip");
  await page.locator("form", { has: page.getByLabel("Join a room") }).locator("button[type=submit]").click({ timeout: STEP_TIMEOUT_MS });
  await until(
    async () => (await state()).rooms.vip?.includes(carol.id),
    async () => `server rooms ${JSON.stringify((await state()).rooms)}`,
  );
  await until(
    async () => (await page.textContent("main")).includes("vip"),
    async () => "the socket page does not list vip",
  );
  log("carol joined vip from the UI: the server and the page agree");
  await shot("joined");

  step = "emit from the UI's session";
  // The 0.5.1 UI has no emit form (EMIT is a feature flag it never
  // uses): send its protocol's emit with the official client, on the
  // UI's page, logged in with the UI's session id.
  await page.addScriptTag({ url: `${url}/vendor/socket.io.min.js` });
  await page.evaluate(
    ({ url, sessionId }) =>
      new Promise((resolve, reject) => {
        const s = window.io(`${url}/admin`, { auth: { sessionId }, transports: ["websocket"], forceNew: true });
        s.on("connect_error", (e) => reject(new Error(e.message)));
        s.on("config", () => {
          s.emit("emit", "/", "team-a", "news", "from the admin UI");
          setTimeout(() => {
            s.disconnect();
            resolve();
          }, 200);
        });
      }),
    { url, sessionId },
  );
  await until(
    async () => (await state()).clients.find((c) => c.name === "bob").news.length === 1,
    async () => `clients ${JSON.stringify((await state()).clients)}`,
  );
  log("emit to team-a: bob got it");

  step = "disconnect from the UI";
  const alice = expected.clients.find((c) => c.name === "alice");
  await go("#/sockets/");
  await until(
    async () => (await tableRows(".v-data-table")).some((r) => r[0] === alice.id),
    async () => `sockets table ${JSON.stringify(await tableRows(".v-data-table"))}`,
  );
  await page.locator("tr", { hasText: alice.id }).locator("button:has(.mdi-logout)").click({ timeout: STEP_TIMEOUT_MS });
  await until(
    async () => (await state()).clients.find((c) => c.name === "alice").gone !== "",
    async () => `clients ${JSON.stringify((await state()).clients)}`,
  );
  await until(
    async () => !(await tableRows(".v-data-table")).some((r) => r[0] === alice.id),
    async () => "alice is still listed",
  );
  log("alice disconnected from the UI; the list dropped her");
  await shot("disconnected");

  clearTimeout(hard);
  await cleanup();
  log("ok");
} catch (e) {
  await fail(e.message);
}
