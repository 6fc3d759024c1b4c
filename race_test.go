//go:build race

package socketio

// raceEnabled: the race detector slows the largest loads several times,
// so they are scaled down under it.
const raceEnabled = true
