package server

import (
	"bufio"
	"context"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tipline/tipline/intake"
)

// serveLoopback serves ts's listeners on loopback ports, with the real
// http.Servers and their timeouts, until the test ends; it returns the
// intake listener's address and a function that shuts the server down
// and waits for every request in flight.
func serveLoopback(t *testing.T, ts *testServer) (addr string, shutdown func()) {
	t.Helper()
	if err := ts.Listen(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ts.Serve(ctx) }()
	var once sync.Once
	shutdown = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Serve = %v", err)
			}
		})
	}
	t.Cleanup(shutdown)
	return ts.Addr("intake"), shutdown
}

// slowUpload is a source's no-JavaScript post on a raw TCP connection
// that, after a quick start, sends its body a byte at a time.
type slowUpload struct {
	conn   net.Conn
	answer chan slowAnswer
	stop   chan struct{}
}

// slowAnswer is what the server answered, or why there was no answer.
type slowAnswer struct {
	status int
	body   string
	err    error
}

// startSlowUpload opens the post: the headers announce a 1 MiB form; its
// first fields and the start of a file arrive at once, then one byte every
// 20 ms until the server answers or stop.
func startSlowUpload(t *testing.T, addr string, lang intake.Lang) *slowUpload {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	const boundary = "slowclientboundary"
	start := "--" + boundary + "\r\nContent-Disposition: form-data; name=\"narrative\"\r\n\r\nH100 servers relabelled as routers. " + canary + "\r\n" +
		"--" + boundary + "\r\nContent-Disposition: form-data; name=\"evidence\"; filename=\"invoice.pdf\"\r\nContent-Type: application/pdf\r\n\r\n" +
		"%PDF-1.4 invoice " + canary + strings.Repeat(" ", 4096)
	head := fmt.Sprintf("POST /desk/export-controls/submit?lang=%s HTTP/1.1\r\nHost: %s\r\n"+
		"Content-Type: multipart/form-data; boundary=%s\r\nContent-Length: %d\r\n\r\n", lang, addr, boundary, 1<<20)
	if _, err := io.WriteString(conn, head+start); err != nil {
		t.Fatal(err)
	}
	u := &slowUpload{conn: conn, answer: make(chan slowAnswer, 1), stop: make(chan struct{})}
	answered := make(chan struct{})
	go func() {
		defer close(answered)
		// A bound against a hanging test, not a measured time.
		conn.SetReadDeadline(time.Now().Add(2 * time.Minute))
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			u.answer <- slowAnswer{err: err}
			return
		}
		body, err := io.ReadAll(resp.Body)
		u.answer <- slowAnswer{status: resp.StatusCode, body: string(body), err: err}
	}()
	go func() {
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-answered:
				return
			case <-u.stop:
				return
			case <-tick.C:
				if _, err := conn.Write([]byte{'x'}); err != nil {
					return
				}
			}
		}
	}()
	return u
}

// TestSlowUploadIsCut is reproduction 11 of issue 11: upload routes allowed
// two hours with no minimum data rate, so a client trickling its body held
// a connection (and a submission slot) for that long. Now an upload that
// falls below the minimum rate after the grace period is cut with a clear
// answer in the source's language, and nothing of it is kept. The test
// uses a short grace and a high rate so that it is not slow itself.
func TestSlowUploadIsCut(t *testing.T) {
	onBothBackends(t, func(t *testing.T, ts *testServer) {
		addGPGKey(t, ts)
		cfg := ts.deps.Config
		cfg.UploadGrace = 200 * time.Millisecond
		cfg.UploadMinRate = 1 << 20
		cfg.UploadTimeout = time.Hour // so that only the rate can cut the upload
		addr, shutdown := serveLoopback(t, ts)
		for _, lang := range []intake.Lang{intake.EN, intake.ZH} {
			a := <-startSlowUpload(t, addr, lang).answer
			if a.err != nil {
				t.Fatalf("%s: no answer to a slow upload: %v", lang, a.err)
			}
			if a.status != http.StatusUnprocessableEntity {
				t.Errorf("%s: slow upload = %d, want 422\n%s", lang, a.status, a.body)
			}
			if want := html.EscapeString(intake.T(lang, "error_upload_too_slow")); !strings.Contains(a.body, want) {
				t.Errorf("%s: the answer does not say %q\n%s", lang, want, a.body)
			}
		}
		shutdown()
		assertNoTip(t, ts)
		assertNoCanary(t, ts, ts.blobDir)
	})
}

// TestPagesAnswerWhileUploadsHang: while slow uploads hang (a grace period
// long enough that none is cut), the start page and a desk's form still
// answer. Afterwards the abandoned uploads have left nothing behind.
func TestPagesAnswerWhileUploadsHang(t *testing.T) {
	onBothBackends(t, func(t *testing.T, ts *testServer) {
		addGPGKey(t, ts)
		ts.deps.Config.UploadGrace = time.Hour
		addr, shutdown := serveLoopback(t, ts)
		var uploads []*slowUpload
		for range 8 {
			uploads = append(uploads, startSlowUpload(t, addr, intake.EN))
		}
		client := &http.Client{Timeout: time.Minute} // a bound against a hanging test
		for _, path := range []string{"/", "/desk/export-controls", "/", "/healthz", "/readyz"} {
			resp, err := client.Get("http://" + addr + path)
			if err != nil {
				t.Fatalf("GET %s while uploads hang: %v", path, err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("GET %s while uploads hang = %d, want 200", path, resp.StatusCode)
			}
		}
		for _, u := range uploads {
			select {
			case a := <-u.answer:
				t.Errorf("a slow upload was answered within its grace period: %d %v", a.status, a.err)
			default:
			}
			close(u.stop)
			u.conn.Close() // the source gives up
		}
		shutdown() // waits for the uploads' handlers
		assertNoTip(t, ts)
	})
}
