package match_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/tipline/tipline/entities/match"
)

func TestNormalize(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"English", "Huawei Technologies Co., Ltd.", "huawei technologies co ltd"},
		{"extra spacing", "  Huawei\tTechnologies \n Co.,Ltd. ", "huawei technologies co ltd"},
		{"punctuation variants", "HUAWEI-TECHNOLOGIES (CO.) LTD;", "huawei technologies co ltd"},
		{"initialism", "U.S.A. Trading", "usa trading"},
		{"initialism without the last dot", "U.S.A Trading", "usa trading"},
		{"initial of a name", "J. Smith", "j smith"},
		{"initials of a name", "J. R. R. Tolkien", "jrr tolkien"},
		{"apostrophe", "O'Brien’s Int'l", "obriens intl"},
		{"ampersand", "Smith&Wesson", "smith and wesson"},
		{"accents", "Société Générale Müller Nuñez", "societe generale muller nunez"},
		{"case folding", "STRASSE Straße", "strasse strasse"},
		{"full-width letters and ideographic space", "ＡＢＣ　有限公司", "abc 有限公司"},
		{"full-width digits and punctuation", "华强１号（香港）", "华强 1 号 香港"},
		{"Chinese", "深圳市华强电子有限公司", "深圳市华强电子有限公司"},
		{"spaces inside Chinese", "深圳 华强　电子", "深圳华强电子"},
		{"Chinese punctuation breaks words", "华强、电子。", "华强 电子"},
		{"mixed scripts", "华为Technologies有限公司", "华为 technologies 有限公司"},
		{"mixed with spaces", "Shenzhen 华强 Electronics", "shenzhen 华强 electronics"},
		{"traditional characters kept", "華為技術有限公司", "華為技術有限公司"},
		{"Cyrillic", "ООО Ромашка", "ооо ромашка"},
		{"empty", " .,; ", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := match.Normalize(tc.in); got != tc.want {
				t.Errorf("Normalize(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// tokens renders tokens compactly: weak ones in brackets.
func tokens(ts []match.Token) string {
	var s []string
	for _, t := range ts {
		if t.Weak {
			s = append(s, "["+t.Text+"]")
		} else {
			s = append(s, t.Text)
		}
	}
	return strings.Join(s, " ")
}

func TestTokens(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"legal forms are weak", "Huawei Technologies Co., Ltd.", "huawei [technologies] [company] [limited]"},
		{"Pte. Ltd.", "Pacific Star Logistics Pte. Ltd.", "pacific star [logistics] [pte] [limited]"},
		{"GmbH, LLC, Inc.", "Acme GmbH Acme LLC Acme Inc.", "acme [gmbh] acme [llc] acme [incorporated]"},
		{"abbreviations", "ABC Intl Tech Corp", "abc [international] [technology] [corporation]"},
		{"HK expands to two words", "HK Wing Fat", "hong kong wing fat"},
		{"Chinese split into place, core, weak words", "深圳市华强电子有限公司",
			"深圳 shenzhen 华强 huaqiang [电子] [dianzi] [有限公司] [youxiangongsi]"},
		{"Chinese group", "中芯国际集成电路制造集团", "中芯 zhongxin [国际] [guoji] 集成电路 jichengdianlu [制造] [zhizao] [集团] [jituan]"},
		{"stock company", "浪潮电子信息产业股份有限公司",
			"浪潮 langchao [电子] [dianzi] [信息] [xinxi] [产业] [chanye] [股份有限公司] [gufenyouxiangongsi]"},
		{"person", "王伟", "王伟 wangwei"},
		{"only generic words stand in as strong", "Global Trading Co.", "global trading company"},
		{"mixed", "华为 Technologies", "华为 huawei [technologies]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tokens(match.Tokens(tc.in)); got != tc.want {
				t.Errorf("Tokens(%q) = %s, want %s", tc.in, got, tc.want)
			}
		})
	}
}

