package server

import (
	"encoding/base64"
	"fmt"
	mathbits "math/bits"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/tipline/tipline/intake"
)

// TestBrowserSolvePow runs the page's proof-of-work solver (solvePow in
// static/js/hash.js) in Chromium and checks that it finds the counters the
// server's own solver finds, for tokens whose counter falls in one block,
// in two, and across the boundary of the two, from 0 or from powStart (the
// solver lays out the last blocks itself instead of hashing the whole
// input each try).
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
		bits  int // the difficulty: 2^bits tries in all
	}{
		{"short token, one block", "abc", 13},
		{"an API token, counters from 10^14", powToken(41), 17},
		{"digits across the block boundary", strings.Repeat("x", 60), 15},
		{"a whole block of token first", powToken(72), 16},
		{"room for nine digits", strings.Repeat("y", 119), 15},
		{"room for ten digits, counters from 0", strings.Repeat("z", 54), 14},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := intake.PowChallenge{Token: tc.token, Bits: tc.bits}.Solve().Counters
			each := tc.bits - mathbits.Len(intake.PowSolutions-1) // the zero bits of each counter
			script := fmt.Sprintf(`import(%q).then((m) => m.solvePow(%q, %d, %d, async () => {}))`, module, tc.token, each, intake.PowSolutions)
			got, err := chromedp.Run(ctx, chromedp.Evaluate[[]uint64](script, chromedp.EvalAwaitPromise))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, want) {
				t.Errorf("solvePow(%q, %d, %d) = %v, the server's solver finds %v", tc.token, each, intake.PowSolutions, got, want)
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
