package server

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"io"
	mathbits "math/bits"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tipline/tipline/crypto"
	"github.com/tipline/tipline/intake"
)

// apiCall sends one request to the intake API and decodes a JSON answer
// into out (when it is not nil).
func apiCall(t *testing.T, ts *testServer, method, path, ctype string, body []byte, out any) int {
	t.Helper()
	r := httptest.NewRequest(method, path, bytes.NewReader(body))
	if ctype != "" {
		r.Header.Set("Content-Type", ctype)
	}
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	r.Header.Set("Origin", "http://"+r.Host)
	w := ts.do("intake", r)
	if w.Header().Get("Set-Cookie") != "" {
		t.Errorf("%s %s set a cookie", method, path)
	}
	if out != nil && w.Code < 300 {
		if err := json.Unmarshal(w.Body.Bytes(), out); err != nil {
			t.Fatalf("%s %s: %v\n%s", method, path, err, w.Body)
		}
	}
	return w.Code
}

func apiJSON(t *testing.T, ts *testServer, method, path string, in, out any) int {
	t.Helper()
	body, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	return apiCall(t, ts, method, path, "application/json", body, out)
}

// encryptTo makes an OpenPGP message as a browser would, in Go.
func encryptTo(t *testing.T, plaintext []byte, recipients ...*crypto.PublicKey) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := crypto.Encrypt(&buf, recipients...)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(plaintext)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func deskRecipients(t *testing.T, ts *testServer) []*crypto.PublicKey {
	t.Helper()
	keys, err := ts.intake.Desks.Recipients(context.Background(), intake.DefaultDeskSlug)
	if err != nil || len(keys) == 0 {
		t.Fatalf("desk keys: %d, %v", len(keys), err)
	}
	return keys
}

type uploadAnswer struct {
	ID        string `json:"id"`
	ChunkSize int64  `json:"chunk_size"`
	Chunks    []int  `json:"chunks"`
	Bytes     int64  `json:"bytes"`
	KeepAfter int64  `json:"keep_after"`
}

// testUploadSize is the size newUpload declares: more than any message of
// these tests.
const testUploadSize = 32 << 20

// newUpload opens an upload session with the given chunk size, for a
// message of at most testUploadSize bytes.
func newUpload(t *testing.T, ts *testServer, chunkSize int64) uploadAnswer {
	t.Helper()
	var u uploadAnswer
	if code := apiJSON(t, ts, http.MethodPost, "/api/v1/uploads", map[string]any{"desk": intake.DefaultDeskSlug, "size": testUploadSize, "chunk_size": chunkSize, "pow": solveUploadPow(t, ts, testUploadSize)}, &u); code != http.StatusCreated {
		t.Fatalf("POST /api/v1/uploads = %d", code)
	}
	if !intake.ValidUploadID(u.ID) || u.ChunkSize != chunkSize {
		t.Fatalf("upload = %+v", u)
	}
	return u
}

func putChunk(t *testing.T, ts *testServer, id string, n int, data []byte) int {
	t.Helper()
	return apiCall(t, ts, http.MethodPut, fmt.Sprintf("/api/v1/uploads/%s/chunks/%d", id, n), "application/octet-stream", data, nil)
}

// uploadAll sends msg in chunks and fails the test unless each is taken.
func uploadAll(t *testing.T, ts *testServer, msg []byte, chunkSize int64) string {
	t.Helper()
	u := newUpload(t, ts, chunkSize)
	for n := 0; int64(n)*chunkSize < int64(len(msg)); n++ {
		chunk := msg[int64(n)*chunkSize : min(int64(n+1)*chunkSize, int64(len(msg)))]
		if code := putChunk(t, ts, u.ID, n, chunk); code != http.StatusOK {
			t.Fatalf("PUT chunk %d = %d", n, code)
		}
	}
	return u.ID
}

