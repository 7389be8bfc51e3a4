package server

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/intake"
)

// postForm posts a staff page form with the session cookie.
func postForm(ts *testServer, target string, cookie *http.Cookie, form url.Values) *http.Response {
	r, _ := http.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.AddCookie(cookie)
	w := ts.do("casework", r.WithContext(context.Background()))
	return w.Result()
}

// TestTriageAndCaseForms works a submission through the staff pages'
// plain HTML forms, as an investigator without JavaScript would: triage
// it, open a case from it, add a note, and change the case. Forms without
// the session's CSRF token are refused, and a refused change shows the
// reason and changes nothing.
func TestTriageAndCaseForms(t *testing.T) {
	ts, secret := newStaffTestServer(t)
	ctx := context.Background()
	addGPGKey(t, ts)
	sub := submitNoJS(t, ts, intake.DefaultDeskSlug, []formPart{{name: "narrative", value: "Relabelled H20 boards."}})
	login, cookie := ts.login(t, secret)
	ana := casework.Principal{Email: "ana@example.org", Role: casework.RoleInvestigator, Desks: []string{intake.DefaultDeskSlug}}

	triage := url.Values{"status": {"under_review"}, "priority": {"3"}, "labels": {"H20, transshipment h20"}, "assignee": {"ana@example.org"}}
	if res := postForm(ts, "/submissions/"+sub, cookie, triage); res.StatusCode != http.StatusForbidden {
		t.Errorf("triage form without the CSRF token = %d, want 403", res.StatusCode)
	}
	triage.Set("csrf", login.CSRF+"x")
	if res := postForm(ts, "/submissions/"+sub, cookie, triage); res.StatusCode != http.StatusForbidden {
		t.Errorf("triage form with a wrong CSRF token = %d, want 403", res.StatusCode)
	}
	triage.Set("csrf", login.CSRF)
	if res := postForm(ts, "/submissions/"+sub, cookie, triage); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/submissions/"+sub {
		t.Fatalf("triage form = %d %q, want 303 back to the submission", res.StatusCode, res.Header.Get("Location"))
	}
	d, err := ts.deps.Triage.Get(ctx, ana, sub)
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != casework.UnderReview || d.Priority != 3 || d.Assignee != "ana@example.org" || strings.Join(d.Labels, ",") != "h20,transshipment" {
		t.Errorf("after the triage form: %+v", d.SubmissionSummary)
	}

	// Closing without a code is refused with the reason; nothing changes.
	closing := url.Values{"csrf": {login.CSRF}, "status": {"closed"}, "priority": {"0"}, "labels": {""}, "assignee": {""}}
	res := postForm(ts, "/submissions/"+sub, cookie, closing)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("closing without a code = %d, want 422", res.StatusCode)
	}
	body := readBody(t, res)
	if !strings.Contains(body, "Closing a submission needs a closing code.") {
		t.Errorf("the refusal does not say why:\n%.2000s", body)
	}
	if d, _ := ts.deps.Triage.Get(ctx, ana, sub); d.Status != casework.UnderReview || d.Priority != 3 {
		t.Errorf("a refused form changed the submission: %+v", d.SubmissionSummary)
	}

	// Open a case from the submission's page, note it, put it on hold.
	res = postForm(ts, "/cases", cookie, url.Values{"csrf": {login.CSRF}, "submission": {sub}, "title": {"Shenzhen forwarder 深圳"}})
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/cases/") {
		t.Fatalf("opening a case = %d %q", res.StatusCode, loc)
	}
	if d, _ := ts.deps.Triage.Get(ctx, ana, sub); d.Status != casework.CaseOpened {
		t.Errorf("the submission is %s after opening a case, want case_opened", d.Status)
	}
	if res := postForm(ts, loc+"/notes", cookie, url.Values{"csrf": {login.CSRF}, "text": {"Asked customs for the bill of lading."}}); res.StatusCode != http.StatusSeeOther {
		t.Errorf("adding a note = %d", res.StatusCode)
	}
	change := url.Values{"csrf": {login.CSRF}, "title": {"Shenzhen forwarder 深圳"}, "lead": {"ana@example.org"}, "status": {"on_hold"}}
	if res := postForm(ts, loc, cookie, change); res.StatusCode != http.StatusSeeOther {
		t.Errorf("changing the case = %d", res.StatusCode)
	}
	change.Set("lead", "nobody@example.org")
	if res := postForm(ts, loc, cookie, change); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("a lead who is not an investigator of the desk = %d, want 422", res.StatusCode)
	}
	w := getWithCookie(ts, loc, cookie)
	page := w.Body.String()
	tip, _ := ts.deps.Triage.Get(ctx, ana, sub)
	for _, want := range []string{"Shenzhen forwarder 深圳", "Asked customs for the bill of lading.", "on_hold",
		`href="/submissions/` + sub + `">Tip #` + strconv.Itoa(tip.Number) + "<", `name="csrf"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the case page lacks %q", want)
		}
	}
	if w := getWithCookie(ts, "/cases?status=on_hold", cookie); !strings.Contains(w.Body.String(), strings.TrimPrefix(loc, "/cases/")) {
		t.Error("the case list filtered by on_hold lacks the case")
	}
	if w := getWithCookie(ts, "/cases?status=closed", cookie); strings.Contains(w.Body.String(), strings.TrimPrefix(loc, "/cases/")) {
		t.Error("the case list filtered by closed shows the case on hold")
	}
}

func readBody(t *testing.T, res *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
