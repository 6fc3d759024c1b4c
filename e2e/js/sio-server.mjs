// sio-server.mjs runs the official socket.io server, for the Go client
// interop tests in ../client_interop_test.go.
//
//	node js/sio-server.mjs '<options JSON>'
//
// Options (argv[2], JSON):
//
//	port            port to listen on, on 127.0.0.1 (0: any free port)
//	pingInterval    ms (socket.io default 25000)
//	pingTimeout     ms (default 20000)
//	connectTimeout  ms (default 45000)
//	recovery        ms: connectionStateRecovery with this
//	                maxDisconnectionDuration (default off)
//	transports      e.g. ["polling"] (default ["polling","websocket"])
//	parser          "msgpack": socket.io-msgpack-parser (default: the JSON
//	                parser of socket.io)
//	timeoutMs       hard timeout: the process exits with code 3 after it
//	                (default 15000)
//
// The process also exits on SIGTERM and when its stdin closes (the Go test
// ending or dying).
//
// Behaviour, on the namespaces "/" and "/admin":
//
//	any event with an ack     acked with the event's own arguments (binary
//	                          included), except "ask", "burst", "kick"
//	                          and "relay"
//	"kick"                    socket.disconnect()
//	"join" (room)             socket.join(room), acked with room
//	"schedule" (room, names, ms)  after ms, nsp.to(room).emit("sched", name)
//	                          for each name; acked with room
//	"relay" (...args)         socket.broadcast.emit("relayed", ...args), then
//	                          the ack (...args): what a relaying app does
//	"burst" (n)               socket.emit("item", i) for i in 0..n-1, then
//	                          the ack (n)
//	"ask" (...args)           socket.timeout(2000).emit("question", ...args, cb);
//	                          the client's answer is logged and, if "ask"
//	                          asked for an ack, acked back
//	"noack" (...)             logged, never acked
//	"flaky" (key)             acked with key from its second receipt on (per
//	                          process): the first try of a retried emit is
//	                          lost
//	"hello" (...)             emits "hello" back to the socket with the same
//	                          arguments, then acks them
//
// The namespace "/mw" refuses every connection in a middleware with
// err.message "not authorized" and err.data {"content":"retry later"}.
//
// Events are written to stdout as JSON lines (binary values as
// {"$bin":"<base64>","type":"Buffer"}):
//
//	{"event":"listening","port":1234}
//	{"event":"connection","nsp":"/","id":"<socket id>","engine":"<engine id>",
//	 "auth":{...},"transport":"polling","clients":1}
//	{"event":"refused","nsp":"/mw","engine":"..."}           middleware refusal
//	{"event":"event","nsp":"/","id":"...","name":"x","args":[...],"hasAck":true,
//	 "transport":"websocket"}
//	{"event":"answer","nsp":"/","id":"...","args":[...]}       the client acked "question"
//	{"event":"answer","nsp":"/","id":"...","error":"..."}      it did not, in time
//	{"event":"disconnect","nsp":"/","id":"...","reason":"..."}
//	{"event":"timeout"}                                        the hard timeout fired
import { createServer } from "node:http";
import { createInterface } from "node:readline";
import { Server } from "socket.io";

const opts = JSON.parse(process.argv[2] ?? "{}");
const timeoutMs = opts.timeoutMs ?? 15000;

let exiting = false;
function emit(obj) {
  process.stdout.write(JSON.stringify(obj) + "\n");
}
function exit(code) {
  if (exiting) return;
  exiting = true;
  process.stdout.write("", () => process.exit(code));
}

const hardTimer = setTimeout(() => {
  emit({ event: "timeout" });
  exit(3);
}, timeoutMs);
hardTimer.unref();
process.on("SIGTERM", () => exit(0));
createInterface({ input: process.stdin }).on("close", () => exit(0));

