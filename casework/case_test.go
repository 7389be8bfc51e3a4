package casework_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/blob"
	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/database"
	"github.com/tipline/tipline/database/dbtest"
	"github.com/tipline/tipline/intake"
	"github.com/tipline/tipline/store"
)

// caseFixture is a store with two desks, a staff member of each role and
// two submissions to the default desk and one to sec-fraud.
type caseFixture struct {
	cases *casework.Cases
	st    *store.Store
	who   map[string]casework.Principal
	subs  []string
}

func newCaseFixture(t *testing.T) *caseFixture {
	t.Helper()
	ctx := context.Background()
	st := store.New(dbtest.Open(t, database.SQLite))
	if _, err := st.CreateDesk(ctx, intake.Desk{Slug: "sec-fraud", TitleEN: "Securities"}); err != nil {
		t.Fatal(err)
	}
	f := &caseFixture{st: st, who: map[string]casework.Principal{}}
	for _, u := range []struct {
		name string
		role casework.Role
		desk string
	}{
		{"investigator", casework.RoleInvestigator, intake.DefaultDeskSlug},
		{"colleague", casework.RoleInvestigator, intake.DefaultDeskSlug},
		{"other-desk", casework.RoleInvestigator, "sec-fraud"},
		{"admin", casework.RoleAdmin, ""},
		{"counsel", casework.RoleCounsel, ""},
		{"auditor", casework.RoleAuditor, ""},
	} {
		var desks []string
		if u.desk != "" {
			desks = []string{u.desk}
		}
		email := u.name + "@example.org"
		created, err := st.CreateUser(ctx, casework.User{Email: email, Role: u.role, PasswordHash: "x", TOTPSealed: []byte{1}, Desks: desks},
			casework.AuditRecord{At: time.Now(), Action: casework.ActionUserAdd, Target: email})
		if err != nil {
			t.Fatal(err)
		}
		f.who[u.name] = casework.Principal{UserID: created.ID, Email: email, Role: u.role, Desks: desks}
	}
	payload := func(seq int64, _ [32]byte) []byte { return fmt.Appendf(nil, `{"seq":%d}`, seq) }
	for _, desk := range []string{intake.DefaultDeskSlug, intake.DefaultDeskSlug, "sec-fraud"} {
		id := blob.NewKey("")
		sub := intake.Submission{ID: id, DeskSlug: desk, ReceivedDay: "2026-11-28", EncryptedBy: "server",
			LookupKey: sha256.Sum256([]byte(id)), ReplySalt: make([]byte, 16),
			Objects: []intake.Object{{ID: blob.NewKey(""), Kind: intake.KindManifest, BlobKey: "pending/" + id, KeyPackets: []byte{1}, SHA256: sha256.Sum256([]byte("m"))}}}
		if _, err := st.Commit(ctx, sub, payload); err != nil {
			t.Fatal(err)
		}
		f.subs = append(f.subs, id)
	}
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	f.cases = &casework.Cases{Store: st, Now: func() time.Time { now = now.Add(time.Minute); return now }}
	return f
}

// noError is code's answer for no error.
const noError tipline.Code = ""

// code is the error's code, noError for none.
func code(err error) tipline.Code {
	if err == nil {
		return noError
	}
	return tipline.ErrorCode(err)
}

