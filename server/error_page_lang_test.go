package server

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// TestErrorPagesInChinese: a source who reads Chinese gets the intake's
// error pages (not found, too large, a method the address does not take)
// entirely in Chinese, whether the language comes from ?lang= or from the
// browser's Accept-Language: title, message, request id and the way back,
// which keeps the language. Before, the 404 and 405 titles, the 405
// message, "Request id" and "Back to the start page" stayed in English.
func TestErrorPagesInChinese(t *testing.T) {
	ts := newTestServer(t)
	big := strings.Repeat("x", 2048) // over the test's 1 KiB limit
	tests := []struct {
		name   string
		method string
		target string
		body   string
		status int
	}{
		{"no such page", http.MethodGet, "/no-such-page", "", http.StatusNotFound},
		{"no such desk", http.MethodGet, "/desk/no-such-desk", "", http.StatusNotFound},
		{"too large", http.MethodGet, "/", big, http.StatusRequestEntityTooLarge},
		{"mailbox login too large", http.MethodPost, "/mailbox", big, http.StatusRequestEntityTooLarge},
		{"log out opened as a page", http.MethodGet, "/mailbox/logout", "", http.StatusMethodNotAllowed},
		{"saved step with another method", http.MethodDelete, "/saved", "", http.StatusMethodNotAllowed},
		{"submit with another method", http.MethodPut, "/desk/default/submit", "", http.StatusMethodNotAllowed},
	}
	asked := []struct {
		name  string
		query string
		acept string
	}{
		{"lang query", "?lang=zh-Hans", ""},
		{"Accept-Language", "", "zh-CN,zh;q=0.9"},
	}
	for _, tt := range tests {
		for _, a := range asked {
			t.Run(tt.name+"/"+a.name, func(t *testing.T) {
				r := httptest.NewRequest(tt.method, tt.target+a.query, strings.NewReader(tt.body))
				if a.acept != "" {
					r.Header.Set("Accept-Language", a.acept)
				}
				w := ts.do("intake", r)
				page := w.Body.String()
				if w.Code != tt.status {
					t.Fatalf("status = %d, want %d", w.Code, tt.status)
				}
				if !strings.Contains(page, `<html lang="zh-Hans">`) {
					t.Errorf("page is not marked Chinese:\n%s", page)
				}
				if english := englishWords(page); len(english) > 0 {
					t.Errorf("English left on the Chinese page: %q\n%s", english, page)
				}
				if !strings.Contains(page, `href="/?lang=zh"`) {
					t.Errorf("no way back to the Chinese start page:\n%s", page)
				}
			})
		}
	}
	// The same pages in English still say it in English, so the check
	// above can tell.
	if w := ts.get("intake", "/no-such-page?lang=en"); len(englishWords(w.Body.String())) == 0 {
		t.Errorf("the English 404 page has no English words:\n%s", w.Body.String())
	}
}

var (
	// readableText is the title and the main part of a page: what a source
	// reads, without the language switch, which names both languages.
	readableText = regexp.MustCompile(`(?s)<title>(.*?)</title>.*<main>(.*?)</main>`)
	markup       = regexp.MustCompile(`(?s)<code>.*?</code>|<[^>]*>|\d+ [KMG]?i?B\b`)
	latinWord    = regexp.MustCompile(`[A-Za-z]{2,}`)
)

// englishWords returns the words in Latin letters that a source reads on
// page, apart from the name Tipline, the request id and sizes in unit
// symbols (1 MiB).
func englishWords(page string) []string {
	m := readableText.FindStringSubmatch(page)
	if m == nil {
		return []string{"(no title or main)"}
	}
	text := markup.ReplaceAllString(m[1]+" "+m[2], " ")
	return latinWord.FindAllString(strings.ReplaceAll(text, "Tipline", ""), -1)
}
