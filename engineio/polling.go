package engineio

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gosio/socketio/engineio/packet"
)

// servePoll answers a GET of a polling session: at once if packets are
// queued, else when one is queued, the session closes or an upgrade
// releases the poll. A second concurrent GET closes the session (the
// reference's "overlap from client"); so does a GET the client abandons.
func (s *Socket) servePoll(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	if settled := s.probeSettled; settled != nil && !s.pollActive {
		// A new poll while a probe succeeded: the client is about to send
		// "5" (or already did, on another connection). Give the upgrade
		// the reference's noop interval to complete, so that a poll sent
		// after "5" is refused like any poll after the upgrade.
		s.mu.Unlock()
		t := time.NewTimer(100 * time.Millisecond)
		select {
		case <-settled:
		case <-t.C:
		case <-r.Context().Done():
		}
		t.Stop()
		s.mu.Lock()
		if s.upgraded {
			s.mu.Unlock()
			s.srv.refuse(w, r, false, CodeBadRequest, map[string]string{"name": ContextTransportMismatch})
			return
		}
	}
	if s.pollActive {
		s.mu.Unlock()
		s.closeWith(ReasonTransportError, ErrPollOverlap, closeReplyClose)
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	s.pollActive = true
	for s.state == stateOpen && s.transport == Polling && s.out.len() == 0 && !s.noopPending {
		wait := make(chan struct{})
		s.pollWait = wait
		s.mu.Unlock()
		select {
		case <-wait:
		case <-r.Context().Done():
			s.mu.Lock()
			if s.pollWait == wait {
				s.pollWait = nil
			}
			s.pollActive = false
			s.mu.Unlock()
			s.closeWith(ReasonTransportError, ErrPollClosedEarly, closeReplyClose)
			return
		}
		s.mu.Lock()
	}
	var pkts []packet.Packet
	closing := false
	switch {
	case s.state == stateClosed:
		t := packet.Close
		if s.pollReply == closeReplyNoop {
			t = packet.Noop
			// This poll raced the close and gets its noop here: the
			// grace noop for a later poll is used up.
			s.srv.takeClosedByClient(s.id)
		}
		pkts = []packet.Packet{{Type: t}}
	case s.transport != Polling:
		pkts = []packet.Packet{{Type: packet.Noop}} // upgraded: release the poll
	case s.state == stateClosing && s.out.len() > 0:
		// As the reference: what was queued goes first, and the close
		// packet in a later response, so the client handles those
		// packets before it sees the connection close.
		pkts = s.out.take()
	case s.state == stateClosing:
		pkts = []packet.Packet{{Type: packet.Close}}
		closing = true
	default:
		pkts = s.out.take()
		if len(pkts) == 0 { // released for an upgrade
			pkts = []packet.Packet{{Type: packet.Noop}}
		}
	}
	s.pollActive = false
	s.mu.Unlock()

	// The engine's write timeout governs the response, not the
	// http.Server's WriteTimeout, which counts from the request's start
	// and would cut a poll held for up to pingInterval.
	_ = http.NewResponseController(w).SetWriteDeadline(timeNow().Add(s.cfg.WriteTimeout))
	s.writePayload(w, r, pkts)
	s.mu.Lock()
	s.out.recycle(pkts)
	s.mu.Unlock()
	if closing {
		s.closeWith(ReasonForcedClose, nil, closeReplyClose)
	}
}

// writePayload writes packets as a polling response, compressed when the
// client accepts it and the payload reaches the threshold.
func (s *Socket) writePayload(w http.ResponseWriter, r *http.Request, pkts []packet.Packet) {
	var buf *buffer
	var body []byte
	contentType := "text/plain; charset=UTF-8"
	if s.eio3 {
		buf, body, contentType = s.encodePayloadV3(pkts)
	} else {
		buf = getBuffer(packet.PayloadLen(pkts))
		body = packet.AppendPayload(buf.b[:0], pkts)
	}
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Cache-Control", "no-store")
	if ua := r.Header.Get("User-Agent"); strings.Contains(ua, ";MSIE") || strings.Contains(ua, "Trident/") {
		h.Set("X-XSS-Protection", "0")
	}
	initial := parseQuery(r.URL.RawQuery).sid == ""
	if initial && s.cfg.Cookie != nil {
		h.Add("Set-Cookie", s.cfg.Cookie.cookie(s.id).String())
	}
	s.srv.applyHeaders(h, r, initial)
	if s.cfg.compress && len(body) >= s.cfg.compressMin {
		if enc := acceptedEncoding(r); enc != "" {
			writeCompressed(w, enc, body)
			buf.b = body
			putBuffer(buf)
			return
		}
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	w.Write(body)
	buf.b = body
	putBuffer(buf)
}

// encodePayloadV3 encodes a v3 polling response: the binary payload form
// if the client takes binary and a packet is binary, else the text form.
func (s *Socket) encodePayloadV3(pkts []packet.Packet) (*buffer, []byte, string) {
	buf := getBuffer(packet.PayloadLenV3(pkts))
	if !s.b64 && packet.HasBinary(pkts) {
		return buf, packet.AppendBinaryPayloadV3(buf.b[:0], pkts), "application/octet-stream"
	}
	return buf, packet.AppendPayloadV3(buf.b[:0], pkts), "text/plain; charset=UTF-8"
}

// decodePayload decodes a POST body with protocol v4's decoder, or v3's
// text or binary payload decoder (the client sends the binary form as
// application/octet-stream). Direct calls, so that fn does not escape.
func (s *Socket) decodePayload(body []byte, binary bool, fn func(packet.Packet) error) error {
	switch {
	case !s.eio3:
		return packet.DecodePayload(body, fn)
	case binary:
		return packet.DecodeBinaryPayloadV3(body, fn)
	}
	return packet.DecodePayloadV3(body, fn)
}

var errStopDecoding = errors.New("stop")

// servePost reads a POST payload and delivers its packets. The body is
// bounded by MaxHTTPBufferSize (413 past it) and by a read deadline.
func (s *Socket) servePost(w http.ResponseWriter, r *http.Request) {
	if !s.postActive.CompareAndSwap(false, true) {
		s.closeWith(ReasonTransportError, ErrPostOverlap, closeReplyClose)
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	binary := r.Header.Get("Content-Type") == "application/octet-stream"
	if binary && !s.eio3 {
		s.postActive.Store(false)
		s.closeWith(ReasonTransportError, ErrInvalidContent, closeReplyClose)
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	defer s.postActive.Store(false)

	body, err := s.readBody(w, r)
	if err != nil {
		if errors.Is(err, ErrPayloadTooLarge) {
			// As the reference: 413, the payload dropped, the session
			// kept. Its client takes the 413 as a transport error and
			// closes the session itself (POST "1": "transport close").
			// The rest of the body is not read: the connection closes.
			s.cfg.Logger.Debug("engineio: polling payload too large", "sid", s.id, "limit", s.cfg.MaxHTTPBufferSize)
			w.Header().Set("Connection", "close")
			w.WriteHeader(http.StatusRequestEntityTooLarge)
			return
		}
		s.closeWith(ReasonTransportError, ErrPostClosedEarly, closeReplyClose)
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	err = s.decodePayload(body, binary, func(p packet.Packet) error {
		if p.Type == packet.Close {
			s.closeWith(ReasonTransportClose, nil, closeReplyNoop)
			return errStopDecoding
		}
		s.onPacket(p)
		return nil
	})
	if errors.Is(err, packet.ErrParse) {
		s.closeWith(ReasonParseError, err, closeReplyClose)
		writeError(w, CodeBadRequest, codeMessages[CodeBadRequest])
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html")
	h.Set("Content-Length", "2")
	s.srv.applyHeaders(h, r, false)
	w.WriteHeader(http.StatusOK)
	io.WriteString(w, "ok")
}

// readBody reads at most MaxHTTPBufferSize bytes of the request body into a
// new buffer, grown with the bytes that arrive (a declared Content-Length
// only caps it: a stalled body costs what was sent). A body the client
// trickles is cut by a read deadline of PingInterval+PingTimeout.
func (s *Socket) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	max := s.cfg.MaxHTTPBufferSize
	if r.ContentLength > max {
		return nil, ErrPayloadTooLarge
	}
	_ = http.NewResponseController(w).SetReadDeadline(timeNow().Add(s.cfg.PingInterval + s.cfg.PingTimeout))
	want := max + 1 // one byte past the limit tells a body too large
	if r.ContentLength >= 0 {
		// net/http reports EOF with the last declared byte: the buffer
		// ends up exactly the declared size.
		want = r.ContentLength
	}
	var body []byte
	lr := io.LimitReader(r.Body, max+1)
	for {
		body = grow(body, want-int64(len(body)))
		n, err := lr.Read(body[len(body):cap(body)])
		body = body[:len(body)+n]
		if int64(len(body)) > max {
			return nil, ErrPayloadTooLarge
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	_ = http.NewResponseController(w).SetReadDeadline(time.Time{})
	return body, nil
}
