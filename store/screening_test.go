package store_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/database/dbtest"
	"github.com/tipline/tipline/screening"
	"github.com/tipline/tipline/store"
)

func readFixture(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("../screening/testdata/csl.csv")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestScreeningImportSearch imports the CSL fixture on both dialects and
// finds its parties by listed name, alias, pinyin and Chinese script.
func TestScreeningImportSearch(t *testing.T) {
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			svc := screening.New(store.New(dbtest.Open(t, d)))
			csv := readFixture(t)
			at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
			res, err := svc.Import(ctx, screening.FormatCSL, bytes.NewReader(csv), "csl.csv", at)
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(csv)
			v := res.Version
			if v.Entries != 9 || v.Names != 26 || v.Checksum != hex.EncodeToString(sum[:]) || !v.ImportedAt.Equal(at) ||
				v.SupersededAt != nil || v.Label != "csl.csv" || res.Replaced != nil {
				t.Errorf("version = %+v, replaced %v", v, res.Replaced)
			}

			for _, tc := range []struct {
				query, listed, matched, list string
				min                          float64
			}{
				{"Huawei Technologies Co., Ltd.", "Huawei Technologies Co., Ltd.", "Huawei Technologies Co., Ltd.", "Entity List (EL) - Bureau of Industry and Security", 0.8},
				{"华为技术有限公司", "Huawei Technologies Co., Ltd.", "华为技术有限公司", "Entity List (EL) - Bureau of Industry and Security", 0.8},
				{"中芯国际", "Semiconductor Manufacturing International Corporation", "中芯国际集成电路制造有限公司", "Entity List (EL) - Bureau of Industry and Security", 0.5},
				{"深圳昆仑信达电子", "Shenzhen Kunlun Xinda Electronics Co., Ltd.", "深圳市昆仑信达电子有限公司", "Entity List (EL) - Bureau of Industry and Security", 0.8},
				{"Kun Lun Xin Da Electronics", "Shenzhen Kunlun Xinda Electronics Co., Ltd.", "昆仑信达", "Entity List (EL) - Bureau of Industry and Security", 0.8},
				{"STRAITS MERIDIAN LOGISTICS PTE LTD", "Straits Meridian Logistics Pte. Ltd.", "Straits Meridian Logistics Pte. Ltd.", "Entity List (EL) - Bureau of Industry and Security", 0.8},
				{"Straits Meridian Freight", "Straits Meridian Logistics Pte. Ltd.", "Straits Meridian Freight Forwarding", "Entity List (EL) - Bureau of Industry and Security", 0.8},
				{"Wang Jianguo", "WANG, Jianguo", "WANG, Jianguo", "Specially Designated Nationals (SDN) - Treasury Department", 0.8},
				{"王建国", "WANG, Jianguo", "王建国", "Specially Designated Nationals (SDN) - Treasury Department", 0.8},
				{"Guangzhou Hengtai Intl Trading", "Guangzhou Hengtai International Trading Co., Ltd.", "Guangzhou Hengtai International Trading Co., Ltd.", "Unverified List (UVL) - Bureau of Industry and Security", 0.8},
			} {
				hits, err := svc.Search(ctx, tc.query, 5)
				if err != nil {
					t.Fatal(err)
				}
				if len(hits) == 0 {
					t.Errorf("%q: no hits", tc.query)
					continue
				}
				h := hits[0]
				if h.ListedName != tc.listed || h.MatchedName != tc.matched || h.List != tc.list || h.Score < tc.min || len(h.Explanation) == 0 {
					t.Errorf("%q: first hit %+v, want %q via %q on %q", tc.query, h, tc.listed, tc.matched, tc.list)
				}
				for i := 1; i < len(hits); i++ {
					if hits[i].Score > hits[i-1].Score {
						t.Errorf("%q: hits not best first: %v", tc.query, hits)
					}
				}
			}

			hits, err := svc.Search(ctx, "Straits Meridian Logistics", 5)
			if err != nil || len(hits) == 0 {
				t.Fatalf("forwarder: %v, %v", hits, err)
			}
			if h := hits[0]; h.EntryID != "d4c3b2a1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5" || !slices.Equal(h.Countries, []string{"SG"}) {
				t.Errorf("forwarder hit %+v", h)
			}
			hits, _ = svc.Search(ctx, "WANG Jianguo", 5)
			if len(hits) == 0 || !slices.Equal(hits[0].Programs, []string{"CYBER2", "NPWMD"}) || !slices.Equal(hits[0].Countries, []string{"CN"}) {
				t.Errorf("SDN hit %+v", hits)
			}
			for _, q := range []string{"Acme Widgets LLC", "Zhejiang Qianjiang Motorcycle", "Trading Co., Ltd."} {
				if hits, err := svc.Search(ctx, q, 5); err != nil || len(hits) != 0 {
					t.Errorf("unrelated %q: %+v, %v", q, hits, err)
				}
			}
			if _, err := svc.Search(ctx, " .. ", 5); tipline.ErrorCode(err) != tipline.Invalid {
				t.Errorf("empty query: %v, want Invalid", err)
			}
		})
	}
}

