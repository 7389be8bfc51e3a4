package match

import (
	_ "embed"
	"strings"
	"sync"
	"unicode/utf8"
)

// The reading tables, generated from the Unicode Han database by
// internal/gen (see its doc comment and tables/README.md). Regenerate with
// Debian's unicode-data package installed:
//
//go:generate go run ./internal/gen -unihan /usr/share/unicode -out tables

var (
	//go:embed tables/cantonese.txt
	cantoneseTable string
	//go:embed tables/fold.txt
	foldTable string
	//go:embed tables/wadegiles.txt
	wadeGilesTable string
)

// tables are the parsed reading tables.
var tables = sync.OnceValue(func() struct {
	cantonese map[rune][]string // toneless Jyutping of a character
	fold      map[rune]rune     // traditional → simplified
	wadeGiles map[string][]string
} {
	t := struct {
		cantonese map[rune][]string
		fold      map[rune]rune
		wadeGiles map[string][]string
	}{map[rune][]string{}, map[rune]rune{}, map[string][]string{}}
	eachLine(cantoneseTable, func(key, rest string) {
		for _, r := range rest {
			t.cantonese[r] = append(t.cantonese[r], key)
		}
	})
	eachLine(foldTable, func(key, rest string) {
		s, _ := utf8.DecodeRuneInString(key)
		for _, r := range rest {
			t.fold[r] = s
		}
	})
	eachLine(wadeGilesTable, func(key, rest string) {
		t.wadeGiles[key] = strings.Fields(rest)
	})
	return t
})

// eachLine calls f with the first field and the rest of every line of a
// table that is not a comment.
func eachLine(table string, f func(key, rest string)) {
	for line := range strings.SplitSeq(table, "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		key, rest, _ := strings.Cut(line, " ")
		f(key, rest)
	}
}

// foldHan writes traditional characters in their simplified form (華為 →
// 华为); other characters stay. Both forms of a character take the same
// bytes in UTF-8, since the table covers one block of the BMP.
func foldHan(s string) string {
	fold := tables().fold
	var b strings.Builder
	changed := false
	for _, r := range s {
		if f, ok := fold[r]; ok {
			r, changed = f, true
		}
		b.WriteRune(r)
	}
	if !changed {
		return s
	}
	return b.String()
}
