package graph

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"
)

// maxTitleRunes bounds the full text kept in a <title>.
const maxTitleRunes = 500

// clean makes an untrusted label printable on one line: invalid UTF-8
// becomes U+FFFD, control and bidirectional formatting characters are
// dropped (they could reorder what a reader sees), runs of white space
// become one space, and the result is cut to maxTitleRunes.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	space := false
	n := 0
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		case unicode.IsControl(r) || isBidiControl(r):
			continue
		}
		if n == maxTitleRunes {
			b.WriteRune('…')
			break
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// isBidiControl reports the explicit bidirectional formatting characters.
func isBidiControl(r rune) bool {
	return r == '\u061C' || r == '\u200E' || r == '\u200F' ||
		(r >= '\u202A' && r <= '\u202E') || (r >= '\u2066' && r <= '\u2069')
}

// runeWidth estimates the advance of r in a sans-serif font, in ems. It
// errs on the wide side so that estimated boxes hold the drawn text.
func runeWidth(r rune) float64 {
	switch k := width.LookupRune(r).Kind(); {
	case k == width.EastAsianWide || k == width.EastAsianFullwidth:
		return 1
	case strings.ContainsRune("MWmw@%", r):
		return 0.92
	case strings.ContainsRune("iljI.,:;'!|", r):
		return 0.32
	case r == ' ':
		return 0.3
	case unicode.IsUpper(r):
		return 0.72
	case r < utf8.RuneSelf:
		return 0.6
	}
	return 0.7
}

// textWidth estimates the width of s at the given font size in pixels.
func textWidth(s string, size float64) float64 {
	w := 0.0
	for _, r := range s {
		w += runeWidth(r)
	}
	return w * size
}

// truncate cuts s to at most maxW pixels at the given font size, ending a
// cut text with an ellipsis. It reports whether it cut.
func truncate(s string, size, maxW float64) (string, bool) {
	if textWidth(s, size) <= maxW {
		return s, false
	}
	limit := maxW - runeWidth('…')*size
	w := 0.0
	for i, r := range s {
		w += runeWidth(r) * size
		if w > limit {
			return strings.TrimRight(s[:i], " ") + "…", true
		}
	}
	return s, false
}
