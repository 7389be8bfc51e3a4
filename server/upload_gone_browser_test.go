package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tipline/tipline/intake"
)

// TestBrowserUploadSessionsGone: the server removes an upload session that
// sits idle (SweepIdleUploads), and a finished file's session sits idle
// while the next files go up, which over Tor can take longer than the idle
// period.
//
// SentAgain: both of a two-file tip's sessions are removed as the second
// file's first chunk goes up. The page starts the second file again in a
// new session, and when the commit finds the first file's session gone,
// it sends that file again and commits: the source gets a codename, and
// both files decrypt to what they chose. Before, the page failed with
// "There is no page at this address" in brackets, and the tip was lost.
//
// GoneEachTime: a session that is removed again and again is started
// twice more, then the source reads in their language that the upload
// was discarded and nothing submitted, and is offered the form without
// browser encryption, which opens no session.
func TestBrowserUploadSessionsGone(t *testing.T) {
	browser := newBrowser(t)
	ts := newTestServer(t)
	g := addGPGKey(t, ts)
	base := serveTest(t, ts)
	dir := artifacts(t)

	first := []byte("%PDF-1.4 invoice " + canary + "\n")
	second := make([]byte, 3<<20)
	rand.Read(second)
	names := []string{filepath.Join(t.TempDir(), "invoice.pdf"), filepath.Join(t.TempDir(), "shipment-photos.bin")}
	for i, data := range [][]byte{first, second} {
		if err := os.WriteFile(names[i], data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// sweepAll removes every upload session that is not being submitted,
	// as two idle sweeps a day from now would, and returns how many.
	var day atomic.Int64
	sweepAll := func() int {
		later := time.Now().Add(time.Duration(day.Add(1)) * 24 * time.Hour).Unix()
		removed := 0
		for _, now := range []int64{later, later + 1} {
			ids, err := ts.intake.Store.SweepIdleUploads(context.Background(), now, 1)
			if err != nil {
				t.Error(err)
			}
			removed += len(ids)
		}
		return removed
	}
	t.Run("SentAgain", func(t *testing.T) {
		// The second chunk sent is the second file's first.
		var chunks, swept atomic.Int32
		tab := sendFiles(t, browser, ts, base, intake.ZH, names, func(n int32) {
			chunks.Store(n)
			if n == 2 {
				swept.Store(int32(sweepAll()))
			}
		})
		if err := chromedp.Do(tab, chromedp.WaitVisible(chromedp.CSS(`.codename span`))); err != nil {
			screenshot(t, tab, dir, "desk-sessions-gone-failed")
			t.Fatalf("no codename: %v (page says %q)", err, pageSays(tab))
		}
		screenshot(t, tab, dir, "desk-sessions-gone-codename-zh-390")
		if n := swept.Load(); n != 2 {
			t.Fatalf("the sweeps removed %d sessions, want both files'", n)
		}
		// Chunks: the first file, the second (refused), the second again,
		// the manifest, the first file again.
		if n := chunks.Load(); n != 5 {
			t.Errorf("%d chunks sent, want 5", n)
		}
		m, plain := storedObjects(t, ts, g, "browser")
		if len(m.Files) != 2 || len(plain) != 2 {
			t.Fatalf("the submission has %d files in its manifest and %d stored", len(m.Files), len(plain))
		}
		for i, want := range [][]byte{first, second} {
			sum := sha256.Sum256(want)
			if f := m.Files[i]; f.Name != filepath.Base(names[i]) || f.SHA256 != hex.EncodeToString(sum[:]) {
				t.Errorf("manifest file %d = %+v, want %s", i, f, filepath.Base(names[i]))
			}
			if !bytes.Equal(plain[i], want) {
				t.Errorf("stored file %d does not decrypt to what the source chose", i)
			}
		}
	})

	for _, lang := range []intake.Lang{intake.EN, intake.ZH} {
		t.Run("GoneEachTime/"+string(lang), func(t *testing.T) {
			var chunks atomic.Int32
			tab := sendFiles(t, browser, ts, base, lang, names, func(n int32) {
				chunks.Store(n)
				sweepAll()
			})
			if err := chromedp.Do(tab, chromedp.WaitVisible(chromedp.ID("js-failure"))); err != nil {
				t.Fatalf("no failure shown: %v (page says %q)", err, pageSays(tab))
			}
			for _, width := range []int64{390, 1280} {
				setWidth(t, tab, width)
				screenshot(t, tab, dir, fmt.Sprintf("desk-sessions-gone-failure-%s-%d", lang, width))
			}
			if n := chunks.Load(); n != 3 {
				t.Errorf("%d chunks sent, want the first file's three times", n)
			}
			if message := evalString(t, tab, `document.getElementById("js-failure-message").textContent`); message != intake.T(lang, "error_upload_gone") {
				t.Errorf("failure message = %q, want %q", message, intake.T(lang, "error_upload_gone"))
			}
			if offered := evalString(t, tab, `String(document.getElementById("js-native").checkVisibility())`); offered != "true" {
				t.Error("the failure box does not offer the form without browser encryption")
			}
		})
	}
}

// TestBrowserUploadSessionsKept: while a tip's second file goes up, the page
// keeps the first file's session, sent whole, with a keep every third of
// the idle period (here 2 s), so that the idle sweeps that run meanwhile
// leave it: the commit finds every session, and no file is sent twice.
// Without the keeps, the second sweep removes the first file's session
// and the page has to send the file again.
func TestBrowserUploadSessionsKept(t *testing.T) {
	browser := newBrowser(t)
	ts := newTestServer(t)
	g := addGPGKey(t, ts)
	ts.intake.Uploads.IdleAfter = 2 * time.Second
	base := serveTest(t, ts)

	first := []byte("%PDF-1.4 invoice " + canary + "\n")
	second := make([]byte, 2*intake.DefaultChunkSize+1<<20) // three chunks
	rand.Read(second)
	names := []string{filepath.Join(t.TempDir(), "invoice.pdf"), filepath.Join(t.TempDir(), "shipment-video.bin")}
	for i, data := range [][]byte{first, second} {
		if err := os.WriteFile(names[i], data, 0o600); err != nil {
			t.Fatal(err)
		}
	}

	// Chunks 2 to 4 are the second file's. Before its second and third
	// reach the server, an idle period passes and a sweep runs: the
	// second file's session makes progress in between, the first's only
	// by its keeps.
	var chunks, swept atomic.Int32
	tab := sendFiles(t, browser, ts, base, intake.EN, names, func(n int32) {
		chunks.Store(n)
		if n == 3 || n == 4 {
			time.Sleep(ts.intake.Uploads.IdleAfter + 100*time.Millisecond)
			removed, err := ts.intake.SweepIdleUploads(context.Background())
			if err != nil {
				t.Error(err)
			}
			swept.Add(int32(removed))
		}
	})
	wait, cancelWait := context.WithTimeout(tab, browserTimeout)
	defer cancelWait()
	if err := chromedp.Do(wait, chromedp.WaitVisible(chromedp.CSS(`.codename span`))); err != nil {
		t.Fatalf("no codename after %d chunks and %d sessions swept: %v (page says %q)", chunks.Load(), swept.Load(), err, pageSays(tab))
	}
	if n := swept.Load(); n != 0 {
		t.Errorf("the idle sweeps removed %d sessions, want none", n)
	}
	// The first file, the second's three chunks, the manifest.
	if n := chunks.Load(); n != 5 {
		t.Errorf("%d chunks sent, want 5: a file was sent again", n)
	}
	m, plain := storedObjects(t, ts, g, "browser")
	if len(m.Files) != 2 || len(plain) != 2 || !bytes.Equal(plain[0], first) || !bytes.Equal(plain[1], second) {
		t.Errorf("the submission's files do not decrypt to what the source chose (%d in the manifest)", len(m.Files))
	}
}

// sendFiles opens the desk in a new tab of browser, 390 px wide, fills the
// form with the files names, and sends it with JavaScript. Each chunk the
// page sends waits for beforeChunk, given its number from 1 in the order
// sent, before it goes on to the server. It returns the tab.
func sendFiles(t *testing.T, browser context.Context, ts *testServer, base string, lang intake.Lang, names []string, beforeChunk func(n int32)) context.Context {
	t.Helper()
	tab, cancel := chromedp.NewContext(browser)
	t.Cleanup(cancel)
	tab, cancelTimeout := context.WithTimeout(tab, 2*browserTimeout)
	t.Cleanup(cancelTimeout)
	setWidth(t, tab, 390) // the tab's first action, which opens it for the whole test
	w := &sourceWalk{t: t, tab: tab, ts: ts, base: base, lang: lang, javaScript: true}
	w.openDesk()
	var chunks atomic.Int32
	holdRequests(t, tab, "*/api/v1/uploads/*/chunks/*", func() { beforeChunk(chunks.Add(1)) })
	w.do("send the form",
		fillForm(names...),
		chromedp.Click(chromedp.CSS(`#tip > button[type=submit]`)),
	)
	return tab
}
