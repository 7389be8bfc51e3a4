package pdf

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/tipline/tipline/internal/testenv"
)

func chromium(t *testing.T) string {
	t.Helper()
	return testenv.Get(t, "TIPLINE_TEST_CHROMIUM")
}

// browsers are the two ways of printing: a Chromium started for each
// print, and a running one reached over the DevTools protocol, by its
// ws:// address and by its http:// one (as TIPLINE_CHROMIUM_URL gives
// them).
func browsers(t *testing.T) []struct {
	name    string
	browser Browser
} {
	path := chromium(t)
	ws := startDevTools(t, path)
	u, err := url.Parse(ws)
	if err != nil {
		t.Fatal(err)
	}
	return []struct {
		name    string
		browser Browser
	}{
		{"started", Browser{Path: path}},
		{"remote ws", Browser{URL: ws}},
		{"remote http", Browser{URL: "http://" + u.Host}},
	}
}

// startDevTools starts the Chromium at path headless with a DevTools port,
// as a chromedp/headless-shell container runs it, until the test ends,
// and returns its DevTools address from the line "DevTools listening on
// ws://…" it writes to stderr. Its local network rules are off, so that
// only Print keeps a document from reaching 127.0.0.1.
func startDevTools(t *testing.T, path string) string {
	t.Helper()
	args := []string{"--headless", "--remote-debugging-port=0", "--user-data-dir=" + t.TempDir(), "--no-first-run", "--disable-gpu", "--disable-features=LocalNetworkAccessChecks", "about:blank"}
	if ok, _ := sandboxAllowed(); !ok {
		args = append(args, "--no-sandbox")
	}
	cmd := exec.Command(path, args...)
	// In a process group of its own, so that the renderers and helpers it
	// starts are stopped with it before its profile folder is removed:
	// killing the browser alone left them writing into it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
	})
	var said strings.Builder
	lines := bufio.NewScanner(stderr)
	for lines.Scan() {
		if ws, ok := strings.CutPrefix(lines.Text(), "DevTools listening on "); ok {
			go func() { _, _ = io.Copy(io.Discard, stderr) }()
			return ws
		}
		said.WriteString(lines.Text() + "\n")
	}
	t.Fatalf("%s gave no DevTools address:\n%s", path, said.String())
	return ""
}

func printed(t *testing.T, b Browser, html string, o Options) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	doc, err := Print(ctx, b, []byte(html), o)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(path, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// run runs a poppler tool and fails the test on any complaint on stderr,
// such as a broken cross-reference table.
func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || stderr.Len() > 0 {
		t.Fatalf("%s %v: %v %s", name, args, err, stderr.String())
	}
	return string(out)
}

// TestPrintInfoHeaderFooter prints a document of two pages in each kind
// of browser and reads back the document information (a valid incremental
// update: pdfinfo and pdftotext raise no syntax error, also for non-ASCII
// text) and the header and footer with their page numbers on every page.
func TestPrintInfoHeaderFooter(t *testing.T) {
	for _, tc := range browsers(t) {
		t.Run(tc.name, func(t *testing.T) {
			path := printed(t, tc.browser, `<!doctype html><html><head><title>Award report: Source A</title></head><body>
<p>first page</p><p style="break-before: page">second page</p></body></html>`, Options{
				Header: `<div style="font-size:8pt">Privileged &amp; Confidential</div>`,
				Footer: `<div style="font-size:8pt">Page <span class="pageNumber"></span> of <span class="totalPages"></span></div>`,
				Info:   Info{Title: "Award report: 王小明 (claim 7)", Author: "Carla Counsel (carla@example.org)", Creator: "Tipline", Day: time.Date(2026, 11, 30, 15, 4, 5, 0, time.UTC)},
			})
			info := run(t, "pdfinfo", path)
			for _, want := range []string{"Title:           Award report: 王小明 (claim 7)", "Author:          Carla Counsel (carla@example.org)", "Creator:         Tipline", "Pages:           2", "CreationDate:    Mon Nov 30 00:00:00 2026 UTC"} {
				if !strings.Contains(info, want) {
					t.Errorf("pdfinfo does not show %q:\n%s", want, info)
				}
			}
			for page, want := range []string{"Page 1 of 2", "Page 2 of 2"} {
				text := run(t, "pdftotext", "-f", string(rune('1'+page)), "-l", string(rune('1'+page)), path, "-")
				if !strings.Contains(text, want) || !strings.Contains(text, "Privileged & Confidential") {
					t.Errorf("page %d does not show its header and %q:\n%s", page+1, want, text)
				}
			}
		})
	}
}

