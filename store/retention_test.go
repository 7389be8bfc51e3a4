package store_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tipline/tipline/awards"
	"github.com/tipline/tipline/blob"
	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/claims"
	"github.com/tipline/tipline/crypto"
	"github.com/tipline/tipline/database"
	"github.com/tipline/tipline/database/dbtest"
	"github.com/tipline/tipline/intake"
	"github.com/tipline/tipline/internal/testenv"
	"github.com/tipline/tipline/store"
)

// retentionBlobs is a real blob store for the dialect: a directory beside
// SQLite, a fresh bucket of make test's MinIO beside PostgreSQL.
func retentionBlobs(t *testing.T, d database.Dialect) blob.Store {
	t.Helper()
	if d == database.SQLite {
		blobs, err := blob.OpenDir(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return blobs
	}
	u, err := url.Parse(testenv.Get(t, testenv.S3URL))
	if err != nil {
		t.Fatalf("%s is not a URL", testenv.S3URL) // the error would show the secret key
	}
	u.Path = "/retention-" + strings.ToLower(rand.Text()[:10])
	blobs, err := blob.Open(u.String())
	if err != nil {
		t.Fatal(err)
	}
	if err := blobs.(*blob.S3).EnsureBucket(t.Context()); err != nil {
		t.Fatal(err)
	}
	return blobs
}

// TestRetention: with a policy on two desks and none on a third, one run
// deletes exactly the closed tips past their day that nothing holds, with
// their blobs (tip, follow-up, reply), key packets, grants and rows, leaves
// an audit entry with ids only and both chains verifying; every kind of
// hold keeps its tip; a dry run and a second node's run change nothing;
// a released legal hold lets the next run delete.
func TestRetention(t *testing.T) {
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			db := dbtest.Open(t, d)
			s := store.New(db)
			blobs := retentionBlobs(t, d)
			for _, desk := range []string{"slow", "forever"} {
				if _, err := s.CreateDesk(ctx, intake.Desk{Slug: desk, TitleEN: desk}); err != nil {
					t.Fatal(err)
				}
			}
			now := time.Now().UTC()
			today := now.Format(time.DateOnly)
			principal := map[string]casework.Principal{}
			for _, u := range []struct {
				email string
				role  casework.Role
				desks []string
			}{
				{"root@example.org", casework.RoleAdmin, nil},
				{"ivy@example.org", casework.RoleInvestigator, []string{intake.DefaultDeskSlug, "slow", "forever"}},
				{"carla@example.org", casework.RoleCounsel, nil},
			} {
				created, err := s.CreateUser(ctx, casework.User{Email: u.email, Role: u.role, PasswordHash: "x", TOTPSealed: []byte{1}, Desks: u.desks},
					casework.AuditRecord{At: now, Action: casework.ActionUserAdd, Target: u.email})
				if err != nil {
					t.Fatal(err)
				}
				principal[u.email] = casework.Principal{UserID: created.ID, Email: u.email, Role: u.role, Desks: u.desks}
			}
			root, ivy, carla := principal["root@example.org"], principal["ivy@example.org"], principal["carla@example.org"]
			admin := casework.Principal{UserID: carla.UserID, Email: carla.Email, Role: casework.RoleAdmin}
			later := now.AddDate(0, 0, 30) // the day the default desk's closed tips fall due
			triage := &casework.Triage{Store: s, Now: time.Now}
			ret := &casework.Retention{Store: s, Blobs: blobs, Triage: triage, Now: func() time.Time { return later }}
			cl := &claims.Service{Store: s, Pepper: crypto.NewPepper(), Now: time.Now}

			for desk, days := range map[string]int{intake.DefaultDeskSlug: 30, "slow": 400} {
				if err := ret.SetPolicy(ctx, root, desk, days); err != nil {
					t.Fatal(err)
				}
			}
			if err := ret.SetPolicy(ctx, ivy, "slow", 1); err == nil {
				t.Error("an investigator set a retention policy")
			}

			// commit stores a tip of two objects, a follow-up and a reply,
			// with a grant to ivy, and closes it unless open is set.
			commit := func(desk string, open bool) (string, []string) {
				t.Helper()
				sub := intake.Submission{ID: blob.NewKey(""), DeskSlug: desk, ReceivedDay: today, EncryptedBy: "server", ReplySalt: make([]byte, 16)}
				sub.LookupKey = sha256.Sum256([]byte(sub.ID))
				var keys []string
				object := func(kind string, position int) intake.Object {
					o := intake.Object{ID: blob.NewKey(""), Kind: kind, Position: position, KeyPackets: []byte{1, 2}}
					// The follow-up is committed today: its row names
					// pending/ID, and the janitor has copied it to
					// objects/ID without updating the row yet.
					blobKeys := []string{"objects/" + o.ID}
					if kind == intake.KindMessage && position == 2 {
						blobKeys = append(blobKeys, "pending/"+o.ID)
					}
					o.BlobKey = blobKeys[len(blobKeys)-1]
					body := []byte("ciphertext of " + o.ID)
					for _, k := range blobKeys {
						if _, err := blobs.Put(ctx, k, bytes.NewReader(body)); err != nil {
							t.Fatal(err)
						}
					}
					o.SHA256, o.BodySize = sha256.Sum256(body), int64(len(body))
					keys = append(keys, blobKeys...)
					return o
				}
				sub.Objects = []intake.Object{object(intake.KindManifest, 0), object(intake.KindFile, 1)}
				payload := func(seq int64, prev [32]byte) []byte {
					return fmt.Appendf(nil, `{"seq":%d,"prev":"%s","submission":"%s"}`, seq, hex.EncodeToString(prev[:]), sub.ID)
				}
				if _, err := s.Commit(ctx, sub, payload); err != nil {
					t.Fatal(err)
				}
				if err := s.AddObjects(ctx, sub.ID, []intake.Object{object(intake.KindMessage, 2)}, "source"); err != nil {
					t.Fatal(err)
				}
				if err := s.AddObjects(ctx, sub.ID, []intake.Object{object(intake.KindMessage, 3)}, "staff"); err != nil {
					t.Fatal(err)
				}
				err := s.PutGrant(ctx, casework.Grant{ObjectID: sub.Objects[0].ID, UserID: ivy.UserID, KeyPacket: []byte{3}, GrantedBy: ivy.UserID, CreatedAt: now},
					casework.AuditRecord{At: now, Actor: ivy.UserID, Action: casework.ActionGrantCreate, Target: "submission:" + sub.ID})
				if err != nil {
					t.Fatal(err)
				}
				if !open {
					closeTip(t, s, sub.ID, today)
				}
				return sub.ID, keys
			}

			type tip struct {
				id   string
				keys []string
			}
			tips := map[string]tip{}
			add := func(name, desk string, open bool) string {
				id, keys := commit(desk, open)
				tips[name] = tip{id, keys}
				return id
			}
			add("closed", intake.DefaultDeskSlug, false)
			add("not yet due", "slow", false)
			add("desk keeps forever", "forever", false)
			add("still open", intake.DefaultDeskSlug, true)

			// In an open case, and in a closed one (closed after the tip
			// joined, the tip closed after that).
			inOpenCase := add("in an open case", intake.DefaultDeskSlug, true)
			inClosedCase := add("in a closed case", intake.DefaultDeskSlug, true)
			var caseIDs []string
			for _, id := range []string{inOpenCase, inClosedCase} {
				c := casework.NewCase{ID: blob.NewKey(""), Desk: intake.DefaultDeskSlug, Title: "Case", Lead: ivy.Email, Submissions: []string{id}}
				if err := s.CreateCase(ctx, c, now, testAudit(casework.ActionCaseCreate)); err != nil {
					t.Fatal(err)
				}
				caseIDs = append(caseIDs, c.ID)
				closeTip(t, s, id, today)
			}
			closed := casework.CaseClosed
			if err := s.UpdateCase(ctx, caseIDs[1], casework.CaseChange{Status: &closed}, now, testAudit(casework.ActionCaseUpdate)); err != nil {
				t.Fatal(err)
			}

			// Award claims: a draft one; a withdrawn one on an action with
			// no final order; a withdrawn one on an action ordered and
			// collected in full.
			claimOn := func(id string, fields claims.ActionFields, collected bool) (claimID, actionID string) {
				t.Helper()
				c, err := cl.CreateClaim(ctx, carla, claims.ClaimFields{Program: "sec", ClaimantKind: claims.Source, Pseudonym: "Source"})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := cl.SetSubmissions(ctx, admin, c.ID, []string{id}); err != nil {
					t.Fatal(err)
				}
				if fields.Title == "" {
					return c.ID, ""
				}
				a, err := cl.CreateAction(ctx, carla, fields)
				if err != nil {
					t.Fatal(err)
				}
				if collected {
					if _, err := cl.SetSanction(ctx, carla, a.ID, awards.Penalty, "1000"); err != nil {
						t.Fatal(err)
					}
					if _, err := cl.RecordCollection(ctx, carla, a.ID, claims.NewCollection{Kind: awards.Penalty, Amount: "1000", ReceivedDay: today}); err != nil {
						t.Fatal(err)
					}
				}
				if _, err := cl.SetActions(ctx, carla, c.ID, []string{a.ID}); err != nil {
					t.Fatal(err)
				}
				if _, err := cl.SetStatus(ctx, carla, c.ID, claims.Withdrawn); err != nil {
					t.Fatal(err)
				}
				return c.ID, a.ID
			}
			draftClaim, _ := claimOn(add("award claim not closed", intake.DefaultDeskSlug, false), claims.ActionFields{}, false)
			_, openAction := claimOn(add("enforcement action not closed", intake.DefaultDeskSlug, false),
				claims.ActionFields{Relation: claims.Covered, Agency: "SEC", Title: "SEC v. Open"}, false)
			claimOn(add("closed claim, closed action", intake.DefaultDeskSlug, false),
				claims.ActionFields{Relation: claims.Covered, Agency: "SEC", Title: "SEC v. Done", FinalOrderDay: today}, true)

			// An unmet deadline of a qui tam matter, as package quitam
			// writes it into the deadline engine.
			withDeadline := add("open deadline", intake.DefaultDeskSlug, false)
			sealKind := casework.QuiTamDeadline(blob.NewKey(""), "seal")
			if err := db.Exec("INSERT INTO deadlines (submission_id, kind, due_day) VALUES (?, ?, ?)", withDeadline, string(sealKind), today).Error; err != nil {
				t.Fatal(err)
			}

			held := add("legal hold", intake.DefaultDeskSlug, false)
			if err := ret.SetLegalHold(ctx, ivy, held, "x"); err == nil {
				t.Error("an investigator set a legal hold")
			}
			if err := ret.SetLegalHold(ctx, root, held, "  DOJ preservation\nletter  "); err != nil {
				t.Fatal(err)
			}
			if err := ret.SetLegalHold(ctx, root, held, ""); err == nil {
				t.Error("a second legal hold on the same tip was accepted")
			}

			wantHolds := map[string][]casework.Hold{
				"in an open case":               {{Kind: casework.HoldOpenCase, Ref: caseIDs[0]}},
				"award claim not closed":        {{Kind: casework.HoldAwardClaim, Ref: draftClaim}},
				"enforcement action not closed": {{Kind: casework.HoldEnforcementAction, Ref: openAction}},
				"open deadline":                 {{Kind: casework.HoldDeadline, Ref: string(sealKind)}},
				"legal hold":                    {{Kind: casework.HoldLegal, SetBy: root.Email, SetDay: later.Format(time.DateOnly), Reason: "DOJ preservation letter"}},
			}
			wantDeleted := []string{"closed", "in a closed case", "closed claim, closed action"}
			kept := []string{"not yet due", "desk keeps forever", "still open"}

			st, err := ret.State(ctx, ivy, tips["legal hold"].id)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(st.Holds, wantHolds["legal hold"]) || st.DeleteOn() != later.Format(time.DateOnly) {
				t.Errorf("state of the held tip = %+v, delete on %s", st, st.DeleteOn())
			}
			if st, _ := ret.State(ctx, ivy, tips["desk keeps forever"].id); st.DeleteOn() != "" {
				t.Errorf("a tip of a desk without policy is due on %q", st.DeleteOn())
			}

			names := func(states []casework.RetentionState) map[string]casework.RetentionState {
				byName := map[string]casework.RetentionState{}
				for _, st := range states {
					for name, tp := range tips {
						if tp.id == st.SubmissionID {
							byName[name] = st
						}
					}
				}
				return byName
			}
			checkReport := func(what string, rep casework.RetentionReport, deleted []string) {
				t.Helper()
				got := names(rep.Deleted)
				for _, name := range deleted {
					if _, ok := got[name]; !ok {
						t.Errorf("%s: %q not deleted", what, name)
					}
				}
				if len(got) != len(deleted) {
					t.Errorf("%s deleted %d tips, want %d: %v", what, len(got), len(deleted), got)
				}
				heldNow := names(rep.Held)
				for name, want := range wantHolds {
					if !slices.Equal(heldNow[name].Holds, want) {
						t.Errorf("%s: holds of %q = %+v, want %+v", what, name, heldNow[name].Holds, want)
					}
				}
				if len(heldNow) != len(wantHolds) {
					t.Errorf("%s: %d tips held, want %d", what, len(heldNow), len(wantHolds))
				}
			}

			// A dry run reports and changes nothing.
			dry, err := ret.Run(ctx, true)
			if err != nil {
				t.Fatal(err)
			}
			checkReport("dry run", dry, wantDeleted)
			for name, tp := range tips {
				checkPresent(t, s, blobs, name, tp.id, tp.keys)
			}

			// Two nodes run at once: each tip is deleted once.
			var wg sync.WaitGroup
			reports := make([]casework.RetentionReport, 2)
			errs := make([]error, 2)
			for i := range reports {
				wg.Go(func() { reports[i], errs[i] = ret.Run(ctx, false) })
			}
			wg.Wait()
			if err := errors.Join(errs...); err != nil {
				t.Fatal(err)
			}
			checkReport("two runs", casework.RetentionReport{Deleted: append(reports[0].Deleted, reports[1].Deleted...), Held: reports[0].Held}, wantDeleted)
			if n := len(reports[0].Deleted) + len(reports[1].Deleted); n != len(wantDeleted) {
				t.Errorf("two runs deleted %d tips in all, want %d", n, len(wantDeleted))
			}
			for _, name := range wantDeleted {
				checkGone(t, db, blobs, name, tips[name].id, tips[name].keys)
			}
			for name := range wantHolds {
				checkPresent(t, s, blobs, name, tips[name].id, tips[name].keys)
			}
			for _, name := range kept {
				checkPresent(t, s, blobs, name, tips[name].id, tips[name].keys)
			}
			checkChains(t, s)

			// Released, the held tip goes on the next run.
			if err := ret.ReleaseLegalHold(ctx, root, held); err != nil {
				t.Fatal(err)
			}
			if err := ret.ReleaseLegalHold(ctx, root, held); err == nil {
				t.Error("released a legal hold twice")
			}
			delete(wantHolds, "legal hold")
			again, err := ret.Run(ctx, false)
			if err != nil {
				t.Fatal(err)
			}
			checkReport("after the release", again, []string{"legal hold"})
			checkGone(t, db, blobs, "legal hold", held, tips["legal hold"].keys)
			checkChains(t, s)

			// The next tip of the desk takes a number none had before.
			// The next tip of the desk takes a number none had before: the
			// legal hold's, the highest, is retired.
			last := add("after deletions", intake.DefaultDeskSlug, true)
			var lastNumber int
			if err := db.Raw("SELECT number FROM submissions WHERE id = ?", last).Scan(&lastNumber).Error; err != nil {
				t.Fatal(err)
			}
			if lastNumber != 10 {
				t.Errorf("the tip after the deletions is number %d, want 10: 9 tips were committed to the desk before", lastNumber)
			}
		})
	}
}

