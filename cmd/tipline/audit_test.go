package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tipline/tipline/blob"
	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/database"
	"github.com/tipline/tipline/database/dbtest"
	"github.com/tipline/tipline/internal/testenv"
)

// deploymentEnv returns the settings of a fresh deployment: the embedded
// default in a data folder, or PostgreSQL and MinIO with the pepper in the
// environment.
func deploymentEnv(t *testing.T, d database.Dialect) map[string]string {
	env := map[string]string{"TIPLINE_DATA_DIR": filepath.Join(t.TempDir(), "data")}
	if d == database.Postgres {
		env["TIPLINE_DATABASE_URL"] = dbtest.URL(t, database.Postgres)
		env["TIPLINE_BLOB_URL"] = testenv.StartMinIO(t).URL("tipline")
		s3, err := blob.Open(env["TIPLINE_BLOB_URL"])
		if err != nil {
			t.Fatal(err)
		}
		if err := s3.(*blob.S3).EnsureBucket(context.Background()); err != nil { // as serve does at start
			t.Fatal(err)
		}
		env["TIPLINE_PEPPER"] = strings.Repeat("7c", 32)
	}
	return env
}

// execSQL runs one statement on the deployment's database.
func execSQL(t *testing.T, env map[string]string, sql string, args ...any) {
	t.Helper()
	url := env["TIPLINE_DATABASE_URL"]
	if url == "" {
		url = filepath.Join(env["TIPLINE_DATA_DIR"], "tipline.db")
	}
	db, err := database.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Exec(sql, args...).Error; err != nil {
		t.Fatal(err)
	}
}

// TestAuditVerifyDetectsTruncation: deleting the last entries of the audit
// log left a shorter chain that `tipline audit verify` called intact.
func TestAuditVerifyDetectsTruncation(t *testing.T) {
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			env := deploymentEnv(t, d)
			pw := filepath.Join(t.TempDir(), "pw")
			os.WriteFile(pw, []byte("correct horse battery\n"), 0o600)
			var totpURI string
			for _, email := range []string{"ana@example.org", "ben@example.org", "chen@example.org"} {
				out, stderr, code := runTipline(t, env, "users", "add", "--email", email, "--role", "auditor", "--password-file", pw)
				if code != 0 {
					t.Fatalf("users add: %s", stderr)
				}
				if totpURI == "" {
					totpURI = strings.TrimSpace(out)
				}
			}
			if out, stderr, code := runTipline(t, env, "audit", "verify"); code != 0 || out != "audit log intact: 3 entries\n" {
				t.Fatalf("audit verify = %d %q %s", code, out, stderr)
			}
			execSQL(t, env, "DELETE FROM audit_log WHERE seq > 1")
			out, _, code := runTipline(t, env, "audit", "verify")
			if code != 1 || out != "audit log: truncated: the log ends at entry 1, but its anchor names entry 3\n" {
				t.Errorf("after deleting the last 2 entries: audit verify = %d %q", code, out)
			}

			// An auditor verifying on /audit sees it too, although serve's
			// setup link (no admin exists) and the login have appended
			// entries 2 and 3 since: entry 3 is not the one anchored.
			r := startServe(t, env)
			token := login(t, r.casework, "ana@example.org", totpURI)
			req, _ := http.NewRequest(http.MethodGet, "http://"+r.casework+"/audit?verify=1", nil)
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			page, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), "does not end where its anchors say") ||
				!strings.Contains(string(page), "entry 3 is not the one its anchor names: the log was rolled back or rewritten") {
				t.Errorf("/audit?verify=1 = %d\n%s", resp.StatusCode, page)
			}
		})
	}
}

// login logs a staff member in through the API with the password of the
// tests and a TOTP code from the otpauth:// URI that `users add` printed,
// and returns the bearer token.
func login(t *testing.T, addr, email, totpURI string) string {
	t.Helper()
	uri, err := url.Parse(totpURI)
	if err != nil {
		t.Fatal(err)
	}
	code, err := casework.TOTPCode(uri.Query().Get("secret"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(map[string]string{"email": email, "password": "correct horse battery", "totp": code})
	resp, err := http.Post("http://"+addr+"/api/v1/session", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var session struct{ Token string }
	json.NewDecoder(resp.Body).Decode(&session)
	if resp.StatusCode != http.StatusCreated || session.Token == "" {
		t.Fatalf("login of %s = %d", email, resp.StatusCode)
	}
	return session.Token
}