// TestCaseAuthorization: investigators of the desk open and work cases;
// admins read them; other desks' investigators do not learn they exist;
// counsel and auditors are refused.
func TestCaseAuthorization(t *testing.T) {
	f := newCaseFixture(t)
	ctx := context.Background()
	open := casework.NewCase{Desk: intake.DefaultDeskSlug, Title: "  H20 boards  ", Submissions: []string{f.subs[0], f.subs[0]}}

	for name, want := range map[string]tipline.Code{"admin": tipline.Forbidden, "counsel": tipline.Forbidden, "auditor": tipline.Forbidden, "other-desk": tipline.NotFound} {
		if _, err := f.cases.Create(ctx, f.who[name], open); code(err) != want {
			t.Errorf("%s opening a case: %v, want %s", name, err, want)
		}
	}
	c, err := f.cases.Create(ctx, f.who["investigator"], open)
	if err != nil {
		t.Fatal(err)
	}
	if c.Title != "H20 boards" || c.Lead != "investigator@example.org" || c.Status != casework.CaseOpen || len(c.Submissions) != 1 {
		t.Errorf("opened case = %+v", c)
	}
	// Opening the case moved its submission to case_opened, meeting both
	// deadlines on the day.
	d, err := f.st.SubmissionDetail(ctx, f.subs[0])
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != casework.CaseOpened || d.Deadlines[0].MetDay != "2026-12-01" || d.Deadlines[1].MetDay != "2026-12-01" {
		t.Errorf("submission after opening the case = %+v", d)
	}

	for name, want := range map[string]tipline.Code{"admin": noError, "investigator": noError, "colleague": noError,
		"other-desk": tipline.NotFound, "counsel": tipline.Forbidden, "auditor": tipline.Forbidden} {
		if _, err := f.cases.Get(ctx, f.who[name], c.ID); code(err) != want {
			t.Errorf("%s reading the case: %v, want %s", name, err, want)
		}
		list, err := f.cases.List(ctx, f.who[name], casework.CaseQuery{})
		if code(err) != want && !(want == tipline.NotFound && err == nil && len(list) == 0) {
			t.Errorf("%s listing cases: %v %v", name, list, err)
		}
	}
	if _, err := f.cases.Get(ctx, f.who["admin"], blob.NewKey("")); code(err) != tipline.NotFound {
		t.Errorf("no such case: %v", err)
	}

	onHold := casework.CaseOnHold
	hold := casework.CaseChange{Status: &onHold}
	for name, want := range map[string]tipline.Code{"admin": tipline.Forbidden, "other-desk": tipline.NotFound, "counsel": tipline.Forbidden} {
		if _, err := f.cases.Update(ctx, f.who[name], c.ID, hold); code(err) != want {
			t.Errorf("%s updating: %v, want %s", name, err, want)
		}
		if _, err := f.cases.Link(ctx, f.who[name], c.ID, f.subs[1]); code(err) != want {
			t.Errorf("%s linking: %v, want %s", name, err, want)
		}
		if _, err := f.cases.AddNote(ctx, f.who[name], c.ID, "note"); code(err) != want {
			t.Errorf("%s adding a note: %v, want %s", name, err, want)
		}
	}
	// Any investigator of the desk works the case, not only its lead.
	if _, err := f.cases.AddNote(ctx, f.who["colleague"], c.ID, "Checked the shipping records."); err != nil {
		t.Error(err)
	}
	if _, err := f.cases.Link(ctx, f.who["colleague"], c.ID, f.subs[2]); code(err) != tipline.NotFound {
		t.Errorf("linking another desk's submission: %v, want NotFound", err)
	}
	// Linking to an open case moves the submission to case_opened too.
	if _, err := f.cases.Link(ctx, f.who["colleague"], c.ID, f.subs[1]); err != nil {
		t.Fatal(err)
	}
	if d, _ := f.st.SubmissionDetail(ctx, f.subs[1]); d.Status != casework.CaseOpened {
		t.Errorf("linked submission status = %s", d.Status)
	}
}

// TestCaseValidation: titles, leads, statuses and notes are checked.
func TestCaseValidation(t *testing.T) {
	f := newCaseFixture(t)
	ctx := context.Background()
	inv := f.who["investigator"]
	for name, nc := range map[string]casework.NewCase{
		"empty title":     {Desk: intake.DefaultDeskSlug, Title: "  "},
		"long title":      {Desk: intake.DefaultDeskSlug, Title: strings.Repeat("é", casework.MaxCaseTitle+1)},
		"two-line title":  {Desk: intake.DefaultDeskSlug, Title: "a\nb"},
		"lead of no desk": {Desk: intake.DefaultDeskSlug, Title: "x", Lead: "admin@example.org"},
		"other desk lead": {Desk: intake.DefaultDeskSlug, Title: "x", Lead: "other-desk@example.org"},
	} {
		if _, err := f.cases.Create(ctx, inv, nc); code(err) != tipline.Invalid {
			t.Errorf("%s: %v, want Invalid", name, err)
		}
	}
	c, err := f.cases.Create(ctx, inv, casework.NewCase{Desk: intake.DefaultDeskSlug, Title: strings.Repeat("é", casework.MaxCaseTitle), Lead: "colleague@example.org"})
	if err != nil {
		t.Fatal(err)
	}
	bogus, empty := casework.CaseStatus("archived"), ""
	for name, ch := range map[string]casework.CaseChange{"nothing": {}, "unknown status": {Status: &bogus}, "no lead": {Lead: &empty}, "empty title": {Title: &empty}} {
		if _, err := f.cases.Update(ctx, inv, c.ID, ch); code(err) != tipline.Invalid {
			t.Errorf("%s: %v, want Invalid", name, err)
		}
	}
	for name, text := range map[string]string{"empty": " \n ", "too long": strings.Repeat("字", casework.MaxNoteText+1)} {
		if _, err := f.cases.AddNote(ctx, inv, c.ID, text); code(err) != tipline.Invalid {
			t.Errorf("%s note: %v, want Invalid", name, err)
		}
	}
	if n, err := f.cases.AddNote(ctx, inv, c.ID, strings.Repeat("字", casework.MaxNoteText)); err != nil || n.Author != inv.Email {
		t.Errorf("longest note: %+v, %v", n, err)
	}
	if _, err := f.cases.List(ctx, inv, casework.CaseQuery{Status: "archived"}); code(err) != tipline.Invalid {
		t.Errorf("listing an unknown status: %v", err)
	}
}
