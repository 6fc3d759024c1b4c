package lineedit

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"unicode/utf8"
)

// feed returns an editor reading keys (and then EOF), on a terminal of
// the given width.
func feed(keys string, cols int) (*Editor, *bytes.Buffer) {
	var out bytes.Buffer
	return &Editor{in: strings.NewReader(keys), out: &out, width: func() int { return cols }, prompt: "> "}, &out
}

func lines(t *testing.T, e *Editor) []string {
	t.Helper()
	var got []string
	for {
		l, err := e.ReadLine()
		if errors.Is(err, io.EOF) {
			return got
		}
		if err != nil {
			got = append(got, "<"+err.Error()+">")
			continue
		}
		got = append(got, l)
	}
}

func TestKeys(t *testing.T) {
	const (
		left, right = "\x1b[D", "\x1b[C"
		up, down    = "\x1b[A", "\x1b[B"
		home, end   = "\x1b[H", "\x1b[F"
		del         = "\x1b[3~"
	)
	cases := []struct {
		name, keys string
		want       []string
	}{
		{"typing", "emit x\r", []string{"emit x"}},
		{"insert after moving", "emt" + left + "i" + end + " 1\r", []string{"emit 1"}},
		{"backspace and delete", "abcd\x7f" + home + del + "\r", []string{"bc"}},
		{"ctrl-a ctrl-e ctrl-k ctrl-u", "hello world\x01\x06\x06\x0b\r" + "abc\x02\x15\r", []string{"he", "c"}},
		{"ctrl-w and alt-backspace", "one two three\x17\r" + "a b\x1b\x7f\r", []string{"one two ", "a "}},
		{"word moves", "aa bb cc\x1bb\x1bbX\x1bfY\r", []string{"aa XbbY cc"}},
		{"ctrl-arrows", "aa bb\x1b[1;5DZ\r", []string{"aa Zbb"}},
		{"history", "first\rsecond\r" + up + up + "\r" + up + down + down + "new\r", []string{"first", "second", "first", "new"}},
		{"history keeps the typed line", "a\rtyped" + up + down + "!\r", []string{"a", "typed!"}},
		{"no duplicate in history", "x\rx\r" + up + up + "\r", []string{"x", "x", "x"}},
		{"ctrl-c clears, then interrupts", "abc\x03\x03", []string{"<interrupted>"}},
		{"ctrl-d deletes, then ends", "ab\x01\x04\r\x04ignored", []string{"b"}},
		{"utf-8", "héllo 世界" + left + "!\r", []string{"héllo 世!界"}},
		{"unknown escape ignored", "a\x1b[99~b\x1bxc\r", []string{"abc"}},
		{"control characters ignored", "a\x07\x00b\r", []string{"ab"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e, _ := feed(tc.keys, 80)
			if got := lines(t, e); strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Fatalf("lines %q, want %q", got, tc.want)
			}
		})
	}
}

// A line wider than the terminal scrolls: what is drawn fits, and the
// cursor's column stays inside.
func TestScroll(t *testing.T) {
	e, out := feed(strings.Repeat("x", 50)+"\x1b[H"+"\r", 20)
	lines(t, e)
	for _, frame := range strings.Split(out.String(), "\r> ")[1:] {
		shown, _, _ := strings.Cut(frame, "\x1b[K")
		if len([]rune(shown)) > 17 {
			t.Fatalf("drew %d columns on a 20-column terminal: %q", len(shown), shown)
		}
	}
}

// Print writes above the line and draws the line again.
func TestPrintWhileReading(t *testing.T) {
	r, w := io.Pipe()
	var out syncBuffer
	e := &Editor{in: r, out: &out, width: func() int { return 80 }, prompt: "> "}
	done := make(chan string)
	go func() {
		l, _ := e.ReadLine()
		done <- l
	}()
	w.Write([]byte("emit pa"))
	waitFor(t, &out, "emit pa")
	e.Print("< event [1]")
	w.Write([]byte("rt\r"))
	if l := <-done; l != "emit part" {
		t.Fatalf("line %q", l)
	}
	w.Close()
	s := out.String()
	i := strings.Index(s, "< event [1]\n")
	if i < 0 || !strings.Contains(s[i:], "> emit pa") {
		t.Fatalf("output %q: the line is not drawn again after the print", s)
	}
}

// Any input: no panic, lines are valid UTF-8 without control characters,
// the cursor stays in the line.
func FuzzKeys(f *testing.F) {
	for _, s := range []string{"emit x\r", "\x1b[A\x1b[B\x1b[C\x1b[D\r", "\x1b[1;5C\x1b[3~\x1bb\x1bf\x1b\x7f", "héllo 世界\x02\x17\r",
		"\x1b[" + strings.Repeat("9", 40) + "~", "\xff\xfe\xc3", "a\x03b\x04\r\x15\x0b\x0c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		e, _ := feed(in, 12)
		for {
			l, err := e.ReadLine()
			if e.pos < 0 || e.pos > len(e.buf) || e.off < 0 || e.off > len(e.buf) {
				t.Fatalf("cursor %d, offset %d in a line of %d", e.pos, e.off, len(e.buf))
			}
			if err != nil {
				if errors.Is(err, io.EOF) {
					return
				}
				continue
			}
			for _, r := range l {
				if r < 0x20 || r == 0x7f || r == utf8.RuneError {
					t.Fatalf("line %q holds %U", l, r)
				}
			}
		}
	})
}
