package main

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tipline/tipline/internal/testenv"
)

// TestReceiptVerify submits a tip to a running server, downloads the signed
// receipt as a source would, and checks it from the command line, against
// the database and against the published receipt key with GnuPG.
func TestReceiptVerify(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"TIPLINE_DATA_DIR": dir}
	g := testenv.NewGPG(t)
	key := filepath.Join(dir, "desk.asc")
	os.WriteFile(key, g.Public, 0o600)
	if _, errOut, code := runTipline(t, env, "keys", "add", "--desk", "export-controls", "--file", key); code != 0 {
		t.Fatal(errOut)
	}
	r := startServe(t, env)

	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("narrative", "Transshipment through a forwarder in Singapore.")
	mw.Close()
	resp, err := http.Post("http://"+r.intake+"/desk/export-controls/submit", mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`href="(/receipt/[a-z0-9]+)\?`).FindSubmatch(page)
	if resp.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("submission = %d, no receipt link\n%s", resp.StatusCode, page)
	}
	get := func(path string) []byte {
		resp, err := http.Get("http://" + r.intake + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s = %d", path, resp.StatusCode)
		}
		return b
	}
	receipt := filepath.Join(dir, "receipt.txt")
	os.WriteFile(receipt, get(string(m[1])), 0o600)
	receiptKey := filepath.Join(dir, "receipt-key.asc")
	os.WriteFile(receiptKey, get("/receipt-key.asc"), 0o600)

	for _, args := range [][]string{
		{"receipt", "verify", receipt},
		{"receipt", "verify", "--key", receiptKey, receipt},
	} {
		out, errOut, code := runTipline(t, env, args...)
		if code != 0 || !strings.Contains(out, `"chain_intact": true`) || !strings.Contains(out, `"signature_valid": true`) {
			t.Errorf("tipline %v = %d\n%s%s", args, code, out, errOut)
		}
	}
	g.Import(get("/receipt-key.asc"))
	g.Verify(get(string(m[1])))

	// An operator lists the submission and exports it for GnuPG.
	id := strings.TrimPrefix(string(m[1]), "/receipt/")
	if out, errOut, code := runTipline(t, env, "submissions", "list"); code != 0 || !strings.Contains(out, id) {
		t.Errorf("submissions list = %d\n%s%s", code, out, errOut)
	}
	exported := filepath.Join(dir, "export")
	out, errOut, code := runTipline(t, env, "submissions", "export", id, "--out", exported)
	if code != 0 {
		t.Fatalf("submissions export = %d: %s", code, errOut)
	}
	files := strings.Fields(out)
	if len(files) != 1 || !strings.Contains(files[0], "manifest") {
		t.Fatalf("exported %v, want one manifest", files)
	}
	msg, _ := os.ReadFile(files[0])
	if manifest := g.Decrypt(msg); !strings.Contains(string(manifest), "Transshipment through a forwarder in Singapore.") {
		t.Errorf("gpg --decrypt of the exported manifest: %s", manifest)
	}
	// The same offline with tipline decrypt and the key GnuPG made.
	secret := filepath.Join(dir, "secret.asc")
	os.WriteFile(secret, g.ExportSecret(), 0o600)
	empty := filepath.Join(dir, "empty-passphrase")
	os.WriteFile(empty, []byte("\n"), 0o600)
	out, errOut, code = runTipline(t, env, "decrypt", "--key", secret, "--passphrase-file", empty, files[0])
	if code != 0 || !strings.Contains(out, "Transshipment through a forwarder in Singapore.") {
		t.Errorf("tipline decrypt = %d\n%s%s", code, out, errOut)
	}
	tampered := filepath.Join(dir, "tampered.pgp")
	msg[len(msg)-5] ^= 1
	os.WriteFile(tampered, msg, 0o600)
	plainFile := filepath.Join(dir, "plain.json")
	if _, errOut, code := runTipline(t, env, "decrypt", "--key", secret, "--passphrase-file", empty, "--out", plainFile, tampered); code == 0 || !strings.Contains(errOut, "integrity") {
		t.Errorf("tipline decrypt of a tampered message = %d: %s", code, errOut)
	}
	if _, err := os.Stat(plainFile); err == nil {
		t.Error("a message that failed its integrity check left its plaintext behind")
	}

	text, _ := os.ReadFile(receipt)
	forged := filepath.Join(dir, "forged.txt")
	os.WriteFile(forged, bytes.Replace(text, []byte("entry 1 "), []byte("entry 7 "), 1), 0o600)
	if out, _, code := runTipline(t, env, "receipt", "verify", forged); code != 1 || !strings.Contains(out, `"signature_valid": false`) {
		t.Errorf("a forged receipt: exit %d\n%s", code, out)
	}
}
