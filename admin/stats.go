package admin

import (
	"os"
	"sync"
	"time"
)

// aggregatedEvent is one entry of server_stats' aggregatedEvents: what
// happened during one second (Node: NamespaceEvent).
type aggregatedEvent struct {
	Timestamp int64  `json:"timestamp"` // Unix ms, truncated to the second
	Type      string `json:"type"`
	SubType   string `json:"subType,omitempty"`
	Count     int64  `json:"count"`
}

type eventKey struct {
	second       int64
	typ, subType string
}

// eventBuffer counts engine events per second between two server_stats
// (Node: EventBuffer). It holds at most a few keys per second of the
// interval: the types are fixed and the subtypes are close reasons.
type eventBuffer struct {
	mu     sync.Mutex
	counts map[eventKey]int64
}

func (b *eventBuffer) push(typ, subType string, n int64) {
	k := eventKey{time.Now().Unix(), typ, subType}
	b.mu.Lock()
	if b.counts == nil {
		b.counts = map[eventKey]int64{}
	}
	b.counts[k] += n
	b.mu.Unlock()
}

// take returns the counts and clears them.
func (b *eventBuffer) take() []aggregatedEvent {
	b.mu.Lock()
	counts := b.counts
	b.counts = nil
	b.mu.Unlock()
	out := make([]aggregatedEvent, 0, len(counts))
	for k, n := range counts {
		out = append(out, aggregatedEvent{Timestamp: k.second * 1000, Type: k.typ, SubType: k.subType, Count: n})
	}
	return out
}

type namespaceDetails struct {
	Name         string `json:"name"`
	SocketsCount int    `json:"socketsCount"`
}

// serverStats is the payload of server_stats.
type serverStats struct {
	ServerID            string             `json:"serverId"`
	Hostname            string             `json:"hostname"`
	PID                 int                `json:"pid"`
	Uptime              float64            `json:"uptime"` // seconds
	ClientsCount        int                `json:"clientsCount"`
	PollingClientsCount int                `json:"pollingClientsCount"`
	AggregatedEvents    []aggregatedEvent  `json:"aggregatedEvents"`
	Namespaces          []namespaceDetails `json:"namespaces"`
}

func (a *Admin) stats() serverStats {
	polling, websocket := a.srv.Engine().TransportCounts()
	st := serverStats{
		ServerID:            a.opts.ServerID,
		Hostname:            a.host,
		PID:                 os.Getpid(),
		Uptime:              time.Since(a.started).Seconds(),
		ClientsCount:        polling + websocket,
		PollingClientsCount: polling,
		AggregatedEvents:    a.events.take(),
	}
	for _, n := range a.srv.Namespaces() {
		st.Namespaces = append(st.Namespaces, namespaceDetails{Name: n.Name(), SocketsCount: n.SocketsCount()})
	}
	return st
}

// tick sends server_stats and re-arms its timer (on the timer's
// goroutine, one at a time).
func (a *Admin) tick() {
	if a.closed.Load() {
		return
	}
	if err := a.nsp.Emit("server_stats", a.stats()); err != nil {
		a.log.Error("admin: server_stats", "err", err)
	}
	a.timerMu.Lock()
	if !a.closed.Load() {
		a.timer.Reset(a.opts.StatsInterval)
	}
	a.timerMu.Unlock()
}
