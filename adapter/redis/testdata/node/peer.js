// A Node.js node of a mixed cluster, driven by the Go tests over
// stdin/stdout (one JSON object per line). It runs a socket.io 4.8 server
// on 127.0.0.1 with one of the Redis adapters, official socket.io-client
// sockets (to any node), and @socket.io/redis-emitter.
//
// env: REDIS_PORT, KEY; ADAPTER "classic" (@socket.io/redis-adapter
// createAdapter, the default), "streams" (@socket.io/redis-streams-adapter)
// or "sharded" (createShardedAdapter, over node-redis; REDIS_CLUSTER
// "host:port,..." for a Redis Cluster); ADAPTER_OPTS (JSON, merged into the
// adapter's options); RECOVERY (ms: connectionStateRecovery with that
// maxDisconnectionDuration); SERVE=0 for a process that only drives
// clients. Output: {"ready":port}, then {"id",result|error} replies,
// {"client","event","arg"} for client events and {"sse","arg"} for
// server-side events.
"use strict";
const http = require("http");
const readline = require("readline");
const { Server } = require("socket.io");
const { io: ioc } = require("socket.io-client");
const { createAdapter, createShardedAdapter } = require("@socket.io/redis-adapter");
const { Emitter } = require("@socket.io/redis-emitter");
const Redis = require("ioredis");

const port = Number(process.env.REDIS_PORT);
const key = process.env.KEY;
const kind = process.env.ADAPTER || "classic";
const serve = process.env.SERVE !== "0";
const extra = process.env.ADAPTER_OPTS ? JSON.parse(process.env.ADAPTER_OPTS) : {};
const out = (o) => process.stdout.write(JSON.stringify(o) + "\n");

const redisOpts = { host: "127.0.0.1", port, lazyConnect: false, maxRetriesPerRequest: 1 };
const closers = [];
function ioredis() {
  const c = new Redis(redisOpts);
  c.on("error", () => {});
  closers.push(() => c.disconnect());
  return c;
}

async function makeAdapter() {
  switch (kind) {
    case "classic":
      return createAdapter(ioredis(), ioredis(), { key, requestsTimeout: 2000, ...extra });
    case "streams": {
      const { createAdapter: createStreams } = require("@socket.io/redis-streams-adapter");
      return createStreams(ioredis(), { streamName: key, channelPrefix: key, ...extra });
    }
    case "sharded": {
      const { createClient, createCluster } = require("redis");
      const pub = process.env.REDIS_CLUSTER
        ? createCluster({ rootNodes: process.env.REDIS_CLUSTER.split(",").map((a) => ({ url: "redis://" + a })) })
        : createClient({ url: "redis://127.0.0.1:" + port });
      const sub = pub.duplicate();
      for (const c of [pub, sub]) c.on("error", () => {});
      await Promise.all([pub.connect(), sub.connect()]);
      closers.push(() => pub.disconnect().catch(() => {}), () => sub.disconnect().catch(() => {}));
      return createShardedAdapter(pub, sub, { channelPrefix: key, ...extra });
    }
  }
  throw new Error("unknown ADAPTER " + kind);
}

// On "quit", closing the Redis clients rejects the commands still in flight
// (redis' DisconnectsClientError): expected then, not a crash.
let quitting = false;
process.on("unhandledRejection", (err) => {
  if (quitting) return;
  throw err;
});

const show = (v) => (Buffer.isBuffer(v) ? "bin:" + v.toString() : v && typeof v === "object" ? JSON.stringify(v) : String(v));

const httpServer = http.createServer();
let io;
function setup(nsp) {
  nsp.on("connection", (socket) => {
    const q = socket.handshake.query;
    if (!socket.recovered) {
      const rooms = q.room === undefined ? [] : [].concat(q.room);
      socket.join(rooms);
      if (q.data) socket.data = { name: q.data };
    }
  });
}
function setupServerSide(nsp) {
  nsp.on("ping", (arg, ack) => {
    out({ sse: "ping", arg: show(arg) });
    if (typeof ack === "function") ack("pong-node-" + show(arg));
  });
  nsp.on("fire", (arg) => out({ sse: "fire", arg: show(arg) }));
}

let emitter;
const clients = new Map();

const target = (c) => (c.nsp && c.nsp !== "/" ? io.of(c.nsp) : io);
function sel(op, c) {
  if (op === io) op = target(c);
  if (c.rooms && c.rooms.length) op = op.to(c.rooms);
  if (c.except && c.except.length) op = op.except(c.except);
  return op;
}
const arg = (c) => (c.binary ? Buffer.from(c.arg) : c.arg);

