package match

import (
	"cmp"
	"slices"
	"strings"
	"sync"

	"github.com/mozillazg/go-pinyin"
)

// The romanizations a Han character is read in. A reading names every
// system that spells it so.
const (
	systemPinyin    = "pinyin"
	systemWadeGiles = "Wade-Giles"
	systemCantonese = "Cantonese"
)

// reading is one Latin spelling of a character (or of a Cyrillic letter
// group), how common it is and in which romanizations.
type reading struct {
	latin   string
	weight  float64  // 1 for the usual spelling, lower for rarer ones
	systems []string // the romanizations that spell it so, the most usual first
}

// Bounds on the readings of one character, so that a name's readings and
// its candidate keys stay few.
const (
	maxPinyin           = 3  // heteronyms of a character
	maxCantoneseReading = 2  // Jyutping readings of a character
	maxSpellings        = 12 // spellings of one Jyutping reading
	maxReadings         = 20 // readings of a character in all systems
)

// Weights of rarer readings (the usual one weighs 1).
const (
	weightHeteronym = 0.9  // a character's other Mandarin or Cantonese readings
	weightGivenName = 0.95 // a Hokkien, Teochew or Hakka given-name syllable
)

var readingsCache sync.Map // rune → []reading

// hanReadings returns the readings of a Han character, the usual pinyin
// first: its pinyin (heteronyms too), their Wade-Giles spellings, its
// Cantonese readings in the Hong Kong government, Yale and Jyutping
// spellings and those of Singapore and Malaysia, and the Hokkien, Teochew
// and Hakka spellings of surnames and given-name syllables
// (southernReadings). A character without any reads as itself.
func hanReadings(r rune) []reading {
	if v, ok := readingsCache.Load(r); ok {
		return v.([]reading)
	}
	var rs []reading
	add := func(latin, system string, weight float64) {
		if i := slices.IndexFunc(rs, func(x reading) bool { return x.latin == latin }); i >= 0 {
			if !slices.Contains(rs[i].systems, system) {
				rs[i].systems = append(rs[i].systems, system)
			}
			rs[i].weight = max(rs[i].weight, weight)
			return
		}
		rs = append(rs, reading{latin: latin, weight: weight, systems: []string{system}})
	}
	folded := r
	if f, ok := tables().fold[r]; ok {
		folded = f
	}
	for i, p := range pinyinOf(r) {
		w := 1.0
		if i > 0 {
			w = weightHeteronym
		}
		add(p, systemPinyin, w)
		for _, wg := range tables().wadeGiles[p] {
			add(wg, systemWadeGiles, w)
		}
	}
	jyut := tables().cantonese[r]
	if len(jyut) == 0 {
		jyut = tables().cantonese[folded]
	}
	for i, j := range jyut[:min(len(jyut), maxCantoneseReading)] {
		w := 1.0
		if i > 0 {
			w = weightHeteronym
		}
		for _, s := range jyutpingSpellings(j) {
			add(s.latin, systemCantonese, w*s.weight)
		}
	}
	for _, s := range southernReadings[folded] {
		add(s.latin, s.dialects, s.weight)
	}
	if len(rs) == 0 {
		rs = []reading{{latin: string(r), weight: 1}}
	}
	// The usual pinyin stays first: it is the character's Latin form.
	slices.SortStableFunc(rs[1:], func(a, b reading) int { return cmp.Compare(b.weight, a.weight) })
	rs = rs[:min(len(rs), maxReadings)]
	readingsCache.Store(r, rs)
	return rs
}

// pinyinOf returns the toneless pinyin readings of a Han character, the
// most common first (ü written u), at most maxPinyin.
func pinyinOf(r rune) []string {
	var ps []string
	for _, p := range pinyin.SinglePinyin(r, pinyin.Args{Style: pinyin.Normal, Heteronym: true}) {
		p = strings.ReplaceAll(p, "v", "u")
		if p != "" && !slices.Contains(ps, p) && len(ps) < maxPinyin {
			ps = append(ps, p)
		}
	}
	return ps
}

// spelling is a Latin spelling and its weight.
type spelling struct {
	latin  string
	weight float64
}