function toJSON(v) {
  if (v === undefined) return null;
  if (Buffer.isBuffer(v)) return { $bin: v.toString("base64"), type: "Buffer" };
  if (v instanceof ArrayBuffer) return { $bin: Buffer.from(v).toString("base64"), type: "ArrayBuffer" };
  if (ArrayBuffer.isView(v)) {
    return {
      $bin: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64"),
      type: v.constructor.name,
    };
  }
  if (Array.isArray(v)) return v.map(toJSON);
  if (v !== null && typeof v === "object") {
    const o = {};
    for (const [k, x] of Object.entries(v)) o[k] = toJSON(x);
    return o;
  }
  if (typeof v === "function") return { $func: true };
  return v;
}

const httpServer = createServer();
const serverOpts = {};
for (const k of ["pingInterval", "pingTimeout", "connectTimeout", "transports"]) {
  if (opts[k] !== undefined) serverOpts[k] = opts[k];
}
if (opts.parser === "msgpack") {
  serverOpts.parser = (await import("socket.io-msgpack-parser")).default;
}
if (opts.recovery) {
  serverOpts.connectionStateRecovery = { maxDisconnectionDuration: opts.recovery, skipMiddlewares: true };
}
const io = new Server(httpServer, serverOpts);

const flakySeen = new Set();

function setup(nsp) {
  nsp.on("connection", (socket) => {
    const name = nsp.name;
    const id = socket.id;
    emit({
      event: "connection",
      nsp: name,
      id,
      engine: socket.conn.id,
      auth: socket.handshake.auth,
      transport: socket.conn.transport.name,
      clients: io.engine.clientsCount,
      recovered: socket.recovered,
    });
    socket.onAny((event, ...args) => {
      let ack = null;
      if (args.length > 0 && typeof args[args.length - 1] === "function") {
        ack = args.pop();
      }
      emit({
        event: "event",
        nsp: name,
        id,
        name: event,
        args: toJSON(args),
        hasAck: ack !== null,
        transport: socket.conn.transport.name,
      });
      switch (event) {
        case "kick":
          socket.disconnect();
          return;
        case "join": // (room)
          socket.join(args[0]);
          if (ack) ack(args[0]);
          return;
        case "schedule": // (room, names, ms): emit "sched" name to room later
          setTimeout(() => {
            for (const n of args[1]) nsp.to(args[0]).emit("sched", n);
          }, args[2]);
          if (ack) ack(args[0]);
          return;
        case "relay":
          socket.broadcast.emit("relayed", ...args);
          if (ack) ack(...args);
          return;
        case "burst": {
          const n = args[0];
          for (let i = 0; i < n; i++) socket.emit("item", i);
          if (ack) ack(n);
          return;
        }
        case "noack":
          return;
        case "flaky":
          if (flakySeen.has(args[0])) {
            if (ack) ack(args[0]);
          } else {
            flakySeen.add(args[0]);
          }
          return;
        case "hello":
          socket.emit("hello", ...args);
          if (ack) ack(...args);
          return;
        case "ask":
          socket.timeout(2000).emit("question", ...args, (err, ...answer) => {
            if (err) {
              emit({ event: "answer", nsp: name, id, error: String(err.message) });
              if (ack) ack({ error: String(err.message) });
              return;
            }
            emit({ event: "answer", nsp: name, id, args: toJSON(answer) });
            if (ack) ack(...answer);
          });
          return;
      }
      if (ack) ack(...args);
    });
    socket.on("disconnect", (reason) => emit({ event: "disconnect", nsp: name, id, reason }));
  });
}

setup(io.of("/"));
setup(io.of("/admin"));
const mw = io.of("/mw");
mw.use((socket, next) => {
  emit({ event: "refused", nsp: "/mw", engine: socket.conn.id });
  const err = new Error("not authorized");
  err.data = { content: "retry later" };
  next(err);
});
setup(mw);

httpServer.on("error", (err) => {
  emit({ event: "error", message: String(err && err.message) });
  exit(2);
});
httpServer.listen(opts.port ?? 0, "127.0.0.1", () => {
  emit({ event: "listening", port: httpServer.address().port });
});
