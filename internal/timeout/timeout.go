// Package timeout holds the one timeout error of gosio. The server
// (socketio.ErrTimeout), the adapters (adapter.ErrTimeout) and the client
// (client.ErrTimeout) re-export the same value, so errors.Is matches a
// timeout whichever layer reports it.
package timeout

import (
	"context"
	"errors"
)

// Err is the timeout sentinel; its message is the reference's.
var Err = errors.New("operation has timed out")

// FromContext returns the error of a wait that ctx ended: on a deadline,
// an error that matches both Err and the context's error
// (context.DeadlineExceeded, or the cause given to the context); on a
// cancel, the context's error alone. It returns nil if ctx has not ended.
func FromContext(ctx context.Context) error {
	err := ctx.Err()
	if err == nil || !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return Wrap(context.Cause(ctx))
}

// Wrap returns an error that matches Err and cause (which may be nil).
func Wrap(cause error) error { return &causeError{cause: cause} }

type causeError struct{ cause error }

func (e *causeError) Error() string        { return Err.Error() }
func (e *causeError) Is(target error) bool { return target == Err }
func (e *causeError) Unwrap() error        { return e.cause }
