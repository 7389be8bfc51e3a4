package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tipline/tipline/blob"
	"github.com/tipline/tipline/crypto"
	"github.com/tipline/tipline/database"
	"github.com/tipline/tipline/database/dbtest"
	"github.com/tipline/tipline/intake"
)

// drillTip is a tip a source sent without JavaScript, and what the source
// kept: the codename and the receipt.
type drillTip struct {
	narrative, evidence string
	codename, receipt   string
	submission          string
}

// submitNoJS posts the desk's form as Tor Browser at "Safest" does and
// returns the codename shown and the receipt downloaded.
func submitNoJS(t *testing.T, intakeAddr, dir string, tip *drillTip) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("narrative", tip.narrative)
	fw, _ := mw.CreateFormFile("evidence", "invoice.pdf")
	io.WriteString(fw, tip.evidence)
	mw.Close()
	resp, err := http.Post("http://"+intakeAddr+"/desk/export-controls/submit?lang=en", mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var words []string
	for _, m := range regexp.MustCompile(`<span>([a-z-]+)</span>`).FindAllSubmatch(page, -1) {
		words = append(words, string(m[1]))
	}
	link := regexp.MustCompile(`href="(/receipt/[a-z0-9]+)\?`).FindSubmatch(page)
	if resp.StatusCode != http.StatusOK || len(words) != crypto.CodenameWords || link == nil {
		t.Fatalf("submission = %d, %d codename words, receipt link %q", resp.StatusCode, len(words), link)
	}
	tip.codename = strings.Join(words, " ")
	resp, err = http.Get("http://" + intakeAddr + string(link[1]))
	if err != nil {
		t.Fatal(err)
	}
	receipt, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	id := regexp.MustCompile(`submission ([a-z0-9]+) was received`).FindSubmatch(receipt)
	if resp.StatusCode != http.StatusOK || id == nil {
		t.Fatalf("receipt = %d\n%s", resp.StatusCode, receipt)
	}
	tip.submission = string(id[1])
	tip.receipt = filepath.Join(dir, "receipt-"+tip.submission+".txt")
	os.WriteFile(tip.receipt, receipt, 0o600)
}

// mailboxLogin logs into the mailbox without JavaScript and reports
// whether the source's tip was found.
func mailboxLogin(t *testing.T, intakeAddr, codename string) bool {
	t.Helper()
	resp, err := http.PostForm("http://"+intakeAddr+"/mailbox?lang=en", url.Values{"codename": {codename}})
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK && strings.Contains(string(page), intake.T(intake.EN, "mailbox_status_new"))
}

// blobURL returns the deployment's blob store, also when it is the
// embedded default.
func blobURL(env map[string]string) string {
	if u := env["TIPLINE_BLOB_URL"]; u != "" {
		return u
	}
	return filepath.Join(env["TIPLINE_DATA_DIR"], "blobs")
}

