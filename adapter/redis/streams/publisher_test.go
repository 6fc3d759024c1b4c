package streams

import (
	"context"
	"testing"

	goredis "github.com/redis/go-redis/v9"
)

// TestDropWritten: entries whose XADD failed after Redis wrote them (the
// reply was lost) are found in the stream and not written again; the
// following ones are kept, and entries of other nodes do not match.
func TestDropWritten(t *testing.T) {
	key := testKey()
	n := newNode(t, nodeOpts{key: key})
	p := n.cl.pub
	ctx := context.Background()
	f := func(uid, data string) []any { return []any{"uid", uid, "nsp", "/", "type", "3", "data", data} }
	o1 := op{kind: opAdd, key: key, fields: f("me", `{"n":1}`)}
	o2 := op{kind: opAdd, key: key, fields: f("me", `{"n":2}`)}
	o3 := op{kind: opAdd, key: key, fields: f("me", `{"n":3}`)}
	set := op{kind: opSet, key: key + "-session", payload: "x"}
	// o1 and o2 reached Redis, with another node's entry in between
	for _, fs := range [][]any{o1.fields, f("other", `{"n":2}`), o2.fields} {
		if err := n.rdb.XAdd(ctx, &goredis.XAddArgs{Stream: key, Values: fs}).Err(); err != nil {
			t.Fatal(err)
		}
	}
	left, err := p.dropWritten(ctx, []op{o1, set, o2, o3})
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 2 || left[0].kind != opSet || left[1].fields[7] != `{"n":3}` {
		t.Fatalf("left %+v", left)
	}
	// a pending entry equal to one written before the last known one is
	// not taken for it
	left, err = p.dropWritten(ctx, []op{o2})
	if err != nil || len(left) != 1 {
		t.Fatalf("left %+v, %v", left, err)
	}
}
