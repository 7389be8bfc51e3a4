package match_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/tipline/tipline/entities/match"
)

// explained reports whether one line of s's explanation contains want.
func explained(s match.Score, want string) bool {
	return slices.ContainsFunc(s.Explanation, func(e string) bool { return strings.Contains(e, want) })
}

// TestIssueTable: the names of issue 17 as Hong Kong, Taiwan, Singapore
// and Russia write them match their Chinese or Cyrillic spelling, explain
// the reading that matched, and rank above a listed name that differs by
// one syllable.
func TestIssueTable(t *testing.T) {
	for _, tc := range []struct {
		query, listed, reading, nearMiss string
	}{
		{"林志强", "LIM Chee Keong", "林 → Lim (Hokkien, Teochew)", "Lim Chee Kiong"},
		{"黄国雄贸易有限公司", "Wong Kwok Hung Trading Co., Ltd.", "黄 → Wong (Cantonese)", "Wong Kwok Hing Trading Co., Ltd."},
		{"徐志明", "HSU Chih-Ming", "徐 → Hsu (Wade-Giles)", "Hsu Chih-ping"},
		{"长江电子", "Cheung Kong Electronics (HK) Limited", "长 → Cheung (Cantonese)", "Cheung Hong Electronics (HK) Limited"},
		{"Иванов Сергей Александрович", "IVANOV, Sergei Aleksandrovich", "Сергей → Sergei (Cyrillic transliteration)", "IVANOV, Sergei Aleksandrovna"},
		{"陳偉明", "CHAN Wai Ming", "陳 → Chan (Cantonese)", "Chan Wai Ping"},
	} {
		t.Run(tc.query, func(t *testing.T) {
			s := match.Compare(tc.query, tc.listed)
			if s.Value < 0.55 {
				t.Errorf("Compare(%q, %q) = %.3f, want ≥ 0.55\n%s", tc.query, tc.listed, s.Value, strings.Join(s.Explanation, "\n"))
			}
			if !explained(s, tc.reading) {
				t.Errorf("Compare(%q, %q) does not explain %q: %q", tc.query, tc.listed, tc.reading, s.Explanation)
			}
			if near := match.Compare(tc.query, tc.nearMiss); near.Value >= s.Value {
				t.Errorf("near miss %q = %.3f, not below %q = %.3f\n%s", tc.nearMiss, near.Value, tc.listed, s.Value, strings.Join(near.Explanation, "\n"))
			}
			// The other way round, and in traditional characters.
			if r := match.Compare(tc.listed, tc.query); r.Value != s.Value {
				t.Errorf("reversed %.3f, want %.3f", r.Value, s.Value)
			}
		})
	}
}