// TestPinyin: names match across scripts, in any reading of a character,
// with syllables joined or apart and personal names in either order.
func TestPinyin(t *testing.T) {
	for _, tc := range []struct{ a, b string }{
		{"深圳", "Shenzhen"},
		{"深圳", "Shen Zhen"},
		{"深圳", "SHEN-ZHEN"},
		{"王伟", "Wang Wei"},
		{"王伟", "WANG WEI"},
		{"王伟", "Wangwei"},
		{"王伟", "Wei Wang"},
		{"重庆", "Chongqing"}, // 重 reads zhong or chong
		{"吕", "Lu"},         // ü written u
		{"深圳市华强电子有限公司", "Shenzhen Huaqiang Electronics Co., Ltd."},
		{"深圳市华强电子有限公司", "Shen Zhen Hua Qiang Electronics Company Limited"},
		{"香港华强贸易有限公司", "Huaqiang Trading (HK) Limited"},
	} {
		t.Run(tc.a+"="+tc.b, func(t *testing.T) {
			for _, pair := range [][2]string{{tc.a, tc.b}, {tc.b, tc.a}} {
				s := match.Compare(pair[0], pair[1])
				if s.Value < 0.75 {
					t.Errorf("Compare(%q, %q) = %.3f, want ≥ 0.75\n%s", pair[0], pair[1], s.Value, strings.Join(s.Explanation, "\n"))
				}
				if !slices.ContainsFunc(s.Explanation, func(e string) bool { return strings.Contains(e, "pinyin") }) {
					t.Errorf("Compare(%q, %q) does not explain the pinyin match: %q", pair[0], pair[1], s.Explanation)
				}
			}
		})
	}
	// Different characters with different readings stay apart.
	if s := match.Compare("王伟", "Li Ming"); s.Value > 0.2 {
		t.Errorf("王伟 vs Li Ming = %.3f, want ≤ 0.2", s.Value)
	}
}

func TestAbbreviations(t *testing.T) {
	for _, tc := range []struct{ a, b string }{
		{"ABC Intl Trading", "ABC International Trading"},
		{"Sino Tech Co", "Sino Technology Company"},
		{"Pacific Corp.", "Pacific Corporation"},
		{"Wing Fat HK Ltd", "Wing Fat Hong Kong Limited"},
		{"Acme Mfg Inc", "ACME Manufacturing Incorporated"},
	} {
		t.Run(tc.a, func(t *testing.T) {
			if s := match.Compare(tc.a, tc.b); s.Value < 0.98 {
				t.Errorf("Compare(%q, %q) = %.3f, want ≥ 0.98\n%s", tc.a, tc.b, s.Value, strings.Join(s.Explanation, "\n"))
			}
		})
	}
}

// TestScoreOrder: exact beats a match of strong words with other legal
// forms, which beats pinyin, which beats a partial match; unrelated names
// score low, and weak words alone do not make a match.
func TestScoreOrder(t *testing.T) {
	const query = "Shenzhen Huaqiang Electronics Co., Ltd."
	ranked := []string{
		"SHENZHEN HUAQIANG ELECTRONICS CO LTD", // exact after normalization
		"Shenzhen Huaqiang Electronic Company", // strong words exact, weak words differ
		"深圳市华强电子有限公司",                          // pinyin
		"Shenzen Huaqiang Electronics",         // misspelt
		"Huaqiang Holdings",                    // partial
		"Shenzhen Sky Trading Co Ltd",          // partial, one common word
	}
	var prev float64 = 2
	for _, c := range ranked {
		s := match.Compare(query, c)
		if s.Value >= prev {
			t.Errorf("Compare(%q) = %.3f, not below the previous %.3f\n%s", c, s.Value, prev, strings.Join(s.Explanation, "\n"))
		}
		prev = s.Value
	}
	if s := match.Compare(query, ranked[0]); s.Value != 1 {
		t.Errorf("exact: %.3f, want 1", s.Value)
	}
	for _, c := range []string{
		"Apple Inc.",
		"Guangzhou Yuntong Electronics Co., Ltd.", // shares only weak words
		"北京京东世纪贸易有限公司",
		"Rosoboronexport",
	} {
		if s := match.Compare(query, c); s.Value > 0.25 {
			t.Errorf("unrelated %q: %.3f, want ≤ 0.25\n%s", c, s.Value, strings.Join(s.Explanation, "\n"))
		}
	}
	for _, tc := range []struct{ a, b string }{{"", "x"}, {"x", ""}, {"...", "Acme"}} {
		if s := match.Compare(tc.a, tc.b); s.Value != 0 {
			t.Errorf("Compare(%q, %q) = %.3f, want 0", tc.a, tc.b, s.Value)
		}
	}
}

