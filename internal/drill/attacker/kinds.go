package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"math/rand/v2"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tipline/tipline/crypto"
)

// The kinds of attack. Each makes one attempt and tallies what the server
// answered under its name ("form/one-field") and, for attacks of several
// requests, the step ("upload/abandoned/open"). Workers repeat attempts
// until the attack stops. The comment on each says what a server that keeps
// its promises answers.

// kind is one kind of attack with its number of workers.
type kind struct {
	name    string
	workers int
	bulk    bool // sends bulk: stops when -max-bytes are sent
	attempt func(ctx context.Context)
}

func (a *attacker) kinds() []kind {
	w := a.cfg.workers
	return []kind{
		{"form/one-field", 2 * w, false, a.formOneField},
		{"form/many-files", w, true, a.formManyFiles},
		{"form/truncated", w, true, a.formTruncated},
		{"form/junk-tip", w, false, a.formJunkTip},
		{"upload/no-pow", w, false, a.uploadNoPow},
		{"upload/oversized", w, true, a.uploadOversized},
		{"upload/abandoned", w, true, a.uploadAbandoned},
		{"upload/out-of-order", w, true, a.uploadOutOfOrder},
		{"upload/plaintext", w, true, a.uploadPlaintext},
		{"mailbox/guess", 2 * w, false, a.mailboxGuess},
		{"staff/unknown-email", a.cfg.logins / 2, false, a.loginUnknownEmail},
		{"staff/wrong-password", a.cfg.logins - a.cfg.logins/2, false, a.loginWrongPassword},
		{"slow/form", a.cfg.slow / 2, false, a.slowForm},
		{"slow/chunk", a.cfg.slow - a.cfg.slow/2, false, a.slowChunk},
	}
}

// Sizes of the upload attacks.
const (
	chunkSize      = 6 << 20   // asked for every upload session: the smallest the server takes
	oversizedSize  = 2 << 20   // declared by upload/oversized, which sends up to 16 chunks
	abandonedSize  = 4 << 20   // declared by upload/abandoned, which sends abandonedSent and leaves
	abandonedSent  = 3 << 20   // the whole of that upload: its chunk 0, and last
	outOfOrderSize = 8 << 20   // declared by upload/out-of-order: room for a chunk 1
	plaintextSize  = 256 << 10 // one chunk of plaintext in an "encrypted" packet
	truncatedFile  = 64 << 10  // the file of a truncated no-JavaScript post
	slowBodyLength = 1 << 20   // Content-Length announced by a slow client
	slowStep       = 8         // bytes a slow client sends each second
)

// form/one-field: a no-JavaScript post with a single answer and no
// narrative. Refused with 422; it must not count against any limit.
func (a *attacker) formOneField(ctx context.Context) {
	ct, body := multipartBody([]part{{name: "lang", value: "en"}, {name: "violation", value: "smuggling"}})
	a.formPost(ctx, "form/one-field", ct, body)
}

// form/many-files: one post with thousands of tiny files. Refused past
// the file limit, cheaply, with nothing stored.
func (a *attacker) formManyFiles(ctx context.Context) {
	a.formPost(ctx, "form/many-files", a.manyFilesCT, a.manyFiles)
}

// manyFilesForm is the body of form/many-files: a valid narrative and n
// files of one byte each.
func manyFilesForm(n int) (string, []byte) {
	parts := []part{{name: "lang", value: "en"}, {name: "narrative", value: "many files"}}
	for i := range n {
		parts = append(parts, part{name: "evidence", filename: fmt.Sprintf("f%05d.txt", i), value: "x"})
	}
	return multipartBody(parts)
}

// form/junk-tip: a valid tip of junk. Accepted (a tip is a tip), flagged
// when tips arrive faster than the desk's soft limit.
func (a *attacker) formJunkTip(ctx context.Context) {
	ct, body := multipartBody([]part{{name: "lang", value: "en"}, {name: "narrative", value: "junk " + strconv.Itoa(rand.IntN(1e9))}})
	a.formPost(ctx, "form/junk-tip", ct, body)
}

// form/truncated: a post whose body stops halfway, as when a connection
// drops: the server sees the end of its input early. Refused, nothing kept.
func (a *attacker) formTruncated(ctx context.Context) {
	file := make([]byte, truncatedFile)
	randomFill(file)
	ct, body := multipartBody([]part{{name: "lang", value: "en"}, {name: "narrative", value: "cut short"},
		{name: "evidence", filename: "cut.bin", value: string(file)}})
	conn, ok := a.rawRequest(ctx, "form/truncated", "POST", a.deskSubmitPath(), ct, int64(len(body)), body[:len(body)/2])
	if !ok {
		return
	}
	defer conn.Close()
	conn.(*net.TCPConn).CloseWrite()
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	a.count("form/truncated", readOutcome(ctx, conn))
}

