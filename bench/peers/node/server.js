// Bench server contract with Node's socket.io 4.8.4: serves /socket.io/ on
// 127.0.0.1:$PORT; on "echo" acks back the same arguments; on "broadcast"
// emits "msg" with the arguments to every socket. PING_INTERVAL_MS sets the
// Engine.IO ping interval (default 25000).
"use strict";
const http = require("node:http");
const { Server } = require("socket.io");

const port = Number(process.env.PORT || 3000);
const opts = { serveClient: false };
const ping = Number(process.env.PING_INTERVAL_MS || 0);
if (ping > 0) opts.pingInterval = ping;

const httpServer = http.createServer();
const io = new Server(httpServer, opts);

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

httpServer.listen(port, "127.0.0.1", () => {
  console.error(`node socket.io bench server on 127.0.0.1:${port}`);
});

function stop() {
  io.close();
  httpServer.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