// destroy removes a deployment's data as a disaster would, all but the
// pepper, which the operator kept apart and now gives in the environment.
func destroy(t *testing.T, env map[string]string) {
	t.Helper()
	if env["TIPLINE_PEPPER"] == "" {
		pepper, err := os.ReadFile(filepath.Join(env["TIPLINE_DATA_DIR"], "pepper"))
		if err != nil {
			t.Fatal(err)
		}
		env["TIPLINE_PEPPER"] = strings.TrimSpace(string(pepper))
	}
	if err := os.RemoveAll(env["TIPLINE_DATA_DIR"]); err != nil {
		t.Fatal(err)
	}
	if env["TIPLINE_DATABASE_URL"] == "" {
		return
	}
	execSQL(t, env, "DROP SCHEMA public CASCADE; CREATE SCHEMA public")
	blobs, err := blob.Open(env["TIPLINE_BLOB_URL"])
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	infos, err := blobs.List(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, info := range infos {
		if err := blobs.Delete(ctx, info.Key); err != nil {
			t.Fatal(err)
		}
	}
}

// TestBackupRestoreDrill is the drill of issue 16: sources send tips
// without JavaScript to a real server and keep their codenames and
// receipts; the deployment is copied, destroyed and restored from the
// copy; then an investigator decrypts every object, every source logs
// into the mailbox, and the audit log and every receipt verify. On the
// embedded default and on PostgreSQL and MinIO.
func TestBackupRestoreDrill(t *testing.T) {
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			env := deploymentEnv(t, d)
			work := t.TempDir()
			public, private, pass := filepath.Join(work, "desk.asc"), filepath.Join(work, "desk-secret.asc"), filepath.Join(work, "pass")
			os.WriteFile(pass, []byte("investigator passphrase\n"), 0o600)
			run := func(args ...string) string {
				t.Helper()
				out, errOut, code := runTipline(t, env, args...)
				if code != 0 {
					t.Fatalf("tipline %s = %d\n%s%s", strings.Join(args, " "), code, out, errOut)
				}
				return out
			}
			run("keys", "generate", "--name", "Export desk", "--out-public", public, "--out-private", private, "--passphrase-file", pass)
			run("keys", "add", "--desk", "export-controls", "--file", public)
			os.WriteFile(filepath.Join(work, "pw"), []byte("correct horse battery\n"), 0o600)
			run("users", "add", "--email", "ana@example.org", "--role", "investigator", "--password-file", filepath.Join(work, "pw"), "--desk", "export-controls")

			tips := make([]drillTip, 3)
			copyDir := filepath.Join(work, "copy")
			t.Run("sources submit", func(t *testing.T) {
				r := startServe(t, env) // stops when this subtest ends
				for i := range tips {
					tips[i].narrative = fmt.Sprintf("Tip %d: H100 servers relabelled as routers.", i)
					tips[i].evidence = fmt.Sprintf("%%PDF-1.4 invoice %d ", i) + strings.Repeat("x", 100_000*i)
					submitNoJS(t, r.intake, work, &tips[i])
				}
				run("backup", "--out", copyDir) // while serve runs
			})
			if t.Failed() {
				return
			}
			if out := run("backup", "verify", copyDir); !strings.HasPrefix(out, "copy intact: ") {
				t.Errorf("backup verify: %q", out)
			}
			if b, _ := os.ReadFile(filepath.Join(copyDir, "manifest.json")); bytes.Contains(b, []byte("pepper")) {
				t.Error("the manifest names a pepper")
			}
			if d == database.SQLite {
				if _, err := os.Stat(filepath.Join(copyDir, "pepper")); err == nil {
					t.Error("the pepper is in the copy")
				}
			}

			destroy(t, env)
			run("restore", copyDir)
			if _, errOut, code := runTipline(t, env, "restore", copyDir); code != 1 || !strings.Contains(errOut, "not empty") {
				t.Errorf("a second restore into the restored deployment = %d %s", code, errOut)
			}

			for _, tip := range tips {
				out := filepath.Join(work, "export-"+tip.submission)
				files := strings.Fields(run("submissions", "export", tip.submission, "--out", out))
				var plain []string
				for _, f := range files {
					plain = append(plain, run("decrypt", "--key", private, "--passphrase-file", pass, f))
				}
				all := strings.Join(plain, "\n")
				if len(files) != 2 || !strings.Contains(all, tip.narrative) || !strings.Contains(all, tip.evidence) {
					t.Errorf("submission %s: %d objects, decrypted text holds the narrative %v and the evidence %v",
						tip.submission, len(files), strings.Contains(all, tip.narrative), strings.Contains(all, tip.evidence))
				}
			}
			if out := run("audit", "verify"); !strings.HasPrefix(out, "audit log intact: ") {
				t.Errorf("audit verify: %q", out)
			}
			for _, tip := range tips {
				if out := run("receipt", "verify", tip.receipt); !strings.Contains(out, `"chain_intact": true`) || !strings.Contains(out, `"log_anchored": true`) {
					t.Errorf("receipt verify:\n%s", out)
				}
			}
			t.Run("sources read their mailbox", func(t *testing.T) {
				r := startServe(t, env)
				for _, tip := range tips {
					if !mailboxLogin(t, r.intake, tip.codename) {
						t.Errorf("the codename of %s does not open the mailbox after the restore", tip.submission)
					}
				}
			})

			// The restored serve copied the restored anchors outside the
			// database; cutting the intake log's last entry is now found
			// by every receipt check, not only by the last tip's.
			blobs, err := blob.Open(blobURL(env))
			if err != nil {
				t.Fatal(err)
			}
			copies, err := blobs.List(context.Background(), "anchors/")
			if err != nil || len(copies) != 2 {
				t.Errorf("copies of the anchors after the restore: %v, %v", copies, err)
			}
			execSQL(t, env, "DELETE FROM intake_log WHERE seq = 3")
			out, _, code := runTipline(t, env, "receipt", "verify", tips[0].receipt)
			if code != 1 || !strings.Contains(out, `"log_anchored": false`) || !strings.Contains(out, "truncated: the log ends at entry 2, but its anchor names entry 3") {
				t.Errorf("receipt verify after cutting the intake log = %d\n%s", code, out)
			}
		})
	}
}

