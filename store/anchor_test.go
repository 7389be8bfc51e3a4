package store_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tipline/tipline/blob"
	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/chain"
	"github.com/tipline/tipline/crypto"
	"github.com/tipline/tipline/database"
	"github.com/tipline/tipline/database/dbtest"
	"github.com/tipline/tipline/intake"
	"github.com/tipline/tipline/store"
)

// anchoredLog is one of the two hash-chained logs, as the tests of its
// anchors append to and verify it.
type anchoredLog struct {
	name   chain.Name
	append func(t *testing.T, s *store.Store)
	// links checks the chain's links (edits), as its own verification does.
	links func(t *testing.T, s *store.Store) error
}

var anchoredLogs = []anchoredLog{
	{
		name: chain.Audit,
		append: func(t *testing.T, s *store.Store) {
			rec := casework.AuditRecord{At: time.Now(), Action: casework.ActionAuditView, Target: "audit"}
			if err := s.AppendAudit(context.Background(), rec); err != nil {
				t.Fatal(err)
			}
		},
		links: func(t *testing.T, s *store.Store) error {
			_, _, err := casework.VerifyAuditLog(context.Background(), s)
			return err
		},
	},
	{
		name: chain.Intake,
		append: func(t *testing.T, s *store.Store) {
			sub := submission(intake.DefaultDeskSlug)
			_, err := s.Commit(context.Background(), sub, func(seq int64, prev [32]byte) []byte {
				return fmt.Appendf(nil, `{"v":1,"seq":%d,"prev":"%x","submission":"%s"}`, seq, prev, sub.ID)
			})
			if err != nil {
				t.Fatal(err)
			}
		},
		links: func(t *testing.T, s *store.Store) error {
			entries, err := s.LogEntries(context.Background(), 1, 1000)
			if err != nil {
				t.Fatal(err)
			}
			_, err = intake.VerifyChain(entries)
			return err
		},
	},
}

// anchorEnv is a fresh database with the anchor key and a witness that
// keeps its copies in a blob folder.
type anchorEnv struct {
	url     string
	db      *database.DB
	s       *store.Store
	key     *chain.Key
	witness *chain.Witness
}

func newAnchorEnv(t *testing.T, d database.Dialect) anchorEnv {
	url := dbtest.URL(t, d)
	db := openMigrated(t, url)
	key, err := chain.NewKey(crypto.NewPepper())
	if err != nil {
		t.Fatal(err)
	}
	if err := store.UseChainKey(db, key); err != nil {
		t.Fatal(err)
	}
	blobs, err := blob.OpenDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s := store.New(db)
	return anchorEnv{url: url, db: db, s: s, key: key, witness: &chain.Witness{Store: s, Blobs: blobs, Key: key, Now: time.Now}}
}

