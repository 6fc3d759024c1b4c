// Package lineedit is a small line editor for an interactive terminal:
// one line, edited in place (Emacs keys, arrows, Home/End, Delete), with
// in-memory history, and output printed above the line being typed
// without garbling it. It talks to the terminal with termios and ANSI
// escapes, on the standard library alone.
//
// Keys: Left/Right or Ctrl-B/Ctrl-F move by character, Alt-B/Alt-F by
// word; Home/End or Ctrl-A/Ctrl-E to the ends; Backspace and Delete (or
// Ctrl-D on a non-empty line) remove a character, Ctrl-W and Alt-Backspace
// the word before the cursor, Ctrl-U all before it, Ctrl-K all after it;
// Up/Down or Ctrl-P/Ctrl-N walk the history; Ctrl-L clears the screen;
// Enter ends the line. Ctrl-C clears the line, or ends input
// (ErrInterrupt) on an empty one; Ctrl-D on an empty line ends input
// (io.EOF). A line wider than the terminal scrolls sideways.
package lineedit

import (
	"errors"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// ErrInterrupt is returned by ReadLine for Ctrl-C on an empty line.
var ErrInterrupt = errors.New("interrupted")

// MaxHistory bounds the history kept.
const MaxHistory = 1000

// Editor reads lines from a terminal. ReadLine is called from one
// goroutine; Print may be called from any, also while ReadLine waits.
type Editor struct {
	in      io.Reader
	out     io.Writer
	width   func() int // of the terminal, in columns
	prompt  string
	restore func() error

	mu      sync.Mutex // the line state and the terminal output
	reading bool
	buf     []rune
	pos     int // cursor, an index in buf
	off     int // first rune shown, when the line scrolls
	history []string
	hidx    int    // position in history while browsing
	saved   []rune // the line being typed before browsing the history

	// input read but not yet handled (ReadLine's goroutine only)
	keys    keyReader
	pending []byte
	readBuf []byte
}

// New puts the terminal in raw mode and returns an editor reading from in
// and drawing on out (both the terminal). Close restores the terminal.
func New(in, out *os.File, prompt string) (*Editor, error) {
	restore, err := makeRaw(int(in.Fd()))
	if err != nil {
		return nil, err
	}
	fd := int(out.Fd())
	return &Editor{in: in, out: out, width: func() int { return width(fd) }, prompt: prompt, restore: restore}, nil
}

// Close restores the terminal's mode. It may be called more than once.
func (e *Editor) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.restore == nil {
		return nil
	}
	err := e.restore()
	e.restore = nil
	return err
}

// History returns the lines entered, oldest first.
func (e *Editor) History() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.history...)
}

// Print writes text on lines of its own above the line being typed, which
// is drawn again below it.
func (e *Editor) Print(text string) {
	if !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.reading {
		io.WriteString(e.out, text)
		return
	}
	// One write: the terminal never shows the text without the line.
	io.WriteString(e.out, "\r\x1b[K"+text+e.lineLocked())
}

// ReadLine reads one line. It returns io.EOF for Ctrl-D on an empty line
// (or when input ends) and ErrInterrupt for Ctrl-C on an empty line.
func (e *Editor) ReadLine() (string, error) {
	e.mu.Lock()
	e.reading = true
	e.buf, e.pos, e.off = e.buf[:0], 0, 0
	e.hidx, e.saved = len(e.history), nil
	e.refreshLocked()
	e.mu.Unlock()
	defer func() {
		e.mu.Lock()
		e.reading = false
		e.mu.Unlock()
	}()
	if e.readBuf == nil {
		e.readBuf = make([]byte, 256)
	}
	for {
		for len(e.pending) > 0 {
			c := e.pending[0]
			e.pending = e.pending[1:]
			key, ok := e.keys.feed(c)
			if !ok {
				continue
			}
			if line, done, err := e.handle(key); done {
				return line, err
			}
		}
		n, err := e.in.Read(e.readBuf)
		e.pending = e.readBuf[:n]
		if n == 0 && err != nil {
			e.endLine()
			return "", io.EOF
		}
	}
}

