package packet

import "encoding/base64"

func base64Len(n int) int { return base64.StdEncoding.EncodedLen(n) }

func appendBase64(dst, src []byte) []byte {
	dst = append(dst, 'b')
	return base64.StdEncoding.AppendEncode(dst, src)
}

// decodeBase64 decodes standard, padded base64 into a new buffer. Unlike
// Node's lenient Buffer.from(s, "base64"), malformed input is an error.
func decodeBase64(s []byte) ([]byte, error) {
	out := make([]byte, base64.StdEncoding.DecodedLen(len(s)))
	n, err := base64.StdEncoding.Decode(out, s)
	if err != nil {
		return nil, err
	}
	return out[:n], nil
}
