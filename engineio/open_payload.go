package engineio

import (
	"encoding/json"
	"strconv"
)

// appendOpenPayload appends the JSON of the open packet, byte for byte
// what encoding/json writes for the struct
//
//	{SID string `json:"sid"`; Upgrades []string `json:"upgrades"`;
//	 PingInterval, PingTimeout, MaxPayload int64 (camelCase names)}
//
// without reflection: every handshake writes one, and json.Marshal was
// most of the session set-up's own CPU (and grew the handshake
// goroutine's stack).
func appendOpenPayload(b []byte, sid string, upgrades []string, pingInterval, pingTimeout, maxPayload int64) []byte {
	b = append(b, `{"sid":`...)
	b = appendJSONString(b, sid)
	b = append(b, `,"upgrades":[`...)
	for i, u := range upgrades {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, u)
	}
	b = append(b, `],"pingInterval":`...)
	b = strconv.AppendInt(b, pingInterval, 10)
	b = append(b, `,"pingTimeout":`...)
	b = strconv.AppendInt(b, pingTimeout, 10)
	b = append(b, `,"maxPayload":`...)
	b = strconv.AppendInt(b, maxPayload, 10)
	return append(b, '}')
}

// appendJSONString appends v as encoding/json encodes a string: quoted
// as is when every byte is printable ASCII that needs no escape (the
// generated ids, the transport names), else by encoding/json itself (a
// GenerateID may return anything).
func appendJSONString(b []byte, v string) []byte {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(v)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, v...)
	return append(b, '"')
}
