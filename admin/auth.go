package admin

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"sync"
	"time"

	"github.com/gosio/socketio"
	"golang.org/x/crypto/bcrypt"
)

// errInvalidCredentials is the refusal the UI recognises (it shows its
// own "invalid credentials" message for exactly this text).
var errInvalidCredentials = errors.New("invalid credentials")

// pendingSession is a session id created by a login, to be sent once the
// socket has connected.
type pendingSession struct {
	id string
	at time.Time
}

// maxPendingAge bounds how long a login's session id waits for its
// socket to connect (a client that went away meanwhile never does).
const maxPendingAge = time.Minute

// authenticate is the admin namespace's middleware (the UI's handler
// goroutine): a known session id passes; so do the user name and a
// password matching the bcrypt hash, which get a new session.
func (a *Admin) authenticate(s *socketio.Socket) error {
	auth := s.Handshake().Auth
	if id, _ := auth["sessionId"].(string); id != "" && a.opts.Sessions.Exists(id) {
		return nil
	}
	user, _ := auth["username"].(string)
	pass, _ := auth["password"].(string)
	if user != a.opts.Auth.Username || bcrypt.CompareHashAndPassword([]byte(a.opts.Auth.PasswordHash), []byte(pass)) != nil {
		return errInvalidCredentials
	}
	id := newSessionID()
	a.opts.Sessions.Save(id)
	now := time.Now()
	a.pendingMu.Lock()
	for k, p := range a.pending {
		if now.Sub(p.at) > maxPendingAge {
			delete(a.pending, k)
		}
	}
	a.pending[s] = pendingSession{id: id, at: now}
	a.pendingMu.Unlock()
	return nil
}

// newSessionID returns 16 random hexadecimal characters, as the npm
// package's.
func newSessionID() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// SessionStore keeps the session ids of logged-in UIs. Its methods are
// called from the UIs' handler goroutines, concurrently.
type SessionStore interface {
	// Exists reports whether id is a live session.
	Exists(id string) bool
	// Save records the new session id.
	Save(id string)
}

// MemoryStore is the default SessionStore: sessions in this process,
// each valid for its TTL, at most Max of them (the oldest go first).
type MemoryStore struct {
	ttl time.Duration
	max int

	mu       sync.Mutex
	sessions map[string]time.Time // id -> expiry
}

// NewMemoryStore returns a store whose sessions last ttl (0: 24 h, as
// the npm package's Redis store) and which keeps at most max (0: 10000).
func NewMemoryStore(ttl time.Duration, max int) *MemoryStore {
	if ttl <= 0 {
		ttl = 24 * time.Hour
	}
	if max <= 0 {
		max = 10000
	}
	return &MemoryStore{ttl: ttl, max: max, sessions: map[string]time.Time{}}
}

// Exists reports whether id was saved and has not expired.
func (m *MemoryStore) Exists(id string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	exp, ok := m.sessions[id]
	if ok && time.Now().After(exp) {
		delete(m.sessions, id)
		return false
	}
	return ok
}

// Save records id; when the store is full, expired sessions go, then the
// one closest to expiry.
func (m *MemoryStore) Save(id string) {
	now := time.Now()
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.sessions) >= m.max {
		var oldest string
		var oldestExp time.Time
		for k, exp := range m.sessions {
			if now.After(exp) {
				delete(m.sessions, k)
				continue
			}
			if oldest == "" || exp.Before(oldestExp) {
				oldest, oldestExp = k, exp
			}
		}
		if len(m.sessions) >= m.max {
			delete(m.sessions, oldest)
		}
	}
	m.sessions[id] = now.Add(m.ttl)
}

// Len returns the number of sessions kept.
func (m *MemoryStore) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.sessions)
}
