// Bench server contract with Node's socket.io 4.8.4: serves /socket.io/ on
// 127.0.0.1:$PORT; on "echo" acks back the same arguments; on "broadcast"
// emits "msg" with the arguments to every socket. PING_INTERVAL_MS sets the
// Engine.IO ping interval (default 25000).
//
// With REDIS_URL set (redis://127.0.0.1:PORT), the server is one node of a
// cluster: @socket.io/redis-adapter 8.x (classic PUB/SUB) over the `redis`
// client, so "broadcast" reaches the sockets of every node. It listens only
// once both Redis connections are up.
"use strict";
const http = require("node:http");
const { Server } = require("socket.io");

const port = Number(process.env.PORT || 3000);
const opts = { serveClient: false };
const ping = Number(process.env.PING_INTERVAL_MS || 0);
if (ping > 0) opts.pingInterval = ping;

const httpServer = http.createServer();
const io = new Server(httpServer, opts);
const redisClients = [];

io.on("connection", (socket) => {
  socket.on("echo", (...args) => {
    const ack = typeof args[args.length - 1] === "function" ? args.pop() : null;
    if (ack) ack(...args);
    else socket.emit("echo", ...args);
  });
  socket.on("broadcast", (...args) => {
    if (typeof args[args.length - 1] === "function") args.pop();
    io.emit("msg", ...args);
  });
});

async function joinRedis(url) {
  const { createClient } = require("redis");
  const { createAdapter } = require("@socket.io/redis-adapter");
  const pub = createClient({ url });
  const sub = pub.duplicate();
  for (const c of [pub, sub]) {
    c.on("error", (err) => console.error("redis:", err.message));
    redisClients.push(c);
  }
  await Promise.all([pub.connect(), sub.connect()]);
  io.adapter(createAdapter(pub, sub));
}

async function main() {
  if (process.env.REDIS_URL) await joinRedis(process.env.REDIS_URL);
  httpServer.listen(port, "127.0.0.1", () => {
    const mode = process.env.REDIS_URL ? ` (cluster node, Redis ${process.env.REDIS_URL})` : "";
    console.error(`node socket.io bench server on 127.0.0.1:${port}${mode}`);
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

function stop() {
  io.close();
  for (const c of redisClients) c.disconnect().catch(() => {});
  httpServer.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
