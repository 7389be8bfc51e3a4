package drill

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tipline/tipline/blob"
	"github.com/tipline/tipline/crypto"
	"github.com/tipline/tipline/intake"
	"github.com/tipline/tipline/internal/testenv"
)

// What the fault drills (fault_*_test.go) share: a tipline node that a
// drill kills and starts again, sources that send tips without JavaScript
// and through the browser's upload API, and the checks that nothing shown
// to a source was lost.

// faultScale is the size of the fault drills: small in `make test`,
// bigger with TIPLINE_DRILL_SCALE=full.
type faultScale struct {
	name          string
	formTips      int   // concurrent tips sent without JavaScript
	formBytes     int   // the evidence file of each
	sessions      int   // concurrent browser upload sessions
	sessionBytes  int   // the evidence file of each: three chunks or more
	bytesPerSec   int   // how fast each source sends a form: slow enough to be caught in flight
	chunksPerSec  int   // how fast each session sends its chunks, in bytes: the same
	maxFormUpload int64 // TIPLINE_MAX_FORM_UPLOAD_BYTES of the node
	// pendingMaxAge is the kill drill's TIPLINE_PENDING_MAX_AGE: short, so
	// that the janitor removes what the kill left within the drill, but
	// longer than any upload of the drill takes (a slower one is refused
	// at its commit, its first file taken by the janitor).
	pendingMaxAge time.Duration
}

func faultScaleOf() faultScale {
	if os.Getenv(scaleEnv) == "full" {
		return faultScale{name: "full", formTips: 100, formBytes: 4 << 20, sessions: 20, sessionBytes: 32 << 20, bytesPerSec: 2 << 20, chunksPerSec: 2 << 20,
			maxFormUpload: 8 << 20, pendingMaxAge: 2 * time.Minute}
	}
	return faultScale{name: "small", formTips: 20, formBytes: 256 << 10, sessions: 5, sessionBytes: 3*faultChunkSize - 1<<20, bytesPerSec: 256 << 10,
		chunksPerSec: 2 << 20, maxFormUpload: 1 << 20, pendingMaxAge: 15 * time.Second}
}

// faultChunkSize is the chunk size of the drills' upload sessions: the
// smallest, so that a session is several chunks.
const faultChunkSize = intake.MinChunkSize

// ---------------------------------------------------------------- node

// faultNode is a `tipline serve` of a fault drill, set up with the CLI as
// an admin would (a GnuPG key as the desk's key), which the drill stops,
// kills and starts again on the same ports and data.
type faultNode struct {
	t                *testing.T
	bin              string
	env              []string
	gpg              *testenv.GPG
	intake, casework string // base URLs
	logPath          string
	cmd              *exec.Cmd
	exited           chan struct{}
}

// newFaultNode sets a node up on the given settings (its backends among
// them); it does not start it.
func newFaultNode(t *testing.T, bin string, settings map[string]string) *faultNode {
	t.Helper()
	dir := t.TempDir()
	intakeAddr, caseworkAddr := testenv.FreeAddr(t), testenv.FreeAddr(t)
	n := &faultNode{
		t: t, bin: bin, gpg: testenv.NewGPG(t),
		intake: "http://" + intakeAddr, casework: "http://" + caseworkAddr,
		logPath: filepath.Join(dir, "serve.log"),
		env: []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "TMPDIR=" + os.TempDir(),
			"TIPLINE_PEPPER=" + randomHex(32), "TIPLINE_DATA_DIR=" + filepath.Join(dir, "data"),
			"TIPLINE_INTAKE_ADDR=" + intakeAddr, "TIPLINE_CASEWORK_ADDR=" + caseworkAddr,
			"TIPLINE_LOG_LEVEL=info"},
	}
	for k, v := range settings {
		n.env = append(n.env, k+"="+v)
	}
	key := filepath.Join(dir, "desk.asc")
	if err := os.WriteFile(key, n.gpg.Public, 0o600); err != nil {
		t.Fatal(err)
	}
	n.mustCLI("keys", "add", "--desk", desk, "--file", key)
	return n
}