// TestRomanizations: a name in Chinese characters matches its spelling in
// each romanization, and the explanation names the system.
func TestRomanizations(t *testing.T) {
	for _, tc := range []struct{ system, han, latin, reading string }{
		// Hong Kong: Cantonese in the government spelling, Yale and Jyutping.
		{"Cantonese", "陳", "Chan", "陳 → Chan (Cantonese)"},
		{"Cantonese", "黃", "Wong", "黃 → Wong (Cantonese)"},
		{"Cantonese", "張", "Cheung", "張 → Cheung (Cantonese)"},
		{"Cantonese", "李", "Lee", "李 → Lee"},
		{"Cantonese", "李", "Li", "李 → Li"},
		{"Cantonese", "劉", "Lau", "劉 → Lau (Cantonese)"},
		{"Cantonese", "吳", "Ng", "吳 → Ng (Cantonese)"},
		{"Cantonese", "鄭", "Cheng", "鄭 → Cheng"},
		{"Cantonese", "梁", "Leung", "梁 → Leung (Cantonese)"},
		{"Cantonese", "何", "Ho", "何 → Ho"},
		{"Cantonese", "曾", "Tsang", "曾 → Tsang (Cantonese)"},
		{"Cantonese", "徐", "Tsui", "徐 → Tsui (Cantonese)"},
		{"Cantonese", "周", "Chow", "周 → Chow (Cantonese)"},
		{"Cantonese", "郭", "Kwok", "郭 → Kwok (Cantonese)"},
		{"Cantonese", "阮", "Yuen", "阮 → Yuen (Cantonese)"},
		{"Cantonese", "李月华", "Lee Yuet Wah", "月 → Yuet (Cantonese)"},
		{"Cantonese Yale", "張", "Jeung", "張 → Jeung (Cantonese)"},
		{"Jyutping", "張", "Zoeng", "張 → Zoeng (Cantonese)"},
		{"Cantonese Malaysia", "梁", "Leong", "梁 → Leong (Cantonese)"},
		{"Cantonese Malaysia", "張", "Cheong", "張 → Cheong (Cantonese)"},
		// Taiwan: Wade-Giles, hyphenated given names, apostrophes dropped.
		{"Wade-Giles", "徐", "Hsu", "徐 → Hsu (Wade-Giles)"},
		{"Wade-Giles", "張", "Chang", "張 → Chang (Wade-Giles)"},
		{"Wade-Giles", "蔡", "Tsai", "蔡 → Tsai (Wade-Giles)"},
		{"Wade-Giles", "謝", "Hsieh", "謝 → Hsieh (Wade-Giles)"},
		{"Wade-Giles", "郭台銘", "Kuo Tai-ming", "郭 → Kuo (Wade-Giles)"},
		{"Wade-Giles", "蔣經國", "Chiang Ching-kuo", "經 → Ching (Wade-Giles)"},
		{"Wade-Giles apostrophe", "蔣經國", "Chiang Ch'ing-kuo", "經 → Ching (Wade-Giles)"},
		{"Wade-Giles", "李登輝", "Lee Teng-hui", "登 → Teng (Wade-Giles)"},
		{"Wade-Giles", "熊", "Hsiung", "熊 → Hsiung (Wade-Giles)"},
		{"Wade-Giles", "周", "Chou", "周 → Chou (Wade-Giles)"},
		// Singapore and Malaysia: Hokkien, Teochew and Hakka.
		{"Hokkien", "陳", "Tan", "陳 → Tan (Hokkien, Teochew)"},
		{"Hakka", "陳", "Chin", "陳 → Chin (Hakka)"},
		{"Hokkien", "林", "Lim", "林 → Lim (Hokkien, Teochew)"},
		{"Hokkien", "黃", "Ng", "黃 → Ng"},
		{"Hokkien", "黃", "Wee", "黃 → Wee (Hokkien)"},
		{"Hokkien", "吳", "Goh", "吳 → Goh (Hokkien)"},
		{"Hokkien", "張", "Teo", "張 → Teo (Hokkien, Teochew)"},
		{"Hokkien", "王", "Ong", "王 → Ong (Hokkien, Teochew)"},
		{"Hokkien", "許", "Koh", "許 → Koh (Hokkien, Teochew)"},
		{"Hokkien", "許", "Khoo", "許 → Khoo (Hokkien)"},
		{"Hokkien", "蔡", "Chua", "蔡 → Chua (Hokkien, Teochew)"},
		{"Hokkien", "楊", "Yeo", "楊 → Yeo (Hokkien, Teochew)"},
		{"Hokkien", "郭", "Quek", "郭 → Quek (Hokkien, Teochew)"},
		{"Hokkien", "郭", "Kuek", "郭 → Kuek (Hokkien, Teochew)"},
		{"Hokkien given name", "陳金福", "Tan Kim Hock", "福 → Hock (Hokkien)"},
		{"Hokkien given name", "林志明", "Lim Chee Beng", "明 → Beng (Hokkien)"},
		// Pinyin still.
		{"pinyin", "陳偉明", "Chen Weiming", "陳 → Chen (pinyin)"},
	} {
		t.Run(tc.system+" "+tc.latin, func(t *testing.T) {
			s := match.Compare(tc.han, tc.latin)
			if s.Value < 0.7 {
				t.Errorf("Compare(%q, %q) = %.3f, want ≥ 0.7\n%s", tc.han, tc.latin, s.Value, strings.Join(s.Explanation, "\n"))
			}
			if !explained(s, tc.reading) {
				t.Errorf("Compare(%q, %q) does not explain %q: %q", tc.han, tc.latin, tc.reading, s.Explanation)
			}
		})
	}
	// Readings do not make unrelated names match.
	for _, tc := range []struct{ han, latin string }{
		{"陳", "Wong"}, {"黃", "Chan"}, {"林志强", "Tan Ah Kow"}, {"徐志明", "Chang Kuo-hua"}, {"长江", "Hong Kong"},
	} {
		if s := match.Compare(tc.han, tc.latin); s.Value > 0.3 {
			t.Errorf("Compare(%q, %q) = %.3f, want ≤ 0.3\n%s", tc.han, tc.latin, s.Value, strings.Join(s.Explanation, "\n"))
		}
	}
}