// closeTip closes a tip as triage does.
func closeTip(t *testing.T, s *store.Store, id, today string) {
	t.Helper()
	closed, code := casework.Closed, casework.ClosingCode("resolved")
	if err := s.UpdateSubmission(context.Background(), id, casework.Change{Status: &closed, ClosingCode: &code}, today, testAudit(casework.ActionSubmissionUpdate)); err != nil {
		t.Fatal(err)
	}
}

// checkPresent checks that a kept tip still has its rows and blobs.
func checkPresent(t *testing.T, s *store.Store, blobs blob.Store, name, id string, keys []string) {
	t.Helper()
	d, err := s.SubmissionDetail(context.Background(), id)
	if err != nil || len(d.Objects) != 4 {
		t.Errorf("%s: kept tip = %d objects, %v", name, len(d.Objects), err)
	}
	for _, k := range keys {
		if _, err := blobs.Stat(context.Background(), k); err != nil {
			t.Errorf("%s: blob of a kept tip: %v", name, err)
		}
	}
}

// checkGone checks that a deleted tip left no row, key packet, grant or
// blob, kept its intake log entry, and left one audit entry with ids only.
func checkGone(t *testing.T, db *database.DB, blobs blob.Store, name, id string, keys []string) {
	t.Helper()
	for _, k := range keys {
		if _, err := blobs.Stat(context.Background(), k); !errors.Is(err, blob.ErrNotFound) {
			t.Errorf("%s: blob %s after deletion: %v, want not found", name, k, err)
		}
	}
	for table, where := range map[string]string{
		"submissions":       "id = ?",
		"objects":           "submission_id = ?",
		"object_grants":     "object_id IN (SELECT id FROM objects WHERE submission_id = ?)",
		"deadlines":         "submission_id = ?",
		"case_submissions":  "submission_id = ?",
		"claim_submissions": "submission_id = ?",
	} {
		var n int64
		if err := db.Table(table).Where(where, id).Count(&n).Error; err != nil || n != 0 {
			t.Errorf("%s: %d rows of %s left (%v)", name, n, table, err)
		}
	}
	var grants int64
	db.Table("object_grants").Count(&grants)
	var objects int64
	db.Table("objects").Count(&objects)
	if grants*4 != objects {
		t.Errorf("%s: %d grants for %d objects: a deleted tip's grants are left", name, grants, objects)
	}
	var queued int64
	db.Table("retention_blob_deletions").Count(&queued)
	if queued != 0 {
		t.Errorf("%s: %d blob deletions left queued", name, queued)
	}
	var logged int64
	db.Table("intake_log").Where("submission_id = ?", id).Count(&logged)
	if logged != 1 {
		t.Errorf("%s: the intake log entry of a deleted tip is gone", name)
	}
	var audit []struct {
		Action, Detail string
		At             time.Time
	}
	db.Table("audit_log").Select("action, detail, at").Where("target = ?", "submission:"+id).Order("seq").Scan(&audit)
	if len(audit) == 0 || audit[len(audit)-1].Action != string(casework.ActionRetentionDelete) {
		t.Fatalf("%s: audit entries = %+v, want a retention deletion last", name, audit)
	}
	if at := audit[len(audit)-1].At.UTC(); !at.Equal(at.Truncate(24 * time.Hour)) {
		t.Errorf("%s: the deletion's audit entry is at %s, finer than the day", name, at)
	}
	detail := audit[len(audit)-1].Detail
	for _, word := range []string{`"desk"`, `"number"`, `"objects"`} {
		if !strings.Contains(detail, word) {
			t.Errorf("%s: audit detail %s lacks %s", name, detail, word)
		}
	}
	if strings.Count(detail, ":") != 3 || strings.Contains(detail, "ciphertext") {
		t.Errorf("%s: audit detail %s holds more than ids", name, detail)
	}
}

// checkChains verifies the intake log and the audit log.
func checkChains(t *testing.T, s *store.Store) {
	t.Helper()
	ctx := context.Background()
	entries, err := s.LogEntries(ctx, 1, 1<<40)
	if err != nil {
		t.Fatal(err)
	}
	if seq, err := intake.VerifyChain(entries); err != nil {
		t.Errorf("intake log chain broken at %d: %v", seq, err)
	}
	if _, broken, err := casework.VerifyAuditLog(ctx, s); err != nil || broken != 0 {
		t.Errorf("audit log broken at %d: %v", broken, err)
	}
}
