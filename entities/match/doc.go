// Package match normalizes and compares names of companies and people
// across spellings and scripts: the matching behind entity search and
// screening-list hits.
//
// # Normalization
//
// Normalize applies Unicode NFKC (full-width ＡＢＣ and the ideographic space
// become ASCII), case folding, accent stripping for Latin letters and one
// treatment of punctuation and spacing. Tokens then splits a name into
// words, expands common abbreviations (Intl, Tech, Co, Corp, HK…), marks
// legal-form and generic words in English and Chinese as weak (Co., Ltd.,
// Pte. Ltd., GmbH, 有限公司, 集团, 科技, 贸易, Technology, Trading…), folds
// traditional Chinese characters to simplified ones (華為 → 华为), splits
// Chinese names into place, core and suffix (深圳市华强电子有限公司 → 深圳,
// 华强, 电子, 有限公司) and gives every Han word its toneless pinyin and
// every Cyrillic word its usual transliteration.
//
// # Readings
//
// A Han character reads as its pinyin (heteronyms too), their Wade-Giles
// spellings (Taiwan: 徐志明 = "Hsu Chih-ming"), its Cantonese readings in
// the Hong Kong government, Yale and Jyutping spellings and as Singapore
// and Malaysia write them (黃 = "Wong", 張 = "Cheung", "Cheong"), and, for
// common surnames and given-name syllables, in Hokkien, Teochew and Hakka
// (陳 = "Tan", 林 = "Lim", 福 = "Hock"). A Cyrillic word reads letter
// group by letter group in BGN/PCGN, ICAO, GOST and everyday spellings
// (Алексей = "Aleksei", "Alexey"). Readings are bounded per character and
// weighted: rarer ones count less. The Cantonese readings, the
// traditional–simplified pairs and the Wade-Giles syllables come from the
// Unicode Han database (see tables/README.md and go generate).
//
// # Comparison
//
// Compare aligns the strong words of two names: the same word, the same
// letters written joined or apart ("Hua Wei" = "Huawei"), a Han or
// Cyrillic word and a Latin spelling of its readings in any system, mixed
// per character (深圳 = "Shen Zhen", 重庆 = "Chongqing", 王伟 = "Wei Wang",
// 黄国雄 = "Wong Kwok Hung", Иванов = "Ivanov"), two Han spellings with the
// same pinyin, and similar spellings by edit distance. The score is the
// Dice share of strong words matched on both sides, nudged by the weak words
// (what they mean, so "Co., Ltd." = "有限公司" and 电子 = "Electronics"),
// plus a trigram similarity of the strong words' Latin forms as the other
// name spells them; it comes with an explanation for the investigator that
// names the reading of each character that matched ("黃 → Wong
// (Cantonese)").
//
// # Candidate indexes
//
// Comparing a query with every stored name is too slow for large tables.
// Keys gives a name's candidate-index keys (trigrams of the strong words'
// Latin forms, bigrams of their Han characters, and trigrams of each
// character's usual Cantonese, Wade-Giles and southern spelling) for a key
// table, and KeysNeeded how many of them another name must share;
// SearchText gives the text to put under a PostgreSQL pg_trgm index and
// SearchTexts the texts to look a name up by. They narrow the candidates
// that Compare then ranks.
package match
