package engineio

import (
	"context"
	"testing"
	"time"
)

// waitFor polls cond for up to 2 s. It is a synchronisation helper, not a
// timing assertion: cond becomes true as soon as the server has acted.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached within 2s")
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func contextWithTimeout(d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), d)
}

// pollHeld reports whether a GET is waiting for data (tests only).
func (s *Socket) pollHeld() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pollWait != nil
}
