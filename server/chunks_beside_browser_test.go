package server

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"testing"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/tipline/tipline/intake"
)

// TestBrowserChunksGoUpBeside: the page sends each chunk of a file while
// the one before is still being stored, and the server makes it wait for
// that one instead of refusing it out of turn, so that the connection is
// busy while the server checks, writes and syncs a chunk.
//
// Beside: a file of four chunks goes up with each chunk sent before the
// answer to the one before, and decrypts whole.
//
// RefusedOutOfTurn: a chunk sent beside the one before is refused, as a
// node other than the one storing that chunk refuses it (the browser gets
// the 409 here, not the server). The page sends it again once the chunk
// before is stored, and from then on a chunk after the one before it is
// stored; no chunk goes up more than twice, and the file decrypts whole.
func TestBrowserChunksGoUpBeside(t *testing.T) {
	browser := newBrowser(t)
	const fileChunks = 4
	file, _ := writeLargeFile(t, "customs-scans.bin", fileChunks*intake.DefaultChunkSize-(4<<20))
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for _, refused := range []bool{false, true} {
		name := map[bool]string{false: "Beside", true: "RefusedOutOfTurn"}[refused]
		t.Run(name, func(t *testing.T) {
			ts := newTestServer(t)
			g := addGPGKey(t, ts)
			base := serveTest(t, ts)
			tab, cancel := chromedp.NewContext(browser)
			defer cancel()
			tab, cancelTimeout := context.WithTimeout(tab, 2*browserTimeout)
			defer cancelTimeout()
			setWidth(t, tab, 1280) // the tab's first action, which opens it for the whole test
			// The page's chunk requests, with when each was sent and
			// answered.
			if _, err := chromedp.Call(tab, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: `
				window.__chunks = [];
				const send = window.fetch;
				window.fetch = async (url, init) => {
					const path = new URL(url, location.href).pathname;
					if (!/\/chunks\/\d+$/.test(path)) return send(url, init);
					const parts = path.split("/"); // "", "api", "v1", "uploads", id, "chunks", n
					const sent = { session: parts[4], n: Number(parts[6]), start: performance.now() };
					window.__chunks.push(sent);
					try {
						const r = await send(url, init);
						sent.status = r.status;
						return r;
					} finally {
						sent.end = performance.now();
					}
				};`}); err != nil {
				t.Fatal(err)
			}
			if refused {
				refuseFirst(t, tab, "*/api/v1/uploads/*/chunks/1?*")
			}
			if err := chromedp.Do(tab,
				chromedp.Navigate(base+"/desk/export-controls?lang=en"),
				chromedp.WaitVisible(chromedp.CSS(`form[data-encrypt="browser"]`)),
				fillForm(file),
				chromedp.Click(chromedp.CSS(`#tip > button[type=submit]`)),
				chromedp.WaitVisible(chromedp.CSS(`.codename span`)),
			); err != nil {
				t.Fatalf("send the form: %v (page says %q)", err, pageSays(tab))
			}

			var sent []struct {
				Session    string
				N          int
				Status     int
				Start, End float64
			}
			raw := evalString(t, tab, `JSON.stringify(window.__chunks)`)
			if err := json.Unmarshal([]byte(raw), &sent); err != nil || len(sent) == 0 {
				t.Fatalf("chunk requests %s: %v", raw, err)
			}
			// The file's chunk requests, in the order they were sent, and
			// the one answered 200 for each chunk.
			ofFile := sent[:0:0]
			stored := map[int]int{}
			for _, r := range sent {
				if r.Session == sent[0].Session {
					ofFile = append(ofFile, r)
					if r.Status == http.StatusOK {
						stored[r.N] = len(ofFile) - 1
					}
				}
			}
			if len(stored) != fileChunks {
				t.Fatalf("%d of the ofFile's %d chunks stored: %s", len(stored), fileChunks, raw)
			}
			if !refused {
				for i, r := range ofFile {
					if r.N != i || r.Status != http.StatusOK {
						t.Fatalf("request %d was for chunk %d, answered %d, want each chunk once, in order: %s", i, r.N, r.Status, raw)
					}
					if i > 0 && r.Start >= ofFile[i-1].End {
						t.Errorf("chunk %d was sent after the answer to chunk %d (%.0f ms ≥ %.0f ms), want beside it", i, i-1, r.Start, ofFile[i-1].End)
					}
				}
			} else {
				// Chunk 1 is sent again, no chunk more than twice, and
				// once the refusal is in, a chunk not sent before goes
				// after the chunk before it is stored.
				var refusedAt float64
				sends := map[int]int{}
				for _, r := range ofFile {
					sends[r.N]++
					if r.Status == http.StatusConflict && refusedAt == 0 {
						refusedAt = r.End
					}
					if sends[r.N] == 1 && r.N > 0 && refusedAt > 0 && r.Start > refusedAt && r.Start < ofFile[stored[r.N-1]].End {
						t.Errorf("chunk %d was sent at %.0f ms, after a refusal at %.0f ms and before chunk %d was stored at %.0f ms; want one at a time", r.N, r.Start, refusedAt, r.N-1, ofFile[stored[r.N-1]].End)
					}
				}
				if sends[1] != 2 || refusedAt == 0 {
					t.Errorf("chunk 1 sent %d times, want twice, the first refused: %s", sends[1], raw)
				}
				for n, k := range sends {
					if k > 2 {
						t.Errorf("chunk %d sent %d times, want at most twice: %s", n, k, raw)
					}
				}
			}
			_, plain := storedObjects(t, ts, g, "browser")
			if len(plain) != 1 || !bytes.Equal(plain[0], want) {
				t.Errorf("the stored file does not decrypt to the file chosen (%d files)", len(plain))
			}
		})
	}
}

// refuseFirst answers the first request of tab to a URL matching pattern
// with 409 Conflict and the server's message for a chunk out of turn,
// without sending it on; later requests go through.
func refuseFirst(t *testing.T, tab context.Context, pattern string) {
	t.Helper()
	refused := false
	interceptRequests(t, tab, []*fetch.RequestPattern{{URLPattern: pattern}}, func(ctx context.Context, id fetch.RequestID, _ string) {
		if refused {
			chromedp.Call(ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: id})
			return
		}
		refused = true
		chromedp.Call(ctx, fetch.FulfillRequest, fetch.FulfillRequestParams{
			RequestID:       id,
			ResponseCode:    http.StatusConflict,
			ResponseHeaders: []*fetch.HeaderEntry{{Name: "Content-Type", Value: "application/json"}},
			Body:            []byte(`{"error":{"code":"conflict","message":"Chunk 0 has not arrived: chunks are taken in order."}}`),
		})
	})
}
