package client

import (
	"context"
	"testing"
)

// A Dialer shares one Manager per server, and forgets the Managers made
// outside its cache once they are closed and unused.
func TestDialerPrunes(t *testing.T) {
	url, _ := recordServer(t)
	var d Dialer
	defer d.Close()
	ctx := context.Background()
	first, err := d.Connect(ctx, url+"/", fast())
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		s, err := d.Connect(ctx, url+"/", fast()) // the namespace is taken: a new Manager
		if err != nil {
			t.Fatal(err)
		}
		if s.Manager() == first.Manager() {
			t.Fatal("shared a Manager whose namespace is taken")
		}
		s.Disconnect()
	}
	if n := len(d.Managers()); n > 2 {
		t.Errorf("the Dialer holds %d Managers, want the cached one and at most the last", n)
	}
}
