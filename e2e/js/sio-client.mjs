// sio-client.mjs drives the official socket.io-client against a server, for
// the Go interop tests in ../sio_interop_test.go.
//
//	node js/sio-client.mjs '<options JSON>'
//
// Options (argv[2], JSON):
//
//	url            server URL, e.g. "http://127.0.0.1:1234" (required)
//	path           Socket.IO path (default "/socket.io/")
//	transports     e.g. ["polling"], ["websocket"], ["polling","websocket"]
//	upgrade        allow the polling-to-WebSocket upgrade (default true)
//	timeoutMs      hard timeout: the process exits with code 3 after it
//	               (default 10000)
//	parser         "msgpack": socket.io-msgpack-parser (default: the JSON
//	               parser of socket.io-client)
//
// Reconnection is disabled: each test sees exactly one connection attempt
// per socket.connect().
//
// A "conn" is one Manager, i.e. one Engine.IO connection; the sockets
// created on the same conn are multiplexed over it. Every socket has an id
// chosen by the Go side.
//
// JSON cannot carry binary data, so binary values are written as
// {"$bin":"<base64>"} both ways. In commands, "as" picks the JavaScript
// type sent: "buffer" (default), "arraybuffer" or "uint8array". In events,
// "type" names the type the client received: "Buffer", "ArrayBuffer", ...
//
// Events are written to stdout as JSON lines:
//
//	{"event":"open","conn":"c","transport":"polling"}       engine opened
//	{"event":"upgrade","conn":"c","transport":"websocket"}  engine upgraded
//	{"event":"close","conn":"c","reason":"..."}             engine closed
//	{"event":"connect","id":"a","sid":"...","transport":"..."}
//	{"event":"connect_error","id":"a","message":"...","data":<any>}
//	{"event":"disconnect","id":"a","reason":"...","description":"..."}
//	{"event":"event","id":"a","name":"x","args":[...],"hasAck":true}
//	{"event":"replied","id":"a","name":"x","args":[...]}    the ack sent for a server event
//	{"event":"ack","id":"a","tag":"t","args":[...]}         the server acked an emit
//	{"event":"ackError","id":"a","tag":"t","message":"..."} emit with timeoutMs: no ack in time
//	{"event":"sent","id":"a","tag":"t"}                     after an emit command
//	{"event":"timeout"}                                     the hard timeout fired
//	{"event":"badCommand","message":"..."}
//
// Commands are read from stdin as JSON lines:
//
//	{"cmd":"socket","id":"a","nsp":"/chat","auth":{...},"conn":"c"}
//	                   create socket a on conn c (default "main") and connect
//	{"cmd":"emit","id":"a","event":"x","args":[...],"tag":"t","timeoutMs":500,"volatile":false}
//	                   with a tag, ask for an acknowledgement; with timeoutMs
//	                   too, use socket.timeout(ms) (the callback gets an error)
//	{"cmd":"reply","id":"a","event":"x","args":[...]}
//	                   answer the acks the server asks for event x with args;
//	                   "echo":true answers with the event's own arguments;
//	                   without a reply rule the ack is never answered;
//	                   answered by {"event":"replySet","id":"a","name":"x"}
//	{"cmd":"connect","id":"a"}                   socket.connect()
//	{"cmd":"disconnect","id":"a"}                socket.disconnect()
//	{"cmd":"closeConn","conn":"c"}               manager.engine.close()
//	{"cmd":"exit"}
import { Manager } from "socket.io-client";
import { createInterface } from "node:readline";

const opts = JSON.parse(process.argv[2] ?? "{}");
const timeoutMs = opts.timeoutMs ?? 10000;
const parser = opts.parser === "msgpack" ? (await import("socket.io-msgpack-parser")).default : undefined;

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

// ---- binary <-> JSON ----

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

function fromJSON(v) {
  if (Array.isArray(v)) return v.map(fromJSON);
  if (v !== null && typeof v === "object") {
    if (typeof v.$bin === "string") {
      const buf = Buffer.from(v.$bin, "base64");
      switch (v.as) {
        case "arraybuffer":
          return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
        case "uint8array":
          return new Uint8Array(buf);
        default:
          return buf;
      }
    }
    const o = {};
    for (const [k, x] of Object.entries(v)) o[k] = fromJSON(x);
    return o;
  }
  return v;
}

// ---- managers and sockets ----

const managers = new Map(); // conn name -> Manager
const sockets = new Map(); // socket id -> Socket
const replies = new Map(); // socket id -> Map(event -> rule)