// cli runs one tipline command with the node's settings.
func (n *faultNode) cli(args ...string) (string, error) {
	cmd := exec.Command(n.bin, args...)
	cmd.Env = n.env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return string(out), fmt.Errorf("tipline %s: %v\n%s%s", strings.Join(args, " "), err, out, stderr.String())
	}
	return string(out), nil
}

func (n *faultNode) mustCLI(args ...string) string {
	n.t.Helper()
	out, err := n.cli(args...)
	if err != nil {
		n.t.Fatal(err)
	}
	return out
}

// start starts serve, its output appended to the node's log; it does not
// wait for it (see waitReady).
func (n *faultNode) start() {
	n.t.Helper()
	if n.cmd != nil {
		n.t.Fatal("the node runs already")
	}
	logFile, err := os.OpenFile(n.logPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		n.t.Fatal(err)
	}
	cmd := exec.Command(n.bin, "serve")
	cmd.Env = n.env
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		n.t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		logFile.Close()
		close(exited)
	}()
	n.cmd, n.exited = cmd, exited
	n.t.Cleanup(func() { n.signal(syscall.SIGTERM) })
}

// waitReady waits until both listeners' /readyz answer 200.
func (n *faultNode) waitReady(within time.Duration) {
	n.t.Helper()
	deadline := time.Now().Add(within)
	for _, base := range []string{n.intake, n.casework} {
		for status := 0; status != http.StatusOK; status = getStatus(base + "/readyz") {
			select {
			case <-n.exited:
				n.t.Fatalf("serve exited:\n%s", n.logTail())
			default:
			}
			if time.Now().After(deadline) {
				n.t.Fatalf("%s/readyz did not answer 200 within %s:\n%s", base, within, n.logTail())
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
}

// signal sends sig to serve and waits for it to exit (killing it after
// 30 seconds); nothing when it is not running.
func (n *faultNode) signal(sig syscall.Signal) {
	if n.cmd == nil {
		return
	}
	n.cmd.Process.Signal(sig)
	select {
	case <-n.exited:
	case <-time.After(30 * time.Second):
		n.cmd.Process.Kill()
		<-n.exited
	}
	n.cmd = nil
}

func (n *faultNode) log() string {
	b, _ := os.ReadFile(n.logPath)
	return string(b)
}

func (n *faultNode) logTail() string {
	l := n.log()
	return l[max(0, len(l)-4000):]
}

// getStatus is the status of GET url, 0 when it did not answer.
func getStatus(url string) int {
	resp, err := http.Get(url)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// ---------------------------------------------------------------- sources

// shownTip is a tip whose codename a source was shown, with what the
// source sent.
type shownTip struct {
	codename, submission string
	narrative            string
	evidence             []byte
}

// faultSource sends tips to one node as sources do.
type faultSource struct {
	base         string // the intake listener's URL
	bytesPerSec  int    // how fast forms are sent
	chunksPerSec int    // how fast chunks are sent, in bytes
	client       *http.Client
}

func newFaultSource(base string, bytesPerSec, chunksPerSec int) *faultSource {
	return &faultSource{base: base, bytesPerSec: bytesPerSec, chunksPerSec: chunksPerSec,
		client: &http.Client{Timeout: 2 * time.Minute, Transport: &http.Transport{Proxy: nil}}}
}

// failure is a request the server answered with an error, with what the
// source read.
type failure struct {
	status int
	clean  bool // an error page or JSON error, without a codename
	text   string
}

func (f *failure) Error() string {
	return fmt.Sprintf("answered %d (clean: %v): %s", f.status, f.clean, f.text)
}

// answer sends req and reads the answer; an error status becomes a
// *failure, a broken connection any other error.
func (s *faultSource) answer(req *http.Request) ([]byte, error) {
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode >= 300 {
		return nil, failureOf(resp, body)
	}
	return body, nil
}

// failureOf judges an error answer: an error page in HTML or a JSON error
// object, without a codename, is clean.
func failureOf(resp *http.Response, body []byte) *failure {
	f := &failure{status: resp.StatusCode}
	ct := resp.Header.Get("Content-Type")
	switch {
	case strings.HasPrefix(ct, "application/json"):
		var e struct {
			Error struct{ Code, Message string }
		}
		f.clean = json.Unmarshal(body, &e) == nil && e.Error.Code != "" && e.Error.Message != ""
		f.text = e.Error.Code + ": " + e.Error.Message
	default:
		f.text = pageText(string(body))
		f.clean = strings.HasPrefix(ct, "text/html") && codenameRE.Find(body) == nil && bytes.Contains(body, []byte("<h1"))
	}
	return f
}

// throttled sends a request body at about bytesPerSec.
type throttled struct {
	r           io.Reader
	bytesPerSec int
}

func (t *throttled) Read(p []byte) (int, error) {
	p = p[:min(len(p), t.bytesPerSec/20)]
	n, err := t.r.Read(p)
	time.Sleep(time.Duration(n) * time.Second / time.Duration(t.bytesPerSec))
	return n, err
}

// sendForm sends a tip with one file as the form without JavaScript,
// and returns what the source was shown.
func (s *faultSource) sendForm(ctx context.Context, narrative string, evidence []byte) (shownTip, error) {
	tip := shownTip{narrative: narrative, evidence: evidence}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.base+"/desk/"+desk+"?lang=en", nil)
	page, err := s.answer(req)
	if err != nil {
		return tip, err
	}
	m := formAction.FindSubmatch(page)
	if m == nil {
		return tip, errors.New("the desk page has no form")
	}
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("lang", "en")
	w.WriteField("violation", "smuggling")
	w.WriteField("narrative", narrative)
	fw, _ := w.CreateFormFile("evidence", "records.bin")
	fw.Write(evidence)
	w.Close()
	req, _ = http.NewRequestWithContext(ctx, http.MethodPost, s.base+html.UnescapeString(string(m[1])), &throttled{&body, s.bytesPerSec})
	req.ContentLength = int64(body.Len())
	req.Header.Set("Content-Type", w.FormDataContentType())
	browserFormHeaders(req)
	page, err = s.answer(req)
	if err != nil {
		return tip, err
	}
	c, r := codenameRE.FindSubmatch(page), receiptLink.FindSubmatch(page)
	if c == nil || r == nil {
		return tip, fmt.Errorf("a 200 page without a codename or receipt link: %s", pageText(string(page)))
	}
	var words []string
	for _, w := range wordRE.FindAllSubmatch(c[1], -1) {
		words = append(words, string(w[1]))
	}
	tip.codename, tip.submission = strings.Join(words, " "), string(r[1])
	return tip, nil
}

// api sends one request to the intake API as the page's script does and
// decodes its JSON answer into out.
func (s *faultSource) api(ctx context.Context, method, path, ct string, body io.Reader, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, s.base+path, body)
	if err != nil {
		return err
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	req.Header.Set("Origin", s.base)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	answer, err := s.answer(req)
	if err != nil || out == nil {
		return err
	}
	return json.Unmarshal(answer, out)
}

func (s *faultSource) apiJSON(ctx context.Context, method, path string, in, out any) error {
	b, err := json.Marshal(in)
	if err != nil {
		return err
	}
	return s.api(ctx, method, path, "application/json", bytes.NewReader(b), out)
}

// pow fetches and solves the proof of work for an upload session of size
// bytes, or for a submission with size 0.
func (s *faultSource) pow(ctx context.Context, size int) (intake.Pow, error) {
	q := url.Values{"desk": {desk}}
	if size > 0 {
		q.Set("size", strconv.Itoa(size))
	}
	var ch intake.PowChallenge
	if err := s.api(ctx, http.MethodGet, "/api/v1/pow?"+q.Encode(), "", nil, &ch); err != nil {
		return intake.Pow{}, err
	}
	return ch.Solve(), nil
}

// browserTip is a tip on the JavaScript path: its manifest and its file,
// encrypted to the desk's keys as the page does, each sent in an upload
// session of its own.
type browserTip struct {
	narrative          string
	evidence           []byte
	manifest, file     []byte // the OpenPGP messages
	manifestID, fileID string // their upload sessions
}

// newBrowserTip encrypts a tip to the desk's keys, fetched as the page
// fetches them.
func (s *faultSource) newBrowserTip(ctx context.Context, narrative string, evidence []byte) (*browserTip, error) {
	var d struct {
		Keys []struct{ Armored string }
	}
	if err := s.api(ctx, http.MethodGet, "/api/v1/desks/"+desk, "", nil, &d); err != nil {
		return nil, err
	}
	var keys []*crypto.PublicKey
	for _, k := range d.Keys {
		pk, err := crypto.ParsePublicKey([]byte(k.Armored), time.Now())
		if err != nil {
			return nil, err
		}
		keys = append(keys, pk)
	}
	sum := sha256.Sum256(evidence)
	m := intake.DefaultQuestionnaire().NewManifest(desk, intake.EN, intake.Answers{"narrative": {narrative}})
	m.Files = append(m.Files, intake.ManifestFile{Name: "records.bin", Type: "application/octet-stream", Size: int64(len(evidence)), SHA256: hex.EncodeToString(sum[:])})
	manifest, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	tip := &browserTip{narrative: narrative, evidence: evidence}
	for _, p := range []struct {
		plain []byte
		out   *[]byte
	}{{manifest, &tip.manifest}, {evidence, &tip.file}} {
		var buf bytes.Buffer
		w, err := crypto.Encrypt(&buf, keys...)
		if err != nil {
			return nil, err
		}
		w.Write(p.plain)
		if err := w.Close(); err != nil {
			return nil, err
		}
		*p.out = buf.Bytes()
	}
	return tip, nil
}

// openUpload opens an upload session for msg.
func (s *faultSource) openUpload(ctx context.Context, msg []byte) (string, error) {
	pow, err := s.pow(ctx, len(msg))
	if err != nil {
		return "", err
	}
	var u struct{ ID string }
	err = s.apiJSON(ctx, http.MethodPost, "/api/v1/uploads", map[string]any{"desk": desk, "size": len(msg), "chunk_size": faultChunkSize, "pow": pow}, &u)
	return u.ID, err
}

// putChunks sends msg's chunks from the first one the server does not
// have, as the page's script resumes; stored is called after each.
func (s *faultSource) putChunks(ctx context.Context, id string, msg []byte, stored func()) error {
	var state struct{ Chunks []int }
	if err := s.api(ctx, http.MethodGet, "/api/v1/uploads/"+id, "", nil, &state); err != nil {
		return err
	}
	have := map[int]bool{}
	for _, n := range state.Chunks {
		have[n] = true
	}
	for n := 0; n*faultChunkSize < len(msg); n++ {
		if have[n] {
			continue
		}
		chunk := msg[n*faultChunkSize : min((n+1)*faultChunkSize, len(msg))]
		if err := s.api(ctx, http.MethodPut, fmt.Sprintf("/api/v1/uploads/%s/chunks/%d", id, n), "application/octet-stream",
			&throttled{bytes.NewReader(chunk), s.chunksPerSec}, nil); err != nil {
			return err
		}
		if stored != nil {
			stored()
		}
	}
	return nil
}

// submit commits a browser tip whose uploads are complete.
func (s *faultSource) submit(ctx context.Context, b *browserTip) (shownTip, error) {
	tip := shownTip{narrative: b.narrative, evidence: b.evidence}
	pow, err := s.pow(ctx, 0)
	if err != nil {
		return tip, err
	}
	var answer struct{ Codename, Submission string }
	err = s.apiJSON(ctx, http.MethodPost, "/api/v1/submissions",
		map[string]any{"desk": desk, "manifest": b.manifestID, "files": []string{b.fileID}, "lang": "en", "pow": pow}, &answer)
	if err != nil {
		return tip, err
	}
	if answer.Codename == "" || answer.Submission == "" {
		return tip, errors.New("a 200 answer without a codename")
	}
	tip.codename, tip.submission = answer.Codename, answer.Submission
	return tip, nil
}

// ---------------------------------------------------------------- checks

// checkShownTips checks that every tip shown to a source is a complete
// submission that GnuPG decrypts to what the source sent, and that every
// submission staff can list is complete (none half-visible): a manifest and
// a file, each of which GnuPG decrypts. Then both hash chains must verify:
// the audit log, and the intake log through each shown tip's receipt.
func checkShownTips(t *testing.T, n *faultNode, shown []shownTip) {
	t.Helper()
	out := t.TempDir()
	listed := map[string]string{} // submission id: encrypted by
	for _, line := range strings.Split(strings.TrimSpace(n.mustCLI("submissions", "list", "--limit", "100000")), "\n")[1:] {
		f := strings.Fields(line)
		listed[f[0]] = f[len(f)-1]
	}
	wasShown := map[string]bool{}
	for _, tip := range shown {
		wasShown[tip.submission] = true
	}
	decrypted := map[string][][]byte{}
	for id, by := range listed {
		exported, err := n.cli("submissions", "export", id, "--out", filepath.Join(out, id))
		files := strings.Fields(exported)
		if err != nil || len(files) != 2 || !strings.Contains(files[0], "-manifest-") || !strings.Contains(files[1], "-file-") {
			t.Errorf("submission %s (encrypted by the %s, its codename shown: %v) is incomplete: objects %v, %v", id, by, wasShown[id], files, err)
			continue
		}
		for _, f := range files {
			msg, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			decrypted[id] = append(decrypted[id], n.gpg.Decrypt(msg))
		}
	}
	for _, tip := range shown {
		plain, ok := decrypted[tip.submission]
		switch {
		case listed[tip.submission] == "":
			t.Errorf("a source was shown a codename for submission %s, which is not stored", tip.submission)
		case !ok:
			// reported above
		case !bytes.Contains(plain[0], []byte(tip.narrative)) || !bytes.Equal(plain[1], tip.evidence):
			t.Errorf("submission %s does not decrypt to what its source sent", tip.submission)
		}
		receipt, err := newFaultSource(n.intake, 1<<30, 1<<30).answer(mustGet(t, n.intake+"/receipt/"+tip.submission+"?lang=en"))
		if err != nil {
			t.Errorf("the receipt of submission %s: %v", tip.submission, err)
			continue
		}
		path := filepath.Join(out, "receipt-"+tip.submission+".txt")
		if err := os.WriteFile(path, receipt, 0o600); err != nil {
			t.Fatal(err)
		}
		if v, err := n.cli("receipt", "verify", path); err != nil || !strings.Contains(v, `"chain_intact": true`) {
			t.Errorf("the receipt of submission %s does not verify: %v\n%s", tip.submission, err, v)
		}
	}
	if v, err := n.cli("audit", "verify"); err != nil || !strings.HasPrefix(v, "audit log intact: ") {
		t.Errorf("audit verify: %v\n%s", err, v)
	}
	t.Logf("%d tips shown to sources, %d submissions stored, every one complete and decrypted by GnuPG", len(shown), len(listed))
}

// faultBucket is a new bucket on the test MinIO (TIPLINE_TEST_S3_URL),
// emptied when the test ends, and its store.
func faultBucket(t *testing.T) (string, blob.Store) {
	t.Helper()
	u, err := url.Parse(testenv.Get(t, testenv.S3URL))
	if err != nil {
		t.Fatalf("%s is not a URL", testenv.S3URL)
	}
	u.Path = "/fault-" + randomHex(6)
	store, err := blob.Open(u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emptyBucket(t, store) })
	return u.String(), store
}

func mustGet(t *testing.T, url string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// faultEvidence is n bytes of evidence that no other tip has.
func faultEvidence(n int) []byte {
	b := make([]byte, n)
	copy(b, randomHex(n/2+1))
	return b
}