func TestScoreRangeAndSymmetry(t *testing.T) {
	names := []string{"Huawei Technologies Co., Ltd.", "华为技术有限公司", "Hua Wei", "Wang Wei", "王伟", "ABC Intl",
		"Pacific Star Logistics Pte. Ltd.", "Global Trading Co.", "深圳", "Shen Zhen Hua Qiang", "ООО Ромашка"}
	for _, a := range names {
		for _, b := range names {
			ab, ba := match.Compare(a, b), match.Compare(b, a)
			if ab.Value < 0 || ab.Value > 1 {
				t.Errorf("Compare(%q, %q) = %v out of [0,1]", a, b, ab.Value)
			}
			if ab.Value != ba.Value {
				t.Errorf("Compare(%q, %q) = %.3f but reversed %.3f", a, b, ab.Value, ba.Value)
			}
			if len(ab.Explanation) == 0 {
				t.Errorf("Compare(%q, %q) has no explanation", a, b)
			}
		}
	}
}

func TestKeys(t *testing.T) {
	keys := match.Keys("深圳市华强电子有限公司")
	for _, want := range []string{" sh", "she", "zhe", "en ", "hua", "qia", "深圳", "华强"} {
		if !slices.Contains(keys, want) {
			t.Errorf("Keys lacks %q: %q", want, keys)
		}
	}
	for _, weak := range []string{"电子", "有限", "dia"} {
		if slices.Contains(keys, weak) {
			t.Errorf("Keys has the weak %q: %q", weak, keys)
		}
	}
	// A match across scripts and spellings shares most keys.
	for _, tc := range []struct{ a, b string }{
		{"深圳市华强电子有限公司", "Shen Zhen Hua Qiang Electronics"},
		{"王伟", "Wang Wei"},
		{"Huawei Technologies", "HUAWEI TECH CO LTD"},
	} {
		a, b := match.Keys(tc.a), match.Keys(tc.b)
		shared := 0
		for _, k := range a {
			if slices.Contains(b, k) {
				shared++
			}
		}
		if shared*2 < min(len(a), len(b)) {
			t.Errorf("%q and %q share %d keys of %d and %d", tc.a, tc.b, shared, len(a), len(b))
		}
	}
	if got := match.SearchText("深圳市华强电子有限公司"); got != "shenzhen huaqiang" {
		t.Errorf("SearchText = %q", got)
	}
}

func ExampleCompare() {
	s := match.Compare("深圳市华强电子有限公司", "Shen Zhen Hua Qiang Electronics Co., Ltd.")
	fmt.Printf("%.2f\n", s.Value)
	for _, e := range s.Explanation {
		fmt.Println(e)
	}
	// Output:
	// 0.92
	// "深圳" ↔ "shen zhen": 深 → Shen (pinyin), 圳 → Zhen (pinyin), syllables written apart
	// "华强" ↔ "hua qiang": 华 → Hua (pinyin), 强 → Qiang (pinyin), syllables written apart
	// weak words in common (little weight): company, electronics, limited
	// score 0.920 = 0.80 × words 0.90 (strong 0.90, weak 1.00) + 0.20 × trigram similarity 1.00
}

func BenchmarkCompare(b *testing.B) {
	for b.Loop() {
		match.Compare("深圳市华强电子有限公司", "Shen Zhen Hua Qiang Electronics Co., Ltd.")
	}
}

func BenchmarkCompareParsed(b *testing.B) {
	q := match.Parse("Shenzhen Huaqiang Electronics Co., Ltd.")
	c := match.Parse("深圳市华强电子有限公司")
	for b.Loop() {
		q.Compare(c)
	}
}

func BenchmarkTokens(b *testing.B) {
	for b.Loop() {
		match.Tokens("深圳市华强电子有限公司 Shenzhen Huaqiang Electronics Co., Ltd.")
	}
}