function manager(conn) {
  let m = managers.get(conn);
  if (m) return m;
  m = new Manager(opts.url, {
    path: opts.path ?? "/socket.io/",
    transports: opts.transports ?? ["polling", "websocket"],
    upgrade: opts.upgrade ?? true,
    rememberUpgrade: false,
    tryAllTransports: false,
    reconnection: false,
    timeout: 5000,
    ...(parser ? { parser } : {}),
  });
  m.on("open", () => {
    const engine = m.engine;
    emit({ event: "open", conn, transport: engine.transport.name });
    engine.on("upgrade", (t) => emit({ event: "upgrade", conn, transport: t.name }));
  });
  m.on("close", (reason) => emit({ event: "close", conn, reason }));
  m.on("error", (err) => emit({ event: "connError", conn, message: String(err && err.message) }));
  managers.set(conn, m);
  return m;
}

function describe(d) {
  if (d === undefined || d === null) return undefined;
  if (typeof d === "string") return d;
  if (d instanceof Error) return d.message;
  if (typeof d.description === "string") return d.description;
  if (d.description instanceof Error) return d.description.message;
  try {
    return JSON.stringify(d);
  } catch {
    return String(d);
  }
}

function newSocket(c) {
  const id = c.id;
  const m = manager(c.conn ?? "main");
  const socket = m.socket(c.nsp ?? "/", c.auth !== undefined ? { auth: c.auth } : {});
  sockets.set(id, socket);
  replies.set(id, new Map());
  socket.on("connect", () => {
    emit({ event: "connect", id, sid: socket.id, transport: m.engine && m.engine.transport.name });
  });
  socket.on("connect_error", (err) => {
    const ev = { event: "connect_error", id, message: String(err && err.message) };
    if (err && err.data !== undefined) ev.data = toJSON(err.data);
    emit(ev);
  });
  socket.on("disconnect", (reason, details) => {
    const ev = { event: "disconnect", id, reason };
    const d = describe(details);
    if (d !== undefined) ev.description = d;
    emit(ev);
  });
  socket.onAny((name, ...args) => {
    let ack = null;
    if (args.length > 0 && typeof args[args.length - 1] === "function") {
      ack = args.pop();
    }
    emit({ event: "event", id, name, args: toJSON(args), hasAck: ack !== null });
    if (ack === null) return;
    const rule = replies.get(id).get(name);
    if (rule === undefined) return; // never answer
    const out = rule.echo ? args : fromJSON(rule.args ?? []);
    ack(...out);
    emit({ event: "replied", id, name, args: toJSON(out) });
  });
  // socket.io-client 4.8 leaves a socket created on an open manager to
  // connect by itself (autoConnect); nothing else to do.
}

function onCommand(c) {
  switch (c.cmd) {
    case "socket":
      if (sockets.has(c.id)) throw new Error("duplicate socket id " + c.id);
      newSocket(c);
      break;
    case "emit": {
      const socket = sockets.get(c.id);
      if (!socket) throw new Error("no socket " + c.id);
      let target = socket;
      if (c.volatile) target = target.volatile;
      const args = fromJSON(c.args ?? []);
      if (c.tag !== undefined) {
        if (c.timeoutMs !== undefined) {
          target.timeout(c.timeoutMs).emit(c.event, ...args, (err, ...res) => {
            if (err) emit({ event: "ackError", id: c.id, tag: c.tag, message: String(err.message) });
            else emit({ event: "ack", id: c.id, tag: c.tag, args: toJSON(res) });
          });
        } else {
          target.emit(c.event, ...args, (...res) => {
            emit({ event: "ack", id: c.id, tag: c.tag, args: toJSON(res) });
          });
        }
      } else {
        target.emit(c.event, ...args);
      }
      emit({ event: "sent", id: c.id, tag: c.tag });
      break;
    }
    case "reply":
      replies.get(c.id).set(c.event, { args: c.args, echo: !!c.echo });
      emit({ event: "replySet", id: c.id, name: c.event });
      break;
    case "connect":
      sockets.get(c.id).connect();
      break;
    case "disconnect":
      sockets.get(c.id).disconnect();
      break;
    case "closeConn": {
      const m = managers.get(c.conn ?? "main");
      if (m && m.engine) m.engine.close();
      break;
    }
    case "exit":
      exit(0);
      break;
    default:
      throw new Error("unknown command " + c.cmd);
  }
}

const rl = createInterface({ input: process.stdin });
rl.on("line", (line) => {
  if (!line.trim()) return;
  try {
    onCommand(JSON.parse(line));
  } catch (err) {
    emit({ event: "badCommand", message: String(err) });
  }
});
// The Go side closing stdin (or dying) ends the client.
rl.on("close", () => exit(0));
emit({ event: "ready" });
