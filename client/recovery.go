package client

import (
	"encoding/json"

	"github.com/gosio/socketio/parser"
)

// Connection state recovery, as socket.io-client 4.8 does it: a server
// with recovery on sends a private session id (pid) in its CONNECT reply
// and appends an offset to every event it may replay; the socket keeps
// the pid and the last offset it handled, and sends both in its next
// CONNECT. The server then restores the session (same id, rooms, data)
// and replays the events missed; Recovered reports it.

// Recovered reports whether the last connection restored the previous
// session (connection state recovery, Node: socket.recovered): the same
// id, and the events missed while away delivered before OnConnect.
func (s *Socket) Recovered() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.recovered
}

// recoveryAuth returns the CONNECT payload: auth, with the pid and last
// offset when the server gave a pid (auth's own keys win, as in
// socket.io-client's Object.assign). Caller holds s.mu.
func (s *Socket) recoveryAuthLocked(auth map[string]any) map[string]any {
	if s.pid == "" {
		return auth
	}
	out := make(map[string]any, len(auth)+2)
	out["pid"] = s.pid
	if s.lastOffset != "" {
		out["offset"] = s.lastOffset
	}
	for k, v := range auth {
		out[k] = v
	}
	return out
}

// noteOffset remembers the last argument of an event handled as the
// offset, when it is a string and the server gave a pid (handler
// goroutine).
func (s *Socket) noteOffset(data []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pid == "" {
		return
	}
	elems, err := parser.SplitArray(data)
	if err != nil || len(elems) < 2 {
		return
	}
	var off string
	if last := elems[len(elems)-1]; len(last) > 0 && last[0] == '"' && json.Unmarshal(last, &off) == nil {
		s.lastOffset = off
	}
}
