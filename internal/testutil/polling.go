package testutil

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Polling is a minimal Engine.IO v4 long-polling client.
type Polling struct {
	Client *http.Client
	URL    string // e.g. http://127.0.0.1:port/engine.io/
	SID    string
	Open   string // the open packet of the handshake

	pending []string // packets received by Receive and not yet returned
}

// OpenPolling performs a polling handshake on url with client.
func OpenPolling(client *http.Client, url string) (*Polling, error) {
	p := &Polling{Client: client, URL: url}
	code, body, _, err := p.Do(context.Background(), "GET", url+"?EIO=4&transport=polling", "", nil)
	if err != nil {
		return nil, err
	}
	if code != 200 {
		return nil, fmt.Errorf("testutil: handshake answered %d %q", code, body)
	}
	first, _, _ := strings.Cut(body, "\x1e")
	if p.SID, err = OpenSID(first); err != nil {
		return nil, err
	}
	p.Open = first
	return p, nil
}

// Do sends one request and returns the status, body and headers.
func (p *Polling) Do(ctx context.Context, method, url, body string, h http.Header) (int, string, http.Header, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
	if err != nil {
		return 0, "", nil, err
	}
	for k, v := range h {
		req.Header[k] = v
	}
	res, err := p.Client.Do(req)
	if err != nil {
		return 0, "", nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res.StatusCode, string(b), res.Header, err
}

// SessionURL returns the polling URL of the session.
func (p *Polling) SessionURL() string {
	return p.URL + "?EIO=4&transport=polling&sid=" + p.SID
}

// Get polls once and returns the status and body.
func (p *Polling) Get(ctx context.Context) (int, string, error) {
	code, body, _, err := p.Do(ctx, "GET", p.SessionURL(), "", nil)
	return code, body, err
}

// Post sends a payload and returns the status and body.
func (p *Polling) Post(payload string) (int, string, error) {
	code, body, _, err := p.Do(context.Background(), "POST", p.SessionURL(), payload, nil)
	return code, body, err
}

// Trunc quotes s, cut to 80 bytes, for failure messages.
func Trunc(s string) string {
	if len(s) > 80 {
		return fmt.Sprintf("%q...(%d bytes)", s[:80], len(s))
	}
	return fmt.Sprintf("%q", s)
}

// Packets splits a polling payload into its packets.
func Packets(body string) []string {
	if body == "" {
		return nil
	}
	return strings.Split(body, "\x1e")
}

// Receive returns the next packet other than ping and noop, polling as
// needed and answering pings with pongs; d bounds the whole call. Packets
// that arrived in the same payload are kept for the next calls.
func (p *Polling) Receive(d time.Duration) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	for len(p.pending) == 0 {
		code, body, err := p.Get(ctx)
		if err != nil {
			return "", err
		}
		if code != 200 {
			return "", fmt.Errorf("testutil: poll answered %d %s", code, Trunc(body))
		}
		for _, pkt := range Packets(body) {
			switch pkt {
			case "2":
				if code, body, err := p.Post("3"); err != nil || code != 200 {
					return "", fmt.Errorf("testutil: pong answered %d %q %v", code, body, err)
				}
			case "6":
			default:
				p.pending = append(p.pending, pkt)
			}
		}
	}
	pkt := p.pending[0]
	p.pending = p.pending[1:]
	return pkt, nil
}

// Echo posts message msg and waits for the server to send it back (the
// echo fixture of the tests).
func (p *Polling) Echo(msg string, d time.Duration) error {
	if code, body, err := p.Post("4" + msg); err != nil || code != 200 {
		return fmt.Errorf("testutil: post answered %d %q %v", code, body, err)
	}
	got, err := p.Receive(d)
	if err != nil {
		return err
	}
	if got != "4"+msg {
		return fmt.Errorf("testutil: echo got %s, want %q", Trunc(got), "4"+msg)
	}
	return nil
}

// Close asks the server to close the session.
func (p *Polling) Close() error {
	code, body, err := p.Post("1")
	if err == nil && code != 200 {
		err = fmt.Errorf("testutil: close answered %d %q", code, body)
	}
	return err
}