// TestPrintBlocksRequestsAndScripts prints, in each kind of browser, a
// document that refers to a server in every way a page can load
// something, and a script that would rewrite it: not one request reaches
// the server, and the script does not run. Chromium's own local network
// rules would keep a document off loopback, so that the test proves
// Print's blocking: the started Chromium is pointed at an address of the
// machine other than loopback, and the running one, like a container's
// whose documents could reach its compose network, has those rules off
// (startDevTools) and is pointed at 127.0.0.1.
func TestPrintBlocksRequestsAndScripts(t *testing.T) {
	for _, tc := range browsers(t) {
		t.Run(tc.name, func(t *testing.T) {
			host := "127.0.0.1"
			if tc.browser.URL == "" {
				host = outsideAddress(t)
			}
			ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
			if err != nil {
				t.Fatal(err)
			}
			var hits atomic.Int64
			srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hits.Add(1)
				w.WriteHeader(http.StatusOK)
			}))
			srv.Listener.Close()
			srv.Listener = ln
			srv.Start()
			defer srv.Close()
			u := srv.URL
			path := printed(t, tc.browser, `<!doctype html><html><head><title>x</title><link rel="stylesheet" href="`+u+`/style.css">
<style>@import url("`+u+`/import.css"); @font-face { font-family: F; src: url("`+u+`/font.woff2"); } body { font-family: F; background: url("`+u+`/bg.png"); }</style></head>
<body><p>the whole document</p><img src="`+u+`/image.png" alt=""><iframe src="`+u+`/frame"></iframe><object data="`+u+`/object"></object>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="">
<script>document.body.textContent = "a script ran"; new Image().src = "`+u+`/script.png";</script></body></html>`, Options{})
			if n := hits.Load(); n != 0 {
				t.Errorf("the document reached the network %d times", n)
			}
			text := run(t, "pdftotext", path, "-")
			if !strings.Contains(text, "the whole document") || strings.Contains(text, "a script ran") {
				t.Errorf("the PDF shows %q, want the document as written, no script run", text)
			}
		})
	}
}

// outsideAddress is an IPv4 address of the machine other than loopback.
func outsideAddress(t *testing.T) string {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range addrs {
		if ip, ok := a.(*net.IPNet); ok && ip.IP.To4() != nil && !ip.IP.IsLoopback() {
			return ip.IP.String()
		}
	}
	t.Skip("the machine has no address other than loopback")
	return ""
}

// TestPrintBusy: with MaxPrints prints under way, another is refused with
// ErrBusy at once, and goes through when a slot is free.
func TestPrintBusy(t *testing.T) {
	for range MaxPrints {
		printing <- struct{}{}
	}
	_, err := Print(context.Background(), Browser{Path: "/nonexistent/chromium"}, []byte("<p>x</p>"), Options{})
	if !errors.Is(err, ErrBusy) {
		t.Errorf("a print beyond %d: err = %v, want ErrBusy", MaxPrints, err)
	}
	<-printing
	_, err = Print(context.Background(), Browser{Path: "/nonexistent/chromium"}, []byte("<p>x</p>"), Options{})
	if err == nil || errors.Is(err, ErrBusy) {
		t.Errorf("a print with a free slot: err = %v, want the missing Chromium", err)
	}
	for range MaxPrints - 1 {
		<-printing
	}
}

func TestSetInfoRefusesWhatItCannotUpdate(t *testing.T) {
	for _, tc := range []struct{ name, doc string }{
		{"no startxref", "%PDF-1.4\n1 0 obj<<>>endobj\n"},
		{"cross-reference stream", "%PDF-1.5\n1 0 obj<</Type/XRef/Size 2/Root 1 0 R>>stream\nendstream endobj\nstartxref\n9\n%%EOF\n"},
		{"no root", "%PDF-1.4\ntrailer\n<</Size 3>>\nstartxref\n9\n%%EOF\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := SetInfo([]byte(tc.doc), Info{Title: "x"}); err == nil {
				t.Error("SetInfo accepted it")
			}
		})
	}
}

// TestPrintRemoteLeavesNothing: a print in a running Chromium closes its
// tab and disposes of its browser context, so the browser is left with
// the pages it had; one at an address where no browser listens fails
// with that address.
func TestPrintRemoteLeavesNothing(t *testing.T) {
	ws := startDevTools(t, chromium(t))
	u, err := url.Parse(ws)
	if err != nil {
		t.Fatal(err)
	}
	pages := func() int {
		resp, err := http.Get("http://" + u.Host + "/json/list")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var targets []struct{ Type string }
		if err := json.NewDecoder(resp.Body).Decode(&targets); err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, target := range targets {
			if target.Type == "page" {
				n++
			}
		}
		return n
	}
	before := pages()
	printed(t, Browser{URL: ws}, "<p>x</p>", Options{})
	if after := pages(); after != before {
		t.Errorf("the browser had %d pages before the print and %d after", before, after)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	nobody := "ws://" + ln.Addr().String()
	ln.Close()
	if _, err := Print(context.Background(), Browser{URL: nobody}, []byte("<p>x</p>"), Options{}); err == nil || !strings.Contains(err.Error(), ln.Addr().String()) {
		t.Errorf("a print at %s where no browser listens: err = %v, want one naming the address", nobody, err)
	}
}
