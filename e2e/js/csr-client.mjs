// csr-client.mjs drives the official socket.io-client with reconnection
// on, for the connection state recovery tests in ../csr_test.go.
//
//	node js/csr-client.mjs '{"url":"http://127.0.0.1:1234","transports":["websocket"]}'
//
// Options: url (required), nsp (default "/"), transports, auth,
// timeoutMs (hard timeout, default 15000).
//
// Events on stdout, one JSON line each:
//
//	{"event":"connect","sid":"...","recovered":true,"transport":"websocket"}
//	{"event":"disconnect","reason":"transport close"}
//	{"event":"event","name":"x","args":[...]}      args as the handler saw them
//	{"event":"sent","tag":"t"}
//
// Commands on stdin, one JSON line each:
//
//	{"cmd":"emit","event":"join","args":["room"],"tag":"t"}
//	{"cmd":"connect"}  {"cmd":"disconnect"}  {"cmd":"exit"}
import { io } from "socket.io-client";
import { createInterface } from "node:readline";

const opts = JSON.parse(process.argv[2] ?? "{}");
function out(obj) {
  process.stdout.write(JSON.stringify(obj) + "\n");
}
const hard = setTimeout(() => {
  out({ event: "timeout" });
  process.exit(3);
}, opts.timeoutMs ?? 15000);

const socket = io(opts.url + (opts.nsp ?? "/"), {
  transports: opts.transports ?? ["polling", "websocket"],
  upgrade: false,
  reconnectionDelay: 50,
  reconnectionDelayMax: 100,
  randomizationFactor: 0,
  timeout: 2000,
  auth: opts.auth,
});
socket.on("connect", () => {
  out({ event: "connect", sid: socket.id, recovered: socket.recovered, transport: socket.io.engine.transport.name });
});
socket.on("disconnect", (reason) => out({ event: "disconnect", reason }));
socket.on("connect_error", (err) => out({ event: "connect_error", message: String(err && err.message) }));
socket.onAny((name, ...args) => out({ event: "event", name, args }));

createInterface({ input: process.stdin }).on("line", (line) => {
  if (!line.trim()) return;
  const c = JSON.parse(line);
  switch (c.cmd) {
    case "emit":
      socket.emit(c.event, ...(c.args ?? []));
      out({ event: "sent", tag: c.tag });
      break;
    case "connect":
      socket.connect();
      break;
    case "disconnect":
      socket.disconnect();
      break;
    case "exit":
      clearTimeout(hard);
      socket.close();
      process.exit(0);
  }
}).on("close", () => process.exit(0));
