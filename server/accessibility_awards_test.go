package server

import (
	"context"
	"testing"
	"time"

	"github.com/tipline/tipline/awards"
	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/claims"
	"github.com/tipline/tipline/intake"
	"github.com/tipline/tipline/quitam"
)

// awardsData fills the award pages the accessibility walk opens as
// counsel: an SEC claim on the submission sub with an action, a checklist
// item and two claimants; the action with sanctions and a collection; and
// a qui tam matter, on an FCA claim and a case the investigator opens on
// sub, with its facts, an extension, the election and a payment. It
// returns the ids of the SEC claim, the action and the matter.
func awardsData(t *testing.T, ts *testServer, investigator, counsel casework.Principal, sub string) (claim, action, matter string) {
	t.Helper()
	ctx := context.Background()
	kase, err := ts.deps.Cases.Create(ctx, investigator, casework.NewCase{Desk: intake.DefaultDeskSlug, Title: "Invoices", Submissions: []string{sub}})
	if err != nil {
		t.Fatal(err)
	}
	svc := ts.deps.Claims
	day := func(days int) string { return time.Now().UTC().AddDate(0, 0, days).Format(time.DateOnly) }
	// An admin attaches submissions by id; counsel would paste the source's signed receipt.
	admin := casework.Principal{UserID: counsel.UserID, Email: counsel.Email, Role: casework.RoleAdmin}
	a, err := svc.CreateAction(ctx, counsel, claims.ActionFields{Relation: claims.Covered, Agency: "SEC", Forum: "S.D.N.Y.", CaseNumber: "1:26-cv-04321",
		Title: "SEC v. Example Chips Ltd.", Defendants: []claims.Defendant{{Name: "Example Chips Ltd."}, {Name: "深圳示例科技有限公司"}}, NoticeDay: day(-20)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SetSanction(ctx, counsel, a.ID, awards.Penalty, "3,000,000"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.RecordCollection(ctx, counsel, a.ID, claims.NewCollection{Kind: awards.Penalty, Amount: "1,000,000",
		ReceivedDay: day(-10), DocumentRef: "Treasury receipt 2026-0117"}); err != nil {
		t.Fatal(err)
	}
	sec, err := svc.CreateClaim(ctx, counsel, claims.ClaimFields{Program: "sec", ClaimantKind: claims.Source, Pseudonym: "Source A"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SetSubmissions(ctx, admin, sec.ID, []string{sub}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SetActions(ctx, counsel, sec.ID, []string{a.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SetChecklistItem(ctx, counsel, sec.ID, "voluntary", claims.Yes, "TCR filed before any request from the SEC."); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SetSplits(ctx, counsel, sec.ID, []claims.Split{{Claimant: "Source A", Joint: true, ShareBP: 6000}, {Claimant: "Source B", Joint: true, ShareBP: 4000}}); err != nil {
		t.Fatal(err)
	}
	fca, err := svc.CreateClaim(ctx, counsel, claims.ClaimFields{Program: "fca", ClaimantKind: claims.Relator, Pseudonym: "Relator A"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SetSubmissions(ctx, admin, fca.ID, []string{sub}); err != nil {
		t.Fatal(err)
	}
	m, err := ts.deps.QuiTam.Create(ctx, counsel, quitam.NewMatter{CaseID: kase.ID, ClaimID: fca.ID, Caption: "United States ex rel. Relator A v. Example Chips Ltd."})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ts.deps.QuiTam.SetFacts(ctx, counsel, m.ID, quitam.Facts{Caption: m.Caption, FiledDay: day(-90), ViolationDay: day(-4 * 365),
		KnowledgeDay: day(-200), RetaliationDay: day(-120), PublicDisclosure: true, OriginalSource: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.deps.QuiTam.AddExtension(ctx, counsel, m.ID, quitam.Extension{GrantedDay: day(-40), NewDay: day(60)}); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.deps.QuiTam.Decide(ctx, counsel, m.ID, quitam.Intervened, day(-10)); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.deps.QuiTam.AddCollection(ctx, counsel, m.ID, quitam.NewCollection{ReceivedDay: day(-1), Federal: "1,000,000.00", State: "250,000.00",
		DocumentRef: "Settlement agreement, Treasury receipt 2026-0311"}); err != nil {
		t.Fatal(err)
	}
	return sec.ID, a.ID, m.ID
}
