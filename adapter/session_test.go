package adapter

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/gosio/socketio/engineio/packet"
	"github.com/gosio/socketio/parser"
	"go.uber.org/goleak"
)

// encNsp encodes packets as their text only, enough to check payloads.
type encNsp struct{ fakeNsp }

func (encNsp) Encode(p *parser.Packet) *Encoded {
	return &Encoded{Packets: []packet.Packet{{Type: packet.Message, Data: append([]byte(nil), p.Data...)}}, Packet: p}
}

type recSocket struct {
	id  string
	mu  sync.Mutex
	got []string
}

func (s *recSocket) ID() string { return s.id }
func (s *recSocket) WriteEncoded(enc *Encoded, _ Flags) {
	s.mu.Lock()
	s.got = append(s.got, string(enc.Packets[0].Data))
	s.mu.Unlock()
}
func (s *recSocket) ExpectAck(uint64, func(*parser.Packet), time.Duration) {}
func (s *recSocket) Disconnect(bool)                                       {}
func (s *recSocket) Info() SocketInfo                                      { return SocketInfo{ID: s.id} }

func sevent(name, arg string) *parser.Packet {
	d, _ := json.Marshal([]string{name, arg})
	return &parser.Packet{Type: parser.Event, Nsp: "/", Data: d}
}

