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
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tipline/tipline/crypto"
	"github.com/tipline/tipline/database"
	"github.com/tipline/tipline/database/dbtest"
	"github.com/tipline/tipline/intake"
	"github.com/tipline/tipline/internal/testenv"
)

// The fault drills of issue #16 (this file, fault_disk_test.go and
// fault_nodes_test.go) run the real tipline binary, set up with its CLI as
// an admin would, and act as sources through its pages and JSON API while
// a dependency fails under it. What every one of them checks at the end:
// each codename shown belongs to a submission whose every object GnuPG
// decrypts, byte for byte what was sent, and no submission exists that
// was not shown to its source. This file holds the helpers they share,
// named store… for the drill that wrote them first, and that drill.

// TestFaultBlobStoreDown stops the deployment's MinIO (a MinIO of the
// test's own, on PostgreSQL) while uploads of both paths are in flight and
// again while it is idle: every source is told, in their own language,
// that tips cannot be taken now (503, not "your upload broke"), gets no
// codename, and nothing half-stored appears; /readyz says 503 while the
// store is down and 200 again once it is back, without a restart of
// tipline; afterwards sources submit again (an upload session prepared
// before the outage commits), and nothing committed before is lost.
func TestFaultBlobStoreDown(t *testing.T) {
	if testing.Short() {
		t.Skip("builds tipline and stops its object store")
	}
	sc := storeScaleOf()
	bins := buildBinaries(t)
	m := testenv.StartMinIO(t)
	d := storeSetUp(t, bins.tipline, map[string]string{
		"TIPLINE_DATABASE_URL": dbtest.URL(t, database.Postgres),
		"TIPLINE_BLOB_URL":     m.URL("drill-" + randomHex(6)),
		// Uploads in flight span several parts of the S3 client's
		// multipart upload: the store fails under a Put that is still
		// reading the message.
		"TIPLINE_MAX_FORM_UPLOAD_BYTES": strconv.Itoa(2 * storeLargeFile),
		"TIPLINE_PENDING_BYTES_BUDGET":  strconv.Itoa(1 << 30),
		// The sessions prepared before the outage outlive it.
		"TIPLINE_UPLOAD_IDLE": "10m",
	})
	node := d.serve(t)
	src := newStoreSource(t, node.server)
	ctx := t.Context()
	langs := []string{"en", "zh-Hans"}

	// Before the outage: tips of both paths, and for every language an
	// upload session whose messages are all sent, to commit after it.
	for i := range sc.tips {
		d.expect(src.formTip(t, ctx, langs[i%2]))
		d.expect(src.apiTip(t, ctx, langs[i%2]))
	}
	prepared := map[string]storeUploads{}
	// And a session per language, opened but still empty, for a chunk
	// while the store is down.
	type openSession struct {
		id  string
		msg []byte
	}
	open := map[string]openSession{}
	for _, lang := range langs {
		prepared[lang] = src.prepareUploads(t, ctx, lang)
		msg := src.encrypt(t, storeEvidence(64<<10))
		open[lang] = openSession{src.openUpload(t, ctx, lang, int64(len(msg))), msg}
	}

	t.Run("StoppedDuringUploads", func(t *testing.T) {
		// Each upload has sent half its body when MinIO stops; then it
		// sends the rest.
		halfSent := make(chan struct{}, 4*sc.inFlight)
		stopped := make(chan struct{})
		type outcome struct {
			name, lang string
			status     int
			body       string
		}
		results := make(chan outcome, 4*sc.inFlight)
		n := 0
		for _, lang := range langs {
			for range sc.inFlight {
				n += 2
				action := src.formAction(t, ctx, lang)
				msg := src.encrypt(t, storeEvidence(intake.DefaultChunkSize-4096))
				id := src.openUpload(t, ctx, lang, int64(len(msg)))
				go func() {
					status, page := src.formSend(ctx, action, lang, storeEvidence(storeLargeFile), storePause(halfSent, stopped))
					results <- outcome{"no-JavaScript form", lang, status, page}
				}()
				go func() {
					status, body := src.putChunk(ctx, lang, id, 0, msg, storePause(halfSent, stopped))
					results <- outcome{"browser upload chunk", lang, status, body}
				}()
			}
		}
		for range n {
			<-halfSent
		}
		m.Stop()
		close(stopped)
		for range n {
			r := <-results
			storeWantUnavailable(t, r.name, r.lang, r.status, r.body)
		}
	})

	t.Run("ReadyzDown", func(t *testing.T) {
		storeWaitReady(t, node.server, http.StatusServiceUnavailable)
	})

	t.Run("StoppedWhileIdle", func(t *testing.T) {
		// Every request at once: each waits for the S3 client's retries.
		type attempt struct {
			what, lang string
			send       func() (int, string)
		}
		var attempts []attempt
		for _, lang := range langs {
			action := src.formAction(t, ctx, lang)
			o, p := open[lang], prepared[lang]
			pow := src.pow(t, ctx, 1000)
			attempts = append(attempts,
				attempt{"no-JavaScript form", lang, func() (int, string) {
					return src.formSend(ctx, action, lang, storeEvidence(64<<10), nil)
				}},
				// A session opens the assembly of its object in the store.
				attempt{"browser upload session", lang, func() (int, string) {
					req, _ := json.Marshal(map[string]any{"desk": desk, "size": 1000, "pow": pow})
					status, body, _ := src.api(ctx, http.MethodPost, "/api/v1/uploads", lang, "application/json", req, nil)
					return status, body
				}},
				attempt{"browser upload chunk", lang, func() (int, string) { return src.putChunk(ctx, lang, o.id, 0, o.msg, nil) }},
				attempt{"browser commit", lang, func() (int, string) {
					status, body, _ := src.commit(ctx, lang, p.manifest, []string{p.file})
					return status, body
				}},
			)
		}
		type answer struct {
			status int
			body   string
		}
		answers := make([]answer, len(attempts))
		var wg sync.WaitGroup
		for i, a := range attempts {
			wg.Go(func() {
				answers[i].status, answers[i].body = a.send()
			})
		}
		wg.Wait()
		for i, a := range attempts {
			storeWantUnavailable(t, a.what, a.lang, answers[i].status, answers[i].body)
		}
	})

	m.Start()
	t.Run("Recovers", func(t *testing.T) {
		start := time.Now()
		storeWaitReady(t, node.server, http.StatusOK)
		t.Logf("/readyz answered 200 %.1f s after MinIO was ready again", time.Since(start).Seconds())
		if !node.running() {
			t.Fatalf("tipline exited:\n%s", node.logTail())
		}
		for _, lang := range langs {
			// The session prepared before the outage commits now.
			p := prepared[lang]
			status, body, answer := src.commit(ctx, lang, p.manifest, []string{p.file})
			if status != http.StatusOK {
				t.Fatalf("commit of the uploads sent before the outage (%s) = %d: %.300s", lang, status, body)
			}
			d.expect(storeTip{submission: answer.Submission, codename: answer.Codename, evidence: p.evidence, via: "browser uploads sent before the outage"})
			d.expect(src.formTip(t, ctx, lang))
			d.expect(src.apiTip(t, ctx, lang))
		}
	})
	if !node.running() {
		t.Errorf("tipline exited during the drill")
	}
	d.verify(t)
}

