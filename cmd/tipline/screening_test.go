package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tipline/tipline/database/dbtest"
	"github.com/tipline/tipline/screening"
)

// TestScreeningCommands imports the CSL fixture, searches it in English
// and Chinese, re-imports it and lists the versions, on both dialects.
func TestScreeningCommands(t *testing.T) {
	fixture := filepath.Join("..", "..", "screening", "testdata", "csl.csv")
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			env := map[string]string{"TIPLINE_DATABASE_URL": dbtest.URL(t, d)}
			run := func(args ...string) string {
				t.Helper()
				out, errOut, code := runTipline(t, env, args...)
				if code != 0 {
					t.Fatalf("tipline %v = %d: %s", args, code, errOut)
				}
				return out
			}

			out := run("screening", "import", "--format", "csl", fixture)
			if !regexp.MustCompile(`^imported csl version 1: 9 entries, 26 names, sha256 [0-9a-f]{64}\nscreened every entity again: 0 changed\n$`).MatchString(out) {
				t.Errorf("import printed %q", out)
			}

			var hits []screening.Hit
			out = run("screening", "search", "Straits", "Meridian", "Logistics")
			if err := json.Unmarshal([]byte(out), &hits); err != nil {
				t.Fatalf("search output is not a JSON array of hits: %v\n%s", err, out)
			}
			if len(hits) == 0 || hits[0].List != "Entity List (EL) - Bureau of Industry and Security" ||
				hits[0].ListedName != "Straits Meridian Logistics Pte. Ltd." || hits[0].Score < 0.9 {
				t.Errorf("search hits = %+v", hits)
			}
			// The JSON names the fields the issue promises.
			for _, field := range []string{`"list"`, `"listed_name"`, `"matched_name"`, `"score"`, `"explanation"`} {
				if !strings.Contains(out, field) {
					t.Errorf("search output lacks %s:\n%s", field, out)
				}
			}
			out = run("screening", "search", "华为技术有限公司", "--limit", "1")
			hits = nil
			if err := json.Unmarshal([]byte(out), &hits); err != nil || len(hits) != 1 || hits[0].MatchedName != "华为技术有限公司" ||
				hits[0].ListedName != "Huawei Technologies Co., Ltd." || !strings.Contains(out, "华为") {
				t.Errorf("Chinese search = %v\n%s", err, out)
			}
			if out := run("screening", "search", "Nothing Like It Anywhere"); strings.TrimSpace(out) != "[]" {
				t.Errorf("no hits printed %q, want []", out)
			}

			out = run("screening", "import", fixture)
			if !strings.Contains(out, "version 2") || !strings.Contains(out, "supersedes version 1") {
				t.Errorf("re-import printed %q", out)
			}
			out = run("screening", "lists")
			lines := strings.Split(strings.TrimSpace(out), "\n")
			if len(lines) != 3 || !strings.HasPrefix(lines[1], "2 ") || !strings.Contains(lines[1], "active") ||
				!strings.HasPrefix(lines[2], "1 ") || !strings.Contains(lines[2], "superseded") || !strings.Contains(lines[2], "csl.csv") {
				t.Errorf("lists:\n%s", out)
			}

			bad := filepath.Join(t.TempDir(), "bad.csv")
			if err := os.WriteFile(bad, []byte("source,name\nEntity List,Acme\n\"unterminated,x\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			if _, errOut, code := runTipline(t, env, "screening", "import", bad); code != 1 || !strings.Contains(errOut, "Line 3") {
				t.Errorf("malformed import = %d: %s", code, errOut)
			}
			if _, errOut, code := runTipline(t, env, "screening", "import", "--format", "xml", fixture); code != 1 || !strings.Contains(errOut, "Unknown list format") {
				t.Errorf("unknown format = %d: %s", code, errOut)
			}
			if _, _, code := runTipline(t, env, "screening", "search"); code != 2 {
				t.Errorf("search without a name = %d, want 2", code)
			}
			if out := run("screening", "lists"); strings.Count(out, "\n") != 3 {
				t.Errorf("failed imports added versions:\n%s", out)
			}
		})
	}
}
