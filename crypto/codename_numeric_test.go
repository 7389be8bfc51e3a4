package crypto

import (
	"errors"
	"strings"
	"testing"
)

const testNumeric = "0123 4567 8901 2345 6789 0123 4567"

func TestNewNumericCodename(t *testing.T) {
	seen := make(map[Codename]bool)
	var counts [10]int
	for range 1000 {
		c, err := NewNumericCodename()
		if err != nil {
			t.Fatal(err)
		}
		if !c.Numeric() || !c.canonical() {
			t.Fatal("new numeric codename is not canonical")
		}
		groups := c.Groups()
		if len(groups) != CodenameDigitGroups {
			t.Fatalf("%d groups, want %d", len(groups), CodenameDigitGroups)
		}
		for _, g := range groups {
			if len(g) != 4 || strings.Trim(g, "0123456789") != "" {
				t.Fatal("a group is not four digits")
			}
			for _, d := range g {
				counts[d-'0']++
			}
		}
		if p, err := ParseCodename(c.Reveal()); err != nil || p != c {
			t.Fatalf("ParseCodename(Reveal()) = %v, %v", p == c, err)
		}
		if seen[c] {
			t.Fatal("duplicate numeric codename in 1000 draws")
		}
		seen[c] = true
	}
	// 28,000 digits: each of the ten expected 2,800 times; a biased or
	// broken generator (say, never a 9) falls far outside.
	for d, n := range counts {
		if n < 2400 || n > 3200 {
			t.Errorf("digit %d drawn %d times in 28000", d, n)
		}
	}
}

func TestNewNumericCodenameRandError(t *testing.T) {
	if c, err := newNumericCodename(failingReader{}); err == nil || c != "" {
		t.Fatalf("newNumericCodename with a failing reader = %v", err)
	}
}

func TestParseNumericCodename(t *testing.T) {
	for _, tc := range []struct {
		name, in string
	}{
		{"canonical", testNumeric},
		{"no spaces", "0123456789012345678901234567"},
		{"dashes", "0123-4567-8901-2345-6789-0123-4567"},
		{"full-width digits", "０１２３ ４５６７ ８９０１ ２３４５ ６７８９ ０１２３ ４５６７"},
		{"full-width digits and ideographic spaces", "０１２３\u3000４５６７\u3000８９０１\u3000２３４５\u3000６７８９\u3000０１２３\u3000４５６７"},
		{"full-width dashes", "0123－4567－8901－2345－6789－0123－4567"},
		{"groups of two, commas", "01,23,45,67,89,01,23,45,67,89,01,23,45,67"},
		{"stray spaces and newline", "  0123 4567\n8901  2345 6789 0123 4567 "},
		{"ideographic commas", "0123、4567、8901、2345、6789、0123、4567"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := ParseCodename(tc.in)
			if err != nil {
				t.Fatalf("ParseCodename = %v", err)
			}
			if c.Reveal() != testNumeric || !c.Numeric() {
				t.Fatal("ParseCodename did not give the canonical numeric codename")
			}
		})
	}
	for _, tc := range []struct {
		name, in string
		problem  CodenameProblem
		words    int
	}{
		{"27 digits", "0123 4567 8901 2345 6789 0123 456", CodenameWrongDigits, 27},
		{"29 digits", testNumeric + "8", CodenameWrongDigits, 29},
		{"one group", "0123", CodenameWrongDigits, 4},
		{"digits and a word", "0123 4567 8901 2345 6789 0123 tidy", CodenameBadCharacter, 7},
		{"arabic-indic digits", "٠١٢٣ ٤٥٦٧ ٨٩٠١ ٢٣٤٥ ٦٧٨٩ ٠١٢٣ ٤٥٦٧", CodenameBadCharacter, 7},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseCodename(tc.in)
			var ce *CodenameError
			if !errors.As(err, &ce) || ce.Problem != tc.problem || ce.Words != tc.words {
				t.Fatalf("ParseCodename = %v, want problem %d with %d", err, tc.problem, tc.words)
			}
			if !errors.Is(err, ErrInvalidCodename) || strings.Contains(err.Error(), "0123") {
				t.Errorf("error %q", err)
			}
		})
	}
}

func TestNumericCodenameDerives(t *testing.T) {
	p := Pepper(strings.Repeat("p", MinPepperSize))
	params := CodenameParams{Time: 1, MemoryKiB: 64, Threads: 1}
	numeric, err := ParseCodename(testNumeric)
	if err != nil {
		t.Fatal(err)
	}
	words, err := ParseCodename(testCodename)
	if err != nil {
		t.Fatal(err)
	}
	if EqualKeys(numeric.LookupKey(p, params), words.LookupKey(p, params)) {
		t.Fatal("a numeric and a word codename share a lookup key")
	}
	typed, _ := ParseCodename("０１２３-４５６７-８９０１-２３４５-６７８９-０１２３-４５６７")
	if !EqualKeys(numeric.LookupKey(p, params), typed.LookupKey(p, params)) {
		t.Fatal("the numeric codename typed another way derives another lookup key")
	}
}

func TestGroupMatches(t *testing.T) {
	numeric, _ := ParseCodename(testNumeric)
	words, _ := ParseCodename(testCodename)
	for _, tc := range []struct {
		name  string
		c     Codename
		n     int
		typed string
		want  bool
	}{
		{"digit group", numeric, 3, "8901", true},
		{"full-width digit group", numeric, 3, "８９０１", true},
		{"digit group with a space and a dash", numeric, 3, " 89-0 1 ", true},
		{"another group", numeric, 3, "4567", false},
		{"a digit short", numeric, 3, "890", false},
		{"word", words, 2, "abacus", true},
		{"word in capitals, full width", words, 2, "ＡＢＡＣＵＳ", true},
		{"word with surrounding spaces", words, 2, "  abacus\u3000", true},
		{"another word", words, 2, "tidy", false},
		{"group 0", words, 0, "tidy", false},
		{"group 8", words, 8, "zoom", false},
		{"empty", words, 1, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.c.GroupMatches(tc.n, tc.typed); got != tc.want {
				t.Errorf("GroupMatches(%d) = %v, want %v", tc.n, got, tc.want)
			}
		})
	}
}

func TestRetryKey(t *testing.T) {
	p := Pepper(strings.Repeat("p", MinPepperSize))
	q := Pepper(strings.Repeat("q", MinPepperSize))
	token := []byte(strings.Repeat("t", RetryTokenSize))
	other := []byte(strings.Repeat("u", RetryTokenSize))
	if p.RetryKey(token) != p.RetryKey([]byte(strings.Repeat("t", RetryTokenSize))) {
		t.Fatal("RetryKey is not deterministic")
	}
	if p.RetryKey(token) == p.RetryKey(other) || p.RetryKey(token) == q.RetryKey(token) {
		t.Fatal("RetryKey does not depend on the token and the pepper")
	}
}