// handle applies one key; done ends ReadLine with line and err.
func (e *Editor) handle(k key) (line string, done bool, err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	switch k.code {
	case keyRune:
		e.buf = append(e.buf, 0)
		copy(e.buf[e.pos+1:], e.buf[e.pos:])
		e.buf[e.pos] = k.r
		e.pos++
	case keyEnter:
		line = string(e.buf)
		io.WriteString(e.out, "\r\n")
		if line != "" && (len(e.history) == 0 || e.history[len(e.history)-1] != line) {
			e.history = append(e.history, line)
			if len(e.history) > MaxHistory {
				e.history = e.history[len(e.history)-MaxHistory:]
			}
		}
		e.buf, e.pos, e.off = e.buf[:0], 0, 0
		return line, true, nil
	case keyInterrupt:
		if len(e.buf) == 0 {
			io.WriteString(e.out, "\r\n")
			return "", true, ErrInterrupt
		}
		e.buf, e.pos = e.buf[:0], 0
	case keyEOF:
		if len(e.buf) == 0 {
			io.WriteString(e.out, "\r\n")
			return "", true, io.EOF
		}
		e.deleteAt(e.pos)
	case keyLeft:
		e.pos = max(e.pos-1, 0)
	case keyRight:
		e.pos = min(e.pos+1, len(e.buf))
	case keyWordLeft:
		e.pos = e.wordStart()
	case keyWordRight:
		e.pos = e.wordEnd()
	case keyHome:
		e.pos = 0
	case keyEnd:
		e.pos = len(e.buf)
	case keyBackspace:
		if e.pos > 0 {
			e.pos--
			e.deleteAt(e.pos)
		}
	case keyDelete:
		e.deleteAt(e.pos)
	case keyDeleteWord:
		start := e.wordStart()
		e.buf = append(e.buf[:start], e.buf[e.pos:]...)
		e.pos = start
	case keyKillStart:
		e.buf = append(e.buf[:0], e.buf[e.pos:]...)
		e.pos = 0
	case keyKillEnd:
		e.buf = e.buf[:e.pos]
	case keyUp:
		if e.hidx > 0 {
			if e.hidx == len(e.history) {
				e.saved = append([]rune(nil), e.buf...)
			}
			e.hidx--
			e.setLine([]rune(e.history[e.hidx]))
		}
	case keyDown:
		if e.hidx < len(e.history) {
			e.hidx++
			if e.hidx == len(e.history) {
				e.setLine(e.saved)
			} else {
				e.setLine([]rune(e.history[e.hidx]))
			}
		}
	case keyClear:
		io.WriteString(e.out, "\x1b[H\x1b[2J")
	default:
		return "", false, nil
	}
	e.refreshLocked()
	return "", false, nil
}

func (e *Editor) endLine() {
	e.mu.Lock()
	io.WriteString(e.out, "\r\n")
	e.mu.Unlock()
}

func (e *Editor) setLine(r []rune) {
	e.buf = append(e.buf[:0], r...)
	e.pos = len(e.buf)
}

func (e *Editor) deleteAt(i int) {
	if i < len(e.buf) {
		e.buf = append(e.buf[:i], e.buf[i+1:]...)
	}
}

// wordStart is where the word before the cursor starts.
func (e *Editor) wordStart() int {
	i := e.pos
	for i > 0 && unicode.IsSpace(e.buf[i-1]) {
		i--
	}
	for i > 0 && !unicode.IsSpace(e.buf[i-1]) {
		i--
	}
	return i
}

// wordEnd is where the word after the cursor ends.
func (e *Editor) wordEnd() int {
	i := e.pos
	for i < len(e.buf) && unicode.IsSpace(e.buf[i]) {
		i++
	}
	for i < len(e.buf) && !unicode.IsSpace(e.buf[i]) {
		i++
	}
	return i
}

// refreshLocked draws the prompt and the line.
func (e *Editor) refreshLocked() { io.WriteString(e.out, e.lineLocked()) }

// lineLocked returns what draws the prompt and the line, scrolled
// sideways so that the cursor shows, and puts the cursor in place.
func (e *Editor) lineLocked() string {
	avail := e.width() - runesWidth([]rune(e.prompt)) - 1
	if avail < 1 {
		avail = 1
	}
	if e.pos < e.off {
		e.off = e.pos
	}
	for e.off < e.pos && runesWidth(e.buf[e.off:e.pos]) >= avail {
		e.off++
	}
	end := e.off
	for end < len(e.buf) && runesWidth(e.buf[e.off:end+1]) <= avail {
		end++
	}
	var b strings.Builder
	b.WriteString("\r")
	b.WriteString(e.prompt)
	b.WriteString(string(e.buf[e.off:end]))
	b.WriteString("\x1b[K\r")
	if col := runesWidth([]rune(e.prompt)) + runesWidth(e.buf[e.off:e.pos]); col > 0 {
		b.WriteString("\x1b[" + strconv.Itoa(col) + "C")
	}
	return b.String()
}

// runesWidth is the number of terminal columns rs take: 2 for wide East
// Asian characters and emoji, 0 for combining marks and controls, 1 for
// the rest.
func runesWidth(rs []rune) int {
	n := 0
	for _, r := range rs {
		n += runeWidth(r)
	}
	return n
}

