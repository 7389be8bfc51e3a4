package server

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/tipline/tipline/casework"
)

// TestCasesAPI opens a case with a submission, links it to a second case,
// writes a note, closes the case and lists by desk and status.
func TestCasesAPI(t *testing.T) {
	ts, secret := newStaffTestServer(t)
	addGPGKey(t, ts)
	ctype, body := multipartBody(t, []formPart{{name: "narrative", value: "Relabelled H20 boards."}})
	r := httptest.NewRequest(http.MethodPost, "/desk/export-controls/submit", body)
	r.Header.Set("Content-Type", ctype)
	if w := ts.do("intake", r); w.Code != http.StatusOK {
		t.Fatalf("submission = %d", w.Code)
	}
	var sub string
	ts.db.Raw("SELECT id FROM submissions").Scan(&sub)
	session, _ := ts.login(t, secret)

	call := func(method, path string, in, out any) int {
		t.Helper()
		return callJSON(t, ts, session.Token, method, path, in, out)
	}

	var first casework.CaseDetail
	if code := call("POST", "/api/v1/cases", map[string]any{"desk": "export-controls", "title": "H20 boards", "submissions": []string{sub}}, &first); code != http.StatusCreated {
		t.Fatalf("create = %d", code)
	}
	if first.ID == "" || first.Lead != "ana@example.org" || first.Status != casework.CaseOpen || len(first.Submissions) != 1 || first.Submissions[0] != sub {
		t.Errorf("created case = %+v", first)
	}
	var detail casework.SubmissionDetail
	if call("GET", "/api/v1/submissions/"+sub, nil, &detail); detail.Status != casework.CaseOpened {
		t.Errorf("submission status after opening a case = %q, want case_opened", detail.Status)
	}

	var second casework.CaseDetail
	if code := call("POST", "/api/v1/cases", map[string]any{"desk": "export-controls", "title": "Second buyer"}, &second); code != http.StatusCreated {
		t.Fatalf("create without submissions = %d", code)
	}
	if code := call("POST", "/api/v1/cases/"+second.ID+"/submissions", map[string]string{"submission": sub}, &second); code != http.StatusOK || len(second.Submissions) != 1 {
		t.Errorf("link = %d, %+v", code, second)
	}
	var note casework.Note
	if code := call("POST", "/api/v1/cases/"+second.ID+"/notes", map[string]string{"text": "Asked the forwarder for the bill of lading."}, &note); code != http.StatusCreated || note.Author != "ana@example.org" {
		t.Errorf("note = %d, %+v", code, note)
	}
	if code := call("PATCH", "/api/v1/cases/"+second.ID, map[string]string{"status": "closed", "title": "Second buyer (closed)"}, &second); code != http.StatusOK ||
		second.Status != casework.CaseClosed || second.Title != "Second buyer (closed)" {
		t.Errorf("patch = %d, %+v", code, second)
	}
	var got casework.CaseDetail
	if call("GET", "/api/v1/cases/"+second.ID, nil, &got); len(got.Notes) != 1 || got.Notes[0].Text != note.Text || len(got.Submissions) != 1 {
		t.Errorf("case = %+v", got)
	}

	list := func(query string) []string {
		t.Helper()
		var out struct{ Cases []casework.CaseSummary }
		if code := call("GET", "/api/v1/cases"+query, nil, &out); code != http.StatusOK {
			t.Fatalf("list%s = %d", query, code)
		}
		var ids []string
		for _, c := range out.Cases {
			ids = append(ids, c.ID)
		}
		return ids
	}
	if ids := list(""); len(ids) != 2 {
		t.Errorf("all cases = %v", ids)
	}
	if ids := list("?status=closed"); len(ids) != 1 || ids[0] != second.ID {
		t.Errorf("closed cases = %v", ids)
	}
	if ids := list("?status=open&desk=export-controls"); len(ids) != 1 || ids[0] != first.ID {
		t.Errorf("open cases of the desk = %v", ids)
	}
	if ids := list("?desk=sec-fraud"); len(ids) != 0 {
		t.Errorf("another desk's cases = %v", ids)
	}
	if code := call("GET", "/api/v1/cases?status=archived", nil, nil); code != http.StatusUnprocessableEntity {
		t.Errorf("unknown status = %d", code)
	}
	if code := call("PATCH", "/api/v1/cases/"+first.ID, map[string]string{"colour": "red"}, nil); code != http.StatusUnprocessableEntity {
		t.Errorf("unknown field = %d", code)
	}

	entries, err := ts.deps.Staff.Store.AuditEntries(context.Background(), 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, e := range entries {
		count[string(e.Record.Action)]++
	}
	for action, n := range map[string]int{"case.create": 2, "case.link": 1, "case.note": 1, "case.update": 1, "case.view": 1, "case.list": 4} {
		if count[action] != n {
			t.Errorf("%d %s in the audit log, want %d", count[action], action, n)
		}
	}
}

// callJSON calls the casework API with a bearer token and a JSON body (in,
// when not nil), decodes a successful answer into out (when not nil), logs
// a failed one, and returns the status.
func callJSON(t *testing.T, ts *testServer, token, method, path string, in, out any) int {
	t.Helper()
	var b []byte
	if in != nil {
		var err error
		if b, err = json.Marshal(in); err != nil {
			t.Fatal(err)
		}
	}
	r := httptest.NewRequest(method, path, bytes.NewReader(b))
	if in != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	r.Header.Set("Authorization", "Bearer "+token)
	w := ts.do("casework", r)
	if out != nil && w.Code < 300 {
		if err := json.Unmarshal(w.Body.Bytes(), out); err != nil {
			t.Fatalf("%s %s: %v\n%s", method, path, err, w.Body)
		}
	}
	if w.Code >= 300 {
		t.Logf("%s %s = %d %s", method, path, w.Code, w.Body)
	}
	return w.Code
}

// TestCasesAuditRefused: when the audit log refuses entries (a trigger
// raising on INSERT), a case view answers 500 without the case, and a
// change answers 500 and is not made.
func TestCasesAuditRefused(t *testing.T) {
	ts, secret := newStaffTestServer(t)
	session, _ := ts.login(t, secret)
	call := func(method, path string, in, out any) int {
		t.Helper()
		return callJSON(t, ts, session.Token, method, path, in, out)
	}
	var c casework.CaseDetail
	if code := call("POST", "/api/v1/cases", map[string]any{"desk": "export-controls", "title": "H20 boards"}, &c); code != http.StatusCreated {
		t.Fatalf("create = %d", code)
	}
	if err := ts.db.Exec("CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'audit log refused'); END").Error; err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/api/v1/cases/" + c.ID, "/api/v1/cases"} {
		r := httptest.NewRequest(http.MethodGet, path, nil)
		r.Header.Set("Authorization", "Bearer "+session.Token)
		if w := ts.do("casework", r); w.Code != http.StatusInternalServerError || bytes.Contains(w.Body.Bytes(), []byte("H20 boards")) {
			t.Errorf("GET %s with the audit log refusing = %d %s", path, w.Code, w.Body)
		}
	}
	if code := call("PATCH", "/api/v1/cases/"+c.ID, map[string]string{"title": "Renamed"}, nil); code != http.StatusInternalServerError {
		t.Errorf("PATCH with the audit log refusing = %d", code)
	}
	if code := call("POST", "/api/v1/cases", map[string]any{"desk": "export-controls", "title": "Not opened"}, nil); code != http.StatusInternalServerError {
		t.Errorf("POST with the audit log refusing = %d", code)
	}
	if err := ts.db.Exec("DROP TRIGGER refuse_audit").Error; err != nil {
		t.Fatal(err)
	}
	var list struct{ Cases []casework.CaseSummary }
	if code := call("GET", "/api/v1/cases", nil, &list); code != http.StatusOK || len(list.Cases) != 1 || list.Cases[0].Title != "H20 boards" {
		t.Errorf("cases after the refused changes = %d %+v", code, list.Cases)
	}
}
