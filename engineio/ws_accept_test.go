package engineio

import "testing"

// TestAppendAcceptKey checks the example of RFC 6455, section 1.3.
func TestAppendAcceptKey(t *testing.T) {
	got := appendAcceptKey([]byte("x"), "dGhlIHNhbXBsZSBub25jZQ==")
	if want := "xs3pPLMBiTxaQ9kYGzzhZRbK+xOo="; string(got) != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}