// storeLargeFile is the size of a file in flight when the object store
// stops, with half of it sent: more than two parts of the S3 client's
// multipart upload (16 MiB each), so that the store fails in the middle of
// a multipart upload, after its first part.
const storeLargeFile = 40 << 20

// storeScale is the size of the fault drills: small in `make test`, full
// with TIPLINE_DRILL_SCALE=full (`make drill`).
type storeScale struct {
	tips     int // tips of each path before a fault
	inFlight int // uploads of each path and language in flight when it strikes
}

func storeScaleOf() storeScale {
	if os.Getenv(scaleEnv) == "full" {
		return storeScale{tips: 10, inFlight: 5}
	}
	return storeScale{tips: 1, inFlight: 1}
}

// storeWantUnavailable fails the test unless a source was told, in their
// language, that tips cannot be taken now: 503 with one of the catalog's
// texts for it (the service is unavailable, a byte budget or the store is
// full), on the page or as the API's JSON error, and no codename.
func storeWantUnavailable(t *testing.T, what, lang string, status int, body string) {
	t.Helper()
	l, _ := intake.ParseLang(lang)
	text := html.UnescapeString(body)
	told := false
	for _, key := range []string{"error_unavailable", "error_storage_full", "error_store_full"} {
		told = told || strings.Contains(text, intake.T(l, key))
	}
	if status != http.StatusServiceUnavailable || !told {
		t.Errorf("%s (%s) = %d, want 503 saying %q: %s", what, lang, status, intake.T(l, "error_unavailable"), pageText(body))
	}
	if strings.Contains(text, intake.T(l, "error_upload_broken")) {
		t.Errorf("%s (%s): the source is told that their upload broke", what, lang)
	}
	if codenameRE.MatchString(body) || strings.Contains(body, `"codename":`) {
		t.Errorf("%s (%s): a codename was shown", what, lang)
	}
}