// upload/no-pow: opening upload sessions without a solved proof of work:
// none, a made-up token, and a real token with unsolved counters.
// Refused, and nothing is opened.
func (a *attacker) uploadNoPow(ctx context.Context) {
	req := map[string]any{"desk": a.cfg.desk, "chunk_size": chunkSize, "size": abandonedSize}
	switch rand.IntN(3) {
	case 1:
		req["pow"] = map[string]any{"token": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "counters": []uint64{0}}
	case 2:
		status, body := a.apiJSON(ctx, "upload/no-pow/pow", http.MethodGet, a.powPath(abandonedSize), nil)
		if status != http.StatusOK {
			return
		}
		var ch struct{ Token string }
		json.Unmarshal(body, &ch)
		req["pow"] = map[string]any{"token": ch.Token, "counters": []uint64{0, 1, 2, 3, 4, 5, 6, 7}}
	}
	if a.noSizeField.Load() {
		delete(req, "size")
	}
	a.apiJSON(ctx, "upload/no-pow", http.MethodPost, "/api/v1/uploads", req)
}

// upload/oversized: a session that declares 2 MiB, sends them as its
// chunk 0, then chunk after chunk beyond them, up to 16. The server takes
// no more than declared.
func (a *attacker) uploadOversized(ctx context.Context) {
	id, cs, ok := a.openUpload(ctx, "upload/oversized", oversizedSize)
	if !ok {
		return
	}
	prefix := a.disguisedPrefix(oversizedSize)
	for n := range 16 {
		step, size := "upload/oversized/chunk", cs
		if n == 0 {
			size = oversizedSize
		}
		if int64(n)*cs >= oversizedSize {
			step = "upload/oversized/chunk-beyond-size"
		}
		if a.putChunk(ctx, step, id, n, chunkBytes(prefix, size, n, randomFill)) != http.StatusOK {
			return
		}
	}
}

// upload/abandoned: a session that declares 4 MiB, sends a well-formed
// start (the desk's real key packets, then random bytes) of 3 MiB and is
// never finished. It holds pending bytes until its lifetime ends; the
// pending budget bounds what all of them hold.
func (a *attacker) uploadAbandoned(ctx context.Context) {
	id, _, ok := a.openUpload(ctx, "upload/abandoned", abandonedSize)
	if !ok {
		return
	}
	a.putChunk(ctx, "upload/abandoned/chunk", id, 0, chunkBytes(a.disguisedPrefix(abandonedSize), abandonedSent, 0, randomFill))
}

// upload/out-of-order: chunk 1 of a session whose chunk 0 never comes.
// What the server holds for such gaps stays within the session's
// declared size and the pending budget.
func (a *attacker) uploadOutOfOrder(ctx context.Context) {
	id, cs, ok := a.openUpload(ctx, "upload/out-of-order", outOfOrderSize)
	if !ok {
		return
	}
	a.putChunk(ctx, "upload/out-of-order/chunk", id, 1, chunkBytes(a.disguisedPrefix(outOfOrderSize), cs, 1, randomFill))
}

// upload/plaintext: the desk's real key packets, then an encrypted data
// packet whose body is plaintext. Refused at the chunk, so that no
// plaintext is ever stored; every other attempt also tries to submit it.
func (a *attacker) uploadPlaintext(ctx context.Context) {
	id, _, ok := a.openUpload(ctx, "upload/plaintext", plaintextSize)
	if !ok {
		return
	}
	text := []byte(a.cfg.marker + " This tip is plain text dressed up as ciphertext. ")
	fill := func(p []byte) {
		for i := 0; i < len(p); i += copy(p[i:], text) {
		}
	}
	if a.putChunk(ctx, "upload/plaintext/chunk", id, 0, chunkBytes(a.disguisedPrefix(plaintextSize), plaintextSize, 0, fill)) != http.StatusOK {
		return
	}
	if rand.IntN(2) == 0 {
		return // abandoned: the plaintext would stay if the chunk had been stored
	}
	pow, ok := a.solvePow(ctx, "upload/plaintext/submit", 0)
	if !ok {
		return
	}
	a.apiJSON(ctx, "upload/plaintext/submit", http.MethodPost, "/api/v1/submissions",
		map[string]any{"desk": a.cfg.desk, "manifest": id, "files": []string{}, "lang": "en", "pow": pow})
}

