package streams

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"

	goredis "github.com/redis/go-redis/v9"

	"github.com/gosio/socketio/adapter"
	"github.com/gosio/socketio/adapter/redis/internal/cluster"
	"github.com/gosio/socketio/adapter/redis/internal/wire"
	"github.com/gosio/socketio/internal/notepack"
	"github.com/gosio/socketio/parser"
)

// SessionAdapter is the Adapter with connection state recovery
// (adapter.SessionAware), what Cluster.Adapter returns when
// Options.Recovery is set. Sessions live in Redis, so a client recovers
// on any node, Go or Node.js: the session of a socket that left is the
// base64 MessagePack {sid, pid, rooms, data} (and "start", which Node
// ignores) under "<SessionKeyPrefix><pid>" for MaxDisconnectionDuration;
// offsets are stream entry ids, and the missed packets are read back from
// the stream with XRANGE.
type SessionAdapter struct {
	*Adapter
}

var _ adapter.SessionAware = (*SessionAdapter)(nil)

// Offset returns the id of the last entry this node's reader handled ("" until it
// reached Redis).
func (a *SessionAdapter) Offset() string { return a.rd.offset() }

func (a *SessionAdapter) key(pid string) string { return a.c.opts.SessionKeyPrefix + pid }

// PersistSession writes s for MaxDisconnectionDuration (queued, like the
// stream entries: retried while Redis is away, flushed by Close).
func (a *SessionAdapter) PersistSession(s *adapter.Session) {
	v := notepack.Map{
		{Key: "sid", Val: s.SID}, {Key: "pid", Val: s.PID},
		{Key: "rooms", Val: wire.List(s.Rooms)}, {Key: "data", Val: dataValue(s.Data)},
	}
	if s.Start != "" {
		v = append(v, notepack.KV{Key: "start", Val: s.Start})
	}
	b, err := notepack.Append(nil, v)
	if err != nil {
		return
	}
	a.c.pub.enqueue(op{kind: opSet, key: a.key(s.PID), payload: base64.StdEncoding.EncodeToString(b), ttl: a.c.opts.Recovery.MaxDisconnectionDuration})
}

// dataValue is socket data as a notepack value: {} for none, as a Node
// socket's default data.
func dataValue(d any) any {
	if d == nil {
		return notepack.Map{}
	}
	b, err := json.Marshal(d)
	if err != nil {
		return notepack.Map{}
	}
	v, err := notepack.FromJSON(b, nil)
	if err != nil {
		return notepack.Map{}
	}
	return v
}

// dataOf is a session's data as encoding/json would decode it (nil for
// {}, Node's default).
func dataOf(v any) any {
	if m, ok := v.(notepack.Map); v == nil || ok && len(m) == 0 {
		return nil
	}
	b, err := notepack.AppendJSON(nil, v, nil)
	if err != nil {
		return nil
	}
	var d any
	if json.Unmarshal(b, &d) != nil {
		return nil
	}
	return d
}

// decodeSession decodes a stored session; nil if it is not one.
func decodeSession(raw string) *adapter.Session {
	b, err := base64.StdEncoding.DecodeString(raw)
	if err != nil {
		return nil
	}
	v, err := notepack.Decode(b)
	m, _ := v.(notepack.Map)
	if err != nil || m == nil {
		return nil
	}
	str := func(k string) string { x, _ := m.Get(k); s, _ := x.(string); return s }
	s := &adapter.Session{SID: str("sid"), PID: str("pid"), Start: str("start")}
	if s.SID == "" {
		return nil
	}
	r, _ := m.Get("rooms")
	s.Rooms = wire.Strings(r)
	d, _ := m.Get("data")
	s.Data = dataOf(d)
	return s
}

