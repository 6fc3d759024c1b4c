// Package signal has Done, a "closed when finished" channel that is made
// only when somebody waits for it, so an object that is rarely waited for
// holds a few bytes instead of a channel (96 bytes).
package signal