// TestRarerReadingsWeighLess: a character's usual reading scores above a
// rarer one, and a surname above a given-name syllable.
func TestRarerReadingsWeighLess(t *testing.T) {
	for _, tc := range []struct{ han, usual, rarer string }{
		{"張", "Cheung", "Cheong"}, // Hong Kong spelling, then Malaysian
		{"張", "Cheung", "Zoeng"},  // Hong Kong spelling, then Jyutping as written
		{"重", "Zhong", "Chong"},   // 重's pinyin heteronyms
		{"Сергей", "Sergey", "Sergej"},
	} {
		u, r := match.Compare(tc.han, tc.usual), match.Compare(tc.han, tc.rarer)
		if !(u.Value > r.Value && r.Value > 0.5) {
			t.Errorf("%s: %q %.3f, %q %.3f; want the usual above the rarer, both above 0.5", tc.han, tc.usual, u.Value, tc.rarer, r.Value)
		}
	}
}

// TestCyrillic: Russian names in Cyrillic match the usual transliteration
// systems and the everyday spellings, in "SURNAME, Given Patronymic" order
// too.
func TestCyrillic(t *testing.T) {
	for _, tc := range []struct{ cyrillic, latin string }{
		{"Иванов Сергей Александрович", "IVANOV, Sergei Aleksandrovich"},
		{"Иванов Сергей Александрович", "Sergey Alexandrovich Ivanov"},
		{"Иванов Сергей Александрович", "Ivanov Sergej Aleksandrovič"}, // GOST, diacritics dropped
		{"Алексей", "Aleksei"}, {"Алексей", "Alexey"}, {"Алексей", "Alexei"}, {"Алексей", "Aleksey"},
		{"Дмитрий", "Dmitriy"}, {"Дмитрий", "Dmitrii"}, {"Дмитрий", "Dmitry"}, {"Дмитрий", "Dmitri"},
		{"Юрий", "Yuri"}, {"Юрий", "Iurii"}, {"Юрий", "Yury"},
		{"Евгений", "Yevgeniy"}, {"Евгений", "Evgenii"}, {"Евгений", "Yevgeny"},
		{"Хрущёв", "Khrushchev"}, {"Хрущёв", "Khrushchyov"},
		{"Щербаков", "Shcherbakov"}, {"Щербаков", "Scherbakov"},
		{"Цветков", "Tsvetkov"}, {"Жуков", "Zhukov"},
		{"Васильевич", "Vasilyevich"}, {"Васильевич", "Vasilievich"},
	} {
		s := match.Compare(tc.cyrillic, tc.latin)
		if s.Value < 0.8 {
			t.Errorf("Compare(%q, %q) = %.3f, want ≥ 0.8\n%s", tc.cyrillic, tc.latin, s.Value, strings.Join(s.Explanation, "\n"))
		}
		if !explained(s, "Cyrillic transliteration") {
			t.Errorf("Compare(%q, %q) does not explain the transliteration: %q", tc.cyrillic, tc.latin, s.Explanation)
		}
	}
	// Russian legal forms are weak words, as their transliterations are.
	if got := tokens(match.Tokens("ООО Ромашка")); got != "[ооо] [ooo] ромашка romashka" {
		t.Errorf("Tokens = %s", got)
	}
	if s := match.Compare("ООО Ромашка", "Romashka LLC"); s.Value < 0.9 {
		t.Errorf("ООО Ромашка vs Romashka LLC = %.3f\n%s", s.Value, strings.Join(s.Explanation, "\n"))
	}
	if s := match.Compare("Иванов Сергей", "Petrov Sergei"); s.Value > 0.6 {
		t.Errorf("Иванов Сергей vs Petrov Sergei = %.3f, want ≤ 0.6", s.Value)
	}
}