async function handle(c) {
  switch (c.cmd) {
    case "connect": {
      const o = { transports: ["websocket"], query: c.query || {}, reconnection: !!c.reconnection, forceNew: true };
      if (c.reconnection) Object.assign(o, { reconnectionDelay: 100, reconnectionDelayMax: 200, randomizationFactor: 0 });
      const s = ioc(c.url, o);
      clients.set(c.name, s);
      s.onAny((event, ...args) => {
        const last = args[args.length - 1];
        if (typeof last === "function") {
          args.pop();
          last("ack-" + event + "-" + c.name);
        }
        out({ client: c.name, event, arg: args.length ? show(args[0]) : "" });
      });
      s.on("disconnect", (reason) => out({ client: c.name, event: "disconnect", arg: reason }));
      if (c.reconnection) s.on("connect", () => out({ client: c.name, event: "connect", arg: s.recovered + ":" + s.id }));
      await new Promise((resolve, reject) => {
        s.once("connect", resolve);
        s.once("connect_error", reject);
      });
      return s.id;
    }
    case "clientInfo": {
      const s = clients.get(c.name);
      return { id: s.id, connected: s.connected, recovered: s.recovered };
    }
    case "closeClient":
      clients.get(c.name).disconnect();
      return true;
    case "emit":
      sel(io, c).emit(c.event, arg(c));
      return true;
    case "emitWithAck":
      return sel(io, c).timeout(c.timeout || 2000).emitWithAck(c.event, arg(c));
    case "fetchSockets": {
      const socks = await sel(io, c).fetchSockets();
      return socks.map((s) => ({ id: s.id, rooms: [...s.rooms], data: s.data, query: s.handshake.query, hasHeaders: !!s.handshake.headers, issued: s.handshake.issued, handshake: s.handshake }));
    }
    case "socketsJoin":
      sel(io, c).socketsJoin(c.join);
      return true;
    case "socketsLeave":
      sel(io, c).socketsLeave(c.join);
      return true;
    case "disconnectSockets":
      sel(io, c).disconnectSockets(!!c.close);
      return true;
    case "serverSideEmit":
      target(c).serverSideEmit(c.event, arg(c));
      return true;
    case "serverSideEmitWithAck":
      return target(c).serverSideEmitWithAck(c.event, arg(c));
    case "serverCount":
      return io.of(c.nsp || "/").adapter.serverCount();
    case "emitter": {
      let e = emitter;
      if (c.nsp && c.nsp !== "/") e = e.of(c.nsp);
      if (c.rooms && c.rooms.length) e = e.to(c.rooms);
      if (c.except && c.except.length) e = e.except(c.except);
      switch (c.op) {
        case "emit": e.emit(c.event, arg(c)); break;
        case "socketsJoin": e.socketsJoin(c.join); break;
        case "socketsLeave": e.socketsLeave(c.join); break;
        case "disconnectSockets": e.disconnectSockets(!!c.close); break;
        case "serverSideEmit": emitter.serverSideEmit(c.event, c.arg); break;
      }
      return true;
    }
    case "closeServer":
      // a node going away: its sockets disconnect ("server shutting down"),
      // which persists their sessions when recovery is on
      await new Promise((resolve) => io.close(() => resolve()));
      await new Promise((resolve) => setTimeout(resolve, 200)); // let the adapter write the sessions
      return true;
    case "quit":
      quitting = true;
      for (const s of clients.values()) s.disconnect();
      if (io) io.close();
      for (const f of closers) f();
      setTimeout(() => process.exit(0), 50);
      return true;
  }
  throw new Error("unknown command " + c.cmd);
}

async function main() {
  emitter = new Emitter(ioredis(), { key });
  if (!serve) {
    out({ ready: 0 });
    return;
  }
  const opts = { adapter: await makeAdapter() };
  if (process.env.RECOVERY) opts.connectionStateRecovery = { maxDisconnectionDuration: Number(process.env.RECOVERY) };
  io = new Server(httpServer, opts);
  setup(io);
  setupServerSide(io);
  const dyn = io.of(/^\/dyn-\w+$/);
  setup(dyn);
  setupServerSide(dyn);
  httpServer.listen(0, "127.0.0.1", () => {
    // wait until the adapter is subscribed before reporting ready
    const check = async () => {
      const n = await io.of("/").adapter.serverCount().catch(() => 0);
      if (n >= 1) out({ ready: httpServer.address().port });
      else setTimeout(check, 20);
    };
    check();
  });
}
main().catch((err) => {
  process.stderr.write("peer: " + err.stack + "\n");
  process.exit(1);
});

readline.createInterface({ input: process.stdin }).on("line", async (line) => {
  let c;
  try {
    c = JSON.parse(line);
  } catch {
    return;
  }
  try {
    out({ id: c.id, result: await handle(c) });
  } catch (err) {
    out({ id: c.id, error: String(err && err.message ? err.message : err), responses: err && err.responses });
  }
});
process.stdin.on("end", () => process.exit(0));
