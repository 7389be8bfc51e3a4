package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/database"
)

// TestUsersAddLoginAudit adds an account with the CLI, logs in to a running
// serve with a code computed from the printed otpauth:// URI, then verifies
// the audit log, tampers with it and verifies again.
func TestUsersAddLoginAudit(t *testing.T) {
	dataDir := filepath.Join(t.TempDir(), "data")
	env := map[string]string{"TIPLINE_DATA_DIR": dataDir}
	pwFile := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(pwFile, []byte("correct horse battery\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	if _, stderr, code := runTipline(t, env, "users", "add", "--email", "ana@example.org", "--role", "boss", "--password-file", pwFile); code != 1 {
		t.Errorf("unknown role: exit %d, %s", code, stderr)
	}
	stdout, stderr, code := runTipline(t, env, "users", "add", "--email", "Ana@example.org", "--role", "investigator",
		"--password-file", pwFile, "--desk", "export-controls")
	if code != 0 {
		t.Fatalf("users add: exit %d: %s", code, stderr)
	}
	uri, err := url.Parse(strings.TrimSpace(stdout))
	if err != nil || uri.Scheme != "otpauth" || strings.Count(stdout, "\n") != 1 {
		t.Fatalf("stdout is not one otpauth:// URI: %q", stdout)
	}
	stdout, _, code = runTipline(t, env, "users", "list")
	if code != 0 || !strings.Contains(stdout, "ana@example.org") || !strings.Contains(stdout, "export-controls") {
		t.Errorf("users list: exit %d\n%s", code, stdout)
	}

	r := startServe(t, env)
	totp, err := casework.TOTPCode(uri.Query().Get("secret"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	body := `{"email":"ana@example.org","password":"correct horse battery","totp":"` + totp + `"}`
	resp, err := http.Post("http://"+r.casework+"/api/v1/session", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var session struct{ Token string }
	json.NewDecoder(resp.Body).Decode(&session)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated || session.Token == "" {
		t.Fatalf("login: %d", resp.StatusCode)
	}

	stdout, _, code = runTipline(t, env, "audit", "verify")
	// The account, serve's setup link (no admin exists yet) and the login.
	if code != 0 || stdout != "audit log intact: 3 entries\n" {
		t.Errorf("audit verify: exit %d, %q", code, stdout)
	}
	db, err := database.Open(context.Background(), filepath.Join(dataDir, "tipline.db"))
	if err != nil {
		t.Fatal(err)
	}
	err = db.Exec(`UPDATE audit_log SET payload = replace(payload, 'investigator', 'admin') WHERE seq = 1`).Error
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	stdout, _, code = runTipline(t, env, "audit", "verify")
	if code != 1 || stdout != "audit log broken at entry 1\n" {
		t.Errorf("tampered audit verify: exit %d, %q", code, stdout)
	}
}
