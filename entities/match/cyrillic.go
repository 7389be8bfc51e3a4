package match

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

const systemCyrillic = "Cyrillic transliteration"

// cyrillicSpellings are the Latin spellings of Cyrillic letters and letter
// groups (lower case), the usual one first: BGN/PCGN without diacritics,
// then ICAO Doc 9303 (passports), GOST 7.79 System B and the loose
// everyday spellings (Alexey, Sergei, Dmitrii, Yuri). Letter groups are
// read before single letters: "кс" is ks or x, "ей" ey or ei, a final
// "ий" iy, ii, i or y.
var cyrillicSpellings = map[string][]spelling{
	"а": {{"a", 1}}, "б": {{"b", 1}}, "в": {{"v", 1}, {"w", 0.85}}, "г": {{"g", 1}}, "д": {{"d", 1}},
	"е": {{"e", 1}, {"ye", 0.95}, {"je", 0.9}}, "ё": {{"e", 1}, {"yo", 1}, {"io", 0.9}, {"jo", 0.9}},
	"ж": {{"zh", 1}, {"j", 0.85}, {"z", 0.85}}, "з": {{"z", 1}}, "и": {{"i", 1}, {"y", 0.85}},
	"й": {{"y", 1}, {"i", 1}, {"j", 0.9}}, "к": {{"k", 1}}, "л": {{"l", 1}}, "м": {{"m", 1}}, "н": {{"n", 1}},
	"о": {{"o", 1}}, "п": {{"p", 1}}, "р": {{"r", 1}}, "с": {{"s", 1}}, "т": {{"t", 1}},
	"у": {{"u", 1}, {"ou", 0.85}}, "ф": {{"f", 1}, {"ph", 0.85}}, "х": {{"kh", 1}, {"h", 0.95}, {"x", 0.9}},
	"ц": {{"ts", 1}, {"c", 0.9}, {"tz", 0.9}, {"cz", 0.85}}, "ч": {{"ch", 1}, {"tch", 0.85}},
	"ш": {{"sh", 1}, {"sch", 0.85}}, "щ": {{"shch", 1}, {"sch", 0.9}, {"shh", 0.9}},
	"ъ": {{"", 1}, {"ie", 0.9}}, "ы": {{"y", 1}, {"i", 0.95}}, "ь": {{"", 1}, {"y", 0.9}, {"i", 0.85}},
	"э": {{"e", 1}}, "ю": {{"yu", 1}, {"iu", 1}, {"ju", 0.9}, {"u", 0.85}},
	"я": {{"ya", 1}, {"ia", 1}, {"ja", 0.9}, {"a", 0.85}},
	// Ukrainian and Belarusian letters.
	"і": {{"i", 1}}, "ї": {{"yi", 1}, {"i", 0.95}}, "є": {{"ye", 1}, {"ie", 1}}, "ґ": {{"g", 1}}, "ў": {{"w", 1}, {"u", 0.95}},
	// Letter groups.
	"кс": {{"ks", 1}, {"x", 0.95}},
	"ий": {{"iy", 1}, {"ii", 1}, {"i", 0.95}, {"y", 0.95}, {"ij", 0.9}},
	"ый": {{"y", 1}, {"yy", 0.95}, {"iy", 0.9}, {"yi", 0.9}},
	"ей": {{"ey", 1}, {"ei", 1}, {"ej", 0.9}},
	"ой": {{"oy", 1}, {"oi", 1}, {"oj", 0.9}},
	"ай": {{"ay", 1}, {"ai", 1}, {"aj", 0.9}},
	"уй": {{"uy", 1}, {"ui", 1}},
	"ье": {{"ye", 1}, {"ie", 1}, {"e", 0.9}},
	"ья": {{"ya", 1}, {"ia", 1}, {"ja", 0.9}},
	"ью": {{"yu", 1}, {"iu", 1}},
	"ьи": {{"yi", 1}, {"i", 0.95}},
	"ъе": {{"ye", 1}, {"ie", 1}},
	"ие": {{"ie", 1}, {"iye", 0.9}, {"ye", 0.9}},
}

func isCyrillic(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	return unicode.Is(unicode.Cyrillic, r)
}

// cyrillicTerm reads a Cyrillic word letter group by letter group; its
// Latin form is the usual transliteration (Иванов → ivanov, Сергей →
// sergey), and it is weak when that is a legal form (ООО, ЗАО, ОАО).
func cyrillicTerm(w string) term {
	t := term{text: w, written: w, cyrillic: true}
	var latin strings.Builder
	for rest := w; rest != ""; {
		unit := ""
		if _, size := utf8.DecodeRuneInString(rest); size < len(rest) {
			_, size2 := utf8.DecodeRuneInString(rest[size:])
			if _, ok := cyrillicSpellings[rest[:size+size2]]; ok {
				unit = rest[:size+size2]
			}
		}
		if unit == "" {
			_, size := utf8.DecodeRuneInString(rest)
			unit = rest[:size]
		}
		rest = rest[len(unit):]
		sp, ok := cyrillicSpellings[unit]
		if !ok {
			sp = []spelling{{unit, 1}} // a letter without a transliteration, or a digit
		}
		rs := make([]reading, len(sp))
		for i, s := range sp {
			rs[i] = reading{latin: s.latin, weight: s.weight, systems: []string{systemCyrillic}}
		}
		t.units = append(t.units, unit)
		t.readings = append(t.readings, rs)
		latin.WriteString(sp[0].latin)
	}
	t.latin = latin.String()
	// Legal forms transliterate to their table entries: ООО → ooo (LLC).
	t.concepts, t.weak = concepts[t.latin]
	return t
}