// PeekSession reads the session pid without taking it.
func (a *SessionAdapter) PeekSession(ctx context.Context, pid string) (*adapter.Session, error) {
	ctx, cancel := context.WithTimeout(ctx, a.c.opts.RequestsTimeout)
	defer cancel()
	raw, err := a.c.rdb.Get(ctx, a.key(pid)).Result()
	if errors.Is(err, goredis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return decodeSession(raw), nil
}

// missedEntry is a broadcast read back for a restore.
type missedEntry struct {
	id string
	p  *parser.Packet
}

const (
	restorePage     = 1000
	restoreMaxPages = 100
)

// RestoreSession takes the session pid (GET and DEL in one transaction, as
// Node) and replays what the socket missed after offset (the session's
// start if ""): the broadcasts of the stream for its namespace and rooms,
// each with its entry id appended, as Node's adapter restores them. It
// reports false when the session is unknown, the offset is not an entry
// id, the offset's entry is gone (trimmed by MaxLen: the replay would have
// a hole), more than 100000 entries follow it, or this node's reader has
// not reached the offset within RequestsTimeout. It applies under the
// reader's hold: the broadcasts read after the replayed ones reach the
// socket live, none twice.
func (a *SessionAdapter) RestoreSession(ctx context.Context, pid, offset string, apply func(*adapter.Session, []*adapter.Encoded)) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, a.c.opts.RequestsTimeout)
	defer cancel()
	rdb := a.c.rdb
	var get *goredis.StringCmd
	_, err := rdb.TxPipelined(ctx, func(p goredis.Pipeliner) error {
		get = p.Get(ctx, a.key(pid))
		p.Del(ctx, a.key(pid))
		return nil
	})
	if errors.Is(err, goredis.Nil) || err == nil && get.Val() == "" {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	s := decodeSession(get.Val())
	if s == nil {
		return false, nil
	}
	if offset == "" {
		offset = s.Start
	}
	if !validOffset(offset) {
		return false, nil
	}
	if ok, err := a.offsetKnown(ctx, offset, offset == s.Start); !ok || err != nil {
		return false, err
	}
	var missed []missedEntry
	last := offset
	fetch := func() (bool, error) {
		for page := 0; page < restoreMaxPages; page++ {
			es, err := rdb.XRangeN(ctx, a.stream, "("+last, "+", restorePage).Result()
			if err != nil {
				return false, fmt.Errorf("%w: %w", ErrUnavailable, err)
			}
			for _, e := range es {
				if p := a.replayed(e, s.Rooms); p != nil {
					missed = append(missed, missedEntry{e.ID, p})
				}
				last = e.ID
			}
			if len(es) < restorePage {
				return true, nil
			}
		}
		return false, nil // too far behind to replay
	}
	if ok, err := fetch(); !ok || err != nil {
		return false, err
	}
	stopWaiting := context.AfterFunc(ctx, func() {
		a.rd.mu.Lock()
		a.rd.advanced.Broadcast()
		a.rd.mu.Unlock()
	})
	defer stopWaiting()
	for {
		a.rd.mu.Lock()
		for (a.rd.pos == "" || compareIDs(a.rd.pos, offset) < 0) && !a.rd.stopped && ctx.Err() == nil {
			a.rd.advanced.Wait() // this node has not read the client's offset yet
		}
		pos := a.rd.pos
		if pos == "" || compareIDs(pos, offset) < 0 {
			a.rd.mu.Unlock()
			return false, nil
		}
		if compareIDs(last, pos) >= 0 {
			var enc []*adapter.Encoded
			for _, m := range missed {
				if compareIDs(m.id, pos) > 0 {
					break // the reader sends it live
				}
				enc = append(enc, a.Namespace().Encode(withOffset(m.p, m.id)))
			}
			apply(s, enc)
			a.rd.mu.Unlock()
			return true, nil
		}
		a.rd.mu.Unlock()
		// the reader went past what was fetched: fetch up to it
		if ok, err := fetch(); !ok || err != nil {
			return false, err
		}
	}
}

// offsetKnown reports whether a replay from offset has no hole: its entry
// is still in the stream, or (for a session's start, which may be "0-0"
// or the id of an entry already gone when the socket connected) no entry
// after it was trimmed or deleted.
func (a *SessionAdapter) offsetKnown(ctx context.Context, offset string, isStart bool) (bool, error) {
	es, err := a.c.rdb.XRangeN(ctx, a.stream, offset, offset, 1).Result()
	if err != nil {
		return false, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	if len(es) == 1 || !isStart {
		return len(es) == 1, nil
	}
	info, err := a.c.rdb.XInfoStream(ctx, a.stream).Result()
	if err != nil {
		return offset == "0-0" && isNoSuchKey(err), nil // no stream: nothing was ever trimmed
	}
	if compareIDs(info.MaxDeletedEntryID, offset) > 0 || compareIDs(offset, info.LastGeneratedID) > 0 {
		return false, nil // an entry after it was deleted, or it is in the future
	}
	// nothing was ever trimmed, or the first entry left is not after it
	return info.EntriesAdded == info.Length || info.Length > 0 && compareIDs(info.FirstEntry.ID, offset) <= 0, nil
}

// replayed returns the packet of entry e to replay to a session in rooms,
// or nil: a BROADCAST of this namespace, without acks, not volatile, for
// the session's rooms (Node's shouldIncludePacket).
func (a *SessionAdapter) replayed(e goredis.XMessage, rooms []string) *parser.Packet {
	if nsp, _ := e.Values["nsp"].(string); nsp != a.Name() {
		return nil
	}
	if t, _ := e.Values["type"].(string); t != "3" {
		return nil
	}
	m, err := cluster.FromStreamFields(e.Values)
	if err != nil || m.Type != cluster.Broadcast {
		return nil
	}
	if v, _ := m.Data.Get("requestId"); v != nil {
		return nil
	}
	om, _ := m.Data.Get("opts")
	o, _ := om.(notepack.Map)
	pm, _ := m.Data.Get("packet")
	pk, _ := pm.(notepack.Map)
	p, _, ok := wire.PacketFromWire(pk)
	if o == nil || !ok {
		return nil
	}
	p.Nsp = a.Name()
	opts := wire.OptsFromWire(o)
	if opts.Flags.Volatile || !includes(rooms, opts.Rooms, opts.Except) {
		return nil
	}
	return p
}

// includes is Node's shouldIncludePacket: the session is in one of rooms
// (or rooms is empty) and in none of except.
func includes(session, rooms, except []string) bool {
	in := len(rooms) == 0
	for _, r := range session {
		for _, x := range except {
			if r == x {
				return false
			}
		}
		if !in {
			for _, t := range rooms {
				if r == t {
					in = true
					break
				}
			}
		}
	}
	return in
}