// restore returns the payloads the session missed, or ok=false.
func restore(t *testing.T, m *SessionMemory, pid, offset string) ([]string, bool) {
	t.Helper()
	var missed []string
	ok, err := m.RestoreSession(context.Background(), pid, offset, func(_ *Session, enc []*Encoded) {
		for _, e := range enc {
			missed = append(missed, string(e.Packets[0].Data))
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return missed, ok
}

func TestSessionOffsetsAndReplay(t *testing.T) {
	m := NewSessionMemory(encNsp{}, SessionOptions{})
	defer m.Close()
	a := &recSocket{id: "a"}
	m.AddAll(a, "a", "r")
	m.Broadcast(sevent("x", "1"), BroadcastOptions{Rooms: []string{"r"}})
	m.Broadcast(&parser.Packet{Type: parser.Event, Nsp: "/", Data: []byte(`["v"]`)}, BroadcastOptions{Flags: Flags{Volatile: true}})
	m.Broadcast(&parser.Packet{Type: parser.Event, Nsp: "/", Data: []byte(`["k"]`), ID: 3, HasID: true}, BroadcastOptions{})
	if fmt.Sprint(a.got) != `[["x","1","1"] ["v"] ["k"]]` {
		t.Fatalf("delivered %v: the offset goes on replayable events only", a.got)
	}
	off := "1"
	m.DelAll("a")
	m.PersistSession(&Session{SID: "a", PID: "p", Rooms: []string{"a", "r"}, Start: "0"})
	m.Broadcast(sevent("x", "2"), BroadcastOptions{Rooms: []string{"r"}})
	m.Broadcast(sevent("x", "3"), BroadcastOptions{Rooms: []string{"other"}})
	m.Broadcast(sevent("x", "4"), BroadcastOptions{Except: []string{"r"}})
	m.Broadcast(sevent("x", "5"), BroadcastOptions{Rooms: []string{"a"}})
	m.Broadcast(sevent("x", "6"), BroadcastOptions{})
	missed, ok := restore(t, m, "p", off)
	if !ok || fmt.Sprint(missed) != `[["x","2","2"] ["x","5","5"] ["x","6","6"]]` {
		t.Fatalf("missed %v ok %v", missed, ok)
	}
	if _, ok := restore(t, m, "p", off); ok {
		t.Fatal("a session was restored twice")
	}
}

func TestSessionRestoreWithoutOffset(t *testing.T) {
	m := NewSessionMemory(encNsp{}, SessionOptions{})
	defer m.Close()
	m.Broadcast(sevent("x", "before"), BroadcastOptions{})
	start := m.Offset() // the socket connects now
	m.Broadcast(sevent("x", "after"), BroadcastOptions{})
	m.PersistSession(&Session{SID: "a", PID: "p", Rooms: []string{"a"}, Start: start})
	missed, ok := restore(t, m, "p", "")
	if !ok || fmt.Sprint(missed) != `[["x","after","2"]]` {
		t.Fatalf("missed %v ok %v", missed, ok)
	}
}

// A bound that drops a packet the client still needs refuses the restore:
// a new connection, never a replay with a hole.
func TestSessionBoundRefusesGap(t *testing.T) {
	m := NewSessionMemory(encNsp{}, SessionOptions{MaxPackets: 3})
	defer m.Close()
	m.PersistSession(&Session{SID: "a", PID: "p", Rooms: []string{"a"}, Start: "0"})
	m.PersistSession(&Session{SID: "b", PID: "q", Rooms: []string{"b"}, Start: "0"})
	for i := 1; i <= 5; i++ {
		m.Broadcast(sevent("x", fmt.Sprint(i)), BroadcastOptions{})
	}
	// The client of p last saw offset 1: packets 2 and 3 were dropped.
	if _, ok := restore(t, m, "p", "1"); ok {
		t.Fatal("restored across dropped packets")
	}
	// The client of q saw offset 2... still 3 was dropped.
	if missed, ok := restore(t, m, "q", "3"); !ok || len(missed) != 2 {
		t.Fatalf("restore after the dropped ones: %v %v", missed, ok)
	}
	st := m.Stats()
	if st.Dropped != 2 || st.Refused != 1 || st.Recovered != 1 || st.Packets != 3 {
		t.Fatalf("stats %+v", st)
	}
	m2 := NewSessionMemory(encNsp{}, SessionOptions{MaxBytes: 1000})
	defer m2.Close()
	for i := 0; i < 100; i++ {
		m2.Broadcast(sevent("x", fmt.Sprint(i)), BroadcastOptions{})
	}
	if st := m2.Stats(); st.Bytes > 1000 || st.Dropped == 0 {
		t.Fatalf("byte bound: %+v", st)
	}
}

// After the window nothing is kept: sessions, packets, and no timer.
func TestSessionWindowForgets(t *testing.T) {
	defer goleak.VerifyNone(t)
	m := NewSessionMemory(encNsp{}, SessionOptions{MaxDisconnectionDuration: 40 * time.Millisecond})
	m.PersistSession(&Session{SID: "a", PID: "p", Rooms: []string{"a"}, Start: "0"})
	for i := 0; i < 100; i++ {
		m.Broadcast(sevent("x", "payload"), BroadcastOptions{})
	}
	deadline := time.Now().Add(2 * time.Second)
	for {
		st := m.Stats()
		m.mu.Lock()
		timer := m.janitor != nil
		m.mu.Unlock()
		if st.Packets == 0 && st.Sessions == 0 && st.Bytes == 0 && !timer {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("still held after the window: %+v timer %v", st, timer)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, ok := restore(t, m, "p", "1"); ok {
		t.Fatal("restored after the window")
	}
	m.Close()
}

// Concurrent broadcasts reach each socket in offset order, so a client's
// last offset is always its highest.
func TestSessionOrderUnderConcurrency(t *testing.T) {
	m := NewSessionMemory(encNsp{}, SessionOptions{})
	defer m.Close()
	a := &recSocket{id: "a"}
	m.AddAll(a, "a")
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				m.Broadcast(sevent("x", "y"), BroadcastOptions{})
			}
		}()
	}
	wg.Wait()
	last := uint64(0)
	for _, g := range a.got {
		var v []string
		json.Unmarshal([]byte(g), &v)
		n, _ := parseOffset(v[len(v)-1])
		if n <= last {
			t.Fatalf("offset %d after %d", n, last)
		}
		last = n
	}
	if len(a.got) != 1600 {
		t.Fatalf("%d delivered", len(a.got))
	}
}

// BenchmarkSessionBroadcast is the cost recovery adds to a broadcast (one
// recipient; the store holds the packet), against Memory.
func BenchmarkSessionBroadcast(b *testing.B) {
	for _, csr := range []bool{false, true} {
		b.Run(fmt.Sprintf("recovery=%v", csr), func(b *testing.B) {
			var ad interface {
				AddAll(Socket, ...string)
				Broadcast(*parser.Packet, BroadcastOptions)
			}
			if csr {
				m := NewSessionMemory(encNsp{}, SessionOptions{}) // the defaults: 10000 packets kept
				defer m.Close()
				ad = m
			} else {
				ad = NewMemory(encNsp{})
			}
			ad.AddAll(&nopSocket{id: "a"}, "a")
			p := sevent("news", "a short headline of some sixty-four bytes or so, give or take")
			b.ReportAllocs()
			var before runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			for b.Loop() {
				ad.Broadcast(p, BroadcastOptions{})
			}
			var after runtime.MemStats
			runtime.ReadMemStats(&after)
			if csr {
				b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(b.N), "heapB/stored")
			}
		})
	}
}

type nopSocket struct{ id string }

func (s *nopSocket) ID() string                                            { return s.id }
func (s *nopSocket) WriteEncoded(*Encoded, Flags)                          {}
func (s *nopSocket) ExpectAck(uint64, func(*parser.Packet), time.Duration) {}
func (s *nopSocket) Disconnect(bool)                                       {}
func (s *nopSocket) Info() SocketInfo                                      { return SocketInfo{ID: s.id} }

// BenchmarkSessionStoredPacketMemory reports the heap one stored packet
// costs (a 64-byte argument, text encoding of the JSON parser).
func BenchmarkSessionStoredPacketMemory(b *testing.B) {
	const n = 100000
	p := sevent("news", "a short headline of some sixty-four bytes or so, give or take")
	for b.Loop() {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		m := NewSessionMemory(fakeNsp{}, SessionOptions{MaxPackets: n, MaxBytes: 1 << 40})
		for i := 0; i < n; i++ {
			m.Broadcast(p, BroadcastOptions{})
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "B/packet")
		m.Close()
	}
}