type submitAnswer struct {
	Codename    string `json:"codename"`
	Submission  string `json:"submission"`
	ReceivedDay string `json:"received_day"`
	EncryptedBy string `json:"encrypted_by"`
	ReceiptURL  string `json:"receipt_url"`
}

func submitUploads(t *testing.T, ts *testServer, manifest string, files []string, out *submitAnswer) int {
	t.Helper()
	return apiJSON(t, ts, http.MethodPost, "/api/v1/submissions",
		map[string]any{"desk": intake.DefaultDeskSlug, "manifest": manifest, "files": files, "lang": "zh", "pow": solvePow(t, ts)}, out)
}

// assertNothingKept checks that no submission, blob or upload session is left.
func assertNothingKept(t *testing.T, ts *testServer) {
	t.Helper()
	var subs, uploads, chunks int64
	ts.db.Raw("SELECT count(*) FROM submissions").Scan(&subs)
	ts.db.Raw("SELECT count(*) FROM uploads").Scan(&uploads)
	ts.db.Raw("SELECT count(*) FROM upload_chunks").Scan(&chunks)
	infos, err := ts.deps.Blobs.List(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	if subs != 0 || uploads != 0 || chunks != 0 || len(infos) != 0 {
		t.Errorf("left behind: %d submissions, %d upload sessions, %d chunk rows, %d blobs", subs, uploads, chunks, len(infos))
	}
}

func testManifest(files ...intake.ManifestFile) []byte {
	m := intake.DefaultQuestionnaire().NewManifest(intake.DefaultDeskSlug, intake.ZH, intake.Answers{"narrative": {"H100 servers relabelled as routers. " + canary}})
	m.Files = append(m.Files, files...)
	b, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	return b
}

// TestUploadRoundTrip uploads ciphertext made in Go in chunks, resumes
// after a partial upload, submits, and checks what was committed.
func TestUploadRoundTrip(t *testing.T) {
	ts := newTestServer(t)
	g := addGPGKey(t, ts)
	keys := deskRecipients(t, ts)
	const chunkSize = intake.MinChunkSize

	evidence := make([]byte, 2*chunkSize+chunkSize/2) // 3 chunks of ciphertext
	rand.Read(evidence)
	copy(evidence, canary)
	sum := sha256.Sum256(evidence)
	fileMsg := encryptTo(t, evidence, keys...)
	manifest := testManifest(intake.ManifestFile{Name: "发票-" + canary + ".pdf", Type: "application/pdf", Size: int64(len(evidence)), SHA256: hex.EncodeToString(sum[:])})
	manifestID := uploadAll(t, ts, encryptTo(t, manifest, keys...), chunkSize)

	// Chunks 0 and 1 arrive, then the connection drops. Chunks are taken in
	// order only: chunk 2 before 1 is refused.
	u := newUpload(t, ts, chunkSize)
	chunks := [][]byte{fileMsg[:chunkSize], fileMsg[chunkSize : 2*chunkSize], fileMsg[2*chunkSize:]}
	if len(chunks[2]) == 0 || len(chunks[2]) > chunkSize {
		t.Fatalf("ciphertext of %d bytes is not 3 chunks", len(fileMsg))
	}
	if code := putChunk(t, ts, u.ID, 2, chunks[2]); code != http.StatusConflict {
		t.Errorf("PUT chunk 2 first = %d, want 409", code)
	}
	for _, n := range []int{0, 1} {
		if code := putChunk(t, ts, u.ID, n, chunks[n]); code != http.StatusOK {
			t.Fatalf("PUT chunk %d = %d", n, code)
		}
	}
	// The browser asks what arrived, and resumes: chunk 1 once more (the
	// answer to its first PUT was lost), then chunk 2, twice.
	var state uploadAnswer
	if code := apiCall(t, ts, http.MethodGet, "/api/v1/uploads/"+u.ID, "", nil, &state); code != http.StatusOK {
		t.Fatalf("GET upload = %d", code)
	}
	if fmt.Sprint(state.Chunks) != "[0 1]" || state.Bytes != int64(len(chunks[0])+len(chunks[1])) {
		t.Fatalf("upload state = %+v", state)
	}
	for _, n := range []int{1, 2, 2} {
		if code := putChunk(t, ts, u.ID, n, chunks[n]); code != http.StatusOK {
			t.Fatalf("PUT chunk %d = %d", n, code)
		}
	}
	// While the tip's other files go up, the browser keeps this one's
	// session every third of the idle period, paying each keep with a
	// proof of work of the session's size.
	if want := int64(intake.DefaultUploadIdle / 3 / time.Second); u.KeepAfter != want {
		t.Errorf("keep_after = %d, want %d", u.KeepAfter, want)
	}
	keep := func(id string, pow intake.Pow) int {
		return apiJSON(t, ts, http.MethodPost, "/api/v1/uploads/"+id+"/keep", map[string]any{"pow": pow}, nil)
	}
	if code := keep(u.ID, solveUploadPow(t, ts, testUploadSize)); code != http.StatusNoContent {
		t.Errorf("keep = %d, want 204", code)
	}
	if code := keep(u.ID, intake.Pow{}); code != http.StatusUnprocessableEntity {
		t.Errorf("keep without a proof of work = %d, want 422", code)
	}
	if code := keep(strings.Repeat("a", 26), solveUploadPow(t, ts, testUploadSize)); code != http.StatusNotFound {
		t.Errorf("keep of a missing session = %d, want 404", code)
	}

	var got submitAnswer
	if code := submitUploads(t, ts, manifestID, []string{u.ID}, &got); code != http.StatusOK {
		t.Fatalf("submit = %d", code)
	}
	if words := strings.Fields(got.Codename); len(words) != crypto.CodenameWords {
		t.Errorf("codename has %d words", len(words))
	}
	if got.EncryptedBy != "browser" || got.ReceiptURL != "/receipt/"+got.Submission+"?lang=zh" || got.ReceivedDay != time.Now().UTC().Format(time.DateOnly) {
		t.Errorf("answer = %+v", got)
	}

	// The submission is committed with both messages, which GnuPG decrypts
	// to exactly what the browser encrypted.
	var encryptedBy string
	ts.db.Raw("SELECT encrypted_by FROM submissions WHERE id = ?", got.Submission).Scan(&encryptedBy)
	if encryptedBy != "browser" {
		t.Errorf("encrypted_by = %q", encryptedBy)
	}
	var objects []struct {
		Kind       string
		BlobKey    string
		KeyPackets []byte
	}
	ts.db.Raw("SELECT kind, blob_key, key_packets FROM objects WHERE submission_id = ? ORDER BY position", got.Submission).Scan(&objects)
	if len(objects) != 2 || objects[0].Kind != intake.KindManifest || objects[1].Kind != intake.KindFile {
		t.Fatalf("objects = %+v", objects)
	}
	for i, want := range [][]byte{manifest, evidence} {
		rc, err := ts.deps.Blobs.Get(context.Background(), objects[i].BlobKey)
		if err != nil {
			t.Fatal(err)
		}
		msg, _ := io.ReadAll(crypto.JoinMessage(objects[i].KeyPackets, rc))
		rc.Close()
		if !bytes.Equal(g.Decrypt(msg), want) {
			t.Errorf("object %d does not decrypt to what was sent", i)
		}
	}

	// The uploads are gone, blobs and rows.
	infos, _ := ts.deps.Blobs.List(context.Background(), "uploads/")
	var sessions int64
	ts.db.Raw("SELECT count(*) FROM uploads").Scan(&sessions)
	if len(infos) != 0 || sessions != 0 {
		t.Errorf("after the submission: %d chunk blobs, %d sessions", len(infos), sessions)
	}
	if code := apiCall(t, ts, http.MethodGet, "/api/v1/uploads/"+u.ID, "", nil, nil); code != http.StatusNotFound {
		t.Errorf("GET a submitted upload = %d, want 404", code)
	}
	if code := submitUploads(t, ts, manifestID, []string{u.ID}, nil); code != http.StatusNotFound {
		t.Errorf("submitting twice = %d, want 404: the uploads are gone", code)
	}
	ts.db.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	assertNoCanary(t, ts, filepath.Dir(ts.dbPath()), ts.blobDir)
}

// TestUploadRejected sends what a browser must never send: each is refused
// with a 4xx, nothing is committed and nothing is kept.
func TestUploadRejected(t *testing.T) {
	ts := newTestServer(t)
	addGPGKey(t, ts)
	keys := deskRecipients(t, ts)
	foreignPub, _, _, err := crypto.GenerateKey("Someone Else", "", []byte("x"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	foreign, err := crypto.ParsePublicKey(foreignPub, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	plaintext := []byte("%PDF-1.4 " + canary + strings.Repeat(" evidence", intake.MinChunkSize/9+1)) // more than a chunk
	good := encryptTo(t, plaintext, keys...)
	for _, tt := range []struct {
		name    string
		msg     []byte
		atChunk bool // refused at its first chunk, not at submission
	}{
		{"Plaintext", append([]byte{0xc1}, plaintext...), true},
		{"ForeignRecipient", encryptTo(t, plaintext, foreign), true},
		{"ExtraRecipient", encryptTo(t, plaintext, append([]*crypto.PublicKey{foreign}, keys...)...), true},
		{"Truncated", good[:len(good)-100], false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			manifestID := uploadAll(t, ts, encryptTo(t, testManifest(), keys...), intake.MinChunkSize)
			if tt.atChunk {
				u := newUpload(t, ts, intake.MinChunkSize)
				if code := putChunk(t, ts, u.ID, 0, tt.msg[:min(len(tt.msg), intake.MinChunkSize)]); code != http.StatusUnprocessableEntity {
					t.Errorf("PUT chunk 0 = %d, want 422", code)
				}
				if code := apiCall(t, ts, http.MethodGet, "/api/v1/uploads/"+u.ID, "", nil, nil); code != http.StatusNotFound {
					t.Errorf("GET the refused upload = %d, want 404", code)
				}
				ts.intake.Store.(intake.UploadStore).DeleteUploads(context.Background(), []string{manifestID})
				ts.intake.SweepUploads(context.Background())
				assertNothingKept(t, ts)
				return
			}
			fileID := uploadAll(t, ts, tt.msg, intake.MinChunkSize)
			if code := submitUploads(t, ts, manifestID, []string{fileID}, nil); code != http.StatusUnprocessableEntity {
				t.Errorf("submit = %d, want 422", code)
			}
			assertNothingKept(t, ts)
		})
	}

	t.Run("TrailingGarbage", func(t *testing.T) {
		// Refused with the chunk that brings it, not at submission.
		msg := append(append([]byte{}, good...), "garbage"...)
		u := newUpload(t, ts, intake.MinChunkSize)
		last := (len(msg) - 1) / intake.MinChunkSize
		for n := 0; n <= last; n++ {
			want := http.StatusOK
			if n == last {
				want = http.StatusUnprocessableEntity
			}
			if code := putChunk(t, ts, u.ID, n, msg[n*intake.MinChunkSize:min((n+1)*intake.MinChunkSize, len(msg))]); code != want {
				t.Fatalf("PUT chunk %d of %d = %d, want %d", n, last, code, want)
			}
		}
		assertNothingKept(t, ts)
	})
	t.Run("PlaintextFirstChunk", func(t *testing.T) {
		u := newUpload(t, ts, intake.MinChunkSize)
		if code := putChunk(t, ts, u.ID, 0, plaintext[:1000]); code != http.StatusUnprocessableEntity {
			t.Errorf("PUT plaintext = %d, want 422", code)
		}
		infos, _ := ts.deps.Blobs.List(context.Background(), "")
		if len(infos) != 0 {
			t.Errorf("plaintext chunk stored: %d blobs", len(infos))
		}
		ts.intake.Store.(intake.UploadStore).DeleteUploads(context.Background(), []string{u.ID})
	})
	t.Run("Limits", func(t *testing.T) {
		u := newUpload(t, ts, intake.MinChunkSize)
		if code := putChunk(t, ts, u.ID, 0, good[:intake.MinChunkSize+1]); code != http.StatusRequestEntityTooLarge {
			t.Errorf("PUT oversized chunk = %d, want 413", code)
		}
		if code := putChunk(t, ts, u.ID, 1<<30, good[:10]); code != http.StatusRequestEntityTooLarge {
			t.Errorf("PUT chunk past the size limit = %d, want 413", code)
		}
		if code := putChunk(t, ts, u.ID, 0, nil); code != http.StatusUnprocessableEntity {
			t.Errorf("PUT empty chunk = %d, want 422", code)
		}
		if code := apiJSON(t, ts, http.MethodPost, "/api/v1/uploads", map[string]any{"desk": intake.DefaultDeskSlug, "size": 1000, "chunk_size": 100, "pow": solveUploadPow(t, ts, 1000)}, nil); code != http.StatusUnprocessableEntity {
			t.Errorf("tiny chunk size = %d, want 422", code)
		}
		if code := apiJSON(t, ts, http.MethodPost, "/api/v1/uploads", map[string]any{"desk": "no-such-desk", "size": 1000, "pow": solveUploadPow(t, ts, 1000)}, nil); code != http.StatusNotFound {
			t.Errorf("unknown desk = %d, want 404", code)
		}
		if code := apiJSON(t, ts, http.MethodPost, "/api/v1/uploads", map[string]any{"desk": intake.DefaultDeskSlug, "extra": 1}, nil); code != http.StatusUnprocessableEntity {
			t.Errorf("unknown JSON field = %d, want 422", code)
		}
		if code := apiCall(t, ts, http.MethodPut, "/api/v1/uploads/"+u.ID+"/chunks/0", "text/plain", good[:10], nil); code != http.StatusUnprocessableEntity {
			t.Errorf("chunk as text/plain = %d, want 422", code)
		}
		if code := submitUploads(t, ts, u.ID, []string{u.ID}, nil); code != http.StatusUnprocessableEntity {
			t.Errorf("an upload named twice = %d, want 422", code)
		}
		ts.intake.Store.(intake.UploadStore).DeleteUploads(context.Background(), []string{u.ID})
		assertNothingKept(t, ts)
	})
}

// TestAPISameOrigin refuses requests that another site's page makes.
func TestAPISameOrigin(t *testing.T) {
	ts := newTestServer(t)
	addGPGKey(t, ts)
	for _, h := range []map[string]string{
		{"Origin": "http://evil.example"},
		{"Origin": "null"},
		{"Sec-Fetch-Site": "cross-site"},
		{"Sec-Fetch-Site": "same-site"},
	} {
		r := httptest.NewRequest(http.MethodPost, "/api/v1/uploads", strings.NewReader(`{"desk":"export-controls"}`))
		r.Header.Set("Content-Type", "application/json")
		for k, v := range h {
			r.Header.Set(k, v)
		}
		if w := ts.do("intake", r); w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), `"forbidden"`) {
			t.Errorf("%v: %d %s, want 403", h, w.Code, w.Body)
		}
	}
	// A command-line client sends neither header.
	r := httptest.NewRequest(http.MethodGet, "/api/v1/desks/export-controls", nil)
	if w := ts.do("intake", r); w.Code != http.StatusOK {
		t.Errorf("GET desk without browser headers = %d", w.Code)
	}
	// The casework listener has no intake API.
	if w := ts.get("casework", "/api/v1/desks/export-controls"); w.Code != http.StatusNotFound {
		t.Errorf("casework GET desk = %d, want 404", w.Code)
	}
}

// TestAPIDesk serves what the browser encrypts to and describes with.
func TestAPIDesk(t *testing.T) {
	ts := newTestServer(t)
	if code := apiCall(t, ts, http.MethodGet, "/api/v1/desks/export-controls", "", nil, nil); code != http.StatusServiceUnavailable {
		t.Errorf("desk without keys = %d, want 503", code)
	}
	g := addGPGKey(t, ts)
	var d struct {
		Desk string `json:"desk"`
		Keys []struct {
			Fingerprint string `json:"fingerprint"`
			Armored     string `json:"armored"`
		} `json:"keys"`
		Questionnaire intake.Questionnaire `json:"questionnaire"`
		Countries     []struct {
			Code string      `json:"code"`
			Name intake.Text `json:"name"`
		} `json:"countries"`
		ChunkSize int64 `json:"chunk_size"`
	}
	if code := apiCall(t, ts, http.MethodGet, "/api/v1/desks/export-controls", "", nil, &d); code != http.StatusOK {
		t.Fatalf("GET desk = %d", code)
	}
	if len(d.Keys) != 1 || d.Keys[0].Fingerprint != g.Fingerprint || !strings.Contains(d.Keys[0].Armored, "BEGIN PGP PUBLIC KEY BLOCK") {
		t.Errorf("keys = %+v", d.Keys)
	}
	if len(d.Questionnaire.Fields) != len(intake.DefaultQuestionnaire().Fields) || len(d.Countries) < 200 || d.ChunkSize != intake.DefaultChunkSize {
		t.Errorf("questionnaire of %d fields, %d countries, chunk size %d", len(d.Questionnaire.Fields), len(d.Countries), d.ChunkSize)
	}
	if code := apiCall(t, ts, http.MethodGet, "/api/v1/desks/no-such-desk", "", nil, nil); code != http.StatusNotFound {
		t.Errorf("unknown desk = %d, want 404", code)
	}
}

// TestSweepUploads removes expired sessions and chunks without a session.
func TestSweepUploads(t *testing.T) {
	ts := newTestServer(t)
	addGPGKey(t, ts)
	keys := deskRecipients(t, ts)
	msg := encryptTo(t, []byte("evidence"), keys...)
	id := uploadAll(t, ts, msg, intake.MinChunkSize)
	// A chunk whose session is gone.
	if _, err := ts.deps.Blobs.Put(context.Background(), "uploads/"+strings.Repeat("a", 26)+"/00000000", bytes.NewReader(msg)); err != nil {
		t.Fatal(err)
	}
	if n, err := ts.intake.SweepUploads(context.Background()); err != nil || n != 1 {
		t.Errorf("first sweep removed %d, %v; want the orphan only", n, err)
	}
	if code := apiCall(t, ts, http.MethodGet, "/api/v1/uploads/"+id, "", nil, nil); code != http.StatusOK {
		t.Errorf("live upload after the sweep = %d", code)
	}
	later := time.Now().Add(intake.UploadTTL + 2*time.Hour)
	ts.intake.Now = func() time.Time { return later }
	if code := apiCall(t, ts, http.MethodGet, "/api/v1/uploads/"+id, "", nil, nil); code != http.StatusNotFound {
		t.Errorf("expired upload = %d, want 404", code)
	}
	if n, err := ts.intake.SweepUploads(context.Background()); err != nil || n != 1 {
		t.Errorf("second sweep removed %d, %v; want the expired session", n, err)
	}
	assertNothingKept(t, ts)
}

// TestVendoredOpenPGPJS checks the vendored OpenPGP.js against the SHA-256
// that scripts/openpgpjs.sh recorded (make openpgpjs rebuilds both).
func TestVendoredOpenPGPJS(t *testing.T) {
	dir := filepath.Join("..", "static", "vendor", "openpgp")
	f, err := os.Open(filepath.Join(dir, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	checked := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		want, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok {
			t.Fatalf("SHA256SUMS line %q", sc.Text())
		}
		body, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if sum := sha256.Sum256(body); hex.EncodeToString(sum[:]) != want {
			t.Errorf("%s does not match SHA256SUMS: run make openpgpjs", name)
		}
		checked[name] = true
	}
	if !checked["openpgp.min.mjs"] || !checked["LICENSE"] {
		t.Errorf("SHA256SUMS covers %v, want openpgp.min.mjs and LICENSE", checked)
	}
	body, _ := os.ReadFile(filepath.Join(dir, "openpgp.min.mjs"))
	if !bytes.HasPrefix(body, []byte("/*! OpenPGP.js v6.3.2 ")) {
		t.Error("openpgp.min.mjs is not OpenPGP.js 6.3.2")
	}
}

// TestDeskPageScripts checks how the desk page loads its scripts: from this
// origin, each pinned by Subresource Integrity, and only where the form is.
func TestDeskPageScripts(t *testing.T) {
	ts := newTestServer(t)
	if body := ts.get("intake", "/desk/export-controls").Body.String(); strings.Contains(body, "<script") || strings.Contains(body, "modulepreload") {
		t.Error("a desk that accepts no tips loads scripts")
	}
	addGPGKey(t, ts)
	w := ts.get("intake", "/desk/export-controls?lang=zh")
	body := html.UnescapeString(w.Body.String())
	for _, logical := range []string{"js/submit.js", "js/hash.js", "js/seipd.js", "vendor/openpgp/openpgp.min.mjs"} {
		u, _ := ts.assets.url(logical)
		sri, _ := ts.assets.integrity(logical)
		if !strings.Contains(body, `src="`+u+`" integrity="`+sri+`"`) && !strings.Contains(body, `href="`+u+`" integrity="`+sri+`"`) {
			t.Errorf("the page does not load %s from %s with integrity %s", logical, u, sri)
		}
	}
	if !strings.Contains(w.Header().Get("Content-Security-Policy"), "script-src 'self'") {
		t.Errorf("CSP %q does not allow this origin's scripts", w.Header().Get("Content-Security-Policy"))
	}
	// The page without its form weighs little; OpenPGP.js comes only with
	// JavaScript on.
	if len(body) > 100<<10 {
		t.Errorf("the desk page is %d bytes", len(body))
	}
}

// solvePow asks the server for a proof-of-work challenge and solves it, as
// submit.js does.
func solvePow(t *testing.T, ts *testServer) intake.Pow {
	t.Helper()
	var ch intake.PowChallenge
	if code := apiCall(t, ts, http.MethodGet, "/api/v1/pow?desk="+intake.DefaultDeskSlug, "", nil, &ch); code != http.StatusOK {
		t.Fatalf("GET /api/v1/pow = %d", code)
	}
	return ch.Solve()
}

// solveUploadPow asks the server for the proof-of-work challenge that opens
// an upload session of size bytes, and solves it, as submit.js does.
func solveUploadPow(t *testing.T, ts *testServer, size int64) intake.Pow {
	t.Helper()
	var ch intake.PowChallenge
	path := fmt.Sprintf("/api/v1/pow?desk=%s&size=%d", intake.DefaultDeskSlug, size)
	if code := apiCall(t, ts, http.MethodGet, path, "", nil, &ch); code != http.StatusOK {
		t.Fatalf("GET %s = %d", path, code)
	}
	return ch.Solve()
}

// TestAPIRequiresProofOfWork: without a solved challenge, or with one spent
// already, neither an upload session nor a submission is accepted.
func TestAPIRequiresProofOfWork(t *testing.T) {
	ts := newTestServer(t)
	addGPGKey(t, ts)
	if code := apiJSON(t, ts, http.MethodPost, "/api/v1/uploads", map[string]any{"desk": intake.DefaultDeskSlug}, nil); code != http.StatusUnprocessableEntity {
		t.Errorf("upload without proof of work = %d, want 422", code)
	}
	pow := solveUploadPow(t, ts, 1000)
	if code := apiJSON(t, ts, http.MethodPost, "/api/v1/uploads", map[string]any{"desk": intake.DefaultDeskSlug, "pow": pow}, nil); code != http.StatusUnprocessableEntity {
		t.Errorf("upload without a declared size = %d, want 422", code)
	}
	if code := apiJSON(t, ts, http.MethodPost, "/api/v1/uploads", map[string]any{"desk": intake.DefaultDeskSlug, "size": 1000, "pow": pow}, nil); code != http.StatusCreated {
		t.Errorf("upload with proof of work = %d, want 201", code)
	}
	if code := apiJSON(t, ts, http.MethodPost, "/api/v1/uploads", map[string]any{"desk": intake.DefaultDeskSlug, "size": 1000, "pow": pow}, nil); code != http.StatusUnprocessableEntity {
		t.Errorf("upload with a spent proof of work = %d, want 422", code)
	}

	// The work grows with the declared size: 2 bits more (the cap) for
	// 1 GiB than for 1000 bytes. Counters good enough for 1000 bytes and
	// no more do not open a session of 1 GiB (reproduction 2 of issue 11).
	var small, big intake.PowChallenge
	apiCall(t, ts, http.MethodGet, "/api/v1/pow?desk=export-controls&size=1000", "", nil, &small)
	apiCall(t, ts, http.MethodGet, "/api/v1/pow?desk=export-controls&size=1073741824", "", nil, &big)
	if big.Bits != small.Bits+2 {
		t.Errorf("difficulty for 1 GiB = %d bits, for 1000 bytes %d; want 2 more", big.Bits, small.Bits)
	}
	if small.Solutions != intake.PowSolutions || big.SolutionBits != small.SolutionBits+2 {
		t.Errorf("challenges ask %d counters of %d bits for 1000 bytes, of %d for 1 GiB; want %d, and 2 bits more",
			small.Solutions, small.SolutionBits, big.SolutionBits, intake.PowSolutions)
	}
	cheap := intake.Pow{Token: small.Token}
	for counter := uint64(0); len(cheap.Counters) < small.Solutions; counter++ {
		if z := leadingZeros(cheap.Token, counter); z >= small.SolutionBits && z < big.SolutionBits {
			cheap.Counters = append(cheap.Counters, counter)
		}
	}
	if code := apiJSON(t, ts, http.MethodPost, "/api/v1/uploads", map[string]any{"desk": intake.DefaultDeskSlug, "size": 1 << 30, "pow": cheap}, nil); code != http.StatusUnprocessableEntity {
		t.Errorf("1 GiB upload with the work of a small one = %d, want 422", code)
	}
	if code := apiJSON(t, ts, http.MethodPost, "/api/v1/uploads", map[string]any{"desk": intake.DefaultDeskSlug, "size": 1 << 30, "pow": intake.PowChallenge{Token: small.Token, Bits: big.Bits}.Solve()}, nil); code != http.StatusCreated {
		t.Errorf("1 GiB upload with its work = %d, want 201", code)
	}
	if code := apiJSON(t, ts, http.MethodPost, "/api/v1/submissions", map[string]any{"desk": intake.DefaultDeskSlug, "manifest": "x"}, nil); code != http.StatusUnprocessableEntity {
		t.Errorf("submission without proof of work = %d, want 422", code)
	}
}

// leadingZeros counts the leading zero bits of SHA-256(token || counter).
func leadingZeros(token string, counter uint64) int {
	sum := sha256.Sum256(append([]byte(token), strconv.FormatUint(counter, 10)...))
	n := 0
	for _, c := range sum {
		if c != 0 {
			return n + mathbits.LeadingZeros8(c)
		}
		n += 8
	}
	return n
}
