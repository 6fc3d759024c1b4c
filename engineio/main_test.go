package engineio

import (
	"os"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// GOSIO_IDLE_HANDOFF (a duration, e.g. 1ms) runs every test with that
// default Options.IdleHandoff, so connections are handed to the idle
// poller between almost every message.
func TestMain(m *testing.M) {
	if v := os.Getenv("GOSIO_IDLE_HANDOFF"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			panic(err)
		}
		defaultIdleHandoff = d
	}
	goleak.VerifyTestMain(m)
}
