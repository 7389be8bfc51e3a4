package server

import (
	"bufio"
	"fmt"
	"html/template"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tipline/tipline/crypto"
	"github.com/tipline/tipline/intake"
)

// refusedFormFile is the size of the file in each refused form: more than
// loopback's socket buffers hold, so that a server that answers and closes
// without reading it breaks the sender's writes.
const refusedFormFile = 24 << 20

// postLargeForm posts fields and a file of refusedFormFile bytes to target
// over a raw TCP connection, as a browser without JavaScript does: the
// whole body, in pieces with short pauses (a connection a little slower
// than loopback), and only then the answer. It returns the status and
// page, or the error of the first write or of reading the answer.
func postLargeForm(t *testing.T, addr, target string, header http.Header, fields [][2]string) (int, string, error) {
	t.Helper()
	var head strings.Builder
	mw := multipart.NewWriter(&head)
	for _, f := range fields {
		mw.WriteField(f[0], f[1])
	}
	mw.CreateFormFile("evidence", "ledger.csv")
	tail := "\r\n--" + mw.Boundary() + "--\r\n"
	length := head.Len() + refusedFormFile + len(tail)

	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// A bound against a hanging test, not a measured time.
	conn.SetDeadline(time.Now().Add(2 * time.Minute))
	var req strings.Builder
	fmt.Fprintf(&req, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n", target, addr, mw.FormDataContentType(), length)
	for name, values := range header {
		for _, v := range values {
			fmt.Fprintf(&req, "%s: %s\r\n", name, v)
		}
	}
	req.WriteString("\r\n" + head.String())
	if _, err := io.WriteString(conn, req.String()); err != nil {
		return 0, "", fmt.Errorf("writing the head: %w", err)
	}
	piece := []byte(strings.Repeat("2024-03-01,H100,router,Shenzhen\n", (256<<10)/32))
	for sent := 0; sent < refusedFormFile; sent += len(piece) {
		if _, err := conn.Write(piece); err != nil {
			return 0, "", fmt.Errorf("writing the file at byte %d: %w", sent, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := io.WriteString(conn, tail); err != nil {
		return 0, "", fmt.Errorf("writing the end: %w", err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return 0, "", fmt.Errorf("reading the answer: %w", err)
	}
	defer resp.Body.Close()
	page, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(page), err
}

// TestRefusedFormGetsItsAnswer is what the PostgreSQL restart drill found
// at full scale: 7 of 100 no-JavaScript forms of 4 MiB got a broken pipe
// instead of their 503, because the server answered before their bodies
// had arrived and then closed the connection (net/http reads at most
// 256 KiB of a body its handler left unread). A source saw a connection
// error, not "send it again". Now a form refused before its end is read
// to its end, and its sender gets the page: the storage-full refusal
// before the form is read, the codename page again for a form sent a
// second time (refused at its first field), and a mailbox message.
func TestRefusedFormGetsItsAnswer(t *testing.T) {
	ts := newTestServer(t)
	ts.deps.Config.MaxFormUpload = 64 << 20
	addGPGKey(t, ts)
	token := strings.Repeat("6b", crypto.RetryTokenSize)
	first := postNoJS(t, ts, "zh", append([]formPart{{name: "retry", value: token}}, noJSForm("rows")...))
	var words []string
	for _, m := range regexp.MustCompile(`<span>([a-z-]+)</span>`).FindAllStringSubmatch(first.Body.String(), -1) {
		words = append(words, m[1])
	}
	if first.Code != http.StatusOK || len(words) != crypto.CodenameWords {
		t.Fatalf("first tip = %d, %d codename words", first.Code, len(words))
	}
	r := httptest.NewRequest(http.MethodPost, "/mailbox?lang=zh", strings.NewReader(url.Values{"codename": {strings.Join(words, " ")}}.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	login := ts.do("intake", r)
	if len(login.Result().Cookies()) != 1 {
		t.Fatalf("mailbox login = %d, no session", login.Code)
	}
	session := login.Result().Cookies()[0]
	addr, _ := serveLoopback(t, ts)

	storageFull := template.HTMLEscapeString(intake.T(intake.ZH, "error_storage_full"))
	cases := []struct {
		name, target string
		before       func()
		header       http.Header
		fields       [][2]string
		status       int
		want         string
	}{{
		name:   "sent again",
		target: "/desk/export-controls/submit?lang=zh",
		fields: [][2]string{{"retry", token}, {"lang", "zh"}, {"narrative", "H100 servers relabelled as routers. " + canary}},
		status: http.StatusOK,
		want:   "<span>" + words[0] + "</span>",
	}, {
		name:   "storage full",
		target: "/desk/export-controls/submit?lang=zh",
		before: func() { ts.intake.Limits.CommittedBytesPerHour = 1 },
		fields: [][2]string{{"lang", "zh"}, {"narrative", "H100 servers relabelled as routers. " + canary}},
		status: http.StatusServiceUnavailable,
		want:   storageFull,
	}, {
		name:   "mailbox message while storage is full",
		target: "/mailbox/messages?lang=zh",
		header: http.Header{"Cookie": {session.String()}, "Sec-Fetch-Site": {"same-origin"}},
		fields: [][2]string{{"message", "More invoices from the forwarder."}},
		status: http.StatusServiceUnavailable,
		want:   storageFull,
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.before != nil {
				tc.before()
			}
			status, page, err := postLargeForm(t, addr, tc.target, tc.header, tc.fields)
			if err != nil {
				t.Fatalf("the sender did not get its answer: %v", err)
			}
			if status != tc.status || !strings.Contains(page, tc.want) {
				t.Errorf("answer = %d, want %d with %q\n%.800s", status, tc.status, tc.want, page)
			}
		})
	}
	var n int
	ts.db.Raw("SELECT count(*) FROM submissions").Scan(&n)
	if n != 1 {
		t.Errorf("%d submissions, want the first alone", n)
	}
}
