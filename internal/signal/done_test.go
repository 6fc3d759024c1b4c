package signal

import (
	"testing"
	"time"
)

func TestDone(t *testing.T) {
	var before Done
	ch := before.Chan()
	select {
	case <-ch:
		t.Fatal("closed before Close")
	default:
	}
	go before.Close()
	select {
	case <-ch:
	case <-time.After(5 * time.Second):
		t.Fatal("a channel made before Close was not closed")
	}
	before.Close() // again: nothing

	var after Done
	after.Close()
	select {
	case <-after.Chan():
	default:
		t.Fatal("Chan after Close is not closed")
	}
	if before.Chan() != ch {
		t.Fatal("state")
	}
}
