package server

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/tipline/tipline/intake"
)

// TestBrowserSolvePow runs the page's proof-of-work solver (solvePow in
// static/js/hash.js) in Chromium and checks that it finds the counter the
// server's own solver finds, for tokens whose counter falls in one block,
// in two, and across the boundary of the two (the solver lays out the
// last blocks itself instead of hashing the whole input each try).
func TestBrowserSolvePow(t *testing.T) {
	ts := newTestServer(t)
	base := serveTest(t, ts)
	ctx := newBrowser(t)
	module, err := ts.assets.url("js/hash.js")
	if err != nil {
		t.Fatal(err)
	}
	// The desk page is one whose policy lets the page run scripts.
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/desk/export-controls")); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		token string
		bits  int
	}{
		{"short token, one block", "abc", 10},
		{"an API token, two blocks", powToken(41), 14},
		{"digits across the block boundary", strings.Repeat("x", 60), 12},
		{"a whole block of token first", powToken(72), 13},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := intake.PowChallenge{Token: tc.token, Bits: tc.bits}.Solve().Counter
			script := fmt.Sprintf(`import(%q).then((m) => m.solvePow(%q, %d, async () => {}))`, module, tc.token, tc.bits)
			got, err := chromedp.Run(ctx, chromedp.Evaluate[uint64](script, chromedp.EvalAwaitPromise))
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("solvePow(%q, %d) = %d, the server's solver finds %d", tc.token, tc.bits, got, want)
			}
		})
	}
}

// powToken is a token of the API's form: n bytes, base64url without padding.
func powToken(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*37 + 11)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
