package screening_test

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tipline/tipline/database/dbtest"
	"github.com/tipline/tipline/screening"
	"github.com/tipline/tipline/store"
)

// TestSearchRomanized imports a list of parties as Hong Kong, Taiwan,
// Singapore and Russia spell them (testdata/csl_romanized.csv) on both
// dialects and searches for them as a source writes them, in Chinese
// characters or Cyrillic (issue 17): the listed party comes first, the hit
// explains the reading that matched, and the party one syllable away ranks
// below it.
func TestSearchRomanized(t *testing.T) {
	csv, err := os.ReadFile("testdata/csl_romanized.csv")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			svc := screening.New(store.New(dbtest.Open(t, d)))
			if _, err := svc.Import(ctx, screening.FormatCSL, strings.NewReader(string(csv)), "csl_romanized.csv", time.Now()); err != nil {
				t.Fatal(err)
			}
			for _, tc := range []struct {
				query, listed, reading, nearMiss string
			}{
				{"林志强", "LIM Chee Keong", "林 → Lim (Hokkien, Teochew)", "LIM Chee Kiong"},
				{"黄国雄贸易有限公司", "Wong Kwok Hung Trading Co., Ltd.", "黄 → Wong (Cantonese)", "Wong Kwok Hing Trading Co., Ltd."},
				{"黃國雄貿易有限公司", "Wong Kwok Hung Trading Co., Ltd.", "黃 → Wong (Cantonese)", "Wong Kwok Hing Trading Co., Ltd."},
				{"徐志明", "HSU Chih-Ming", "徐 → Hsu (Wade-Giles)", "HSU Chih-Ping"},
				{"长江电子", "Cheung Kong Electronics (HK) Limited", "长 → Cheung (Cantonese)", "Cheung Hong Electronics (HK) Limited"},
				{"Иванов Сергей Александрович", "IVANOV, Sergei Aleksandrovich", "Сергей → Sergei (Cyrillic transliteration)", "IVANOV, Sergei Andreyevich"},
				{"陳偉明", "CHAN Wai Ming", "陳 → Chan (Cantonese)", "CHAN Wai Ping"},
				{"Kowloon Star Trading", "Kowloon Star Trading Limited", "", ""},
				{"九龙星", "Kowloon Star Trading Limited", "", ""},
			} {
				hits, err := svc.Search(ctx, tc.query, 10)
				if err != nil {
					t.Fatal(err)
				}
				if len(hits) == 0 {
					t.Errorf("%q: no hits", tc.query)
					continue
				}
				if h := hits[0]; h.ListedName != tc.listed || !slices.ContainsFunc(h.Explanation, func(e string) bool { return strings.Contains(e, tc.reading) }) {
					t.Errorf("%q: first hit %q (%.3f) %q, want %q explaining %q", tc.query, h.ListedName, h.Score, h.Explanation, tc.listed, tc.reading)
				}
				for _, h := range hits[1:] {
					if h.ListedName == tc.nearMiss && h.Score >= hits[0].Score {
						t.Errorf("%q: the near miss %q scores %.3f, not below %.3f", tc.query, tc.nearMiss, h.Score, hits[0].Score)
					}
				}
			}
		})
	}
}
