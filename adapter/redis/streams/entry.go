package streams

import "strconv"

// entryID is a parsed stream entry id "<ms>-<seq>".
type entryID struct{ ms, seq uint64 }

func parseID(s string) (entryID, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == '-' {
			ms, err1 := strconv.ParseUint(s[:i], 10, 64)
			seq, err2 := strconv.ParseUint(s[i+1:], 10, 64)
			return entryID{ms, seq}, err1 == nil && err2 == nil && i > 0 && i < len(s)-1
		}
	}
	return entryID{}, false
}

// compareIDs orders two valid entry ids (-1, 0, 1); an invalid id sorts
// first.
func compareIDs(a, b string) int {
	x, okx := parseID(a)
	y, oky := parseID(b)
	switch {
	case !okx && !oky:
		return 0
	case !okx:
		return -1
	case !oky:
		return 1
	case x.ms != y.ms:
		if x.ms < y.ms {
			return -1
		}
		return 1
	case x.seq != y.seq:
		if x.seq < y.seq {
			return -1
		}
		return 1
	}
	return 0
}

// validOffset is Node's check of a client's offset: /^[0-9]+-[0-9]+$/.
func validOffset(s string) bool {
	_, ok := parseID(s)
	if !ok {
		return false
	}
	for i := 0; i < len(s); i++ {
		if (s[i] < '0' || s[i] > '9') && s[i] != '-' {
			return false
		}
	}
	return true
}