// TestBackupVerifyFindsChanges: a copy with a file changed, one missing
// and one added is reported file by file, and restore refuses it.
func TestBackupVerifyFindsChanges(t *testing.T) {
	env := deploymentEnv(t, database.SQLite)
	work := t.TempDir()
	public := filepath.Join(work, "desk.asc")
	os.WriteFile(filepath.Join(work, "pass"), []byte("passphrase\n"), 0o600)
	for _, args := range [][]string{
		{"keys", "generate", "--name", "Desk", "--out-public", public, "--out-private", filepath.Join(work, "secret.asc"), "--passphrase-file", filepath.Join(work, "pass")},
		{"keys", "add", "--desk", "export-controls", "--file", public},
	} {
		if _, errOut, code := runTipline(t, env, args...); code != 0 {
			t.Fatal(errOut)
		}
	}
	t.Run("submit", func(t *testing.T) {
		r := startServe(t, env)
		for i := range 2 {
			submitNoJS(t, r.intake, work, &drillTip{narrative: fmt.Sprintf("tip %d", i), evidence: "evidence"})
		}
	})
	copyDir := filepath.Join(work, "copy")
	if _, errOut, code := runTipline(t, env, "backup", "--out", copyDir); code != 0 {
		t.Fatal(errOut)
	}
	if _, errOut, code := runTipline(t, env, "backup", "--out", copyDir); code != 1 || !strings.Contains(errOut, "is not empty") {
		t.Errorf("a backup into a folder that is not empty = %d %s", code, errOut)
	}
	// The committed blobs, under pending/ until the janitor's daily batch
	// moves them to objects/.
	objects, _ := filepath.Glob(filepath.Join(copyDir, "blobs", "*", "*"))
	if len(objects) != 4 {
		t.Fatalf("the copy holds %d objects, want 4 (2 tips of a manifest and a file)", len(objects))
	}
	// A copy put together by other tools gets its manifest from `backup
	// manifest`: the same as backup's own.
	made, _ := os.ReadFile(filepath.Join(copyDir, "manifest.json"))
	os.Remove(filepath.Join(copyDir, "manifest.json"))
	if _, errOut, code := runTipline(t, env, "backup", "manifest", copyDir); code != 0 {
		t.Fatal(errOut)
	}
	if again, _ := os.ReadFile(filepath.Join(copyDir, "manifest.json")); !bytes.Equal(again, made) {
		t.Errorf("backup manifest wrote\n%s\nbackup wrote\n%s", again, made)
	}
	if _, errOut, code := runTipline(t, env, "backup", "manifest", copyDir); code != 1 || !strings.Contains(errOut, "already has a manifest") {
		t.Errorf("backup manifest over a manifest = %d %s", code, errOut)
	}
	rel := func(name string) string { r, _ := filepath.Rel(copyDir, name); return filepath.ToSlash(r) }
	os.WriteFile(objects[0], []byte("changed"), 0o600)
	os.Remove(objects[1])
	extra := filepath.Join(filepath.Dir(objects[2]), "extra")
	os.WriteFile(extra, []byte("x"), 0o600)
	out, _, code := runTipline(t, env, "backup", "verify", copyDir)
	want := "changed: " + rel(objects[0]) + "\nmissing: " + rel(objects[1]) + "\nextra: " + rel(extra) + "\n"
	if code != 1 || sortedLines(out) != sortedLines(want) {
		t.Errorf("backup verify = %d\n%s\nwant\n%s", code, out, want)
	}
	restored := map[string]string{"TIPLINE_DATA_DIR": filepath.Join(work, "restored"), "TIPLINE_PEPPER": strings.Repeat("ab", 32)}
	if _, errOut, code := runTipline(t, restored, "restore", copyDir); code != 1 || !strings.Contains(errOut, "differs from its manifest") {
		t.Errorf("restore of a changed copy = %d %s", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(work, "restored", "tipline.db")); err == nil {
		t.Error("restore of a changed copy wrote a database")
	}
}

func sortedLines(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

// TestRestoreRefuses: restore needs the copied deployment's pepper and an
// empty deployment of the copy's dialect.
func TestRestoreRefuses(t *testing.T) {
	env := deploymentEnv(t, database.SQLite)
	work := t.TempDir()
	os.WriteFile(filepath.Join(work, "pw"), []byte("correct horse battery\n"), 0o600)
	if _, errOut, code := runTipline(t, env, "users", "add", "--email", "ana@example.org", "--role", "auditor", "--password-file", filepath.Join(work, "pw")); code != 0 {
		t.Fatal(errOut)
	}
	copyDir := filepath.Join(work, "copy")
	if _, errOut, code := runTipline(t, env, "backup", "--out", copyDir); code != 0 {
		t.Fatal(errOut)
	}
	pepper, _ := os.ReadFile(filepath.Join(env["TIPLINE_DATA_DIR"], "pepper"))
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"no pepper", map[string]string{"TIPLINE_DATA_DIR": filepath.Join(work, "a")}, "no pepper"},
		{"another pepper", map[string]string{"TIPLINE_DATA_DIR": filepath.Join(work, "b"), "TIPLINE_PEPPER": strings.Repeat("ab", 32)}, "the pepper is not the copied deployment's"},
		{"not empty", env, "not empty"},
		{"another dialect", map[string]string{"TIPLINE_DATABASE_URL": "postgres://tipline@127.0.0.1:1/tipline", "TIPLINE_BLOB_URL": filepath.Join(work, "c"),
			"TIPLINE_PEPPER": strings.TrimSpace(string(pepper))}, "the copy is of a sqlite database, the deployment uses postgres"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, errOut, code := runTipline(t, tt.env, "restore", copyDir); code != 1 || !strings.Contains(errOut, tt.want) {
				t.Errorf("restore = %d %q, want %q", code, errOut, tt.want)
			}
		})
	}
	fine := map[string]string{"TIPLINE_DATA_DIR": filepath.Join(work, "d"), "TIPLINE_PEPPER": strings.TrimSpace(string(pepper))}
	if out, errOut, code := runTipline(t, fine, "restore", copyDir); code != 0 {
		t.Errorf("restore with the pepper into an empty deployment = %d %s%s", code, out, errOut)
	}
}
