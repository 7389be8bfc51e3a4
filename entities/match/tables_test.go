package match

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
)

// TestTables: the embedded tables parse and hold what the Unicode Han
// database says of a few characters.
func TestTables(t *testing.T) {
	tb := tables()
	for _, tc := range []struct {
		r    rune
		want string
	}{{'陳', "can"}, {'陈', "can"}, {'黃', "wong"}, {'張', "zoeng"}, {'月', "jyut"}, {'吳', "ng"}} {
		if !slices.Contains(tb.cantonese[tc.r], tc.want) {
			t.Errorf("Cantonese of %c = %q, want %q", tc.r, tb.cantonese[tc.r], tc.want)
		}
	}
	for trad, simp := range map[rune]rune{'陳': '陈', '黃': '黄', '國': '国', '長': '长', '電': '电', '華': '华', '為': '为'} {
		if tb.fold[trad] != simp {
			t.Errorf("fold %c = %c, want %c", trad, tb.fold[trad], simp)
		}
	}
	for _, keep := range []rune{'乾', '干', '陈', '林'} { // 乾 is its own simplified form too
		if f, ok := tb.fold[keep]; ok {
			t.Errorf("%c folds to %c", keep, f)
		}
	}
	for p, want := range map[string]string{"xu": "hsu", "zhi": "chih", "qing": "ching", "xiong": "hsiung", "zhong": "chung",
		"guo": "kuo", "cai": "tsai", "zeng": "tseng", "xie": "hsieh", "jue": "chueh", "ri": "jih", "zi": "tzu", "yan": "yen",
		"lian": "lien", "duo": "to", "er": "erh", "gui": "kuei", "jiang": "chiang", "ming": "ming", "deng": "teng"} {
		if got := tb.wadeGiles[p]; len(got) == 0 || got[0] != want {
			t.Errorf("Wade-Giles of %s = %q, want %q", p, got, want)
		}
	}
}

// TestReadingBounds: no character has more than maxReadings readings, the
// usual pinyin comes first, and the weights are in (0, 1].
func TestReadingBounds(t *testing.T) {
	for r := rune(0x4E00); r <= 0x9FFF; r++ {
		rs := hanReadings(r)
		if len(rs) == 0 || len(rs) > maxReadings {
			t.Fatalf("%c has %d readings", r, len(rs))
		}
		for _, x := range rs {
			if x.weight <= 0 || x.weight > 1 || x.latin == "" {
				t.Fatalf("%c: reading %+v", r, x)
			}
		}
	}
	if rs := hanReadings('张'); rs[0].latin != "zhang" || !slices.Contains(rs[0].systems, systemPinyin) {
		t.Errorf("张 reads first %+v", rs[0])
	}
}

// TestTablesUpToDate regenerates the tables from the Unicode Han database
// and compares them with the committed ones. It needs Debian's
// unicode-data package, which the build and the other tests do not.
func TestTablesUpToDate(t *testing.T) {
	const unihan = "/usr/share/unicode"
	if _, err := os.Stat(filepath.Join(unihan, "Unihan_Readings.txt.bz2")); err != nil {
		t.Skip("no Unihan files (apt-get install unicode-data) to regenerate the tables from")
	}
	out := t.TempDir()
	cmd := exec.Command("go", "run", "./internal/gen", "-unihan", unihan, "-out", out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	for _, name := range []string{"cantonese.txt", "fold.txt", "wadegiles.txt"} {
		got, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		committed, err := os.ReadFile(filepath.Join("tables", name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, committed) {
			t.Errorf("tables/%s differs from what go generate writes: run go generate ./entities/match/", name)
		}
	}
}
