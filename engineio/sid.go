package engineio

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"sync/atomic"
)

// sidGenerator makes session ids like the reference's base64id: 15 bytes
// from crypto/rand, the last 6 replaced by a sequence counter, encoded as
// base64url (20 characters). The counter keeps ids unique even if the
// random source repeated.
type sidGenerator struct{ seq atomic.Uint64 }

func (g *sidGenerator) next() string {
	var b [15]byte
	rand.Read(b[:9]) // crypto/rand.Read never fails (Go 1.24+)
	var c [8]byte
	binary.BigEndian.PutUint64(c[:], g.seq.Add(1))
	copy(b[9:], c[2:])
	return base64.URLEncoding.EncodeToString(b[:])
}
