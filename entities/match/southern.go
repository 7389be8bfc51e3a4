package match

// southernReading is a spelling of a character as Chinese names are
// registered in Singapore, Malaysia and Indonesia: from Hokkien, Teochew or
// Hakka rather than Mandarin or Cantonese.
type southernReading struct {
	latin    string
	dialects string  // e.g. "Hokkien, Teochew"
	weight   float64 // 1 for surnames, weightGivenName for given-name syllables
}

// southernReadings are the common surnames and given-name syllables of
// Singapore and Malaysia in their Hokkien, Teochew and Hakka spellings,
// keyed by the simplified character. A curated, bounded table: 47
// common surnames and 50 frequent given-name syllables, not a
// dictionary; spellings that the Cantonese table already gives (Wong, Ng,
// Chan, Lee, Leong…) are not repeated. Sources (secondary): Wikipedia,
// "List of common Chinese surnames in Singapore" (2000 census counts by
// dialect spelling) and "List of common Chinese surnames"; Learn Dialect
// SG, "Common Chinese Surnames in Singapore – Hokkien, Teochew or
// Cantonese?" (2019). The given-name syllables are common Singapore and
// Malaysia spellings, not checked against a registry.
var southernReadings = func() map[rune][]southernReading {
	const hokkienTeochew = "Hokkien, Teochew"
	surnames := []struct {
		han      rune
		latin    string
		dialects string
	}{
		{'陈', "tan", hokkienTeochew}, {'陈', "chin", "Hakka"},
		{'林', "lim", hokkienTeochew},
		{'黄', "ng", hokkienTeochew}, {'黄', "wee", "Hokkien"}, {'黄', "ooi", "Hokkien"}, {'黄', "oei", "Hokkien"}, {'黄', "ung", "Teochew"},
		{'吴', "goh", "Hokkien"}, {'吴', "go", "Hokkien"},
		{'张', "teo", hokkienTeochew}, {'张', "chong", "Hakka"}, {'张', "tiong", "Hokkien"},
		{'王', "ong", hokkienTeochew}, {'王', "heng", "Teochew"},
		{'许', "koh", hokkienTeochew}, {'许', "khoo", "Hokkien"}, {'许', "khor", "Hokkien"},
		{'蔡', "chua", hokkienTeochew},
		{'杨', "yeo", hokkienTeochew}, {'杨', "yong", "Hakka"},
		{'郭', "kuek", hokkienTeochew}, {'郭', "quek", hokkienTeochew}, {'郭', "kwek", "Hokkien"}, {'郭', "koay", "Hokkien"},
		{'李', "lee", hokkienTeochew},
		{'刘', "low", hokkienTeochew}, {'刘', "liew", "Hakka"},
		{'郑', "tay", hokkienTeochew}, {'郑', "teh", "Hokkien"},
		{'谢', "chia", "Hokkien"}, {'谢', "seah", "Teochew"},
		{'周', "chew", hokkienTeochew}, {'周', "chiu", "Hokkien"},
		{'洪', "ang", hokkienTeochew},
		{'叶', "yap", "Hakka"}, {'叶', "yeap", "Hokkien"},
		{'邱', "khoo", "Hokkien"}, {'邱', "hew", "Hakka"}, {'丘', "khoo", "Hokkien"}, {'丘', "hew", "Hakka"},
		{'曾', "chan", "Hokkien"},
		{'梁', "neo", hokkienTeochew}, {'梁', "nio", "Hokkien"},
		{'钟', "chong", "Hakka"},
		{'徐', "chee", "Hokkien"}, {'徐', "chi", "Hakka"},
		{'孙', "sng", "Hokkien"},
		{'苏', "soh", hokkienTeochew},
		{'赖', "nai", "Hakka"},
		{'潘', "phua", hokkienTeochew},
		{'庄', "chng", "Hokkien"},
		{'柯', "kua", "Hokkien"},
		{'方', "png", "Hokkien"},
		{'胡', "oh", "Hokkien"},
		{'罗', "loh", hokkienTeochew},
		{'高', "koh", hokkienTeochew},
		{'朱', "choo", "Hokkien"},
		{'马', "beh", "Hokkien"},
		{'卢', "loh", "Hokkien"},
		{'沈', "sim", hokkienTeochew},
		{'江', "kang", "Hokkien"},
		{'魏', "gwee", "Hokkien"},
		{'戴', "tay", "Hokkien"},
		{'彭', "phang", "Hakka"},
		{'翁', "ang", "Hokkien"},
		{'余', "ee", "Hokkien"},
		{'颜', "gan", "Hokkien"},
		{'廖', "liau", "Hokkien"}, {'廖', "liew", "Hakka"},
		{'汪', "ong", "Hokkien"},
		{'石', "chioh", "Hokkien"},
	}
	given := []struct {
		han   rune
		latin string
	}{
		{'志', "chee"}, {'明', "beng"}, {'金', "kim"}, {'福', "hock"}, {'华', "hwa"}, {'国', "kok"},
		{'文', "boon"}, {'荣', "eng"}, {'成', "seng"}, {'顺', "soon"}, {'发', "huat"}, {'德', "teck"},
		{'德', "tek"}, {'忠', "tiong"}, {'清', "cheng"}, {'贵', "kwee"}, {'平', "peng"}, {'财', "chye"},
		{'才', "chye"}, {'安', "ann"}, {'宝', "poh"}, {'美', "bee"}, {'玉', "geok"}, {'珠', "choo"},
		{'丽', "lay"}, {'秀', "siew"}, {'英', "eng"}, {'庆', "keng"}, {'源', "guan"}, {'元', "guan"},
		{'和', "hoe"}, {'泰', "thye"}, {'光', "kong"}, {'祥', "siang"}, {'义', "gee"}, {'新', "sin"},
		{'耀', "yew"}, {'俊', "choon"}, {'春', "choon"}, {'添', "thiam"}, {'坤', "khoon"}, {'水', "chwee"},
		{'泉', "chuan"}, {'全', "chuan"}, {'贤', "hian"}, {'瑞', "swee"}, {'松', "siong"}, {'雄', "hiong"},
		{'亮', "liang"}, {'龙', "leong"}, {'辉', "hui"},
	}
	m := map[rune][]southernReading{}
	for _, s := range surnames {
		m[s.han] = append(m[s.han], southernReading{s.latin, s.dialects, 1})
	}
	for _, g := range given {
		m[g.han] = append(m[g.han], southernReading{g.latin, "Hokkien", weightGivenName})
	}
	return m
}()
