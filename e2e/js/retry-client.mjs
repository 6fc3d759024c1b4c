// retry-client.mjs runs the official socket.io-client with at-least-once
// delivery (retries, ackTimeout) and reconnection, for the Go tests in
// ../client_retry_test.go, which run the same scenarios with the Go client
// and compare.
//
//	node js/retry-client.mjs '<options JSON>'
//
// Options (argv[2], JSON):
//
//	url          server URL with the namespace, e.g. "http://127.0.0.1:1234/"
//	retries      socket option retries
//	ackTimeout   socket option ackTimeout, ms
//	transports   e.g. ["websocket"] (default ["polling","websocket"])
//	reconnection false: one attempt only (default true)
//	timeout      Manager option timeout, ms (default 2000)
//	timeoutMs    hard timeout: the process exits with code 3 after it
//	             (default 20000)
//
// Reconnection is on (delay 50 ms, at most 200 ms). The process exits on
// SIGTERM and when stdin closes.
//
// Commands (stdin, JSON lines):
//
//	{"cmd":"emit","event":"x","args":[...],"tag":"t"}
//	        socket.emit(event, ...args, callback): the outcome is an "ack"
//	        line; without "tag", socket.emit(event, ...args) (no callback)
//	{"cmd":"exit"}
//
// Events (stdout, JSON lines):
//
//	{"event":"connect","sid":"..."}
//	{"event":"connect_error","message":"...","description":"..."}
//	        description: the HTTP status, or the cause's message
//	{"event":"disconnect","reason":"..."}
//	{"event":"ack","tag":"t","args":[...]}            acknowledged
//	{"event":"ack","tag":"t","error":"..."}           given up, with the error
//	{"event":"timeout"}                               the hard timeout fired
import { io } from "socket.io-client";
import { createInterface } from "node:readline";

const opts = JSON.parse(process.argv[2] ?? "{}");
const timeoutMs = opts.timeoutMs ?? 20000;

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

const socket = io(opts.url, {
  forceNew: true,
  retries: opts.retries,
  ackTimeout: opts.ackTimeout,
  transports: opts.transports ?? ["polling", "websocket"],
  reconnection: opts.reconnection ?? true,
  reconnectionDelay: 50,
  reconnectionDelayMax: 200,
  timeout: opts.timeout ?? 2000,
});
socket.on("connect", () => emit({ event: "connect", sid: socket.id }));
socket.on("disconnect", (reason) => emit({ event: "disconnect", reason }));
socket.on("connect_error", (err) => {
  const d = err.description;
  const description = d === undefined || d === null ? "" : typeof d === "object" ? String(d.message ?? d) : String(d);
  emit({ event: "connect_error", message: String(err.message), description });
});

const rl = createInterface({ input: process.stdin });
rl.on("line", (line) => {
  let c;
  try {
    c = JSON.parse(line);
  } catch {
    return;
  }
  switch (c.cmd) {
    case "emit":
      if (c.tag === undefined) {
        socket.emit(c.event, ...(c.args ?? []));
        return;
      }
      socket.emit(c.event, ...(c.args ?? []), (err, ...args) => {
        if (err) emit({ event: "ack", tag: c.tag, error: String(err.message) });
        else emit({ event: "ack", tag: c.tag, args });
      });
      return;
    case "exit":
      socket.disconnect();
      exit(0);
      return;
  }
});
rl.on("close", () => {
  socket.disconnect();
  exit(0);
});