// TestScreeningReimport: a re-import supersedes the active version, keeps
// it as history and searches only the new one.
func TestScreeningReimport(t *testing.T) {
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			db := dbtest.Open(t, d)
			svc := screening.New(store.New(db))
			csv := readFixture(t)
			t1 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
			first, err := svc.Import(ctx, screening.FormatCSL, bytes.NewReader(csv), "march.csv", t1)
			if err != nil {
				t.Fatal(err)
			}
			// The new version drops the forwarder and renames Huawei.
			lines := strings.Split(string(csv), "\r\n")
			var next []string
			for _, l := range lines {
				if strings.Contains(l, "Straits Meridian") {
					continue
				}
				next = append(next, strings.Replace(l, `"Huawei Technologies Co., Ltd."`, `"Huawei Technologies Company"`, 1))
			}
			t2 := t1.Add(30 * 24 * time.Hour)
			second, err := svc.Import(ctx, screening.FormatCSL, strings.NewReader(strings.Join(next, "\r\n")), "april.csv", t2)
			if err != nil {
				t.Fatal(err)
			}
			if second.Replaced == nil || second.Replaced.ID != first.Version.ID || second.Replaced.SupersededAt == nil ||
				!second.Replaced.SupersededAt.Equal(t2) || second.Version.Entries != 8 || second.Version.Checksum == first.Version.Checksum {
				t.Errorf("second import %+v replaced %+v", second.Version, second.Replaced)
			}

			versions, err := svc.Versions(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(versions) != 2 || versions[0].ID != second.Version.ID || versions[0].SupersededAt != nil ||
				versions[1].ID != first.Version.ID || versions[1].SupersededAt == nil || versions[1].Entries != 9 {
				t.Errorf("versions = %+v", versions)
			}
			// History: the old entries are kept.
			var kept int64
			if err := db.Table("screening_entries").Where("version_id = ?", first.Version.ID).Count(&kept).Error; err != nil || kept != 9 {
				t.Errorf("entries of the superseded version: %d, %v", kept, err)
			}

			if hits, err := svc.Search(ctx, "Straits Meridian Logistics", 5); err != nil || len(hits) != 0 {
				t.Errorf("delisted forwarder still found: %+v, %v", hits, err)
			}
			hits, err := svc.Search(ctx, "Huawei Technologies", 5)
			if err != nil || len(hits) != 1 || hits[0].ListedName != "Huawei Technologies Company" {
				t.Errorf("Huawei after re-import: %+v, %v", hits, err)
			}
		})
	}
}