// Jyutping initials and finals as Hong Kong, Yale, Jyutping itself and
// Singapore and Malaysia write them, the Hong Kong government spelling
// first (z → ch, ts; c → ch, ts; j → y; oeng → eung, eong; eoi → ui; yut →
// uet…).
var (
	jyutpingInitials = map[string][]spelling{
		"b": {{"p", 1}, {"b", 0.9}}, "p": {{"p", 1}}, "m": {{"m", 1}}, "f": {{"f", 1}},
		"d": {{"t", 1}, {"d", 0.9}}, "t": {{"t", 1}}, "n": {{"n", 1}}, "l": {{"l", 1}},
		"g": {{"k", 1}, {"g", 0.9}}, "k": {{"k", 1}}, "ng": {{"ng", 1}}, "h": {{"h", 1}},
		"gw": {{"kw", 1}, {"gw", 0.9}}, "kw": {{"kw", 1}}, "w": {{"w", 1}},
		"z": {{"ch", 1}, {"ts", 1}, {"j", 0.9}, {"z", 0.9}}, "c": {{"ch", 1}, {"ts", 1}, {"c", 0.9}},
		"s": {{"s", 1}, {"sh", 0.95}}, "j": {{"y", 1}, {"j", 0.9}}, "": {{"", 1}},
	}
	jyutpingFinals = map[string][]spelling{
		"aa": {{"a", 1}, {"ah", 1}, {"aa", 0.9}}, "aai": {{"ai", 1}, {"aai", 0.9}}, "aau": {{"au", 1}, {"aau", 0.9}},
		"aam": {{"am", 1}, {"aam", 0.9}}, "aan": {{"an", 1}, {"aan", 0.9}}, "aang": {{"ang", 1}, {"aang", 0.9}},
		"aap": {{"ap", 1}, {"aap", 0.9}}, "aat": {{"at", 1}, {"aat", 0.9}}, "aak": {{"ak", 1}, {"aak", 0.9}},
		"a": {{"a", 1}}, "ai": {{"ai", 1}}, "au": {{"au", 1}, {"ow", 0.95}}, "am": {{"am", 1}, {"um", 0.9}},
		"an": {{"an", 1}, {"un", 0.9}}, "ang": {{"ang", 1}}, "ap": {{"ap", 1}}, "at": {{"at", 1}}, "ak": {{"ak", 1}},
		"e": {{"e", 1}}, "ei": {{"ei", 1}, {"ee", 1}, {"i", 0.95}}, "eu": {{"eu", 1}}, "em": {{"em", 1}},
		"eng": {{"eng", 1}}, "ep": {{"ep", 1}}, "ek": {{"ek", 1}},
		"i": {{"i", 1}, {"ee", 0.95}}, "iu": {{"iu", 1}}, "im": {{"im", 1}}, "in": {{"in", 1}},
		"ing": {{"ing", 1}}, "ip": {{"ip", 1}}, "it": {{"it", 1}}, "ik": {{"ik", 1}},
		"o": {{"o", 1}, {"oh", 0.9}}, "oi": {{"oi", 1}, {"oy", 0.9}}, "ou": {{"o", 1}, {"ou", 0.95}},
		"on": {{"on", 1}}, "ong": {{"ong", 1}}, "ot": {{"ot", 1}}, "ok": {{"ok", 1}},
		"oe": {{"eu", 1}, {"oe", 0.9}}, "oeng": {{"eung", 1}, {"eong", 0.95}, {"oeng", 0.9}},
		"oek": {{"euk", 1}, {"eok", 0.95}, {"oek", 0.9}},
		"eoi": {{"ui", 1}, {"eui", 0.95}, {"eoi", 0.9}}, "eon": {{"un", 1}, {"eun", 0.95}, {"eon", 0.9}},
		"eot": {{"ut", 1}, {"eut", 0.95}, {"eot", 0.9}},
		"u":   {{"u", 1}, {"oo", 0.95}}, "ui": {{"ui", 1}, {"ooi", 0.9}}, "un": {{"un", 1}, {"oon", 0.95}},
		"ung": {{"ung", 1}}, "ut": {{"ut", 1}}, "uk": {{"uk", 1}},
		"yu": {{"u", 1}, {"ue", 1}, {"yu", 0.95}}, "yun": {{"uen", 1}, {"un", 0.95}, {"yun", 0.9}, {"yuen", 0.9}},
		"yut": {{"uet", 1}, {"ut", 0.95}, {"yut", 0.9}, {"yuet", 0.9}},
		"m":   {{"m", 1}}, "ng": {{"ng", 1}},
	}
)

// jyutpingSpellings returns the spellings of a toneless Jyutping syllable,
// the most usual first, at most maxSpellings: zoeng → cheung, tseung,
// cheong…; jyut → yuet, yut; waa → wa, wah; ng → ng.
func jyutpingSpellings(j string) []spelling {
	initial, final := "", j
	if _, ok := jyutpingFinals[j]; !ok {
		for _, i := range []string{"ng", "gw", "kw", "b", "p", "m", "f", "d", "t", "n", "l", "g", "k", "h", "w", "z", "c", "s", "j"} {
			if strings.HasPrefix(j, i) {
				initial, final = i, j[len(i):]
				break
			}
		}
	}
	finals, ok := jyutpingFinals[final]
	if !ok {
		return []spelling{{j, 1}}
	}
	var out []spelling
	for _, i := range jyutpingInitials[initial] {
		for _, f := range finals {
			latin := i.latin + f.latin
			if i.latin == "y" && strings.HasPrefix(f.latin, "y") {
				latin = f.latin // jyu → yu, not yyu
			}
			if !slices.ContainsFunc(out, func(s spelling) bool { return s.latin == latin }) {
				out = append(out, spelling{latin, i.weight * f.weight})
			}
		}
	}
	slices.SortStableFunc(out, func(a, b spelling) int { return cmp.Compare(b.weight, a.weight) })
	return out[:min(len(out), maxSpellings)]
}
