// The wire forms of @socket.io/redis-adapter 8.3 that are its own: JSON
// requests and responses. Packets, broadcast options and the sockets of
// REMOTE_FETCH answers are in internal/wire, shared with the ClusterAdapter
// transports.

package redis

import (
	"encoding/json"
	"strings"

	"github.com/gosio/socketio/adapter"
	"github.com/gosio/socketio/adapter/redis/internal/wire"
	"github.com/gosio/socketio/internal/notepack"
	"github.com/gosio/socketio/parser"
)

// wireOpts are the socket selection of a JSON request.
type wireOpts struct {
	Rooms  []string `json:"rooms"`
	Except []string `json:"except"`
}

var nonNil = wire.NonNil

// optsMap is o as the Node adapter sends broadcast options.
func optsMap(o adapter.BroadcastOptions) notepack.Map { return wire.OptsMap(o) }

// wirePacket is p as the Node adapter sends it: {type: 2, data, nsp}.
func (a *Adapter) wirePacket(p *parser.Packet) (notepack.Map, error) { return wire.Packet(a.name, p) }

// jsonOpts are the socket selection of a JSON request.
type jsonOpts struct {
	Rooms  wire.StrList `json:"rooms"`
	Except wire.StrList `json:"except"`
}

func (o *jsonOpts) broadcastOptions() adapter.BroadcastOptions {
	if o == nil {
		return adapter.BroadcastOptions{}
	}
	return adapter.BroadcastOptions{Rooms: o.Rooms, Except: o.Except}
}

// jsonRequest is a JSON request of another node (the fields of every
// request type).
type jsonRequest struct {
	UID       string          `json:"uid"`
	RequestID json.RawMessage `json:"requestId"`
	Type      *int            `json:"type"`
	Opts      *jsonOpts       `json:"opts"`
	Rooms     wire.StrList    `json:"rooms"`
	Close     bool            `json:"close"`
	Data      json.RawMessage `json:"data"`
	Sid       string          `json:"sid"`
	Room      string          `json:"room"`
}

// requestID returns the request id (a string, or a number as sent).
func (r *jsonRequest) requestID() string {
	var s string
	if json.Unmarshal(r.RequestID, &s) == nil {
		return s
	}
	return strings.TrimSpace(string(r.RequestID))
}

// jsonResponse is a JSON response to one of this node's requests.
type jsonResponse struct {
	Type        *int            `json:"type"`
	RequestID   json.RawMessage `json:"requestId"`
	Sockets     json.RawMessage `json:"sockets"`
	Rooms       wire.StrList    `json:"rooms"`
	Data        json.RawMessage `json:"data"`
	ClientCount int             `json:"clientCount"`
}
