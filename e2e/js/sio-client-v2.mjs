// sio-client-v2.mjs drives the official socket.io-client 2.x (npm alias
// socket.io-client-v2: Socket.IO v2, Engine.IO v3) against a server, for
// the Go interop tests in ../sio_v2_interop_test.go. It speaks the same
// JSON lines as sio-client.mjs (see there), with these differences, which
// are the 2.x client's:
//
//   - there is no auth: a socket's "query" (object) is what it sends with
//     its CONNECT (the server's handshake.auth); the conn's "query" goes
//     on the Engine.IO URL (the server's handshake.query);
//   - a refused namespace is reported by the socket's "error" event:
//     {"event":"error","id":"a","data":<the CONNECT_ERROR payload>};
//   - there is no onAny and no emit timeout; incoming events are caught
//     where the client dispatches them (socket.onevent);
//   - reconnection is on when the options say "reconnection": true, with
//     100 ms delays; reconnects are reported as
//     {"event":"reconnect","conn":"c","attempt":1}.
//
// Options (argv[2], JSON): url, path, transports, upgrade, timeoutMs as in
// sio-client.mjs; query (conn "main"), reconnection, forceBase64.
//
// Commands: socket {id, nsp, conn, query}, emit {id, event, args, tag},
// reply {id, event, args, echo}, connect, disconnect, closeConn, exit.
import io from "socket.io-client-v2";
import { createInterface } from "node:readline";

const opts = JSON.parse(process.argv[2] ?? "{}");
const timeoutMs = opts.timeoutMs ?? 10000;

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

// ---- binary <-> JSON (as in sio-client.mjs) ----

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
    if (typeof v.$bin === "string") return Buffer.from(v.$bin, "base64");
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
  m = new io.Manager(opts.url, {
    path: opts.path ?? "/socket.io",
    transports: opts.transports ?? ["polling", "websocket"],
    upgrade: opts.upgrade ?? true,
    rememberUpgrade: false,
    forceBase64: opts.forceBase64 ?? false,
    query: conn === "main" ? opts.query : undefined,
    reconnection: !!opts.reconnection,
    reconnectionDelay: 100,
    reconnectionDelayMax: 100,
    randomizationFactor: 0,
    timeout: 5000,
  });
  m.on("open", () => {
    const engine = m.engine;
    emit({ event: "open", conn, transport: engine.transport.name });
    engine.on("upgrade", (t) => emit({ event: "upgrade", conn, transport: t.name }));
  });
  m.on("close", (reason) => emit({ event: "close", conn, reason }));
  m.on("connect_error", (err) => emit({ event: "connError", conn, message: String(err && err.message) }));
  m.on("reconnect", (attempt) => emit({ event: "reconnect", conn, attempt }));
  managers.set(conn, m);
  return m;
}

function newSocket(c) {
  const id = c.id;
  const m = manager(c.conn ?? "main");
  const socket = m.socket(c.nsp ?? "/", c.query !== undefined ? { query: c.query } : {});
  sockets.set(id, socket);
  replies.set(id, new Map());
  socket.on("connect", () => {
    emit({ event: "connect", id, sid: socket.id, transport: m.engine && m.engine.transport.name });
  });
  socket.on("error", (data) => emit({ event: "error", id, data: toJSON(data) }));
  socket.on("disconnect", (reason) => emit({ event: "disconnect", id, reason }));
  // Every event the server sends passes here (2.x has no onAny).
  socket.onevent = function (packet) {
    const [name, ...args] = packet.data || [];
    const hasAck = packet.id != null;
    emit({ event: "event", id, name, args: toJSON(args), hasAck });
    if (!hasAck) return;
    const rule = replies.get(id).get(name);
    if (rule === undefined) return; // never answer
    const out = rule.echo ? args : fromJSON(rule.args ?? []);
    this.ack(packet.id)(...out);
    emit({ event: "replied", id, name, args: toJSON(out) });
  };
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
      const args = fromJSON(c.args ?? []);
      if (c.tag !== undefined) {
        socket.emit(c.event, ...args, (...res) => {
          emit({ event: "ack", id: c.id, tag: c.tag, args: toJSON(res) });
        });
      } else {
        socket.emit(c.event, ...args);
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
rl.on("close", () => exit(0));
emit({ event: "ready" });
