package socketio

// An honest client for the hostile-client tests (issue 11): it does round
// trips on its own connection while an attack runs, and reports their
// latencies. Latencies are logged, never asserted; a round trip that gets
// no answer within honestWait fails the test.

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gosio/socketio/internal/testutil"
)

// honestWait bounds one round trip of the honest client: past it, the
// server is considered to have stopped answering.
const honestWait = 3 * time.Second

type honestClient struct {
	t    testing.TB
	c    *wsConn
	stop chan struct{}
	done chan struct{}

	mu   sync.Mutex
	rtts []honestRTT
	err  error
}

type honestRTT struct {
	at time.Time // when the request was sent
	d  time.Duration
}

// echoWithAck is the honest client's default round trip: the fixture acks
// "message-with-ack" with its arguments.
func echoWithAck(c *wsConn, i int) error {
	want := fmt.Sprintf(`43%d["honest-%d"]`, i, i)
	if err := c.write(testutil.OpText, []byte(fmt.Sprintf(`42%d["message-with-ack","honest-%d"]`, i, i))); err != nil {
		return err
	}
	for {
		msg, _, err := c.recv(honestWait)
		if err != nil {
			return fmt.Errorf("round trip %d: %w", i, err)
		}
		if msg == want {
			return nil
		}
	}
}

// startHonest connects a client to "/" and starts its round trips (one
// every few milliseconds) with roundTrip, echoWithAck if nil. Stop it with
// finish.
func startHonest(t testing.TB, e *env, roundTrip func(c *wsConn, i int) error) *honestClient {
	t.Helper()
	if roundTrip == nil {
		roundTrip = echoWithAck
	}
	c, _, err := e.connectRaw()
	if err != nil {
		t.Fatalf("honest client: %v", err)
	}
	h := &honestClient{t: t, c: c, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(h.done)
		for i := 1; ; i++ {
			select {
			case <-h.stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
			start := time.Now()
			if err := roundTrip(c, i); err != nil {
				h.mu.Lock()
				h.err = err
				h.mu.Unlock()
				return
			}
			h.mu.Lock()
			h.rtts = append(h.rtts, honestRTT{start, time.Since(start)})
			h.mu.Unlock()
		}
	}()
	return h
}

// count returns the round trips done so far.
func (h *honestClient) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.rtts)
}

// waitRoundTrips waits until n more round trips are done.
func (h *honestClient) waitRoundTrips(t testing.TB, n int) {
	t.Helper()
	want := h.count() + n
	waitFor(t, "honest round trips", func() bool {
		h.mu.Lock()
		defer h.mu.Unlock()
		return len(h.rtts) >= want || h.err != nil
	})
}

// finish stops the client and closes its connection; it fails the test
// if a round trip went unanswered, and logs the latencies of the round
// trips sent in each window (name, from, to).
func (h *honestClient) finish(t testing.TB, windows ...honestWindow) {
	t.Helper()
	close(h.stop)
	<-h.done
	h.c.close()
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.err != nil {
		t.Errorf("honest client: %v", h.err)
	}
	for _, w := range windows {
		var ds []time.Duration
		for _, r := range h.rtts {
			if !r.at.Before(w.from) && r.at.Before(w.to) {
				ds = append(ds, r.d)
			}
		}
		if len(ds) == 0 {
			t.Logf("honest client, %s: no round trip sent in %v", w.name, w.to.Sub(w.from))
			continue
		}
		slices.Sort(ds)
		t.Logf("honest client, %s: %d round trips, median %v, max %v", w.name, len(ds), ds[len(ds)/2], ds[len(ds)-1])
	}
}

// honestWindow names a span of time of an attack.
type honestWindow struct {
	name     string
	from, to time.Time
}
