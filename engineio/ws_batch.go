package engineio

import (
	"net"
	"sync"

	"github.com/gobwas/ws"

	"github.com/gosio/socketio/engineio/packet"
)

// gatherMin is the payload size from which a frame's payload is written
// from the packet's own bytes instead of being copied into the batch
// buffer: a broadcast of a large message is then not copied once per
// recipient, and a large batch does not grow a buffer too large to pool.
const gatherMin = 2048

// frameBatch is one flush of the WebSocket writer: the frames of every
// packet taken from the queue, written with one gather write (writev).
// Frame headers and small payloads are copied into b; larger payloads are
// referenced where they belong. The bytes on the wire are those of
// appendFrames.
type frameBatch struct {
	b    []byte
	refs []payloadRef
	bufs net.Buffers
}

// payloadRef is a payload that goes at offset at of b.
type payloadRef struct {
	at   int
	data []byte
}

var batchPool = sync.Pool{New: func() any { return &frameBatch{b: make([]byte, 0, 2048)} }}

// getBatch returns an empty batch.
func getBatch() *frameBatch { return batchPool.Get().(*frameBatch) }

// putBatch returns fb to the pool, holding no packet.
func putBatch(fb *frameBatch) {
	clear(fb.refs)
	clear(fb.bufs[:cap(fb.bufs)])
	fb.refs, fb.bufs = fb.refs[:0], fb.bufs[:0]
	if cap(fb.b) > maxPooledBuffer || cap(fb.refs) > 1024 {
		return
	}
	fb.b = fb.b[:0]
	batchPool.Put(fb)
}

// add appends the frames of pkts, as appendFrames does.
func (fb *frameBatch) add(pkts []packet.Packet, deflate int) {
	for _, p := range pkts {
		switch {
		case deflate > 0 && len(p.Data)+1 >= deflate:
			fb.b = appendDeflatedFrame(fb.b, p, binaryRaw)
		case p.Binary:
			fb.b = appendHeader(fb.b, ws.OpBinary, len(p.Data), nil)
			fb.payload(p.Data)
		default:
			fb.b = appendHeader(fb.b, ws.OpText, 1+len(p.Data), nil)
			fb.b = append(fb.b, '0'+byte(p.Type))
			fb.payload(p.Data)
		}
	}
}

// addAs appends the frames of pkts, as appendFramesAs does.
func (fb *frameBatch) addAs(pkts []packet.Packet, deflate int, binary binaryForm) {
	if binary == binaryRaw {
		fb.add(pkts, deflate)
		return
	}
	for _, p := range pkts {
		switch {
		case deflate > 0 && len(p.Data)+1 >= deflate:
			fb.b = appendDeflatedFrame(fb.b, p, binary)
		case !p.Binary:
			fb.b = appendHeader(fb.b, ws.OpText, 1+len(p.Data), nil)
			fb.b = append(fb.b, '0'+byte(p.Type))
			fb.payload(p.Data)
		case binary == binaryTyped:
			fb.b = appendHeader(fb.b, ws.OpBinary, 1+len(p.Data), nil)
			fb.b = append(fb.b, byte(packet.Message))
			fb.payload(p.Data)
		default:
			fb.b = appendBase64Frame(fb.b, p)
		}
	}
}

func (fb *frameBatch) payload(data []byte) {
	if len(data) < gatherMin {
		fb.b = append(fb.b, data...)
		return
	}
	fb.refs = append(fb.refs, payloadRef{at: len(fb.b), data: data})
}

// buffers returns the batch as the segments of one gather write. Writing
// them consumes the returned slice, not fb's.
func (fb *frameBatch) buffers() net.Buffers {
	fb.bufs = fb.bufs[:0]
	prev := 0
	for _, r := range fb.refs {
		if r.at > prev {
			fb.bufs = append(fb.bufs, fb.b[prev:r.at])
		}
		fb.bufs = append(fb.bufs, r.data)
		prev = r.at
	}
	if prev < len(fb.b) {
		fb.bufs = append(fb.bufs, fb.b[prev:])
	}
	return fb.bufs
}