func runeWidth(r rune) int {
	switch {
	case r < 0x20 || r == 0x7f || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r):
		return 0
	case r >= 0x1100 && r <= 0x115f, r >= 0x2e80 && r <= 0xa4cf && r != 0x303f, r >= 0xac00 && r <= 0xd7a3,
		r >= 0xf900 && r <= 0xfaff, r >= 0xfe30 && r <= 0xfe4f, r >= 0xff00 && r <= 0xff60, r >= 0xffe0 && r <= 0xffe6,
		r >= 0x1f300 && r <= 0x1faff, r >= 0x20000 && r <= 0x3fffd:
		return 2
	}
	return 1
}

// Key decoding.

type keyCode uint8

const (
	keyNone keyCode = iota
	keyRune
	keyEnter
	keyInterrupt
	keyEOF
	keyLeft
	keyRight
	keyWordLeft
	keyWordRight
	keyHome
	keyEnd
	keyBackspace
	keyDelete
	keyDeleteWord
	keyKillStart
	keyKillEnd
	keyUp
	keyDown
	keyClear
)

type key struct {
	code keyCode
	r    rune
}

// keyReader turns the bytes a terminal sends into keys: UTF-8 characters,
// control characters, and escape sequences (CSI "ESC [", SS3 "ESC O",
// and Alt as an ESC prefix).
type keyReader struct {
	utf []byte // an incomplete UTF-8 character
	esc []byte // an escape sequence being read, ESC included
}

const maxEscape = 16

func (k *keyReader) feed(c byte) (key, bool) {
	if len(k.esc) > 0 {
		return k.feedEscape(c)
	}
	if len(k.utf) > 0 || c >= 0x80 {
		k.utf = append(k.utf, c)
		if !utf8.FullRune(k.utf) {
			if len(k.utf) >= utf8.UTFMax {
				k.utf = k.utf[:0]
			}
			return key{}, false
		}
		r, _ := utf8.DecodeRune(k.utf)
		k.utf = k.utf[:0]
		if r == utf8.RuneError || !unicode.IsPrint(r) {
			return key{}, false
		}
		return key{code: keyRune, r: r}, true
	}
	switch c {
	case 0x1b:
		k.esc = append(k.esc[:0], c)
		return key{}, false
	case '\r', '\n':
		return key{code: keyEnter}, true
	case 0x01:
		return key{code: keyHome}, true
	case 0x02:
		return key{code: keyLeft}, true
	case 0x03:
		return key{code: keyInterrupt}, true
	case 0x04:
		return key{code: keyEOF}, true
	case 0x05:
		return key{code: keyEnd}, true
	case 0x06:
		return key{code: keyRight}, true
	case 0x08, 0x7f:
		return key{code: keyBackspace}, true
	case 0x0b:
		return key{code: keyKillEnd}, true
	case 0x0c:
		return key{code: keyClear}, true
	case 0x0e:
		return key{code: keyDown}, true
	case 0x10:
		return key{code: keyUp}, true
	case 0x15:
		return key{code: keyKillStart}, true
	case 0x17:
		return key{code: keyDeleteWord}, true
	}
	if c >= 0x20 {
		return key{code: keyRune, r: rune(c)}, true
	}
	return key{}, false // another control character: ignored
}

func (k *keyReader) feedEscape(c byte) (key, bool) {
	k.esc = append(k.esc, c)
	if len(k.esc) == 2 {
		switch c {
		case '[', 'O':
			return key{}, false
		case 'b', 'B':
			k.esc = k.esc[:0]
			return key{code: keyWordLeft}, true
		case 'f', 'F':
			k.esc = k.esc[:0]
			return key{code: keyWordRight}, true
		case 0x7f, 0x08:
			k.esc = k.esc[:0]
			return key{code: keyDeleteWord}, true
		}
		k.esc = k.esc[:0]
		return key{}, false
	}
	// CSI or SS3: parameters until a final byte in 0x40..0x7e.
	if c < 0x40 || c > 0x7e {
		if len(k.esc) >= maxEscape {
			k.esc = k.esc[:0]
		}
		return key{}, false
	}
	seq := string(k.esc[2:])
	k.esc = k.esc[:0]
	switch seq {
	case "A":
		return key{code: keyUp}, true
	case "B":
		return key{code: keyDown}, true
	case "C":
		return key{code: keyRight}, true
	case "D":
		return key{code: keyLeft}, true
	case "H", "1~", "7~":
		return key{code: keyHome}, true
	case "F", "4~", "8~":
		return key{code: keyEnd}, true
	case "3~":
		return key{code: keyDelete}, true
	case "1;5C", "1;3C", "5C":
		return key{code: keyWordRight}, true
	case "1;5D", "1;3D", "5D":
		return key{code: keyWordLeft}, true
	}
	return key{}, false
}
