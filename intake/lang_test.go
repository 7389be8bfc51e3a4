package intake

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"
)

func TestParseLang(t *testing.T) {
	tests := []struct {
		in   string
		want Lang
		ok   bool
	}{
		{"en", EN, true},
		{"EN-gb", EN, true},
		{"en_US", EN, true},
		{"zh", ZH, true},
		{"zh-CN", ZH, true},
		{"zh-Hans", ZH, true},
		{"zh-Hans-CN", ZH, true},
		{"zh-SG", ZH, true},
		{"zh_cn", ZH, true},
		{"zh-TW", ZH, true},
		{"zh-Hant", ZH, true},
		{"zh-HK", ZH, true},
		{" zh ", ZH, true},
		{"", "", false},
		{"fr", "", false},
		{"*", "", false},
		{"zh-", "", false},
		{"english", "", false},
		{"zh-<script>", "", false},
		{"zh-abcdefghij", "", false},
	}
	for _, tt := range tests {
		got, ok := ParseLang(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseLang(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestNegotiateLang(t *testing.T) {
	tests := []struct {
		query, header string
		want          Lang
	}{
		{"", "", EN},
		{"zh", "", ZH},
		{"en", "zh-CN,zh;q=0.9", EN},     // the query beats the header
		{"zh", "en-US,en;q=0.9", ZH},     // the query beats the header
		{"fr", "zh-CN,zh;q=0.9", ZH},     // an unknown query falls through
		{"", "zh-CN;q=0.9,en;q=0.8", ZH}, //
		{"", "en;q=0.8,zh-CN;q=0.9", ZH}, // q-values, not order
		{"", "en-US,en;q=0.9,zh-CN;q=0.8", EN},
		{"", "fr-FR,fr;q=0.9,zh-TW;q=0.5,en;q=0.4", ZH},
		{"", "fr-FR,de;q=0.9", EN},
		{"", "zh;q=0,en;q=0.1", EN}, // q=0 means "not this"
		{"", "zh;q=2,en;q=0.5", EN}, // a malformed q is ignored
		{"", "zh;q=abc", EN},
		{"", "zh-CN , en ; q=0.5", ZH},
		{"", "*", EN},
		{"", "en;q=0.5,zh;q=0.5", EN}, // ties keep the header's order
		{"", "zh;q=0.5,en;q=0.5", ZH},
		{"", ";;;,,,", EN},
	}
	for _, tt := range tests {
		if got := NegotiateLang(tt.query, tt.header); got != tt.want {
			t.Errorf("NegotiateLang(%q, %q) = %q; want %q", tt.query, tt.header, got, tt.want)
		}
	}
}

func TestHTMLLang(t *testing.T) {
	if EN.HTMLLang() != "en" || ZH.HTMLLang() != "zh-Hans" {
		t.Errorf("HTMLLang: %q, %q", EN.HTMLLang(), ZH.HTMLLang())
	}
}

func TestTextIn(t *testing.T) {
	tx := Text{EN: "yes", ZH: "是"}
	if tx.In(ZH) != "是" || tx.In(EN) != "yes" {
		t.Errorf("In: %q %q", tx.In(ZH), tx.In(EN))
	}
	if got := (Text{EN: "only English"}).In(ZH); got != "only English" {
		t.Errorf("fallback to English: %q", got)
	}
}

var verbPattern = regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z%]`)

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// TestCatalogComplete checks that every message is in both languages with
// the same fmt verbs, and that the Chinese is Chinese.
func TestCatalogComplete(t *testing.T) {
	for key, tx := range messages {
		for _, l := range Langs {
			if tx[l] == "" {
				t.Errorf("message %q has no %s text", key, l)
			}
		}
		if len(tx) != len(Langs) {
			t.Errorf("message %q has texts in unknown languages: %v", key, tx)
		}
		if en, zh := verbPattern.FindAllString(tx[EN], -1), verbPattern.FindAllString(tx[ZH], -1); !slices.Equal(en, zh) {
			t.Errorf("message %q: verbs %v in English, %v in Chinese", key, en, zh)
		}
		if key != "show_if_quote" && !hasHan(tx[ZH]) {
			t.Errorf("message %q: the Chinese text %q has no Chinese characters", key, tx[ZH])
		}
	}
	if got := T(ZH, "no such key"); got != "[no such key]" {
		t.Errorf("T of a missing key = %q", got)
	}
	if got := T(ZH, "not_accepting"); got != "此举报通道暂不接收举报。" {
		t.Errorf("T(ZH, not_accepting) = %q", got)
	}
}

// TestCatalogKeysUsed checks that every message key the questionnaire code
// and template ask for is in the catalog.
func TestCatalogKeysUsed(t *testing.T) {
	uses := []*regexp.Regexp{
		regexp.MustCompile(`\bT\("([a-z_]+)"\)`),           // v.T("key")
		regexp.MustCompile(`\bmessage\("([a-z_]+)"\)`),     // message("key")
		regexp.MustCompile(`"(error_[a-z_]+)"`),            // error keys in Check
		regexp.MustCompile(`\.T "([a-z_]+)"`),              // {{$.T "key"}}
		regexp.MustCompile(`\bfail\(f, "([a-z_]+)"`),       // fail(f, "key")
		regexp.MustCompile(`\bT\([A-Za-z.]+, "([a-z_]+)"`), // T(l, "key")
	}
	var files []string
	for _, pattern := range []string{"lang*.go", "questionnaire*.go", "manifest*.go"} {
		names, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range names {
			if name != "lang_messages.go" && !strings.HasSuffix(name, "_test.go") {
				files = append(files, name)
			}
		}
	}
	files = append(files, filepath.Join("..", "templates", "questionnaire.html"))
	found := 0
	for _, name := range files {
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, re := range uses {
			for _, m := range re.FindAllStringSubmatch(string(src), -1) {
				found++
				if _, ok := messages[m[1]]; !ok {
					t.Errorf("%s uses message %q, which is not in the catalog", name, m[1])
				}
			}
		}
	}
	if found < 20 {
		t.Errorf("found only %d uses of messages; is the scan broken?", found)
	}
}
