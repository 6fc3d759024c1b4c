package client

import (
	"math"
	"math/rand/v2"
	"time"
)

// backoff computes reconnection delays exactly as socket.io-client's
// Backoff: min·2^attempt, with a random deviation of up to jitter·ms
// added or subtracted, capped at max.
type backoff struct {
	min, max time.Duration
	jitter   float64
	attempts int
	rand     func() float64
}

func (b *backoff) duration() time.Duration {
	ms := float64(b.min.Milliseconds()) * math.Pow(2, float64(b.attempts))
	b.attempts++
	if b.jitter > 0 {
		r := b.rand()
		dev := math.Floor(r * b.jitter * ms)
		if int(math.Floor(r*10))&1 == 0 {
			ms -= dev
		} else {
			ms += dev
		}
	}
	ms = math.Min(ms, float64(b.max.Milliseconds()))
	if ms < 0 || math.IsNaN(ms) {
		ms = 0
	}
	return time.Duration(int64(ms)) * time.Millisecond
}

func (b *backoff) reset() { b.attempts = 0 }

func newBackoff(min, max time.Duration, jitter float64) *backoff {
	return &backoff{min: min, max: max, jitter: jitter, rand: rand.Float64}
}
