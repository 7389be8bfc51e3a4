package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tipline/tipline/database/dbtest"
	"github.com/tipline/tipline/screening"
)

// TestScreeningSearchRomanized is issue 17's reproduction with the
// command: `tipline screening search` finds parties listed as Hong Kong,
// Taiwan, Singapore and Russia spell them from their names in Chinese
// characters or Cyrillic, with the reading that matched; `screening
// reindex` rebuilds the name index and leaves the hits as they were.
func TestScreeningSearchRomanized(t *testing.T) {
	fixture := filepath.Join("..", "..", "screening", "testdata", "csl_romanized.csv")
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
			run("screening", "import", "--format", "csl", fixture)
			search := func() {
				t.Helper()
				for _, tc := range []struct{ query, listed, reading string }{
					{"林志强", "LIM Chee Keong", "林 → Lim"},
					{"黄国雄贸易有限公司", "Wong Kwok Hung Trading Co., Ltd.", "黄 → Wong (Cantonese)"},
					{"徐志明", "HSU Chih-Ming", "徐 → Hsu (Wade-Giles)"},
					{"长江电子", "Cheung Kong Electronics (HK) Limited", "长 → Cheung (Cantonese)"},
					{"Иванов Сергей Александрович", "IVANOV, Sergei Aleksandrovich", "Сергей → Sergei"},
					{"陳偉明", "CHAN Wai Ming", "陳 → Chan (Cantonese)"},
				} {
					var hits []screening.Hit
					out := run("screening", "search", tc.query)
					if err := json.Unmarshal([]byte(out), &hits); err != nil || len(hits) == 0 || hits[0].ListedName != tc.listed ||
						!strings.Contains(strings.Join(hits[0].Explanation, "\n"), tc.reading) {
						t.Errorf("%s: %v\n%s", tc.query, err, out)
					}
				}
			}
			search()
			if out := run("screening", "reindex"); out != "rebuilt the name index of 0 entities and 14 screening-list entries\n" {
				t.Errorf("reindex printed %q", out)
			}
			search()
		})
	}
}
