package timeout

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestFromContext(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	<-ctx.Done()
	err := FromContext(ctx)
	if !errors.Is(err, Err) || !errors.Is(err, context.DeadlineExceeded) || err.Error() != "operation has timed out" {
		t.Fatalf("deadline: %v", err)
	}
	ctx, cancel = context.WithCancel(context.Background())
	if FromContext(ctx) != nil {
		t.Fatal("live context gave an error")
	}
	cancel()
	if err := FromContext(ctx); !errors.Is(err, context.Canceled) || errors.Is(err, Err) {
		t.Fatalf("cancel: %v", err)
	}
	cause := errors.New("slow peer")
	ctx, cancel = context.WithTimeoutCause(context.Background(), time.Millisecond, cause)
	defer cancel()
	<-ctx.Done()
	if err := FromContext(ctx); !errors.Is(err, Err) || !errors.Is(err, cause) {
		t.Fatalf("cause: %v", err)
	}
}
