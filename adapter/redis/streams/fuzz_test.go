package streams

import (
	"encoding/base64"
	"testing"

	"github.com/gosio/socketio/adapter/redis/internal/cluster"
)

// FuzzEntry feeds stream entries as another node may write them: decoding
// never panics, and a decoded message written again decodes the same.
func FuzzEntry(f *testing.F) {
	f.Add("u", "/", "3", `{"packet":{"type":2,"data":["e",1]},"opts":{"rooms":[],"except":[],"flags":{}}}`)
	f.Add("u", "/", "4", `{"opts":{"rooms":["a"],"except":[]},"rooms":["b"]}`)
	f.Add("u", "/", "3", base64.StdEncoding.EncodeToString([]byte("\x81\xa6packet\x82\xa4type\x02\xa4data\x92\xa1e\xc4\x01\x00")))
	f.Add("", "", "x", "")
	f.Fuzz(func(t *testing.T, uid, nsp, typ, data string) {
		m, err := cluster.FromStreamFields(map[string]any{"uid": uid, "nsp": nsp, "type": typ, "data": data})
		if err != nil {
			return
		}
		fields, err := cluster.StreamFields(m, false)
		if err != nil {
			t.Fatalf("does not encode: %v", err)
		}
		v := map[string]any{}
		for i := 0; i+1 < len(fields); i += 2 {
			v[fields[i].(string)] = fields[i+1]
		}
		back, err := cluster.FromStreamFields(v)
		if err != nil || back.UID != m.UID || back.Nsp != m.Nsp || back.Type != m.Type || (back.Data == nil) != (m.Data == nil) {
			t.Fatalf("round trip: %+v %v, was %+v", back, err, m)
		}
	})
}

// FuzzSession feeds stored sessions (base64 MessagePack, as any node may
// write them): decoding never panics.
func FuzzSession(f *testing.F) {
	f.Add(base64.StdEncoding.EncodeToString([]byte("\x84\xa3sid\xa1s\xa3pid\xa1p\xa5rooms\x91\xa1r\xa4data\x80")))
	f.Add("not base64")
	f.Fuzz(func(t *testing.T, raw string) {
		if s := decodeSession(raw); s != nil && s.SID == "" {
			t.Fatal("session without sid")
		}
	})
}