// TestTraditionalSimplified: traditional and simplified characters fold in
// every comparison and in the candidate keys.
func TestTraditionalSimplified(t *testing.T) {
	for _, tc := range []struct{ a, b string }{
		{"華為", "华为"},
		{"陳偉明", "陈伟明"},
		{"黃國雄貿易有限公司", "黄国雄贸易有限公司"},
		{"長江電子", "长江电子"},
	} {
		s := match.Compare(tc.a, tc.b)
		if s.Value < 0.99 || !explained(s, "traditional and simplified") {
			t.Errorf("Compare(%q, %q) = %.3f\n%s", tc.a, tc.b, s.Value, strings.Join(s.Explanation, "\n"))
		}
		if a, b := match.Keys(tc.a), match.Keys(tc.b); !slices.Equal(a, b) {
			t.Errorf("Keys differ:\n%q\n%q", a, b)
		}
	}
	// 貿易 is the weak word 贸易.
	if got := tokens(match.Tokens("黃國雄貿易")); got != "黄国雄 huangguoxiong [贸易] [maoyi]" {
		t.Errorf("Tokens = %s", got)
	}
}

// TestTranslatedWords: company words translated rather than romanized are
// weak words matched by meaning, and Hong Kong's districts fold with their
// Chinese.
func TestTranslatedWords(t *testing.T) {
	for _, tc := range []struct{ a, b, want string }{
		{"长江电子", "Cheung Kong Electronics", "electronics"},
		{"黄国雄贸易", "Wong Kwok Hung Trading", "trading"},
		{"华强科技", "Wah Keung Technology", "technology"},
		{"华强物流", "Wah Keung Logistics", "logistics"},
		{"华强国际", "Wah Keung International", "international"},
	} {
		s := match.Compare(tc.a, tc.b)
		if s.Value < 0.85 || !explained(s, "weak words in common (little weight): "+tc.want) {
			t.Errorf("Compare(%q, %q) = %.3f\n%s", tc.a, tc.b, s.Value, strings.Join(s.Explanation, "\n"))
		}
	}
	for _, tc := range []struct{ han, latin string }{
		{"九龍", "Kowloon"}, {"觀塘", "Kwun Tong"}, {"深水埗", "Sham Shui Po"}, {"旺角", "Mong Kok"},
		{"九龙观塘", "Kowloon Kwun Tong"},
	} {
		if s := match.Compare(tc.han, tc.latin); s.Value < 0.8 {
			t.Errorf("Compare(%q, %q) = %.3f\n%s", tc.han, tc.latin, s.Value, strings.Join(s.Explanation, "\n"))
		}
	}
}

// TestAlternateKeys: a name in Chinese characters has the candidate keys
// and search texts of its other romanizations, and asks for a share of the
// keys of its usual spelling only, so that a Latin spelling shares enough.
func TestAlternateKeys(t *testing.T) {
	for _, tc := range []struct{ han, latin, text string }{
		{"林志强", "LIM Chee Keong", "lim chee keung"},
		{"黄国雄贸易有限公司", "Wong Kwok Hung Trading Co., Ltd.", "wong kwok hung"},
		{"徐志明", "HSU Chih-Ming", "hsu chih ming"},
		{"长江电子", "Cheung Kong Electronics (HK) Limited", "cheung kong"},
		{"陳偉明", "CHAN Wai Ming", "chan wai ming"},
	} {
		keys, other := match.Keys(tc.han), match.Keys(tc.latin)
		shared := 0
		for _, k := range other {
			if slices.Contains(keys, k) {
				shared++
			}
		}
		if need := match.KeysNeeded(tc.han, 0.3); shared < need {
			t.Errorf("%q shares %d keys with %q, needs %d\n%q\n%q", tc.latin, shared, tc.han, need, keys, other)
		}
		if texts := match.SearchTexts(tc.han); !slices.Contains(texts, tc.text) {
			t.Errorf("SearchTexts(%q) = %q, lacks %q", tc.han, texts, tc.text)
		}
	}
	// Latin names have no alternates: the same keys as before.
	if texts := match.SearchTexts("Wong Kwok Hung"); !slices.Equal(texts, []string{"wong kwok hung"}) {
		t.Errorf("SearchTexts = %q", texts)
	}
	if n, k := match.KeysNeeded("Wong Kwok Hung", 0.3), len(match.Keys("Wong Kwok Hung")); n != 4 || k != 11 {
		t.Errorf("KeysNeeded %d of %d keys, want 4 of 11", n, k)
	}
}
