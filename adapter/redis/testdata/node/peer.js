// A Node.js node of a mixed cluster, driven by the Go tests over
// stdin/stdout (one JSON object per line). It runs a socket.io 4.8 server
// with @socket.io/redis-adapter on 127.0.0.1, official socket.io-client
// sockets (to any node), and @socket.io/redis-emitter.
//
// env: REDIS_PORT, KEY. Output: {"ready":port}, then {"id",result|error}
// replies, {"client","event","arg"} for client events and {"sse","arg"}
// for server-side events.
"use strict";
const http = require("http");
const readline = require("readline");
const { Server } = require("socket.io");
const { io: ioc } = require("socket.io-client");
const { createAdapter } = require("@socket.io/redis-adapter");
const { Emitter } = require("@socket.io/redis-emitter");
const Redis = require("ioredis");

const port = Number(process.env.REDIS_PORT);
const key = process.env.KEY;
const out = (o) => process.stdout.write(JSON.stringify(o) + "\n");

const redisOpts = { host: "127.0.0.1", port, lazyConnect: false, maxRetriesPerRequest: 1 };
const pub = new Redis(redisOpts);
const sub = new Redis(redisOpts);
const epub = new Redis(redisOpts);
for (const c of [pub, sub, epub]) c.on("error", () => {});

const show = (v) => (Buffer.isBuffer(v) ? "bin:" + v.toString() : v && typeof v === "object" ? JSON.stringify(v) : String(v));

const httpServer = http.createServer();
const io = new Server(httpServer, {
  adapter: createAdapter(pub, sub, { key, requestsTimeout: 2000 }),
});
io.on("connection", (socket) => {
  const q = socket.handshake.query;
  const rooms = q.room === undefined ? [] : [].concat(q.room);
  socket.join(rooms);
  if (q.data) socket.data = { name: q.data };
});
io.on("ping", (arg, ack) => {
  out({ sse: "ping", arg });
  if (typeof ack === "function") ack("pong-node-" + arg);
});
io.on("fire", (arg) => out({ sse: "fire", arg }));

const emitter = new Emitter(epub, { key });
const clients = new Map();

function sel(op, c) {
  if (c.rooms && c.rooms.length) op = op.to(c.rooms);
  if (c.except && c.except.length) op = op.except(c.except);
  return op;
}
const arg = (c) => (c.binary ? Buffer.from(c.arg) : c.arg);

async function handle(c) {
  switch (c.cmd) {
    case "connect": {
      const s = ioc(c.url, { transports: ["websocket"], query: c.query || {}, reconnection: false, forceNew: true });
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
      await new Promise((resolve, reject) => {
        s.once("connect", resolve);
        s.once("connect_error", reject);
      });
      return s.id;
    }
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
      io.serverSideEmit(c.event, c.arg);
      return true;
    case "serverSideEmitWithAck":
      return io.serverSideEmitWithAck(c.event, c.arg);
    case "serverCount":
      return io.of("/").adapter.serverCount();
    case "emitter": {
      let e = emitter;
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
    case "quit":
      for (const s of clients.values()) s.disconnect();
      io.close();
      for (const r of [pub, sub, epub]) r.disconnect();
      setTimeout(() => process.exit(0), 50);
      return true;
  }
  throw new Error("unknown command " + c.cmd);
}

httpServer.listen(0, "127.0.0.1", () => {
  // wait until the adapter is subscribed before reporting ready
  const check = async () => {
    const n = await io.of("/").adapter.serverCount().catch(() => 0);
    if (n >= 1) out({ ready: httpServer.address().port });
    else setTimeout(check, 20);
  };
  check();
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
