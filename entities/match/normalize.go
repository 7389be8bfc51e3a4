package match

import (
	"strings"
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// Normalize returns s in the form names are compared in: Unicode NFKC
// (full-width letters, digits and the ideographic space become their ASCII
// forms), case folded, accents stripped from Latin letters, apostrophes
// dropped ("O'Brien" → "obrien"), dotted initialisms joined ("U.S.A." →
// "usa"), "&" spelled "and", every other punctuation mark and symbol a word
// break, Han characters kept together ("深 圳" → "深圳") and set apart from
// letters of other scripts ("华为Technologies" → "华为 technologies"), and
// words separated by one space.
func Normalize(s string) string {
	return strings.Join(words(s), " ")
}

// word is a run of letters and digits, and whether a '.' followed it.
type word struct {
	text   []rune
	dotted bool
}

// words splits s into normalized words (see Normalize).
func words(s string) []string {
	s = cases.Fold().String(norm.NFKC.String(s))
	s = stripLatinMarks(s)

	ws := make([]word, 0, 8)
	var cur []rune
	curHan := false
	// spaced records whether only white space separated the previous word
	// from the current position: Han words joined by spaces merge.
	spaced := false
	flush := func(dotted bool) {
		if len(cur) > 0 {
			ws = append(ws, word{text: cur, dotted: dotted})
			cur = nil
		}
	}
	for _, r := range s {
		switch {
		case isApostrophe(r):
			// Dropped inside words; a word break elsewhere is harmless.
		case unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r):
			han := unicode.Is(unicode.Han, r)
			if len(cur) > 0 && han != curHan {
				flush(false)
			}
			if len(cur) == 0 && han && spaced && len(ws) > 0 && ws[len(ws)-1].isHan() {
				// "深 圳": reopen the previous Han word.
				cur = ws[len(ws)-1].text
				ws = ws[:len(ws)-1]
			}
			if cur == nil {
				cur = make([]rune, 0, 16)
			}
			cur = append(cur, r)
			curHan = han
			spaced = false
		case r == '.':
			flush(true)
			spaced = false
		case r == '&':
			flush(false)
			ws = append(ws, word{text: []rune("and")})
			spaced = false
		case unicode.IsSpace(r):
			if len(cur) > 0 {
				flush(false)
				spaced = true
			}
		default:
			flush(false)
			spaced = false
		}
	}
	flush(false)

	out := make([]string, 0, len(ws))
	for i := 0; i < len(ws); i++ {
		// A run of two or more dotted single letters is an initialism.
		j := i
		for j < len(ws) && len(ws[j].text) == 1 && ws[j].dotted && !ws[j].isHan() {
			j++
		}
		if j-i >= 2 && j < len(ws) && len(ws[j].text) == 1 && !ws[j].isHan() {
			j++ // "U.S.A" without the last dot
		}
		if j-i >= 2 {
			var b strings.Builder
			for _, w := range ws[i:j] {
				b.WriteRune(w.text[0])
			}
			out = append(out, b.String())
			i = j - 1
			continue
		}
		out = append(out, string(ws[i].text))
	}
	return out
}

func (w word) isHan() bool {
	return len(w.text) > 0 && unicode.Is(unicode.Han, w.text[0])
}

func isApostrophe(r rune) bool {
	switch r {
	case '\'', '’', 'ʼ', '`', '´', '‘':
		return true
	}
	return false
}

// stripLatinMarks removes combining marks that follow Latin letters
// ("müller" → "muller", "nuñez" → "nunez"); marks of other scripts stay.
func stripLatinMarks(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	d := norm.NFD.String(s)
	var b strings.Builder
	b.Grow(len(d))
	latin := false
	for _, r := range d {
		if unicode.Is(unicode.Mn, r) {
			if latin {
				continue
			}
		} else {
			latin = unicode.Is(unicode.Latin, r)
		}
		b.WriteRune(r)
	}
	return norm.NFC.String(b.String())
}