// mailbox/guess: wrong codenames of the right form, so that each costs the
// server a full derivation, without and with JavaScript. Refused; a real
// source's codename still works.
func (a *attacker) mailboxGuess(ctx context.Context) {
	c, err := crypto.NewCodename()
	if err != nil {
		return
	}
	form := url.Values{"codename": {c.Reveal()}}.Encode()
	path := "/mailbox?lang=en"
	if rand.IntN(2) == 0 {
		path = "/mailbox/unlock?lang=en"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.cfg.intake+path, strings.NewReader(form))
	if err != nil {
		return
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	formHeaders(req)
	a.send(ctx, "mailbox/guess", req, int64(len(form)))
}

// staff/unknown-email: logins with made-up emails, one in ten of them 20 KB
// long. Refused, in bounded memory, with nothing of the email written.
func (a *attacker) loginUnknownEmail(ctx context.Context) {
	local := "nobody" + strconv.Itoa(rand.IntN(1e9))
	if rand.IntN(10) == 0 {
		local = strings.Repeat("x", 20_000)
	}
	a.login(ctx, "staff/unknown-email", local+"@drill.invalid")
}

// staff/wrong-password: logins as the real staff member with wrong
// passwords. Refused, slowed, but never locking the real person out.
func (a *attacker) loginWrongPassword(ctx context.Context) {
	a.login(ctx, "staff/wrong-password", a.cfg.staffEmail)
}

func (a *attacker) login(ctx context.Context, kind, email string) {
	body := map[string]string{"email": email, "password": "guess-" + strconv.Itoa(rand.IntN(1e9)), "totp": fmt.Sprintf("%06d", rand.IntN(1e6))}
	b, _ := json.Marshal(body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.cfg.casework+"/api/v1/session", bytes.NewReader(b))
	if err != nil {
		return
	}
	req.Header.Set("Content-Type", "application/json")
	a.send(ctx, kind, req, int64(len(b)))
}

// slow/form: a no-JavaScript post announcing 1 MiB and sending 8 bytes a
// second. Cut by the server once the grace period is over; meanwhile it
// holds no submission slot and pages stay fast.
func (a *attacker) slowForm(ctx context.Context) {
	boundary := "drillslowboundary"
	head := []byte("--" + boundary + "\r\nContent-Disposition: form-data; name=\"narrative\"\r\n\r\n")
	conn, ok := a.rawRequest(ctx, "slow/form", "POST", a.deskSubmitPath(), "multipart/form-data; boundary="+boundary, slowBodyLength, head)
	if !ok {
		return
	}
	a.trickle(ctx, "slow/form", conn)
}

// slow/chunk: an upload chunk announcing 1 MiB and sending 8 bytes a
// second after a well-formed start.
func (a *attacker) slowChunk(ctx context.Context) {
	id, _, ok := a.openUpload(ctx, "slow/chunk", abandonedSize)
	if !ok {
		return
	}
	prefix := a.disguisedPrefix(abandonedSize)
	conn, ok := a.rawRequest(ctx, "slow/chunk", "PUT", "/api/v1/uploads/"+id+"/chunks/0", "application/octet-stream", slowBodyLength, prefix)
	if !ok {
		return
	}
	a.trickle(ctx, "slow/chunk", conn)
}

// trickle sends slowStep random bytes a second on conn until the attack
// stops ("held-to-end", or "held-past-limit" when the server let it send
// for longer than -slow-limit) or the server answers or closes
// ("cut:STATUS").
func (a *attacker) trickle(ctx context.Context, kind string, conn net.Conn) {
	defer conn.Close()
	start := time.Now()
	answered := make(chan string, 1)
	go func() { answered <- readOutcome(ctx, conn) }()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	step := make([]byte, slowStep)
	for {
		select {
		case <-ctx.Done():
			if a.cfg.slowLimit > 0 && time.Since(start) > a.cfg.slowLimit {
				a.count(kind, "held-past-limit")
			} else {
				a.count(kind, "held-to-end")
			}
			return
		case got := <-answered:
			a.count(kind, "cut:"+got)
			return
		case <-tick.C:
			a.spend(slowStep)
			randomFill(step)
			if _, err := conn.Write(step); err != nil {
				conn.SetReadDeadline(time.Now().Add(time.Second))
				a.count(kind, "cut:"+<-answered)
				return
			}
		}
	}
}

// ---------------------------------------------------------------- helpers

// deskSubmitPath is where the no-JavaScript form posts.
func (a *attacker) deskSubmitPath() string { return "/desk/" + a.cfg.desk + "/submit?lang=en" }

// formPost posts a multipart form to the desk as Tor Browser does with the
// page's own form.
func (a *attacker) formPost(ctx context.Context, kind, ct string, body []byte) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.cfg.intake+a.deskSubmitPath(), bytes.NewReader(body))
	if err != nil {
		return
	}
	req.Header.Set("Content-Type", ct)
	formHeaders(req)
	a.send(ctx, kind, req, int64(len(body)))
}