func openMigrated(t *testing.T, url string) *database.DB {
	db, err := database.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

func (e anchorEnv) check(t *testing.T, log chain.Name) chain.Report {
	t.Helper()
	r, err := chain.Check(context.Background(), e.key, log, e.s, e.witness)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (e anchorEnv) exec(t *testing.T, sql string, args ...any) {
	t.Helper()
	if err := e.db.Exec(sql, args...).Error; err != nil {
		t.Fatal(err)
	}
}

func hasProblem(r chain.Report, words string) bool {
	for _, p := range r.Problems {
		if strings.Contains(p, words) {
			return true
		}
	}
	return false
}

// TestAnchorsDetectTruncation: deleting the last entries of either log
// left a shorter chain that verified as intact; the anchor in the database
// names the lost head.
func TestAnchorsDetectTruncation(t *testing.T) {
	for _, d := range dbtest.Dialects {
		for _, l := range anchoredLogs {
			for _, cut := range []int{1, 3} {
				t.Run(fmt.Sprintf("%s/%s/last %d", d, l.name, cut), func(t *testing.T) {
					e := newAnchorEnv(t, d)
					for range 5 {
						l.append(t, e.s)
					}
					if r := e.check(t, l.name); !r.OK() || r.Last.Seq != 5 || r.Anchored != r.Last {
						t.Fatalf("before: %+v", r)
					}
					e.exec(t, "DELETE FROM "+string(l.name)+" WHERE seq > ?", 5-cut)
					if err := l.links(t, e.s); err != nil {
						t.Fatalf("the links alone should still hold after a cut: %v", err)
					}
					r := e.check(t, l.name)
					if want := fmt.Sprintf("truncated: the log ends at entry %d, but its anchor names entry 5", 5-cut); !hasProblem(r, want) {
						t.Errorf("after cutting %d: problems %q, want %q", cut, r.Problems, want)
					}
					// Appending past the lost head does not move the anchor
					// over what happened.
					for range cut + 1 {
						l.append(t, e.s)
					}
					r = e.check(t, l.name)
					if !hasProblem(r, "entry 5 is not the one its anchor names") || !hasProblem(r, "entries 6 to 6 are not anchored") {
						t.Errorf("after appending past the cut: problems %q", r.Problems)
					}
				})
			}
		}
	}
}

// TestAnchorsDetectRollback: someone with write access to the database
// puts an older anchor row back together with the rows it anchored (its
// MAC is valid); only the copy outside the database shows it.
func TestAnchorsDetectRollback(t *testing.T) {
	for _, d := range dbtest.Dialects {
		for _, l := range anchoredLogs {
			t.Run(string(d)+"/"+string(l.name), func(t *testing.T) {
				ctx := context.Background()
				e := newAnchorEnv(t, d)
				for range 3 {
					l.append(t, e.s)
				}
				old, ok, err := e.s.ChainAnchor(ctx, l.name)
				if err != nil || !ok {
					t.Fatal(ok, err)
				}
				for range 2 {
					l.append(t, e.s)
				}
				if err := e.witness.Record(ctx); err != nil {
					t.Fatal(err)
				}
				e.exec(t, "DELETE FROM "+string(l.name)+" WHERE seq > 3")
				e.exec(t, "UPDATE chain_anchors SET seq = ?, entry_hash = ?, mac = ? WHERE chain = ?", old.Head.Seq, old.Head.Hash[:], old.MAC[:], string(l.name))

				inside, err := chain.Check(ctx, e.key, l.name, e.s, nil)
				if err != nil || !inside.OK() {
					t.Fatalf("the database alone cannot tell: %+v, %v", inside, err)
				}
				r := e.check(t, l.name)
				if !hasProblem(r, "rolled back: the copy outside the database names entry 5, later than the anchor in the database (entry 3)") ||
					!hasProblem(r, "truncated: the log ends at entry 3, but the copy of its anchor outside the database names entry 5") {
					t.Errorf("problems %q", r.Problems)
				}
				if err := e.witness.Record(ctx); !errors.Is(err, chain.ErrRolledBack) {
					t.Errorf("Record after a rollback = %v, want ErrRolledBack", err)
				}
				if r := e.check(t, l.name); r.Witnessed.Seq != 5 {
					t.Errorf("the witness overwrote its copy with the rolled-back anchor: %+v", r)
				}
			})
		}
	}
}

// TestAnchorsDetectTampering: edits of entries still break the chain's
// links; a forged or removed anchor, a rewritten anchored entry and
// entries appended without the key are each reported.
func TestAnchorsDetectTampering(t *testing.T) {
	tests := []struct {
		name    string
		tamper  func(t *testing.T, e anchorEnv, l anchoredLog)
		links   bool   // the links break
		problem string // what Check reports; "" for nothing
	}{
		{"entry edited", func(t *testing.T, e anchorEnv, l anchoredLog) {
			e.exec(t, "UPDATE "+string(l.name)+" SET payload = payload || ' ' WHERE seq = 2")
		}, true, ""},
		{"anchor moved back without the pepper", func(t *testing.T, e anchorEnv, l anchoredLog) {
			e.exec(t, "DELETE FROM "+string(l.name)+" WHERE seq > 3")
			e.exec(t, "UPDATE chain_anchors SET seq = 3, entry_hash = (SELECT entry_hash FROM "+string(l.name)+" WHERE seq = 3) WHERE chain = ?", string(l.name))
		}, false, "the anchor in the database does not verify"},
		{"anchor removed", func(t *testing.T, e anchorEnv, l anchoredLog) {
			e.exec(t, "DELETE FROM chain_anchors WHERE chain = ?", string(l.name))
		}, false, "the log has 4 entries but no anchor"},
		{"anchored entry's hash replaced", func(t *testing.T, e anchorEnv, l anchoredLog) {
			other := sha256.Sum256([]byte("another entry"))
			e.exec(t, "UPDATE "+string(l.name)+" SET entry_hash = ? WHERE seq = 4", other[:])
		}, true, "entry 4 is not the one its anchor names"},
		{"entry appended without the key", func(t *testing.T, e anchorEnv, l anchoredLog) {
			l.append(t, store.New(openMigrated(t, e.url))) // a handle without UseChainKey
		}, false, "entries 5 to 5 are not anchored"},
	}
	for _, d := range dbtest.Dialects {
		for _, l := range anchoredLogs {
			for _, tt := range tests {
				t.Run(fmt.Sprintf("%s/%s/%s", d, l.name, tt.name), func(t *testing.T) {
					e := newAnchorEnv(t, d)
					for range 4 {
						l.append(t, e.s)
					}
					tt.tamper(t, e, l)
					if err := l.links(t, e.s); (err != nil) != tt.links {
						t.Errorf("links: %v, want broken %v", err, tt.links)
					}
					r := e.check(t, l.name)
					if tt.problem == "" && !r.OK() || tt.problem != "" && !hasProblem(r, tt.problem) {
						t.Errorf("problems %q, want %q", r.Problems, tt.problem)
					}
				})
			}
		}
	}
}

// TestAnchorAdoptsOlderLogs: a log written before anchors existed gets its
// head anchored once, by the witness, and then verifies.
func TestAnchorAdoptsOlderLogs(t *testing.T) {
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			e := newAnchorEnv(t, d)
			for _, l := range anchoredLogs {
				l.append(t, e.s)
				l.append(t, e.s)
			}
			e.exec(t, "DELETE FROM chain_anchors")
			if err := e.witness.Record(ctx); err != nil {
				t.Fatal(err)
			}
			for _, l := range anchoredLogs {
				if r := e.check(t, l.name); !r.OK() || r.Anchored.Seq != 2 || r.Witnessed.Seq != 2 {
					t.Errorf("%s: %+v", l.name, r)
				}
			}
		})
	}
}
