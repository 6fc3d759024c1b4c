package client

import "time"

// The Manager's own controls, as socket.io-client's Manager has them:
// open(), and a getter and a setter for each reconnection setting
// (reconnection(v), reconnectionAttempts(v), ...). A setter takes effect
// from the next delay or attempt on; it does not cut the connection. All
// are safe for concurrent use.

// Open connects the Manager unless it is open or opening (Node:
// manager.open()); its active sockets join their namespaces once it is
// open. It returns at once: OnOpen or OnError report the outcome, and a
// failed attempt starts reconnection if it is on. While a reconnection
// waits for its delay, Open makes that attempt now. Socket.Connect calls
// it as needed.
func (m *Manager) Open() {
	m.mu.Lock()
	if m.reconnecting && m.timer != nil && m.timer.Stop() {
		m.mu.Unlock()
		m.tasks.PushNoWait(m.attempt)
		return
	}
	m.mu.Unlock()
	m.open()
}

// Reconnection reports whether the Manager reconnects after losing its
// connection (Node: reconnection(); Options.NoReconnection).
func (m *Manager) Reconnection() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return !m.opts.NoReconnection
}

// SetReconnection turns reconnection on or off (Node: reconnection(v)).
// Turning it off cancels a reconnection waiting for its delay; an attempt
// already under way completes, and is not followed by another.
func (m *Manager) SetReconnection(on bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.opts.NoReconnection = !on
	if !on && m.reconnecting && m.timer != nil && m.timer.Stop() {
		m.reconnecting = false
		m.backoff.reset()
	}
}

// ReconnectionAttempts returns the number of attempts before the Manager
// gives up (OnReconnectFailed); 0 means no limit (Node: Infinity).
func (m *Manager) ReconnectionAttempts() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.opts.ReconnectionAttempts
}

// SetReconnectionAttempts sets the number of attempts before giving up; 0
// (or less) means no limit.
func (m *Manager) SetReconnectionAttempts(n int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.opts.ReconnectionAttempts = max(n, 0)
}

// ReconnectionDelay returns the first reconnection delay, doubled at each
// attempt (Node: reconnectionDelay()).
func (m *Manager) ReconnectionDelay() time.Duration {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.backoff.min
}

// SetReconnectionDelay sets the first reconnection delay (0 or less: no
// delay).
func (m *Manager) SetReconnectionDelay(d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.backoff.min = max(d, 0)
	m.opts.ReconnectionDelay = m.backoff.min
}

// ReconnectionDelayMax returns the cap of the reconnection delay (Node:
// reconnectionDelayMax()).
func (m *Manager) ReconnectionDelayMax() time.Duration {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.backoff.max
}

// SetReconnectionDelayMax sets the cap of the reconnection delay.
func (m *Manager) SetReconnectionDelayMax(d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.backoff.max = max(d, 0)
	m.opts.ReconnectionDelayMax = m.backoff.max
}

// RandomizationFactor returns the jitter of the reconnection delay, a
// fraction of it added or subtracted at random (Node:
// randomizationFactor()).
func (m *Manager) RandomizationFactor() float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.backoff.jitter
}

// SetRandomizationFactor sets the jitter; 0 (or less) means none. Unlike
// Options.RandomizationFactor, 0 here is not the default.
func (m *Manager) SetRandomizationFactor(f float64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.backoff.jitter = max(f, 0)
	m.opts.RandomizationFactor = m.backoff.jitter
}

// Timeout returns the bound of each connection attempt; 0 means none
// (Node: timeout()).
func (m *Manager) Timeout() time.Duration {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.opts.Timeout
}

// SetTimeout sets the bound of each connection attempt, from the next one
// on; 0 (or less) means none (Node: timeout(false)). Unlike
// Options.Timeout, 0 here is not the default.
func (m *Manager) SetTimeout(d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.opts.Timeout = max(d, 0)
}
