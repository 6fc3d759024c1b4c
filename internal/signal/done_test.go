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
	select {
	case <-before.Chan():
	default:
		t.Fatal("Chan after Close of a waited Done is not closed")
	}
}

// Chan and Close racing: every channel handed out is closed.
func TestDoneRace(t *testing.T) {
	for range 200 {
		var d Done
		got := make(chan (<-chan struct{}), 4)
		for range 4 {
			go func() { got <- d.Chan() }()
		}
		go d.Close()
		for range 4 {
			select {
			case <-<-got:
			case <-time.After(5 * time.Second):
				t.Fatal("a channel was never closed")
			}
		}
	}
}
