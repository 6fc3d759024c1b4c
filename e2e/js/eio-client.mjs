// eio-client.mjs drives the official engine.io-client against a server, for
// the Go interop tests in ../eio_interop_test.go.
//
//	node js/eio-client.mjs '<options JSON>'
//
// Options (argv[2], JSON):
//
//	url            server URL, e.g. "http://127.0.0.1:1234" (required)
//	path           Engine.IO path (default "/engine.io/")
//	transports     e.g. ["polling"], ["websocket"], ["polling","websocket"]
//	upgrade        allow the polling-to-WebSocket upgrade (default true)
//	timeoutMs      hard timeout: the process exits with code 3 after it
//	               (default 10000)
//	silent         never answer the server's pings, and disable the
//	               client's own heartbeat check, so that only the server
//	               can detect the silence
//	fakeHeartbeat  {pingInterval, pingTimeout}: replace the values announced
//	               in the open packet (simulates a server whose heartbeat
//	               stopped while it announced these timers)
//	exitOnClose    exit as soon as the socket closes (default false: the
//	               process stays, as a real client would, until stdin ends
//	               or an "exit" command, so that the close packet or frame
//	               the client writes while closing really goes out)
//
// Events are written to stdout as JSON lines, in order:
//
//	{"event":"open","transport":"polling","sid":"...","upgrades":[...],"pingInterval":300,"pingTimeout":200}
//	{"event":"upgrading","transport":"websocket"}
//	{"event":"upgrade","transport":"websocket"}
//	{"event":"upgradeError","message":"..."}
//	{"event":"ping"}
//	{"event":"message","type":"text","data":"..."}
//	{"event":"message","type":"binary","data":"<base64>"}
//	{"event":"message","type":"undefined","data":""}   (the bare packet "4")
//	{"event":"error","message":"..."}
//	{"event":"close","reason":"...","description":"...","code":1000}
//	{"event":"sent","count":N}        after a "sendSeq" command has queued N messages
//	{"event":"timeout"}               the hard timeout fired
//
// Commands are read from stdin as JSON lines:
//
//	{"cmd":"send","text":"..."}
//	{"cmd":"send","binary":"<base64>","as":"buffer"|"arraybuffer"|"uint8array"}
//	{"cmd":"sendSeq","from":1,"to":300,"prefix":"c","intervalMs":1}
//	                   texts prefix+i, one per timer tick (setImmediate if
//	                   intervalMs is 0), so that the sequence spans time
//	{"cmd":"close"}                                    socket.close()
//	{"cmd":"exit"}
import { Socket } from "engine.io-client";
import { createInterface } from "node:readline";

const opts = JSON.parse(process.argv[2] ?? "{}");
const timeoutMs = opts.timeoutMs ?? 10000;
const exitOnClose = opts.exitOnClose ?? false;

let exiting = false;
function emit(obj) {
  process.stdout.write(JSON.stringify(obj) + "\n");
}
function exit(code) {
  if (exiting) return;
  exiting = true;
  // Let stdout drain before leaving.
  process.stdout.write("", () => process.exit(code));
}

const hardTimer = setTimeout(() => {
  emit({ event: "timeout" });
  exit(3);
}, timeoutMs);
hardTimer.unref();

function toBuffer(data) {
  if (Buffer.isBuffer(data)) return data;
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  if (ArrayBuffer.isView(data)) {
    return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  }
  return null;
}

// TestSocket overrides private hooks of the client to simulate misbehaving
// peers. The overrides are prototype methods because the client binds
// _onPacket when a transport is set, inside the constructor.
class TestSocket extends Socket {
  _onPacket(packet) {
    if (opts.silent && packet.type === "ping") {
      emit({ event: "ping", ignored: true });
      return; // no pong, no heartbeat reset
    }
    if (packet.type === "ping" && this.readyState === "open") {
      emit({ event: "ping" });
    }
    super._onPacket(packet);
  }
  onHandshake(data) {
    if (opts.fakeHeartbeat) {
      data = { ...data, ...opts.fakeHeartbeat };
    }
    super.onHandshake(data);
  }
  _resetPingTimeout() {
    if (opts.silent) return; // only the server may detect the silence
    super._resetPingTimeout();
  }
}

const socket = new TestSocket(opts.url, {
  path: opts.path ?? "/engine.io/",
  transports: opts.transports ?? ["polling", "websocket"],
  upgrade: opts.upgrade ?? true,
  rememberUpgrade: false,
  tryAllTransports: false,
});

socket.on("open", () => {
  emit({
    event: "open",
    transport: socket.transport.name,
    sid: socket.id,
    upgrades: socket._upgrades,
    pingInterval: socket._pingInterval,
    pingTimeout: socket._pingTimeout,
  });
});
socket.on("upgrading", (t) => emit({ event: "upgrading", transport: t.name }));
socket.on("upgrade", (t) => emit({ event: "upgrade", transport: t.name }));
socket.on("upgradeError", (err) =>
  emit({ event: "upgradeError", message: String(err && err.message) }),
);
socket.on("message", (data) => {
  if (data === undefined) {
    // An empty text message: engine.io-parser decodes "4" without data.
    emit({ event: "message", type: "undefined", data: "" });
    return;
  }
  if (typeof data === "string") {
    emit({ event: "message", type: "text", data });
    return;
  }
  const buf = toBuffer(data);
  if (buf === null) {
    emit({ event: "message", type: "unknown", data: String(data) });
    return;
  }
  emit({ event: "message", type: "binary", data: buf.toString("base64") });
});
socket.on("error", (err) =>
  emit({ event: "error", message: String(err && err.message), description: describe(err && err.description) }),
);
socket.on("close", (reason, details) => {
  const ev = { event: "close", reason, transport: socket.transport && socket.transport.name };
  const d = describe(details);
  if (d !== undefined) ev.description = d;
  const code = details && details.context && details.context.code;
  if (code !== undefined) ev.code = code;
  emit(ev);
  if (exitOnClose) exit(0);
});

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

function sendBinary(b64, as) {
  const buf = Buffer.from(b64, "base64");
  switch (as) {
    case "arraybuffer":
      return socket.send(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
    case "uint8array":
      return socket.send(new Uint8Array(buf));
    default:
      return socket.send(buf);
  }
}

const rl = createInterface({ input: process.stdin });
rl.on("line", (line) => {
  if (!line.trim()) return;
  let c;
  try {
    c = JSON.parse(line);
  } catch (err) {
    emit({ event: "badCommand", message: String(err) });
    return;
  }
  switch (c.cmd) {
    case "send":
      if (c.binary !== undefined) sendBinary(c.binary, c.as);
      else socket.send(c.text);
      break;
    case "sendSeq": {
      let i = c.from;
      const step = () => {
        if (i > c.to) {
          emit({ event: "sent", count: c.to - c.from + 1 });
          return;
        }
        socket.send((c.prefix ?? "") + i);
        i++;
        if (c.intervalMs > 0) setTimeout(step, c.intervalMs);
        else setImmediate(step);
      };
      step();
      break;
    }
    case "close":
      socket.close();
      break;
    case "exit":
      exit(0);
      break;
    default:
      emit({ event: "badCommand", message: "unknown command " + c.cmd });
  }
});
// The Go side closing stdin (or dying) ends the client.
rl.on("close", () => exit(0));
