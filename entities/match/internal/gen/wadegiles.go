package main

import "strings"

// wadeGilesWhole are the syllables that the initial and final rules do not
// spell; a second spelling follows a space.
var wadeGilesWhole = map[string]string{
	"zhi": "chih", "chi": "chih", "shi": "shih", "ri": "jih",
	"zi": "tzu", "ci": "tzu", "si": "ssu szu",
	"e": "o e", "ge": "ko", "ke": "ko", "he": "ho", "er": "erh",
	"yi": "i", "you": "yu", "yan": "yen", "ye": "yeh",
	"gui": "kuei", "kui": "kuei", "guo": "kuo", "kuo": "kuo", "huo": "huo", "shuo": "shuo",
}

// wadeGilesInitials maps pinyin initials to Wade-Giles ones without the
// aspiration apostrophe (p/p', t/t', k/k', ch/ch', ts/ts' fall together).
var wadeGilesInitials = map[string]string{
	"b": "p", "p": "p", "m": "m", "f": "f", "d": "t", "t": "t", "n": "n", "l": "l",
	"g": "k", "k": "k", "h": "h", "j": "ch", "q": "ch", "x": "hs",
	"zh": "ch", "ch": "ch", "sh": "sh", "r": "j", "z": "ts", "c": "ts", "s": "s",
	"y": "y", "w": "w",
}

// wadeGiles spells a toneless pinyin syllable (ü written u) in Wade-Giles
// without apostrophes and umlauts.
func wadeGiles(p string) string {
	if w, ok := wadeGilesWhole[p]; ok {
		return w
	}
	initial := ""
	for _, i := range []string{"zh", "ch", "sh"} {
		if strings.HasPrefix(p, i) {
			initial = i
		}
	}
	if initial == "" && len(p) > 1 {
		if _, ok := wadeGilesInitials[p[:1]]; ok {
			initial = p[:1]
		}
	}
	final := p[len(initial):]
	switch {
	case final == "ong":
		final = "ung"
	case final == "iong":
		final = "iung"
	case final == "ian":
		final = "ien"
	case final == "ie":
		final = "ieh"
	case final == "ue": // üe
		final = "ueh"
	case final == "uo":
		final = "o" // duo → to, zuo → tso; guo, kuo, huo, shuo are whole syllables
	}
	if initial == "" {
		return final
	}
	return wadeGilesInitials[initial] + final
}
