package parser_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/gosio/socketio/parser"
)

// The JSON format through the seam is the text part and the attachments,
// exactly what AppendText and the Decoder do.
func TestJSONFormat(t *testing.T) {
	var f parser.Parser = parser.JSON{}
	for _, ex := range wireExamples {
		text, bins, err := f.Encode(&ex.want)
		want := ex.wire
		if ex.canon != "" {
			want = ex.canon
		}
		if err != nil || string(text) != want || len(bins) != len(ex.want.Attachments) {
			t.Errorf("%s: %q %d %v, want %q", ex.name, text, len(bins), err, want)
			continue
		}
		d := f.NewDecoder(parser.Limits{})
		p, err := d.Add(text, false)
		for _, b := range bins {
			if !d.Pending() {
				t.Fatalf("%s: not pending before an attachment", ex.name)
			}
			p, err = d.Add(b, true)
		}
		if err != nil || p == nil || p.Type != ex.want.Type || !bytes.Equal(p.Data, ex.want.Data) {
			t.Errorf("%s: decoded %+v %v", ex.name, p, err)
		}
	}
	if _, _, err := f.Encode(&parser.Packet{Type: parser.Ack, Data: raw(`[]`)}); !errors.Is(err, parser.ErrInvalidPacket) {
		t.Errorf("ACK without id: %v", err)
	}
}

func TestLimitsResolve(t *testing.T) {
	cases := []struct {
		l          parser.Limits
		att, bytes int
	}{
		{parser.Limits{}, parser.DefaultMaxAttachments, parser.DefaultMaxAttachmentBytes},
		{parser.Limits{MaxAttachments: 3, MaxAttachmentBytes: 5}, 3, 5},
		{parser.Limits{MaxAttachments: -1, MaxAttachmentBytes: -1}, 0, 0},
	}
	for _, c := range cases {
		if a, b := c.l.Resolve(); a != c.att || b != c.bytes {
			t.Errorf("%+v: %d %d, want %d %d", c.l, a, b, c.att, c.bytes)
		}
	}
}
