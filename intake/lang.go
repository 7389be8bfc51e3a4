package intake

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Lang is a language that source-facing pages are written in.
type Lang string

// The languages of source-facing pages.
const (
	EN Lang = "en" // English
	ZH Lang = "zh" // Simplified Chinese
)

// Langs lists every language, English first.
var Langs = []Lang{EN, ZH}

// HTMLLang returns the value for an HTML lang attribute: "en" or "zh-Hans".
func (l Lang) HTMLLang() string {
	if l == ZH {
		return "zh-Hans"
	}
	return string(l)
}

// ParseLang reads a language tag such as "en", "en-GB", "zh", "zh-CN",
// "zh-Hans" or "zh_SG". Every Chinese tag, Traditional ones such as "zh-TW",
// "zh-Hant" and "zh-HK" included, gives ZH: Simplified Chinese is the closest
// we have. Tags of other languages and malformed tags give false.
func ParseLang(s string) (Lang, bool) {
	s = strings.ToLower(strings.ReplaceAll(strings.TrimSpace(s), "_", "-"))
	subtags := strings.Split(s, "-")
	for _, sub := range subtags {
		if len(sub) == 0 || len(sub) > 8 || strings.Trim(sub, "abcdefghijklmnopqrstuvwxyz0123456789") != "" {
			return "", false
		}
	}
	switch subtags[0] {
	case "en":
		return EN, true
	case "zh":
		return ZH, true
	}
	return "", false
}

// maxAcceptLanguage bounds the part of an Accept-Language header that is read.
const maxAcceptLanguage = 50

// NegotiateLang picks the language of a page: an explicit ?lang= value wins
// (no cookie ever remembers the choice); otherwise the most preferred
// language of the Accept-Language header that we have, by q-value and then
// by order; otherwise English.
func NegotiateLang(query string, acceptLanguage string) Lang {
	if l, ok := ParseLang(query); ok {
		return l
	}
	type choice struct {
		lang Lang
		q    float64
	}
	var choices []choice
	for i, item := range strings.Split(acceptLanguage, ",") {
		if i == maxAcceptLanguage {
			break
		}
		tag, params, _ := strings.Cut(item, ";")
		l, ok := ParseLang(tag)
		if !ok {
			continue
		}
		q, ok := qValue(params)
		if !ok || q == 0 {
			continue
		}
		choices = append(choices, choice{l, q})
	}
	sort.SliceStable(choices, func(i, j int) bool { return choices[i].q > choices[j].q })
	if len(choices) > 0 {
		return choices[0].lang
	}
	return EN
}

// qValue reads the q parameter of an Accept-Language item (default 1); false
// when it is malformed or out of range.
func qValue(params string) (float64, bool) {
	q := 1.0
	for p := range strings.SplitSeq(params, ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(p), "=")
		if !strings.EqualFold(strings.TrimSpace(name), "q") {
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if err != nil || v < 0 || v > 1 {
			return 0, false
		}
		q = v
	}
	return q, true
}

// Text is a text in every language, as JSON {"en": "…", "zh": "…"}.
type Text map[Lang]string

// In returns the text in l, or in English when there is none in l.
func (t Text) In(l Lang) string {
	if s := t[l]; s != "" {
		return s
	}
	return t[EN]
}

// format returns the text with fmt verbs filled in, in every language.
func (t Text) format(args ...any) Text {
	out := make(Text, len(t))
	for l, s := range t {
		out[l] = fmt.Sprintf(s, args...)
	}
	return out
}

// T returns a message of source-facing pages in l (see lang_messages.go for
// the keys). A key missing from the catalog gives "[key]", which a test and
// any reader of the page notice.
func T(l Lang, key string) string {
	return message(key).In(l)
}

// message returns a message in every language, or "[key]" for a missing key.
func message(key string) Text {
	if t, ok := messages[key]; ok {
		return t
	}
	return Text{EN: "[" + key + "]"}
}
