package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tipline/tipline/database/dbtest"
	"github.com/tipline/tipline/internal/testenv"
)

// TestDesksAndKeys runs the administration commands on a fresh install, as
// an admin would, before serve has ever run.
func TestDesksAndKeys(t *testing.T) {
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			dir := t.TempDir()
			env := map[string]string{"TIPLINE_DATA_DIR": dir, "TIPLINE_DATABASE_URL": dbtest.URL(t, d)}
			must := func(want string, args ...string) string {
				t.Helper()
				out, errOut, code := runTipline(t, env, args...)
				if code != 0 || !strings.Contains(out, want) {
					t.Fatalf("tipline %v = %d, want %q in\n%s%s", args, code, want, out, errOut)
				}
				return out
			}
			refuse := func(want string, args ...string) {
				t.Helper()
				out, errOut, code := runTipline(t, env, args...)
				if code == 0 || !strings.Contains(errOut, want) {
					t.Errorf("tipline %v = %d, want a refusal with %q\n%s%s", args, code, want, out, errOut)
				}
			}

			must("not accepting tips", "desks", "list")

			pass := filepath.Join(dir, "pass")
			os.WriteFile(pass, []byte("a long enough passphrase\n"), 0o600)
			pub, priv := filepath.Join(dir, "desk.pub.asc"), filepath.Join(dir, "desk.sec.asc")
			must("generated key", "keys", "generate", "--name", "Export desk", "--out-public", pub, "--out-private", priv, "--passphrase-file", pass)
			if fi, err := os.Stat(priv); err != nil || fi.Mode().Perm() != 0o600 {
				t.Errorf("private key file mode = %v, %v; want 0600", fi.Mode().Perm(), err)
			}
			refuse("exists", "keys", "generate", "--name", "Again", "--out-public", pub, "--out-private", priv, "--passphrase-file", pass)

			out := must("added key", "keys", "add", "--desk", "export-controls", "--file", pub)
			fingerprint := strings.Fields(out)[2]
			must("accepting tips", "desks", "list")

			g := testenv.NewGPG(t)
			gpgKey := filepath.Join(dir, "gpg.asc")
			os.WriteFile(gpgKey, g.Public, 0o600)
			must(g.Fingerprint, "keys", "add", "--desk", "export-controls", "--file", gpgKey)

			refuse("already exists", "keys", "add", "--desk", "export-controls", "--file", pub)
			refuse("private key", "keys", "add", "--desk", "export-controls", "--file", priv)
			refuse("not found", "keys", "add", "--desk", "no-such-desk", "--file", pub)
			for _, bad := range []string{"expired.pub.asc", "revoked.pub.asc", "signonly.pub.asc"} {
				refuse("cannot receive", "keys", "add", "--desk", "export-controls", "--file", filepath.Join("..", "..", "crypto", "testdata", "gnupg", bad))
			}

			must("sec-fraud", "desks", "add", "sec-fraud", "--title", "Securities fraud", "--title-zh", "证券欺诈")
			refuse("already exists", "desks", "add", "sec-fraud", "--title", "Again")
			refuse("lowercase", "desks", "add", "Bad Slug", "--title", "x")
			must("within 14 days", "desks", "set-deadlines", "sec-fraud", "--ack-days", "14", "--feedback-months", "2")
			refuse("1 to 90 days", "desks", "set-deadlines", "sec-fraud", "--ack-days", "0")
			refuse("not found", "desks", "set-deadlines", "no-such-desk")
			out = must("14d/2mo", "desks", "list")
			if !strings.Contains(out, "7d/3mo") {
				t.Errorf("the default desk should keep 7 days and 3 months:\n%s", out)
			}
			out = must("证券欺诈", "desks", "list")
			if !strings.Contains(out, "sec-fraud        0") {
				t.Errorf("new desk should have no keys:\n%s", out)
			}

			must(fingerprint, "keys", "list", "--desk", "export-controls")
			// GnuPG prints fingerprints in groups of four; accept that too.
			spaced := fingerprint[:4] + " " + fingerprint[4:]
			must("removed key", "keys", "remove", "--desk", "export-controls", spaced)
			refuse("not found", "keys", "remove", "--desk", "export-controls", fingerprint)
			out = must("removed key", "keys", "remove", "--desk", "export-controls", g.Fingerprint)
			if !strings.Contains(out, "accepts no tips") {
				t.Errorf("removing the last key does not warn:\n%s", out)
			}
		})
	}
}
