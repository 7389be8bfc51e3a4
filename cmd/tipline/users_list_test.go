package main

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestUsersListFailures: after a failed login, `tipline users list` shows
// the account's count of failed logins and the day of the last one (issue
// 11: the attempts are visible to admins; there is no lockout to show).
func TestUsersListFailures(t *testing.T) {
	env := map[string]string{"TIPLINE_DATA_DIR": filepath.Join(t.TempDir(), "data")}
	pwFile := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(pwFile, []byte("correct horse battery\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := runTipline(t, env, "users", "add", "--email", "ana@example.org", "--role", "investigator",
		"--password-file", pwFile, "--desk", "export-controls"); code != 0 {
		t.Fatalf("users add: exit %d: %s", code, stderr)
	}
	r := startServe(t, env)
	for range 2 {
		resp, err := http.Post("http://"+r.casework+"/api/v1/session", "application/json",
			strings.NewReader(`{"email":"ana@example.org","password":"wrong password!","totp":"123456"}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("wrong password: %d", resp.StatusCode)
		}
	}
	stdout, _, code := runTipline(t, env, "users", "list")
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if code != 0 || len(lines) != 2 {
		t.Fatalf("users list: exit %d\n%s", code, stdout)
	}
	header, row := strings.Fields(lines[0]), strings.Fields(lines[1])
	want := map[string]string{"STATUS": "active", "FAILED": "2", "LAST": time.Now().UTC().Format(time.DateOnly)}
	for i, h := range header {
		if w, ok := want[h]; ok && (i >= len(row) || row[i] != w) {
			t.Errorf("column %s: got %q, want %q\n%s", h, row[min(i, len(row)-1)], w, stdout)
		}
	}
}
