package server

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/intake"
)

// staffMember is a signed-in staff member of a test.
type staffMember struct {
	casework.Principal
	cookie *http.Cookie
	csrf   string
}

// signIn adds a staff member and logs them in through the API.
func signIn(t *testing.T, ts *testServer, email string, role casework.Role, desks []string) staffMember {
	t.Helper()
	ctx := context.Background()
	u, uri, err := ts.deps.Staff.AddUser(ctx, 0, email, role, staffPassword, desks)
	if err != nil {
		t.Fatal(err)
	}
	parsed, _ := url.Parse(uri)
	code, _ := casework.TOTPCode(parsed.Query().Get("secret"), time.Now())
	body := `{"email":"` + email + `","password":"` + staffPassword + `","totp":"` + code + `"}`
	r := httptest.NewRequest(http.MethodPost, "/api/v1/session", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	w := ts.do("casework", r)
	var resp loginResponse
	if w.Code != http.StatusCreated || json.Unmarshal(w.Body.Bytes(), &resp) != nil {
		t.Fatalf("login %s: %d %s", email, w.Code, w.Body)
	}
	return staffMember{Principal: casework.Principal{UserID: u.ID, Email: u.Email, Role: u.Role, Desks: u.Desks},
		cookie: w.Result().Cookies()[0], csrf: resp.CSRF}
}

// post sends a form as m, with m's CSRF token unless the form names one.
func (m staffMember) post(ts *testServer, target string, form url.Values) *httptest.ResponseRecorder {
	if !form.Has("csrf") {
		form.Set("csrf", m.csrf)
	}
	r := httptest.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.AddCookie(m.cookie)
	return ts.do("casework", r)
}

// get fetches a page as m.
func (m staffMember) get(ts *testServer, target string) *httptest.ResponseRecorder {
	return getWithCookie(ts, target, m.cookie)
}

// TestClaimForms works a claim through the HTML forms alone, as counsel
// without JavaScript: each refused form shows the page again (422) with
// the reason and what was typed, each done one redirects (303), and the
// award range follows the ledger.
func TestClaimForms(t *testing.T) {
	ts := newTestServer(t)
	addGPGKey(t, ts)
	sub := submitNoJS(t, ts, intake.DefaultDeskSlug, []formPart{{name: "narrative", value: "Relabelled H20 boards."}})
	var receipt string
	ts.db.Raw("SELECT lower(hex(entry_hash)) FROM intake_log WHERE submission_id = ?", sub).Scan(&receipt)
	signed, err := ts.intake.SignedReceipt(context.Background(), sub)
	if err != nil {
		t.Fatal(err)
	}
	carla := signIn(t, ts, "carla@example.org", casework.RoleCounsel, nil)
	ivy := signIn(t, ts, "ivy@example.org", casework.RoleInvestigator, []string{intake.DefaultDeskSlug})
	today := time.Now().UTC().Format(time.DateOnly)

	// expect checks a response's status, its redirect and what its page
	// shows.
	expect := func(t *testing.T, w *httptest.ResponseRecorder, status int, location string, shows ...string) {
		t.Helper()
		if w.Code != status {
			t.Fatalf("status %d, want %d\n%.1500s", w.Code, status, w.Body)
		}
		if location != "" && w.Header().Get("Location") != location {
			t.Errorf("Location %q, want %q", w.Header().Get("Location"), location)
		}
		for _, s := range shows {
			if !strings.Contains(w.Body.String(), s) {
				t.Errorf("the page does not show %q", s)
			}
		}
	}

	// Opening a claim: refused without a pseudonym, keeping the program.
	w := carla.post(ts, "/claims", url.Values{"program": {"sec"}, "claimant_kind": {"source"}, "counsel": {carla.Email}})
	expect(t, w, http.StatusUnprocessableEntity, "", "The pseudonym is 1 to 200 characters", `<option value="sec" selected>`)
	w = carla.post(ts, "/claims", url.Values{"program": {"sec"}, "claimant_kind": {"source"}, "pseudonym": {"Source A"},
		"legal_name": {"王小明"}, "counsel": {carla.Email}})
	expect(t, w, http.StatusSeeOther, "")
	claimPath := w.Header().Get("Location")
	claimID := strings.TrimPrefix(claimPath, "/claims/")
	expect(t, carla.get(ts, claimPath), http.StatusOK, "", "Source A", "shown by pseudonym", "No submissions linked")

	// An action recorded from the claim's page is counted by the claim.
	w = carla.post(ts, "/actions", url.Values{"claim": {claimID}, "relation": {"covered"}, "agency": {"SEC"}})
	expect(t, w, http.StatusUnprocessableEntity, "", "The title is 1 to 300 characters", `id="new-action" open`)
	w = carla.post(ts, "/actions", url.Values{"claim": {claimID}, "relation": {"covered"}, "agency": {"SEC"}, "title": {"SEC v. Example Chips Ltd."},
		"case_number": {"1:26-cv-04321"}, "defendants": {"Example Chips Ltd.\n深圳示例科技有限公司\n"}, "notice_day": {today}})
	expect(t, w, http.StatusSeeOther, claimPath+"#actions")
	var actionID string
	ts.db.Raw("SELECT action_id FROM claim_actions WHERE claim_id = ?", claimID).Scan(&actionID)
	if actionID == "" {
		t.Fatal("the claim does not count the new action")
	}
	actionPath := "/actions/" + actionID

	steps := []struct {
		name, path string
		form       url.Values
		status     int
		location   string
		shows      []string
	}{
		{"sanction refused", actionPath + "/sanctions", url.Values{"kind": {"penalty"}, "ordered": {"three million"}}, 422, "",
			[]string{"An amount ordered is in dollars", `value="three million"`}},
		{"sanction", actionPath + "/sanctions", url.Values{"kind": {"penalty"}, "ordered": {"3,000,000"}}, 303, actionPath + "#sanctions", nil},
		{"collection refused", actionPath + "/collections", url.Values{"kind": {"penalty"}, "amount": {"0"}, "received_day": {today}, "document_ref": {"Treasury 17"}}, 422, "",
			[]string{"A collection is a positive amount", `value="Treasury 17"`}},
		{"collection in the future", actionPath + "/collections", url.Values{"kind": {"penalty"}, "amount": {"5"}, "received_day": {"2999-01-01"}}, 422, "",
			[]string{"not in the future"}},
		{"collection", actionPath + "/collections", url.Values{"kind": {"penalty"}, "amount": {"1,250,000.00"}, "received_day": {today}, "document_ref": {"Treasury 17"}},
			303, actionPath + "#ledger", nil},
		{"mistaken collection", actionPath + "/collections", url.Values{"kind": {"penalty"}, "amount": {"999"}, "received_day": {today}}, 303, actionPath + "#ledger", nil},
		{"reversal of an unknown entry", actionPath + "/collections/999999/reversal", url.Values{}, 422, "", []string{"Ledger entry not found."}},
		// Counsel attach a submission with the source's signed receipt, not its id.
		{"submission by id", claimPath + "/submissions", url.Values{"submissions": {sub + "\n"}}, 403, "", []string{"signed receipt"}},
		{"receipt refused", claimPath + "/receipts", url.Values{"receipt": {strings.Replace(string(signed), sub, otherFirst(sub), 1)}}, 422, "",
			[]string{"The receipt does not prove a submission"}},
		{"receipt", claimPath + "/receipts", url.Values{"receipt": {string(signed)}}, 303, claimPath + "#submissions", nil},
		// The checklist saves in one form; a refused item keeps what was typed in every item.
		{"checklist refused", claimPath + "/checklist", url.Values{"status_voluntary": {"maybe"}, "evidence_voluntary": {"TCR 2026-01"},
			"status_timely": {"yes"}, "evidence_timely": {"Applied within 90 days"}}, 422, "",
			[]string{"Information provided voluntarily: a checklist item is open, yes, no or not applicable.", "TCR 2026-01</textarea>", "Applied within 90 days</textarea>"}},
		{"unknown checklist item", claimPath + "/checklist", url.Values{"status_lucky": {"yes"}}, 422, "", []string{"no item"}},
		{"checklist", claimPath + "/checklist", url.Values{"status_voluntary": {"yes"}, "evidence_voluntary": {"TCR filed before any request"},
			"status_before_request": {"yes"}, "evidence_before_request": {"No subpoena before the TCR"}}, 303, claimPath + "#checklist", nil},
		{"one joint claimant", claimPath + "/splits", url.Values{"claimant_0": {"Source A"}, "share_0": {"100"}, "claimant_1": {""}, "share_1": {""}}, 422, "",
			[]string{"A joint claimant reported with at least one other"}},
		{"shares not a percentage", claimPath + "/splits", url.Values{"claimant_0": {"Source A"}, "share_0": {"sixty"}, "claimant_1": {"Source B"}, "share_1": {"40"}}, 422, "",
			[]string{"A share is a percentage"}},
		{"split", claimPath + "/splits", url.Values{"claimant_0": {"Source A"}, "share_0": {"66.67"}, "claimant_1": {"Source B"}, "share_1": {"33.33%"}}, 303, claimPath + "#splits", nil},
		{"no such step", claimPath + "/status", url.Values{"status": {"paid"}}, 422, "", []string{"A draft claim cannot become paid."}},
		{"filed", claimPath + "/status", url.Values{"status": {"filed"}}, 303, claimPath + "#status", nil},
		{"update refused", claimPath, url.Values{"program": {"sec"}, "claimant_kind": {"source"}, "pseudonym": {"Source A"}, "counsel": {carla.Email}, "show_legal_name": {"1"}}, 422, "",
			[]string{"There is no legal name to show."}},
		{"counsel stays", claimPath, url.Values{"program": {"sec"}, "claimant_kind": {"source"}, "pseudonym": {"Source A"}, "counsel": {"dan@example.org"}}, 422, "",
			[]string{"Counsel cannot take themselves off a claim"}},
		{"update", claimPath, url.Values{"program": {"sec"}, "claimant_kind": {"source"}, "pseudonym": {"Source A"}, "legal_name": {"王小明"}, "counsel": {carla.Email}},
			303, claimPath + "#claim-edit", nil},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			expect(t, carla.post(ts, st.path, st.form), st.status, st.location, st.shows...)
		})
	}

	// The mistaken entry is reversed once.
	var mistaken string
	ts.db.Raw("SELECT id FROM collections WHERE action_id = ? AND amount_cents = 99900", actionID).Scan(&mistaken)
	expect(t, carla.post(ts, actionPath+"/collections/"+mistaken+"/reversal", url.Values{"document_ref": {"entered twice"}}), 303, actionPath+"#ledger")
	expect(t, carla.post(ts, actionPath+"/collections/"+mistaken+"/reversal", url.Values{}), 422, "", "reversed already")

	// The action's page shows the ledger and the claim's new range: 10–30 %
	// of $1,250,000 collected.
	expect(t, carla.get(ts, actionPath), http.StatusOK, "", "$3,000,000.00", "Treasury 17", "reverses entry "+mistaken, "entered twice",
		"$125,000.00 – $375,000.00", "深圳示例科技有限公司", `href="/claims/`+claimID+`"`)
	// The claim's page shows what was recorded, by pseudonym.
	w = carla.get(ts, claimPath)
	expect(t, w, http.StatusOK, "", "$125,000.00 – $375,000.00", receipt, "TCR filed before any request", "No subpoena before the TCR", "66.67 %", "<strong>filed</strong>",
		"Mark pending", `href="/actions/`+actionID+`"`, "Estimate history")

	// Investigators of the desk read the claim, never its legal name, and
	// change nothing.
	w = ivy.get(ts, claimPath)
	expect(t, w, http.StatusOK, "", "Source A")
	if strings.Contains(w.Body.String(), "王小明") || strings.Contains(w.Body.String(), `action="/claims/`+claimID) {
		t.Error("an investigator sees the legal name or the claim's forms")
	}
	expect(t, ivy.post(ts, claimPath+"/status", url.Values{"status": {"pending"}}), http.StatusForbidden, "")

	// Shown by choice, the legal name replaces the pseudonym for counsel
	// (and in their reports); investigators still see the pseudonym.
	expect(t, carla.post(ts, claimPath, url.Values{"program": {"sec"}, "claimant_kind": {"source"}, "pseudonym": {"Source A"}, "legal_name": {"王小明"},
		"show_legal_name": {"1"}, "counsel": {carla.Email}}), 303, "")
	expect(t, carla.get(ts, claimPath), http.StatusOK, "", "<h1>王小明</h1>")
	if w := ivy.get(ts, claimPath); w.Code != http.StatusOK || strings.Contains(w.Body.String(), "王小明") {
		t.Error("an investigator sees the legal name that counsel chose to show")
	}
	if w := ivy.get(ts, "/api/v1/claims/"+claimID); w.Code != http.StatusOK || strings.Contains(w.Body.String(), "王小明") || strings.Contains(w.Body.String(), `"legal_name":`) {
		t.Errorf("the API gives an investigator the legal name: %d %.300s", w.Code, w.Body)
	}

	// A cookie without the form's token changes nothing.
	expect(t, carla.post(ts, claimPath+"/status", url.Values{"csrf": {"forged"}, "status": {"withdrawn"}}), http.StatusForbidden, "", "The form is out of date")

	// Every view and change is in the audit log.
	entries, err := ts.deps.Staff.Store.AuditEntries(context.Background(), 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	audited := map[string]bool{}
	for _, e := range entries {
		audited[string(e.Record.Action)+" "+strings.SplitN(e.Record.Target, "/", 2)[0]] = true
	}
	for _, a := range []string{"claim.create claim:" + claimID, "claim.view claim:" + claimID, "claim.update claim:" + claimID, "claim.status claim:" + claimID,
		"claim.submissions claim:" + claimID, "claim.actions claim:" + claimID, "claim.checklist claim:" + claimID, "claim.splits claim:" + claimID,
		"action.create action:" + actionID, "action.view action:" + actionID, "action.sanction action:" + actionID,
		"collection.record action:" + actionID, "collection.reverse action:" + actionID} {
		if !audited[a] {
			t.Errorf("no %q in the audit log", a)
		}
	}
}
