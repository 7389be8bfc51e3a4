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
// Pte. Ltd., GmbH, 有限公司, 集团, 科技, 贸易, Technology, Trading…), splits
// Chinese names into place, core and suffix (深圳市华强电子有限公司 → 深圳,
// 华强, 电子, 有限公司) and gives every Han word its toneless pinyin.
//
// # Comparison
//
// Compare aligns the strong words of two names: the same word, the same
// letters written joined or apart ("Hua Wei" = "Huawei"), a Han word and its
// pinyin in any reading of its characters (深圳 = "Shen Zhen", 重庆 =
// "Chongqing", 王伟 = "Wei Wang"), two Han spellings with the same pinyin
// (華為 = 华为), and similar spellings by edit distance. The score is the
// Dice share of strong words matched on both sides, nudged by the weak words
// (what they mean, so "Co., Ltd." = "有限公司"), plus a trigram similarity of
// the strong words' Latin forms; it comes with an explanation for the
// investigator.
//
// # Candidate indexes
//
// Comparing a query with every stored name is too slow for large tables.
// Keys gives a name's candidate-index keys (trigrams of the strong words'
// Latin forms and bigrams of their Han characters) for a key table on
// SQLite; SearchText gives the text to put under a PostgreSQL pg_trgm index.
// Both narrow the candidates that Compare then ranks.
package match
