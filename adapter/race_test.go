//go:build race

package adapter

// raceEnabled: the race detector slows map operations several times, so
// the largest loads are scaled down under it.
const raceEnabled = true
