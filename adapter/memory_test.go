package adapter

import (
	"context"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gosio/socketio/engineio/packet"
	"github.com/gosio/socketio/parser"
)

type fakeNsp struct{}

func (fakeNsp) Name() string { return "/" }
func (fakeNsp) Encode(p *parser.Packet) *Encoded {
	text, _ := p.AppendText(nil)
	return &Encoded{Packets: []packet.Packet{{Type: packet.Message, Data: text}}, Packet: p}
}

func (fakeNsp) ServerSideEvent(*parser.Packet, func([]any)) {}
func (fakeNsp) NextAckID() uint64                           { return 0 }

type fakeSocket struct {
	id     string
	writes atomic.Int32
	last   *Encoded
}

func (s *fakeSocket) ID() string { return s.id }
func (s *fakeSocket) WriteEncoded(enc *Encoded, _ Flags) {
	s.writes.Add(1)
	s.last = enc
}
func (s *fakeSocket) ExpectAck(uint64, func(*parser.Packet), time.Duration) {}
func (s *fakeSocket) Disconnect(bool)                                       {}
func (s *fakeSocket) Info() SocketInfo                                      { return SocketInfo{ID: s.id} }

func setup(n int) (*Memory, []*fakeSocket) {
	m := NewMemory(fakeNsp{})
	socks := make([]*fakeSocket, n)
	for i := range socks {
		socks[i] = &fakeSocket{id: string(rune('a' + i))}
		m.AddAll(socks[i], socks[i].id)
	}
	return m, socks
}

func event() *parser.Packet {
	return &parser.Packet{Type: parser.Event, Nsp: "/", Data: []byte(`["x"]`)}
}

func writes(socks []*fakeSocket) []int {
	out := make([]int, len(socks))
	for i, s := range socks {
		out[i] = int(s.writes.Load())
	}
	return out
}

func TestBroadcastSelection(t *testing.T) {
	m, s := setup(4) // a b c d
	m.AddAll(s[0], "r1", "r2")
	m.AddAll(s[1], "r1")
	m.AddAll(s[2], "r2")
	m.Broadcast(event(), BroadcastOptions{Rooms: []string{"r1", "r2"}}) // a once, b, c
	if got := writes(s); !slices.Equal(got, []int{1, 1, 1, 0}) {
		t.Fatalf("union: %v", got)
	}
	m.Broadcast(event(), BroadcastOptions{Except: []string{"r1"}}) // c, d
	if got := writes(s); !slices.Equal(got, []int{1, 1, 2, 1}) {
		t.Fatalf("except: %v", got)
	}
	m.Broadcast(event(), BroadcastOptions{Rooms: []string{"r2"}, Except: []string{"a"}}) // c
	if got := writes(s); !slices.Equal(got, []int{1, 1, 3, 1}) {
		t.Fatalf("room except socket: %v", got)
	}
	if s[0].last != s[1].last {
		t.Fatal("the packet was encoded more than once")
	}
}

func TestMembershipCleanup(t *testing.T) {
	m, s := setup(2)
	m.AddAll(s[0], "r")
	m.AddAll(s[1], "r")
	m.Del("a", "r")
	if r := m.SocketRooms("a"); !slices.Equal(r, []string{"a"}) {
		t.Fatalf("rooms of a: %v", r)
	}
	m.DelAll("a")
	m.DelAll("b")
	if len(m.rooms) != 0 || len(m.sids) != 0 {
		t.Fatalf("left: rooms %v sids %v", m.rooms, m.sids)
	}
	// A socket gone before AddSockets is not put back.
	m.AddSockets(BroadcastOptions{}, []string{"x"})
	if len(m.rooms) != 0 {
		t.Fatalf("rooms after AddSockets on nobody: %v", m.rooms)
	}
}

func TestUtilityOps(t *testing.T) {
	m, s := setup(3)
	m.AddSockets(BroadcastOptions{Except: []string{"c"}}, []string{"joined"})
	ids := m.Sockets(BroadcastOptions{Rooms: []string{"joined"}})
	slices.Sort(ids)
	if !slices.Equal(ids, []string{"a", "b"}) {
		t.Fatalf("joined: %v", ids)
	}
	m.DelSockets(BroadcastOptions{Rooms: []string{"joined"}}, []string{"joined"})
	if ids := m.Sockets(BroadcastOptions{Rooms: []string{"joined"}}); len(ids) != 0 {
		t.Fatalf("left: %v", ids)
	}
	infos, _ := m.FetchSockets(context.Background(), BroadcastOptions{Rooms: []string{"b"}})
	if len(infos) != 1 || infos[0].ID != "b" {
		t.Fatalf("fetch: %v", infos)
	}
	if n, _ := m.ServerCount(context.Background()); n != 1 {
		t.Fatal(n)
	}
	_ = s
}

// BenchmarkBroadcast2000 measures a broadcast to 2000 sockets: the cost
// per recipient is ns/op / 2000; allocations must not grow with the
// number of recipients beyond the target list.
func BenchmarkBroadcast2000(b *testing.B) {
	m, _ := setup(0)
	for i := 0; i < 2000; i++ {
		s := &fakeSocket{id: string(rune(0x1000 + i))}
		m.AddAll(s, s.id, "room")
	}
	p := event()
	b.ReportAllocs()
	for b.Loop() {
		m.Broadcast(p, BroadcastOptions{Rooms: []string{"room"}})
	}
}
