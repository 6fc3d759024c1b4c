package engineio

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"sync/atomic"
)

// sidGenerator makes session ids like the reference's base64id: 15 bytes,
// 12 from crypto/rand and 3 of a sequence counter, encoded as base64url
// (20 characters). The counter keeps ids unique even if the random source
// repeated; the 96 random bits keep them unguessable.
type sidGenerator struct{ seq atomic.Uint64 }

func (g *sidGenerator) next() string {
	var b [15]byte
	rand.Read(b[:12]) // crypto/rand.Read never fails (Go 1.24+)
	var c [8]byte
	binary.BigEndian.PutUint64(c[:], g.seq.Add(1))
	copy(b[12:], c[5:])
	return base64.URLEncoding.EncodeToString(b[:])
}
