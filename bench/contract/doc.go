// Package contract is the bench server contract (docs/performance.md) for
// a gosio server, shared by bench/server and bench/cluster so that both
// answer the load tool the same way: on "echo", ack back the same
// arguments (emit "echo" back if the client asked for no ack); on
// "broadcast", emit "msg" with the same arguments to every socket;
// PING_INTERVAL_MS sets the Engine.IO ping interval.
package contract
