// Package client is an Engine.IO v4 client: HTTP long-polling and
// WebSocket, the polling-to-WebSocket upgrade, heartbeat answering and
// ping-timeout detection, as engine.io-client 6.6 does.
//
// Dial opens a connection and returns it open. Messages are delivered to
// the Handler given to Dial, one at a time, in arrival order; OnClose is
// called exactly once, after the last OnMessage.
package client
