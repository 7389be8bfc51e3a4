package match

import (
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Token is one word of a normalized name.
type Token struct {
	Text string // normalized word; for Han words also the toneless pinyin, joined ("shenzhen")
	Weak bool   // a legal-form or generic word (Co., Ltd., 有限公司, Technology, 贸易…), weighing little
}

// term is a word of a parsed name.
type term struct {
	text     string      // normalized word; Han words in simplified characters (華為 → 华为)
	written  string      // Han and Cyrillic words: as written, for explanations
	latin    string      // Latin form: text, the usual pinyin of a Han word or the usual transliteration of a Cyrillic one
	units    []string    // Han and Cyrillic words: the characters or letter groups, as written
	readings [][]reading // the readings of each unit
	exonyms  []string    // Han place names: their English names (see hanExonyms)
	han      bool
	cyrillic bool
	weak     bool
	concepts []string // weak words: what they mean (see concepts)
	expanded string   // the abbreviation this word was expanded from, if any
}

// readable reports whether the word is matched to Latin spellings through
// the readings of its units (Han and Cyrillic words).
func (t term) readable() bool { return t.han || t.cyrillic }

// shown is the word as explanations show it: Han words as written.
func (t term) shown() string {
	if t.written != "" {
		return t.written
	}
	return t.text
}

// Name is a name parsed for comparison. Parse a query once and compare it
// with many candidates.
type Name struct {
	raw      string
	norm     string
	terms    []term // in order
	strong   []int  // indexes into terms of the words that identify the name
	weak     []int
	promoted bool     // no strong word: the weak words stand in
	skeleton string   // Latin forms of the strong words, joined without spaces
	grams    []uint64 // distinct trigrams of " "+skeleton+" ", sorted
}

// Parse normalizes and tokenizes s. When s has no strong word (a name made
// only of generic words, such as "Global Trading Co."), its weak words stand
// in as strong ones.
func Parse(s string) *Name {
	ws := words(s)
	n := &Name{raw: s, norm: strings.Join(ws, " "), terms: make([]term, 0, len(ws)+4)}
	for _, w := range ws {
		if r, _ := utf8.DecodeRuneInString(w); unicode.Is(unicode.Han, r) {
			folded := foldHan(w)
			// The pieces come in order, some words between them dropped
			// (深圳市 → 深圳); folding keeps every character's length, so
			// a piece's offset in folded is its offset in w.
			at := 0
			for _, piece := range splitHan(folded) {
				at += strings.Index(folded[at:], piece)
				n.terms = append(n.terms, hanTerm(piece, w[at:at+len(piece)]))
				at += len(piece)
			}
			continue
		}
		if isCyrillic(w) {
			n.terms = append(n.terms, cyrillicTerm(w))
			continue
		}
		if exp, ok := abbreviations[w]; ok {
			for _, e := range exp {
				t := latinTerm(e)
				t.expanded = w
				n.terms = append(n.terms, t)
			}
			continue
		}
		n.terms = append(n.terms, latinTerm(w))
	}
	n.strong = make([]int, 0, len(n.terms))
	for i, t := range n.terms {
		if t.weak {
			n.weak = append(n.weak, i)
		} else {
			n.strong = append(n.strong, i)
		}
	}
	if len(n.strong) == 0 {
		n.strong, n.weak, n.promoted = n.weak, nil, true
	}
	var b strings.Builder
	for _, i := range n.strong {
		b.WriteString(n.terms[i].latin)
	}
	n.skeleton = b.String()
	n.grams = trigrams(n.skeleton)
	return n
}

// Normalized returns the name as Normalize returns it.
func (n *Name) Normalized() string { return n.norm }

func latinTerm(w string) term {
	c, weak := concepts[w]
	return term{text: w, latin: w, weak: weak, concepts: c}
}

// hanTerm reads a Han word w (in simplified characters) written as
// written.
func hanTerm(w, written string) term {
	c, weak := concepts[w]
	t := term{text: w, written: written, han: true, weak: weak, concepts: c, exonyms: hanExonyms[w],
		readings: make([][]reading, 0, utf8.RuneCountInString(w))}
	var b strings.Builder
	b.Grow(4 * cap(t.readings))
	t.units = make([]string, 0, cap(t.readings))
	for i, r := range written {
		rs := hanReadings(r)
		t.units = append(t.units, written[i:i+utf8.RuneLen(r)])
		t.readings = append(t.readings, rs)
		b.WriteString(rs[0].latin)
	}
	t.latin = b.String()
	return t
}

// hanSuffixes are the Han weak words, longest first.
var hanSuffixes = func() []string {
	var s []string
	for w := range concepts {
		if r, _ := utf8.DecodeRuneInString(w); unicode.Is(unicode.Han, r) {
			s = append(s, w)
		}
	}
	slices.SortFunc(s, func(a, b string) int {
		if d := utf8.RuneCountInString(b) - utf8.RuneCountInString(a); d != 0 {
			return d
		}
		return strings.Compare(a, b)
	})
	return s
}()

// sortedPlaces are hanPlaces, longest first.
var sortedPlaces = func() []string {
	s := slices.Clone(hanPlaces)
	slices.SortStableFunc(s, func(a, b string) int { return utf8.RuneCountInString(b) - utf8.RuneCountInString(a) })
	return s
}()

// splitHan splits a run of Han characters into the place names that open
// it, its core, and the weak words that end it:
// 深圳市华强电子有限公司 → 深圳 华强 电子 有限公司.
func splitHan(w string) []string {
	var head, tail []string
	for {
		place := ""
		for _, p := range sortedPlaces {
			if strings.HasPrefix(w, p) && len(w) > len(p) {
				place = p
				break
			}
		}
		if place == "" {
			break
		}
		head = append(head, place)
		w = w[len(place):]
		for _, suf := range hanPlaceSuffixes {
			if strings.HasPrefix(w, suf) {
				w = w[len(suf):]
				break
			}
		}
	}
	for w != "" {
		suffix := ""
		for _, s := range hanSuffixes {
			if strings.HasSuffix(w, s) {
				suffix = s
				break
			}
		}
		if suffix == "" {
			break
		}
		tail = append(tail, suffix)
		w = w[:len(w)-len(suffix)]
	}
	head = append(head, splitInner(w)...)
	slices.Reverse(tail)
	return append(head, tail...)
}

// splitInner splits the core of a Chinese name around the weak words of two
// or more characters inside it: 中芯国际集成电路 → 中芯 国际 集成电路.
func splitInner(w string) []string {
	var out []string
	start := 0 // byte offset where the current strong piece starts
	for i := 0; i < len(w); {
		weak := ""
		if i > 0 { // the name's first characters are never a weak word
			for _, s := range hanSuffixes {
				if utf8.RuneCountInString(s) >= 2 && strings.HasPrefix(w[i:], s) {
					weak = s
					break
				}
			}
		}
		if weak == "" {
			_, size := utf8.DecodeRuneInString(w[i:])
			i += size
			continue
		}
		if start < i {
			out = append(out, w[start:i])
		}
		out = append(out, weak)
		i += len(weak)
		start = i
	}
	if start < len(w) {
		out = append(out, w[start:])
	}
	return out
}

// Tokens returns the normalized words of s with abbreviations expanded
// ("Intl" → "international", "HK" → "hong" "kong"); Han words, in
// simplified characters, come with their toneless pinyin as a further token
// (深圳 → 深圳, shenzhen) and Cyrillic words with their usual
// transliteration (Иванов → иванов, ivanov).
func Tokens(s string) []Token {
	n := Parse(s)
	toks := make([]Token, 0, len(n.terms)+2)
	for _, t := range n.terms {
		weak := t.weak && !n.promoted
		toks = append(toks, Token{Text: t.text, Weak: weak})
		if t.readable() && t.latin != t.text {
			toks = append(toks, Token{Text: t.latin, Weak: weak})
		}
	}
	return toks
}

// SearchText returns the Latin forms of the strong words of s separated by
// spaces ("深圳市华强电子有限公司" → "shenzhen huaqiang"): the text that
// PostgreSQL's trigram index is built on.
func SearchText(s string) string {
	n := Parse(s)
	parts := make([]string, len(n.strong))
	for i, j := range n.strong {
		parts[i] = n.terms[j].latin
	}
	return strings.Join(parts, " ")
}

// alternateSystems are the romanizations, besides pinyin, that a Han name
// is also looked up in: each character in its usual spelling of the
// system, or in pinyin when the system has none for it.
var alternateSystems = []string{systemWadeGiles, systemCantonese, southern}

// southern stands for the Hokkien, Teochew and Hakka spellings of
// southernReadings, and the Cantonese ones where they have none: names as
// Singapore and Malaysia register them.
const southern = "southern"

// SearchTexts returns SearchText(s) and, when s has Han words, its strong
// words spelt in Wade-Giles, Cantonese and as Singapore and Malaysia write
// them, a space between syllables ("黄国雄" → "huangguoxiong",
// "huang kuo hsiung", "wong kwok hung", "ng kok hung"); no duplicates. A
// name spelt in any of them resembles one of the texts.
func SearchTexts(s string) []string {
	n := Parse(s)
	texts := []string{SearchText(s)}
	for _, system := range alternateSystems {
		var words []string
		han := false
		for _, i := range n.strong {
			t := n.terms[i]
			if !t.han {
				words = append(words, t.latin)
				continue
			}
			han = true
			for _, rs := range t.readings {
				words = append(words, usualSpelling(rs, system))
			}
		}
		if text := strings.Join(words, " "); han && !slices.Contains(texts, text) {
			texts = append(texts, text)
		}
	}
	return texts
}

// usualSpelling returns the first of readings in system (southern: in a
// southern dialect, else in Cantonese), or else the first reading.
func usualSpelling(rs []reading, system string) string {
	for _, r := range rs {
		if slices.Contains(r.systems, system) || system == southern && slices.ContainsFunc(r.systems, isSouthern) {
			return r.latin
		}
	}
	if system == southern {
		return usualSpelling(rs, systemCantonese)
	}
	return rs[0].latin
}

// isSouthern reports whether a reading's system is a southern dialect
// (Hokkien, Teochew, Hakka).
func isSouthern(system string) bool {
	switch system {
	case systemPinyin, systemWadeGiles, systemCantonese, systemCyrillic:
		return false
	}
	return true
}

// Keys returns the candidate-index keys of s: the trigrams of the Latin
// form of each strong word, padded at both ends (" sh", "she", …, "en "; a
// one-letter word gives " x "), the character bigrams of its Han words (a
// lone character for a one-character word), and for Han words the
// trigrams of each character's usual Wade-Giles, Cantonese and southern
// spelling, padded as words of their own (黄 → " wo", "won", "ong", "ng ").
// Two names that Compare scores well share keys; count the shared keys to
// rank candidates, and ask for KeysNeeded of them. Sorted, no duplicates.
func Keys(s string) []string {
	return Parse(s).keys(true)
}

// KeysNeeded returns how many of the keys of s (Keys) another name must
// share to be a candidate when share of them is asked for: share of the
// keys of s's usual spelling (pinyin for Han words), since a name written
// in another romanization shares the keys of that one only. At least 1.
func KeysNeeded(s string, share float64) int {
	return max(1, int(math.Ceil(float64(len(Parse(s).keys(false)))*share-1e-9)))
}

// keys returns the candidate keys of n, with or without those of the
// other romanizations of its Han words.
func (n *Name) keys(alternates bool) []string {
	var keys []string
	for _, i := range n.strong {
		t := n.terms[i]
		keys = appendTrigrams(keys, t.latin)
		for _, e := range t.exonyms {
			keys = appendTrigrams(keys, e)
		}
		if !t.han {
			continue
		}
		h := []rune(t.text)
		if len(h) == 1 {
			keys = append(keys, t.text)
		}
		for k := 0; k+2 <= len(h); k++ {
			keys = append(keys, string(h[k:k+2]))
		}
		if alternates {
			for _, rs := range t.readings {
				for _, system := range alternateSystems {
					keys = appendTrigrams(keys, usualSpelling(rs, system))
				}
			}
		}
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}

// appendTrigrams appends the trigrams of " "+w+" " to keys.
func appendTrigrams(keys []string, w string) []string {
	r := []rune(" " + w + " ")
	for k := 0; k+3 <= len(r); k++ {
		keys = append(keys, string(r[k:k+3]))
	}
	return keys
}

// trigrams returns the distinct rune trigrams of " "+s+" ", packed into
// uint64s and sorted.
func trigrams(s string) []uint64 {
	if s == "" {
		return nil
	}
	r := []rune(" " + s + " ")
	g := make([]uint64, 0, len(r))
	for i := 0; i+3 <= len(r); i++ {
		g = append(g, uint64(r[i])<<42|uint64(r[i+1])<<21|uint64(r[i+2]))
	}
	slices.Sort(g)
	return slices.Compact(g)
}

// dice is the Dice coefficient of two sorted sets.
func dice(a, b []uint64) float64 {
	if len(a)+len(b) == 0 {
		return 0
	}
	shared, i, j := 0, 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			shared++
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return 2 * float64(shared) / float64(len(a)+len(b))
}
