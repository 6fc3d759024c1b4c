package sharded

import (
	"context"
	"slices"
	"strings"
	"testing"

	goredis "github.com/redis/go-redis/v9"

	socketio "github.com/gosio/socketio"
	"github.com/gosio/socketio/adapter/redis/internal/pubsub"
	"github.com/gosio/socketio/adapter/redis/internal/redistest"
)

// shardChannels lists the sharded channels with prefix subscribed on
// every master.
func shardChannels(t *testing.T, prefix string) []string {
	t.Helper()
	var out []string
	for _, addr := range rc.Addrs() {
		c := goredis.NewClient(&goredis.Options{Addr: addr})
		chs, err := c.PubSubShardChannels(context.Background(), prefix+"*").Result()
		c.Close()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, chs...)
	}
	slices.Sort(out)
	return out
}

// TestRoomChannels: in Dynamic mode a node subscribes the channel of each
// public room while it has the room, not those of socket ids; in
// DynamicPrivate those too; in Static none.
func TestRoomChannels(t *testing.T) {
	for _, mode := range []Mode{Dynamic, DynamicPrivate, Static} {
		key := testKey()
		n := newNode(t, key, false, Options{SubscriptionMode: mode}, func(srv *socketio.Server) {
			srv.OnConnection(func(s *socketio.Socket) {
				s.Join("room1")
				s.On("leave", func() { s.Leave("room1") })
			})
		})
		c := redistest.Connect(t, n.url, "/", "")
		id := c.S.ID()
		uid := n.srv.Of("/").Adapter().(*Adapter).UID()
		base := []string{key + "#/#", key + "#/#" + uid + "#"}
		want := append(slices.Clone(base), key+"#/#room1#")
		switch mode {
		case DynamicPrivate:
			want = append(want, key+"#/#"+id+"#")
		case Static:
			want = base
		}
		slices.Sort(want)
		redistest.WaitFor(t, "room channels", func() bool { return slices.Equal(shardChannels(t, key), want) })
		if err := c.S.Emit("leave"); err != nil {
			t.Fatal(err)
		}
		c.S.Disconnect()
		redistest.WaitFor(t, "only the namespace channels", func() bool {
			return slices.Equal(shardChannels(t, key), func() []string { b := slices.Clone(base); slices.Sort(b); return b }())
		})
	}
}

// TestSlot compares pubsub.Slot with CLUSTER KEYSLOT, hash tags included.
func TestSlot(t *testing.T) {
	c := goredis.NewClient(&goredis.Options{Addr: rc.Addrs()[0]})
	defer c.Close()
	for _, ch := range []string{"socket.io#/#", "socket.io#/#abcdef0123456789#", "a{tag}b", "{}x", "x{}", "{a}{b}", "é#room#", strings.Repeat("z", 300), ""} {
		want, err := c.ClusterKeySlot(context.Background(), ch).Result()
		if err != nil {
			t.Fatal(err)
		}
		if got := pubsub.Slot(ch); int64(got) != want {
			t.Errorf("Slot(%q) = %d, Redis says %d", ch, got, want)
		}
	}
}
