package server

import (
	"context"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tipline/tipline/awards"
	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/claims"
)

// claimRange returns the award range a claim's page shows.
func claimRange(t *testing.T, w *httptest.ResponseRecorder) string {
	t.Helper()
	m := regexp.MustCompile(`id="claim-range">([^<]*)<`).FindStringSubmatch(w.Body.String())
	if m == nil {
		t.Fatalf("no award range on the page (status %d)\n%.1500s", w.Code, w.Body)
	}
	return html.UnescapeString(m[1])
}

// TestClaimFactsForms enters on a claim's page, with plain forms, every
// fact the award engine decides on beyond the ledger: how the claim
// counts each action (role, the authority that brought it, money credited
// against another action), each claimant's facts (joint or separate,
// sanctions for their own conduct under Rule 21F-16, a bar, negative
// factors) and the IRS and FCA original-source fact. Each changes the
// estimate as the engine says; each refused form keeps what was typed;
// each change is audited.
func TestClaimFactsForms(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	carla := signIn(t, ts, "carla@example.org", casework.RoleCounsel, nil)
	svc, p := ts.deps.Claims, carla.Principal
	today := time.Now().UTC()
	day := func(days int) string { return today.AddDate(0, 0, days).Format(time.DateOnly) }

	// An SEC action ($2M penalty, all collected) and a related action
	// brought by the DOJ ($1M, all collected).
	covered, err := svc.CreateAction(ctx, p, claims.ActionFields{Relation: claims.Covered, Agency: "SEC", Title: "SEC v. Example Chips Ltd.", NoticeDay: day(-10)})
	if err != nil {
		t.Fatal(err)
	}
	related, err := svc.CreateAction(ctx, p, claims.ActionFields{Relation: claims.Related, CoveredID: covered.ID, Basis: "The same original information.",
		Agency: "DOJ", Title: "United States v. Example Chips Ltd.", FinalOrderDay: day(-30)})
	if err != nil {
		t.Fatal(err)
	}
	for a, amount := range map[string]string{covered.ID: "2,000,000", related.ID: "1,000,000"} {
		if _, err := svc.SetSanction(ctx, p, a, awards.Penalty, amount); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.RecordCollection(ctx, p, a, claims.NewCollection{Kind: awards.Penalty, Amount: amount, ReceivedDay: day(-5)}); err != nil {
			t.Fatal(err)
		}
	}
	cl, err := svc.CreateClaim(ctx, p, claims.ClaimFields{Program: "sec", ClaimantKind: claims.Source, Pseudonym: "Source A"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SetActions(ctx, p, cl.ID, []string{covered.ID, related.ID}); err != nil {
		t.Fatal(err)
	}
	claimPath := "/claims/" + cl.ID
	// terms is the action terms form: the covered action first.
	terms := func(credited, relatedAuthority string) url.Values {
		return url.Values{"action_0": {covered.ID}, "role_0": {"covered"}, "authority_0": {"sec"}, "credited_0": {credited},
			"action_1": {related.ID}, "role_1": {"related"}, "authority_1": {relatedAuthority}, "credited_1": {""}}
	}

	steps := []struct {
		name, path string
		form       url.Values
		status     int
		shows      []string
		award      string // the range the claim's page shows afterwards
	}{
		{"before", "", nil, 0, []string{"Department of Justice", "A related action: its own claim"}, "$300,000.00 – $900,000.00"},
		{"credited above ordered", "/action_terms", terms("3,000,000", "doj"), 422,
			[]string{"the amount credited is 0 to the $2,000,000.00 the action orders", `value="3,000,000"`, `id="action-terms" open`}, ""},
		{"credited not an amount", "/action_terms", terms("half", "doj"), 422, []string{"The amount credited is in dollars", `value="half"`}, ""},
		{"unknown authority", "/action_terms", terms("", "interpol"), 422, []string{`unknown authority "interpol"`}, ""},
		// $500,000 of the SEC penalty is credited against the DOJ action:
		// 10–30 % of $1.5M; the CFTC pays its related action at its
		// discretion (0–30 % of $1M).
		{"credited, brought by the CFTC", "/action_terms", terms("500,000", "cftc"), 303,
			[]string{"$500,000.00", "Commodity Futures Trading Commission"}, "$150,000.00 – $750,000.00"},
		{"terms back to the defaults", "/action_terms", terms("", "doj"), 303, nil, "$300,000.00 – $900,000.00"},
		{"culpable amount not an amount", "/splits", url.Values{"claimant_0": {"Source A"}, "culpable_0": {"lots"}}, 422,
			[]string{"the sanctions for their own conduct are an amount in dollars", `value="lots"`}, ""},
		{"a rule and words", "/splits", url.Values{"claimant_0": {"Source A"}, "barred_0": {"convicted"}, "barred_words_0": {"also this"}}, 422,
			[]string{"not both", `value="also this"`}, ""},
		// The case: $2M ordered, $1.5M from the claimant's own
		// conduct: under $1M counts, so no award (17 CFR 240.21F-16).
		{"Rule 21F-16", "/splits", url.Values{"claimant_0": {"Source A"}, "culpable_0": {"1,500,000"}}, 303,
			[]string{"$1,500,000.00", "21F-16"}, "$0.00 – $0.00"},
		{"barred", "/splits", url.Values{"claimant_0": {"Source A"}, "barred_0": {"convicted"}}, 303,
			[]string{"Disqualified: "}, "$0.00 – $0.00"},
		// Two separate whistleblowers, one of whom delayed: no presumption
		// of the maximum, and each may get nothing up to the whole award.
		{"separate claimants", "/splits", url.Values{"claimant_0": {"Source A"}, "factor_0": {"unreasonable_delay"}, "claimant_1": {"Source B"}}, 303,
			[]string{"Unreasonable delay in reporting", "separately", "No presumption of the maximum: unreasonable delay (Source A)"}, "$300,000.00 – $900,000.00"},
		{"joint claimants' shares", "/splits", url.Values{"claimant_0": {"Source A"}, "joint_0": {"1"}, "share_0": {"60"}, "claimant_1": {"Source B"},
			"joint_1": {"1"}, "share_1": {"30"}}, 422, []string{"add up to 100%, not 90%", `value="30"`}, ""},
		{"joint claimants", "/splits", url.Values{"claimant_0": {"Source A"}, "joint_0": {"1"}, "share_0": {"60"}, "claimant_1": {"Source B"},
			"joint_1": {"1"}, "share_1": {"40"}}, 303, []string{"jointly", "60 %", "40 %"}, "$300,000.00 – $900,000.00"},
		{"the pseudonym alone", "/splits", url.Values{"claimant_0": {"Source A"}, "claimant_1": {""}}, 303,
			[]string{"A single claimant, Source A"}, "$300,000.00 – $900,000.00"},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if st.path != "" {
				w := carla.post(ts, claimPath+st.path, st.form)
				if w.Code != st.status {
					t.Fatalf("status %d, want %d\n%.2000s", w.Code, st.status, w.Body)
				}
				if st.status != http.StatusSeeOther {
					for _, s := range st.shows {
						if !strings.Contains(html.UnescapeString(w.Body.String()), s) {
							t.Errorf("the refused form does not show %q", s)
						}
					}
					return
				}
			}
			w := carla.get(ts, claimPath)
			if got := claimRange(t, w); got != st.award {
				t.Errorf("award %q, want %q", got, st.award)
			}
			for _, s := range st.shows {
				if !strings.Contains(html.UnescapeString(w.Body.String()), s) {
					t.Errorf("the claim's page does not show %q", s)
				}
			}
		})
	}
	// Terms equal to the defaults are stored as none; the lone claimant
	// of the pseudonym is no row.
	var custom, rows int64
	ts.db.Raw("SELECT count(*) FROM claim_actions WHERE claim_id = ? AND (role <> '' OR authority <> '' OR credited_cents <> 0)", cl.ID).Scan(&custom)
	ts.db.Raw("SELECT count(*) FROM claim_claimants WHERE claim_id = ?", cl.ID).Scan(&rows)
	if custom != 0 || rows != 0 {
		t.Errorf("%d actions with terms and %d claimants stored, want none", custom, rows)
	}

	// IRS: a claim based on public disclosures is capped at 10 % unless
	// the claimant is an original source (26 U.S.C. 7623(b)(2)(B)).
	irsAction, err := svc.CreateAction(ctx, p, claims.ActionFields{Relation: claims.Covered, Agency: "IRS", Title: "IRS examination of Example Chips Inc.", FinalOrderDay: day(-20)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.RecordCollection(ctx, p, irsAction.ID, claims.NewCollection{Kind: awards.Tax, Amount: "3,000,000", ReceivedDay: day(-5)}); err != nil {
		t.Fatal(err)
	}
	irs, err := svc.CreateClaim(ctx, p, claims.ClaimFields{Program: "irs", ClaimantKind: claims.Source, Pseudonym: "Source C"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SetActions(ctx, p, irs.ID, []string{irsAction.ID}); err != nil {
		t.Fatal(err)
	}
	irsFields := url.Values{"program": {"irs"}, "claimant_kind": {"source"}, "pseudonym": {"Source C"}, "counsel": {carla.Email},
		"amount_in_dispute": {"3,000,000"}, "public_disclosure": {"1"}}
	for _, tc := range []struct {
		originalSource bool
		award          string
	}{{false, "$0.00 – $300,000.00"}, {true, "$450,000.00 – $900,000.00"}} {
		form := url.Values{}
		for k, v := range irsFields {
			form[k] = v
		}
		if tc.originalSource {
			form.Set("original_source", "1")
		}
		if w := carla.post(ts, "/claims/"+irs.ID, form); w.Code != http.StatusSeeOther {
			t.Fatalf("update: %d\n%.1500s", w.Code, w.Body)
		}
		w := carla.get(ts, "/claims/"+irs.ID)
		if got := claimRange(t, w); got != tc.award {
			t.Errorf("original source %v: award %q, want %q", tc.originalSource, got, tc.award)
		}
		if checked := strings.Contains(w.Body.String(), `name="original_source" value="1" checked`); checked != tc.originalSource {
			t.Errorf("original source %v: the box shows checked = %v", tc.originalSource, checked)
		}
	}

	entries, err := ts.deps.Staff.Store.AuditEntries(ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, e := range entries {
		count[string(e.Record.Action)+" "+e.Record.Target]++
	}
	// Every change that was saved is audited once; refused forms are not.
	for action, want := range map[string]int{"claim.action_terms claim:" + cl.ID: 2, "claim.splits claim:" + cl.ID: 5, "claim.update claim:" + irs.ID: 2} {
		if count[action] != want {
			t.Errorf("%d %q in the audit log, want %d", count[action], action, want)
		}
	}
}

// TestChecklistForm saves the whole eligibility checklist in one form:
// the items that changed are written with one audit entry naming them;
// a refused item keeps everything typed and changes nothing; an unchanged
// form writes nothing.
func TestChecklistForm(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	carla := signIn(t, ts, "carla@example.org", casework.RoleCounsel, nil)
	cl, err := ts.deps.Claims.CreateClaim(ctx, carla.Principal, claims.ClaimFields{Program: "sec", ClaimantKind: claims.Source, Pseudonym: "Source A"})
	if err != nil {
		t.Fatal(err)
	}
	path := "/claims/" + cl.ID + "/checklist"
	audited := func() []casework.AuditRecord {
		entries, err := ts.deps.Staff.Store.AuditEntries(ctx, 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		var out []casework.AuditRecord
		for _, e := range entries {
			if e.Record.Action == claims.AuditClaimChecklist {
				out = append(out, e.Record)
			}
		}
		return out
	}
	// The page shows one form with every item and one button.
	page := carla.get(ts, "/claims/"+cl.ID).Body.String()
	if n := strings.Count(page, `action="/claims/`+cl.ID+`/checklist`); n != 1 {
		t.Errorf("%d checklist forms on the page, want 1", n)
	}
	for _, item := range []string{"voluntary", "original_information", "timely", "convicted"} {
		if !strings.Contains(page, `name="status_`+item+`"`) || !strings.Contains(page, `name="evidence_`+item+`"`) {
			t.Errorf("the checklist form lacks item %s", item)
		}
	}

	full := url.Values{"status_voluntary": {"yes"}, "evidence_voluntary": {"TCR 2026-01-05"}, "status_timely": {"no"}, "evidence_timely": {"Missed the window"},
		"status_convicted": {"n_a"}, "evidence_convicted": {""}, "status_original_information": {"open"}, "evidence_original_information": {""}}
	refused := url.Values{}
	for k, v := range full {
		refused[k] = v
	}
	refused.Set("status_timely", "perhaps")
	w := carla.post(ts, path, refused)
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "TCR 2026-01-05</textarea>") ||
		!strings.Contains(w.Body.String(), "Missed the window</textarea>") || !strings.Contains(w.Body.String(), "a checklist item is open, yes, no or not applicable") {
		t.Fatalf("refused checklist: %d\n%.2000s", w.Code, w.Body)
	}
	if n := len(audited()); n != 0 {
		t.Fatalf("a refused checklist wrote %d audit entries", n)
	}

	if w := carla.post(ts, path, full); w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/claims/"+cl.ID+"#checklist" {
		t.Fatalf("checklist: %d %q", w.Code, w.Header().Get("Location"))
	}
	// Sent again unchanged, it writes nothing.
	if w := carla.post(ts, path, full); w.Code != http.StatusSeeOther {
		t.Fatalf("checklist again: %d", w.Code)
	}
	recs := audited()
	if len(recs) != 1 || recs[0].Detail["items"] != "convicted, timely, voluntary" {
		t.Fatalf("audit entries %+v, want one naming convicted, timely, voluntary", recs)
	}
	c, err := ts.deps.Claims.GetClaim(ctx, carla.Principal, cl.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]claims.ItemStatus{}
	for _, it := range c.Checklist {
		got[it.Item] = it.Status
	}
	if got["voluntary"] != claims.Yes || got["timely"] != claims.No || got["convicted"] != claims.NotApplicable || got["original_information"] != claims.Open {
		t.Errorf("checklist stored %v", got)
	}
	// A condition marked not met makes the claim not eligible, with the reason.
	if page := carla.get(ts, "/claims/"+cl.ID).Body.String(); !strings.Contains(page, "Condition not met: Timely") {
		t.Error("the estimate does not name the condition not met")
	}
}