// formHeaders are the headers a browser sends with a site's own form
// under the no-referrer policy.
func formHeaders(req *http.Request) {
	req.Header.Set("Origin", "null")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Sec-Fetch-Mode", "navigate")
}

// apiJSON sends v as JSON to the intake API as the page's script does, and
// returns the status (0 when the request failed) and the body.
func (a *attacker) apiJSON(ctx context.Context, kind, method, path string, v any) (int, []byte) {
	var body io.Reader
	var n int64
	if v != nil {
		b, _ := json.Marshal(v)
		body, n = bytes.NewReader(b), int64(len(b))
	}
	req, err := http.NewRequestWithContext(ctx, method, a.cfg.intake+path, body)
	if err != nil {
		return 0, nil
	}
	if v != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Origin", a.cfg.intake)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return a.send(ctx, kind, req, n)
}

// send makes one request within the budgets, tallies its outcome under
// kind and returns the status (0 when it failed) and up to 64 KiB of body.
func (a *attacker) send(ctx context.Context, kind string, req *http.Request, bodyBytes int64) (int, []byte) {
	if !a.take() {
		return 0, nil
	}
	a.spend(bodyBytes)
	resp, err := a.client.Do(req)
	if err != nil {
		a.count(kind, outcome(ctx, 0, err))
		return 0, nil
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	io.Copy(io.Discard, resp.Body)
	a.count(kind, outcome(ctx, resp.StatusCode, nil))
	return resp.StatusCode, body
}

// powPath is where the challenge for a submission to the desk is fetched,
// or with size > 0 the one for opening an upload session of size bytes.
func (a *attacker) powPath(size int64) string {
	q := url.Values{"desk": {a.cfg.desk}}
	if size > 0 {
		q.Set("size", strconv.FormatInt(size, 10))
	}
	return "/api/v1/pow?" + q.Encode()
}

// solvePow fetches a proof-of-work challenge (for an upload session of
// size bytes, or with size 0 for a submission) and solves it, unless it is
// harder than -max-pow-bits.
func (a *attacker) solvePow(ctx context.Context, kind string, size int64) (map[string]any, bool) {
	status, body := a.apiJSON(ctx, kind+"/pow", http.MethodGet, a.powPath(size), nil)
	if status != http.StatusOK {
		return nil, false
	}
	var ch struct {
		Token        string `json:"token"`
		Bits         int    `json:"bits"`
		Solutions    int    `json:"solutions"`
		SolutionBits int    `json:"solution_bits"`
	}
	if json.Unmarshal(body, &ch) != nil {
		a.count(kind+"/pow", "unreadable")
		return nil, false
	}
	if ch.Bits > a.cfg.maxPowBits {
		a.count(kind+"/pow", "too-hard")
		select { // and asks again a little later
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
		return nil, false
	}
	start := time.Now()
	defer func() { a.powNanos.Add(int64(time.Since(start))) }()
	buf := []byte(ch.Token)
	var counters []uint64
	for counter := uint64(0); ; counter++ {
		if counter%4096 == 0 && ctx.Err() != nil {
			return nil, false
		}
		sum := sha256.Sum256(strconv.AppendUint(buf, counter, 10))
		if leadingZeroBits(sum[:]) < ch.SolutionBits {
			continue
		}
		if counters = append(counters, counter); len(counters) == ch.Solutions {
			a.powSolved.Add(1)
			return map[string]any{"token": ch.Token, "counters": counters}, true
		}
	}
}

func leadingZeroBits(b []byte) int {
	n := 0
	for _, c := range b {
		if c != 0 {
			return n + bits.LeadingZeros8(c)
		}
		n += 8
	}
	return n
}

// openUpload solves a proof of work and opens an upload session that
// declares size bytes; it returns the session's id and chunk size. A
// server that does not know the "size" field is asked again without it
// (and the report says so).
func (a *attacker) openUpload(ctx context.Context, kind string, size int64) (string, int64, bool) {
	pow, ok := a.solvePow(ctx, kind+"/open", size)
	if !ok {
		return "", 0, false
	}
	req := map[string]any{"desk": a.cfg.desk, "chunk_size": chunkSize, "pow": pow}
	if !a.noSizeField.Load() {
		req["size"] = size
	}
	status, body := a.apiJSON(ctx, kind+"/open", http.MethodPost, "/api/v1/uploads", req)
	if status == http.StatusUnprocessableEntity && req["size"] != nil && bytes.Contains(body, []byte("JSON")) {
		a.noSizeField.Store(true)
		delete(req, "size")
		status, body = a.apiJSON(ctx, kind+"/open", http.MethodPost, "/api/v1/uploads", req)
	}
	if status != http.StatusCreated {
		return "", 0, false
	}
	var u struct {
		ID        string `json:"id"`
		ChunkSize int64  `json:"chunk_size"`
	}
	if json.Unmarshal(body, &u) != nil || u.ID == "" || u.ChunkSize <= 0 {
		a.count(kind+"/open", "unreadable")
		return "", 0, false
	}
	return u.ID, u.ChunkSize, true
}

// putChunk sends chunk n of an upload session and returns the status.
func (a *attacker) putChunk(ctx context.Context, kind, id string, n int, data []byte) int {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, a.cfg.intake+"/api/v1/uploads/"+id+"/chunks/"+strconv.Itoa(n), bytes.NewReader(data))
	if err != nil {
		return 0
	}
	req.Header.Set("Content-Type", "application/octet-stream")
	req.Header.Set("Origin", a.cfg.intake)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	status, _ := a.send(ctx, kind, req, int64(len(data)))
	return status
}

// disguisedPrefix is how every disguised message of size bytes starts:
// the desk's real key packets, the header of a SEIPD packet that runs to
// the end of the message, and its version octet.
func (a *attacker) disguisedPrefix(size int64) []byte {
	p := bytes.Clone(a.keyPackets)
	bodyLen := size - int64(len(p)) - 6
	p = append(p, 0xc0|18, 0xff) // new-format tag 18, five-octet length
	p = binary.BigEndian.AppendUint32(p, uint32(bodyLen))
	return append(p, 1) // SEIPD v1
}

// chunkBytes returns chunk n, of size bytes, of a message that starts with
// prefix and continues with what fill writes.
func chunkBytes(prefix []byte, size int64, n int, fill func([]byte)) []byte {
	b := make([]byte, size)
	fill(b)
	if n == 0 {
		copy(b, prefix)
	}
	return b
}

// randomFill fills p with random bytes, as ciphertext looks.
func randomFill(p []byte) {
	var seed [32]byte
	binary.LittleEndian.PutUint64(seed[:], rand.Uint64())
	binary.LittleEndian.PutUint64(seed[8:], rand.Uint64())
	rand.NewChaCha8(seed).Read(p)
}

// part is one part of a multipart form.
type part struct {
	name, filename, value string
}

func multipartBody(parts []part) (string, []byte) {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for _, p := range parts {
		if p.filename != "" {
			fw, _ := w.CreateFormFile(p.name, p.filename)
			io.WriteString(fw, p.value)
		} else {
			w.WriteField(p.name, p.value)
		}
	}
	w.Close()
	return w.FormDataContentType(), body.Bytes()
}

// rawRequest opens a connection to the intake listener and sends a request
// head announcing length bytes of body, then the first bytes of it; the
// caller sends the rest, or not.
func (a *attacker) rawRequest(ctx context.Context, kind, method, path, ct string, length int64, first []byte) (net.Conn, bool) {
	if !a.take() {
		return nil, false
	}
	a.spend(int64(len(first)))
	u, _ := url.Parse(a.cfg.intake)
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", u.Host)
	if err != nil {
		a.count(kind, outcome(ctx, 0, err))
		return nil, false
	}
	head := fmt.Sprintf("%s %s HTTP/1.1\r\nHost: %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n"+
		"Origin: %s\r\nSec-Fetch-Site: same-origin\r\n\r\n", method, path, u.Host, ct, length, originFor(method, a.cfg.intake))
	if _, err := conn.Write(append([]byte(head), first...)); err != nil {
		conn.Close()
		a.count(kind, outcome(ctx, 0, err))
		return nil, false
	}
	return conn, true
}

// originFor is the Origin a browser sends: "null" for a form post under
// the no-referrer policy, the site's origin for the script's requests.
func originFor(method, site string) string {
	if method == "POST" {
		return "null"
	}
	return site
}

// readOutcome waits for the server's answer on a raw connection: its
// status, "closed" when it closed the connection without one.
func readOutcome(ctx context.Context, conn net.Conn) string {
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		var ne net.Error
		switch {
		case ctx.Err() != nil:
			return "stopped"
		case errors.As(err, &ne) && ne.Timeout():
			return "no-answer"
		}
		return "closed"
	}
	resp.Body.Close()
	return strconv.Itoa(resp.StatusCode)
}