// storeWaitReady waits until the intake and casework listeners' /readyz
// answer want, for at most a minute, and fails the test otherwise.
func storeWaitReady(t *testing.T, srv *server, want int) {
	t.Helper()
	if err := storeAwaitReadyz(srv, want, time.Minute); err != nil {
		t.Fatal(err)
	}
}

// storeAwaitReadyz waits until the intake and casework listeners' /readyz
// answer want, for at most within each.
func storeAwaitReadyz(srv *server, want int, within time.Duration) error {
	client := &http.Client{Timeout: 10 * time.Second}
	for _, base := range []string{srv.intake, srv.casework} {
		deadline := time.Now().Add(within)
		last := 0
		for {
			if resp, err := client.Get(base + "/readyz"); err == nil {
				resp.Body.Close()
				last = resp.StatusCode
			}
			if last == want {
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("%s/readyz = %d, want %d", base, last, want)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	return nil
}

// storePause is a pause for a request body: it says when half the body is
// sent and waits until the fault has struck.
func storePause(halfSent chan<- struct{}, struck <-chan struct{}) func() {
	return func() {
		halfSent <- struct{}{}
		<-struck
	}
}

// storeEvidence is a file of n random bytes.
func storeEvidence(n int) []byte {
	b := make([]byte, n)
	copy(b, randomHex(n/2))
	return b
}

// ---------------------------------------------------------------- a deployment

// storeDeployment is one deployment set up with the CLI as an admin does:
// the default desk encrypts to an investigator's GnuPG key, and there is
// one investigator. Every node it serves shares its settings and pepper.
type storeDeployment struct {
	bin   string
	dir   string
	env   []string
	gpg   *testenv.GPG
	staff staff
	tips  []storeTip // every tip whose codename a source was shown
}

// storeTip is a tip whose codename a source was shown, with the file sent
// and how it was sent (for messages).
type storeTip struct {
	submission, codename string
	evidence             []byte
	via                  string
}

// storeSetUp sets a deployment up on the backend's settings.
func storeSetUp(t *testing.T, bin string, backend map[string]string) *storeDeployment {
	t.Helper()
	d := &storeDeployment{bin: bin, dir: t.TempDir(), gpg: testenv.NewGPG(t)}
	d.env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + d.dir, "TMPDIR=" + os.TempDir(),
		"TIPLINE_PEPPER=" + randomHex(32)}
	s := settings()
	s["TIPLINE_LOG_LEVEL"] = "info"
	for k, v := range backend {
		s[k] = v
	}
	for k, v := range s {
		d.env = append(d.env, k+"="+v)
	}
	key := d.write(t, "investigator.asc", d.gpg.Public)
	d.cli(t, "keys", "add", "--desk", desk, "--file", key)
	d.staff = staff{email: "investigator@drill.example", password: "fault drill staff " + randomHex(4)}
	uri, err := url.Parse(strings.TrimSpace(d.cli(t, "users", "add", "--email", d.staff.email, "--role", "investigator",
		"--password-file", d.write(t, "staff-pass", []byte(d.staff.password+"\n")), "--desk", desk)))
	if err != nil || uri.Query().Get("secret") == "" {
		t.Fatalf("users add printed no otpauth URI: %v", err)
	}
	d.staff.totpSecret = uri.Query().Get("secret")
	return d
}

func (d *storeDeployment) write(t *testing.T, name string, content []byte) string {
	t.Helper()
	path := filepath.Join(d.dir, name)
	if err := os.WriteFile(path, content, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// cli runs a tipline command on the deployment and returns its output.
func (d *storeDeployment) cli(t *testing.T, args ...string) string {
	t.Helper()
	out, err := d.run(args...)
	if err != nil {
		t.Fatalf("tipline %s: %v", strings.Join(args, " "), err)
	}
	return out
}

// run runs a tipline command; the error holds its standard error.
func (d *storeDeployment) run(args ...string) (string, error) {
	cmd := exec.Command(d.bin, args...)
	cmd.Env = d.env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return string(out), fmt.Errorf("%v: %s", err, strings.TrimSpace(stderr.String()))
	}
	return string(out), nil
}

// expect records a tip whose codename a source was shown.
func (d *storeDeployment) expect(tip storeTip) { d.tips = append(d.tips, tip) }

// storeNode is a running `tipline serve` of a deployment.
type storeNode struct {
	*server
	exited chan struct{}
}

// running reports whether the node's process is still running.
func (n *storeNode) running() bool {
	select {
	case <-n.exited:
		return false
	default:
		return true
	}
}

// serve starts a node of the deployment on loopback ports, with extra
// settings (KEY=VALUE), and waits until both listeners are ready.
func (d *storeDeployment) serve(t *testing.T, extra ...string) *storeNode {
	t.Helper()
	n := d.start(t, extra...)
	storeWaitReady(t, n.server, http.StatusOK)
	return n
}

// start starts a node without waiting for it.
func (d *storeDeployment) start(t *testing.T, extra ...string) *storeNode {
	t.Helper()
	intakeAddr, caseworkAddr := testenv.FreeAddr(t), testenv.FreeAddr(t)
	logDir := t.TempDir()
	srv := &server{intake: "http://" + intakeAddr, casework: "http://" + caseworkAddr, logPath: filepath.Join(logDir, "serve.log")}
	logFile, err := os.Create(srv.logPath)
	if err != nil {
		t.Fatal(err)
	}
	srv.cmd = exec.Command(d.bin, "serve")
	srv.cmd.Env = append(append(append([]string{}, d.env...), extra...),
		"TIPLINE_INTAKE_ADDR="+intakeAddr, "TIPLINE_CASEWORK_ADDR="+caseworkAddr)
	srv.cmd.Stdout, srv.cmd.Stderr = logFile, logFile
	if err := srv.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	n := &storeNode{server: srv, exited: make(chan struct{})}
	go func() {
		srv.cmd.Wait()
		logFile.Close()
		close(n.exited)
	}()
	t.Cleanup(func() {
		srv.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-n.exited:
		case <-time.After(30 * time.Second):
			srv.cmd.Process.Kill()
			<-n.exited
		}
		if t.Failed() {
			t.Logf("log of the node on %s (last lines):\n%s", srv.intake, srv.logTail())
		}
	})
	return n
}

// verify checks that nothing was lost and nothing half-kept: the
// submissions are exactly those whose codenames were shown, and every
// object of each one GnuPG decrypts, one of them to the file sent.
func (d *storeDeployment) verify(t *testing.T) {
	t.Helper()
	want := map[string]storeTip{}
	for _, tip := range d.tips {
		want[tip.submission] = tip
	}
	listed := d.submissions(t)
	for _, id := range listed {
		if _, ok := want[id]; !ok {
			t.Errorf("submission %s exists, but no source was shown its codename", id)
		}
	}
	if len(listed) != len(want) {
		t.Errorf("%d submissions stored, want the %d whose codenames were shown", len(listed), len(want))
	}
	for id, tip := range want {
		out := filepath.Join(t.TempDir(), id)
		files, err := d.run("submissions", "export", id, "--out", out)
		if err != nil {
			t.Errorf("export of submission %s (%s): %v", id, tip.via, err)
			continue
		}
		names := strings.Fields(files)
		if len(names) < 2 {
			t.Errorf("submission %s (%s) has %d objects, want the tip and its file", id, tip.via, len(names))
		}
		found := false
		for _, name := range names {
			msg, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			found = found || bytes.Equal(d.gpg.Decrypt(msg), tip.evidence)
		}
		if !found {
			t.Errorf("no object of submission %s (%s) decrypts to the file its source sent", id, tip.via)
		}
	}
}

// submissionIDRE matches the first column of `tipline submissions list`.
var submissionIDRE = regexp.MustCompile(`(?m)^([a-z0-9]{10,})\s`)

// submissions lists the ids of every stored submission.
func (d *storeDeployment) submissions(t *testing.T) []string {
	t.Helper()
	var ids []string
	for _, m := range submissionIDRE.FindAllStringSubmatch(d.cli(t, "submissions", "list", "--limit", "100000"), -1) {
		ids = append(ids, m[1])
	}
	return ids
}

// ---------------------------------------------------------------- a source

// storeSource is a source acting on one node: without JavaScript through
// the desk's form, with it through the JSON API as the page's script does
// (encrypting in Go to the desk's keys).
type storeSource struct {
	srv    *server
	client *http.Client
	keys   []*crypto.PublicKey
}

func newStoreSource(t *testing.T, srv *server) *storeSource {
	t.Helper()
	s := &storeSource{srv: srv, client: &http.Client{Timeout: 2 * time.Minute}}
	resp, err := s.client.Get(srv.intake + "/api/v1/desks/" + desk)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var answer struct{ Keys []struct{ Armored string } }
	if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil || len(answer.Keys) == 0 {
		t.Fatalf("desk keys: %v (%d keys)", err, len(answer.Keys))
	}
	for _, k := range answer.Keys {
		pk, err := crypto.ParsePublicKey([]byte(k.Armored), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		s.keys = append(s.keys, pk)
	}
	return s
}

// on is the same source acting on another node.
func (s *storeSource) on(srv *server) *storeSource {
	return &storeSource{srv: srv, client: s.client, keys: s.keys}
}

// formTip sends a tip with a file through the form and fails the test
// unless it gets a codename.
func (s *storeSource) formTip(t *testing.T, ctx context.Context, lang string) storeTip {
	t.Helper()
	evidence := storeEvidence(64 << 10)
	status, page := s.formPost(t, ctx, lang, evidence)
	tip, err := storeCodenamePage(status, page)
	if err != nil {
		t.Fatalf("form tip on %s (%s): %v", s.srv.intake, lang, err)
	}
	tip.evidence, tip.via = evidence, "no-JavaScript form on "+s.srv.intake
	return tip
}

// storeCodenamePage reads the codename and the submission id (from the
// receipt link) off the page that answers the form.
func storeCodenamePage(status int, page string) (storeTip, error) {
	c, r := codenameRE.FindStringSubmatch(page), receiptLink.FindStringSubmatch(page)
	if status != http.StatusOK || c == nil || r == nil {
		return storeTip{}, fmt.Errorf("submit = %d without a codename: %s", status, pageText(page))
	}
	var words []string
	for _, w := range wordRE.FindAllStringSubmatch(c[1], -1) {
		words = append(words, w[1])
	}
	return storeTip{submission: r[1], codename: strings.Join(words, " "), via: "no-JavaScript form"}, nil
}

// formPost posts the desk's form in lang with one file.
func (s *storeSource) formPost(t *testing.T, ctx context.Context, lang string, evidence []byte) (int, string) {
	t.Helper()
	return s.formSend(ctx, s.formAction(t, ctx, lang), lang, evidence, nil)
}

// formAction opens the desk's page in lang and returns where its form
// posts.
func (s *storeSource) formAction(t *testing.T, ctx context.Context, lang string) string {
	t.Helper()
	status, page, err := s.get(ctx, s.srv.intake+"/desk/"+desk+"?lang="+lang)
	if err != nil || status != http.StatusOK {
		t.Fatalf("desk page on %s = %d %v", s.srv.intake, status, err)
	}
	m := formAction.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("the desk page has no form")
	}
	return html.UnescapeString(m[1])
}

// formSend posts the desk's form to action in lang with one file, as Tor
// Browser at "Safest" does; see storeBody for pause.
func (s *storeSource) formSend(ctx context.Context, action, lang string, evidence []byte, pause func()) (int, string) {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("lang", lang)
	w.WriteField("violation", "smuggling")
	w.WriteField("narrative", "Boards relabelled as routers, shipped through a forwarder. "+randomHex(4))
	fw, _ := w.CreateFormFile("evidence", "shipping-records.bin")
	fw.Write(evidence)
	w.Close()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.srv.intake+action, storeBody(body.Bytes(), pause))
	if err != nil {
		return 0, err.Error()
	}
	req.ContentLength = int64(body.Len())
	req.Header.Set("Content-Type", w.FormDataContentType())
	browserFormHeaders(req)
	status, page, err := s.do(req)
	if err != nil {
		return 0, err.Error()
	}
	return status, page
}

// storeBody is a request body; with pause, the reader stops after half of
// it until pause returns.
func storeBody(b []byte, pause func()) io.Reader {
	if pause == nil {
		return bytes.NewReader(b)
	}
	pr, pw := io.Pipe()
	go func() {
		// A server that answers early closes the body: the writes fail at
		// once, and pause still hears of it.
		half := len(b) / 2
		pw.Write(b[:half])
		pause()
		pw.Write(b[half:])
		pw.Close()
	}()
	return pr
}

// storeUploads are the uploaded messages of one browser submission.
type storeUploads struct {
	manifest, file string
	evidence       []byte
}

// apiTip sends a tip with a file as the page's script does and fails the
// test unless it gets a codename.
func (s *storeSource) apiTip(t *testing.T, ctx context.Context, lang string) storeTip {
	t.Helper()
	u := s.prepareUploads(t, ctx, lang)
	status, body, answer := s.commit(ctx, lang, u.manifest, []string{u.file})
	if status != http.StatusOK || answer.Codename == "" {
		t.Fatalf("browser commit on %s (%s) = %d: %.300s", s.srv.intake, lang, status, body)
	}
	return storeTip{submission: answer.Submission, codename: answer.Codename, evidence: u.evidence, via: "browser uploads to " + s.srv.intake}
}

// prepareUploads uploads the manifest and one file of a browser submission.
func (s *storeSource) prepareUploads(t *testing.T, ctx context.Context, lang string) storeUploads {
	t.Helper()
	evidence := storeEvidence(64 << 10)
	file := s.upload(t, ctx, lang, s.encrypt(t, evidence))
	return storeUploads{manifest: s.uploadManifest(t, ctx, lang, evidence), file: file, evidence: evidence}
}

// uploadManifest uploads the manifest of a browser submission of one file.
func (s *storeSource) uploadManifest(t *testing.T, ctx context.Context, lang string, evidence []byte) string {
	t.Helper()
	sum := sha256.Sum256(evidence)
	l, _ := intake.ParseLang(lang)
	m := intake.DefaultQuestionnaire().NewManifest(desk, l, intake.Answers{"narrative": {"Invoices of relabelled boards. " + randomHex(4)}})
	m.Files = append(m.Files, intake.ManifestFile{Name: "invoices.bin", Type: "application/octet-stream", Size: int64(len(evidence)), SHA256: hex.EncodeToString(sum[:])})
	manifest, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return s.upload(t, ctx, lang, s.encrypt(t, manifest))
}

// upload sends one message in one chunk and fails the test unless it is
// taken.
func (s *storeSource) upload(t *testing.T, ctx context.Context, lang string, msg []byte) string {
	t.Helper()
	id := s.openUpload(t, ctx, lang, int64(len(msg)))
	if status, body := s.putChunk(ctx, lang, id, 0, msg, nil); status != http.StatusOK {
		t.Fatalf("PUT chunk on %s = %d: %.300s", s.srv.intake, status, body)
	}
	return id
}

// encrypt encrypts plaintext to the desk's keys.
func (s *storeSource) encrypt(t *testing.T, plaintext []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := crypto.Encrypt(&buf, s.keys...)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(plaintext)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// pow asks for a proof-of-work challenge (with size > 0, the one that
// opens an upload session of size bytes) and solves it.
func (s *storeSource) pow(t *testing.T, ctx context.Context, size int64) intake.Pow {
	t.Helper()
	ch, err := s.challenge(ctx, size)
	if err != nil {
		t.Fatal(err)
	}
	return ch.Solve()
}

func (s *storeSource) challenge(ctx context.Context, size int64) (intake.PowChallenge, error) {
	q := url.Values{"desk": {desk}}
	if size > 0 {
		q.Set("size", strconv.FormatInt(size, 10))
	}
	var ch intake.PowChallenge
	status, body, err := s.api(ctx, http.MethodGet, "/api/v1/pow?"+q.Encode(), "en", "", nil, nil)
	if err == nil && status != http.StatusOK {
		err = fmt.Errorf("GET /api/v1/pow = %d: %.300s", status, body)
	}
	if err == nil {
		err = json.Unmarshal([]byte(body), &ch)
	}
	return ch, err
}

// openUpload opens an upload session for a message of size bytes and
// fails the test unless it is opened.
func (s *storeSource) openUpload(t *testing.T, ctx context.Context, lang string, size int64) string {
	t.Helper()
	status, body, id := s.tryOpenUpload(t, ctx, lang, size)
	if status != http.StatusCreated {
		t.Fatalf("POST /api/v1/uploads on %s = %d: %.300s", s.srv.intake, status, body)
	}
	return id
}

// tryOpenUpload asks to open an upload session for a message of size
// bytes and returns the answer, with the session's id when it was opened.
func (s *storeSource) tryOpenUpload(t *testing.T, ctx context.Context, lang string, size int64) (status int, body, id string) {
	t.Helper()
	req, _ := json.Marshal(map[string]any{"desk": desk, "size": size, "chunk_size": intake.DefaultChunkSize, "pow": s.pow(t, ctx, size)})
	status, body, err := s.api(ctx, http.MethodPost, "/api/v1/uploads", lang, "application/json", req, nil)
	if err != nil {
		return 0, err.Error(), ""
	}
	var u struct{ ID string }
	if status == http.StatusCreated && json.Unmarshal([]byte(body), &u) != nil {
		return 0, "unreadable answer: " + body, ""
	}
	return status, body, u.ID
}

// putChunk sends chunk n of an upload session; see storeBody for pause.
func (s *storeSource) putChunk(ctx context.Context, lang, id string, n int, data []byte, pause func()) (int, string) {
	status, body, err := s.api(ctx, http.MethodPut, fmt.Sprintf("/api/v1/uploads/%s/chunks/%d", id, n), lang,
		"application/octet-stream", data, pause)
	if err != nil {
		return 0, err.Error()
	}
	return status, body
}

// storeCommitAnswer is the API's answer to a commit.
type storeCommitAnswer struct {
	Codename, Submission string
}

// commit commits uploaded messages as a browser submission.
func (s *storeSource) commit(ctx context.Context, lang, manifest string, files []string) (int, string, storeCommitAnswer) {
	var answer storeCommitAnswer
	ch, err := s.challenge(ctx, 0)
	if err != nil {
		return 0, err.Error(), answer
	}
	req, _ := json.Marshal(map[string]any{"desk": desk, "manifest": manifest, "files": files, "lang": lang, "pow": ch.Solve()})
	status, body, err := s.api(ctx, http.MethodPost, "/api/v1/submissions", lang, "application/json", req, nil)
	if err != nil {
		return 0, err.Error(), answer
	}
	if status == http.StatusOK {
		json.Unmarshal([]byte(body), &answer)
	}
	return status, body, answer
}

// api makes a request of the page's script, in lang, with body (none
// when nil); see storeBody for pause.
func (s *storeSource) api(ctx context.Context, method, path, lang, ctype string, body []byte, pause func()) (int, string, error) {
	var r io.Reader
	if body != nil {
		r = storeBody(body, pause)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.srv.intake+path, r)
	if err != nil {
		return 0, "", err
	}
	req.ContentLength = int64(len(body))
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	req.Header.Set("Accept-Language", lang)
	req.Header.Set("Origin", s.srv.intake)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return s.do(req)
}

// mailbox logs into the mailbox without JavaScript.
func (s *storeSource) mailbox(ctx context.Context, codename string) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.srv.intake+"/mailbox?lang=en",
		strings.NewReader(url.Values{"codename": {codename}}.Encode()))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	browserFormHeaders(req)
	return s.do(req)
}

func (s *storeSource) get(ctx context.Context, url string) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, "", err
	}
	return s.do(req)
}

func (s *storeSource) do(req *http.Request) (int, string, error) {
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return resp.StatusCode, string(b), err
	}
	return resp.StatusCode, string(b), nil
}