// TestScreeningImportMalformed: a malformed row fails the whole import
// with its line number and leaves the active version as it was.
func TestScreeningImportMalformed(t *testing.T) {
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			db := dbtest.Open(t, d)
			svc := screening.New(store.New(db))
			csv := readFixture(t)
			at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
			if _, err := svc.Import(ctx, screening.FormatCSL, bytes.NewReader(csv), "good.csv", at); err != nil {
				t.Fatal(err)
			}
			// The last entry, on line 11 (the third entry's address takes
			// two lines), loses a column; the entries before it are valid.
			lines := strings.Split(string(csv), "\r\n")
			lines[9] = lines[9][:strings.LastIndex(lines[9], ",")]
			_, err := svc.Import(ctx, screening.FormatCSL, strings.NewReader(strings.Join(lines, "\r\n")), "bad.csv", at.Add(time.Hour))
			if tipline.ErrorCode(err) != tipline.Invalid || !strings.Contains(tipline.ErrorMessage(err), "Line 11") {
				t.Fatalf("malformed import: %v, want Invalid naming line 11", err)
			}
			versions, err := svc.Versions(ctx)
			if err != nil || len(versions) != 1 || versions[0].SupersededAt != nil || versions[0].Label != "good.csv" {
				t.Errorf("versions after a failed import: %+v, %v", versions, err)
			}
			for table, want := range map[string]int64{"screening_entries": 9, "screening_names": 26} {
				var n int64
				if err := db.Table(table).Count(&n).Error; err != nil || n != want {
					t.Errorf("%s: %d rows, want %d (%v)", table, n, want, err)
				}
			}
			if hits, err := svc.Search(ctx, "Huawei", 5); err != nil || len(hits) == 0 {
				t.Errorf("the active version is no longer searched: %v, %v", hits, err)
			}
		})
	}
}

// syntheticCSL writes a CSL file of n entries named like Chinese trading
// companies, each with three aliases, one of them in Chinese.
func syntheticCSL(n int) string {
	syl := strings.Fields("an bao chang chen da dong fa feng guang hai hong hua jia jin kang kun li long ming nan ping qiang rong sheng tai tian wei xin xing yang yuan zhong")
	han := []rune("安宝昌晨达东发丰光海宏华嘉金康坤立龙明南平强荣盛泰天伟信兴阳远中")
	cities := []string{"Shenzhen", "Guangzhou", "Dongguan", "Hong Kong", "Singapore", "Shanghai"}
	var b strings.Builder
	b.WriteString("_id,source,name,alt_names,addresses,remarks\r\n")
	for i := range n {
		p := func(k int) string { return syl[(i*7+k*13+i/len(syl))%len(syl)] }
		core := strings.ToUpper(p(0)[:1]) + p(0)[1:] + p(1) + " " + strings.ToUpper(p(2)[:1]) + p(2)[1:] + p(3)
		city := cities[i%len(cities)]
		h := string([]rune{han[i%len(han)], han[(i/3)%len(han)], han[(i/7)%len(han)], han[(i/11)%len(han)]})
		fmt.Fprintf(&b, "%040x,Entity List (EL) - Bureau of Industry and Security,\"%s %s Electronics Co., Ltd.\",\"%s Trading; %s电子有限公司; %s Limited\",\"Room %d, %s, CN\",%s\r\n",
			i, city, core, core, h, strings.ToUpper(core), i, city, strings.Repeat("x", 200))
	}
	return b.String()
}

// BenchmarkScreeningImport imports 2,000 entries (8,000 names) per op.
func BenchmarkScreeningImport(b *testing.B) {
	csv := syntheticCSL(2000)
	for _, d := range dbtest.Dialects {
		b.Run(string(d), func(b *testing.B) {
			svc := screening.New(store.New(dbtest.Open(b, d)))
			b.SetBytes(int64(len(csv)))
			for b.Loop() {
				if _, err := svc.Import(context.Background(), screening.FormatCSL, strings.NewReader(csv), "synthetic.csv", time.Now()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkScreeningSearch searches 20,000 listed entries (80,000 names).
func BenchmarkScreeningSearch(b *testing.B) {
	csv := syntheticCSL(20000)
	for _, d := range dbtest.Dialects {
		b.Run(string(d), func(b *testing.B) {
			ctx := context.Background()
			svc := screening.New(store.New(dbtest.Open(b, d)))
			if _, err := svc.Import(ctx, screening.FormatCSL, strings.NewReader(csv), "synthetic.csv", time.Now()); err != nil {
				b.Fatal(err)
			}
			queries := []string{"Shenzhen Hongkang Electronics", "安宝昌晨电子", "Xin Xing Trading Limited", "Acme Widgets"}
			i := 0
			for b.Loop() {
				if _, err := svc.Search(ctx, queries[i%len(queries)], 10); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}
