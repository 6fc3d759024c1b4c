package socketio

// socketCallbacks are a socket's middlewares and lifecycle handlers, kept
// apart so that a socket without any (most) holds one nil pointer.
type socketCallbacks struct {
	middlewares     []func(*Event) error
	onError         []func(error)
	onDisconnect    []func(Reason, error)
	onDisconnecting []func(Reason, error)
}

// callbacksLocked returns s.cb, made if needed. The caller holds s.mu.
func (s *Socket) callbacksLocked() *socketCallbacks {
	if s.cb == nil {
		s.cb = &socketCallbacks{}
	}
	return s.cb
}
