// Package e2e holds interop tests that drive the official JavaScript clients
// (installed with `npm ci --prefix e2e`) against the gosio servers.
package e2e

import (
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
