package server

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/entities"
	"github.com/tipline/tipline/intake"
)

// TestEntityPageForms posts the entity page's plain forms with the session
// cookie, as a browser without JavaScript does: a refused form shows the
// page again with the reason and what was typed (422), a done one goes
// back (303), and the change is in the entity.
func TestEntityPageForms(t *testing.T) {
	ts, secret := newStaffTestServer(t)
	ctx := context.Background()
	addGPGKey(t, ts)
	sub := submitNoJS(t, ts, intake.DefaultDeskSlug, []formPart{{name: "narrative", value: "Relabelled H20 boards."}})
	session, cookie := ts.login(t, secret)
	u, err := ts.deps.Staff.Store.UserByEmail(ctx, "ana@example.org")
	if err != nil {
		t.Fatal(err)
	}
	ana := casework.Principal{UserID: u.ID, Email: u.Email, Role: u.Role, Desks: u.Desks}
	create := func(name string) string {
		t.Helper()
		d, err := ts.deps.Entities.Create(ctx, ana, entities.NewEntity{Desk: intake.DefaultDeskSlug, Kind: entities.Organization, Name: name})
		if err != nil {
			t.Fatal(err)
		}
		return d.ID
	}
	fwd, dist, dup := create("Lion City Freight Pte Ltd"), create("Shenzhen Huaxin Technology Co., Ltd."), create("Lion City Freight")
	kase, err := ts.deps.Cases.Create(ctx, ana, casework.NewCase{Desk: intake.DefaultDeskSlug, Title: "Changi transshipments", Submissions: []string{sub}})
	if err != nil {
		t.Fatal(err)
	}
	subLink, err := ts.deps.Entities.LinkSubmission(ctx, ana, fwd, sub, entities.FreightForwarder)
	if err != nil {
		t.Fatal(err)
	}
	caseLink, err := ts.deps.Entities.LinkCase(ctx, ana, fwd, kase.ID, entities.Subject)
	if err != nil {
		t.Fatal(err)
	}

	post := func(path string, form url.Values) *httptest.ResponseRecorder {
		t.Helper()
		if !form.Has("csrf") {
			form.Set("csrf", session.CSRF)
		}
		r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.AddCookie(cookie)
		return ts.do("casework", r)
	}
	get := func(id string) entities.Detail {
		t.Helper()
		d, err := ts.deps.Entities.Get(ctx, ana, id, entities.LinkPage{})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	edit := url.Values{"kind": {"organization"}, "name": {"Lion City Freight Pte. Ltd."}, "aliases": {"LCF Logistics\r\n\r\n狮城货运\n"},
		"identifiers": {"registration: 201912345K\nlei:  5493001KJTIIGC8Y1R12 "}, "countries": {"sg, my"}, "notes": {"Books H20 boards as routers."}}
	with := func(key, value string) url.Values {
		v := url.Values{}
		for k, vs := range edit {
			v[k] = slices.Clone(vs)
		}
		v.Set(key, value)
		return v
	}

	for _, tc := range []struct {
		name, path string
		form       url.Values
		status     int
		body       []string // in the answer
		location   string   // of a 303
	}{
		{"WrongCSRF", "/entities/" + fwd, with("csrf", "forged"), http.StatusForbidden, []string{"out of date"}, ""},
		{"IdentifierWithoutType", "/entities/" + fwd, with("identifiers", "201912345K"), http.StatusUnprocessableEntity,
			[]string{"as type: value", `role="alert"`, "201912345K", "Books H20 boards as routers."}, ""},
		{"BadCountry", "/entities/" + fwd, with("countries", "Singapore"), http.StatusUnprocessableEntity, []string{"ISO 3166-1"}, ""},
		{"NoName", "/entities/" + fwd, with("name", " "), http.StatusUnprocessableEntity, []string{"A name is 1 to 300 characters"}, ""},
		{"Edit", "/entities/" + fwd, edit, http.StatusSeeOther, nil, "/entities/" + fwd},
		{"EditNothing", "/entities/" + fwd, edit, http.StatusUnprocessableEntity, []string{"Nothing to change."}, ""},
		{"RelateUnknownType", "/entities/" + fwd + "/relations", url.Values{"to": {dist}, "type": {"cousin_of"}}, http.StatusUnprocessableEntity, nil, ""},
		{"RelateNobody", "/entities/" + fwd + "/relations", url.Values{"to": {"0000000000000000000000000a"}, "type": {"ships_for"}}, http.StatusUnprocessableEntity,
			[]string{"Entity not found."}, ""},
		// Issue 15: the relation menu had "owns" chosen, so one click
		// recorded a relation nobody meant; none is assumed now.
		{"RelateNoType", "/entities/" + fwd + "/relations", url.Values{"to": {dist}, "type": {""}}, http.StatusUnprocessableEntity,
			[]string{"Choose how the two entities relate: no relation was recorded.", `role="alert"`}, ""},
		{"RelateTypeMissing", "/entities/" + fwd + "/relations", url.Values{"to": {dist}}, http.StatusUnprocessableEntity,
			[]string{"Choose how the two entities relate"}, ""},
		{"Relate", "/entities/" + fwd + "/relations", url.Values{"to": {dist}, "type": {"ships_for"}}, http.StatusSeeOther, nil, "/entities/" + fwd + "#relations"},
		{"MergeIntoItself", "/entities/" + dup + "/merge", url.Values{"into": {dup}, "confirm": {"yes"}}, http.StatusUnprocessableEntity, []string{"not merged into itself"}, ""},
		// Issue 15: a merge sat beside the relation with no confirmation.
		{"MergeUnconfirmed", "/entities/" + dup + "/merge", url.Values{"into": {fwd}}, http.StatusUnprocessableEntity,
			[]string{"nothing was merged", `role="alert"`}, ""},
		{"MergeConfirmedOtherwise", "/entities/" + dup + "/merge", url.Values{"into": {fwd}, "confirm": {"on"}}, http.StatusUnprocessableEntity,
			[]string{"nothing was merged"}, ""},
		{"Merge", "/entities/" + dup + "/merge", url.Values{"into": {fwd}, "confirm": {"yes"}}, http.StatusSeeOther, nil, "/entities/" + fwd},
		{"EditMerged", "/entities/" + dup, edit, http.StatusUnprocessableEntity, []string{"was merged into"}, ""},
		{"UnlinkSubmission", fmt.Sprintf("/entities/%s/submission-links/%d/delete", fwd, subLink.ID), url.Values{}, http.StatusSeeOther, nil, "/entities/" + fwd + "#links"},
		{"UnlinkSubmissionAgain", fmt.Sprintf("/entities/%s/submission-links/%d/delete", fwd, subLink.ID), url.Values{}, http.StatusUnprocessableEntity, nil, ""},
		{"UnlinkCase", fmt.Sprintf("/entities/%s/case-links/%d/delete", fwd, caseLink.ID), url.Values{}, http.StatusSeeOther, nil, "/entities/" + fwd + "#links"},
		{"UnlinkCaseNotANumber", "/entities/" + fwd + "/case-links/x/delete", url.Values{}, http.StatusUnprocessableEntity, []string{"Link not found."}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := post(tc.path, tc.form)
			if w.Code != tc.status {
				t.Fatalf("POST %s = %d, want %d\n%.2000s", tc.path, w.Code, tc.status, w.Body)
			}
			for _, want := range tc.body {
				if !strings.Contains(w.Body.String(), want) {
					t.Errorf("the answer lacks %q:\n%.3000s", want, w.Body)
				}
			}
			if got := w.Header().Get("Location"); got != tc.location {
				t.Errorf("Location = %q, want %q", got, tc.location)
			}
		})
	}

	got := get(fwd)
	ids := fmt.Sprint(got.Identifiers)
	if got.Name != "Lion City Freight Pte. Ltd." || fmt.Sprint(got.Countries) != "[MY SG]" || got.Notes != "Books H20 boards as routers." ||
		ids != "[{registration 201912345K} {lei 5493001KJTIIGC8Y1R12}]" || !slices.Contains(got.Aliases, "狮城货运") || !slices.Contains(got.Aliases, "LCF Logistics") {
		t.Errorf("after the edit: %+v", got.Entity)
	}
	if len(got.Relations) != 1 || got.Relations[0].To != dist || got.Relations[0].Type != entities.ShipsFor {
		t.Errorf("relations %+v", got.Relations)
	}
	if len(got.Submissions) != 0 || len(got.Cases) != 0 {
		t.Errorf("links after unlinking: %+v, %+v", got.Submissions, got.Cases)
	}
	if !slices.Contains(got.Aliases, "Lion City Freight") || get(dup).MergedInto != fwd {
		t.Errorf("after the merge: aliases %q, the loser merged into %q", got.Aliases, get(dup).MergedInto)
	}

	// The loser's page offers the undo; the winner's form undoes it.
	page := getWithCookie(ts, "/entities/"+dup, cookie)
	undo := fmt.Sprintf(`action="/entities/%s/merges/%d/undo"`, fwd, got.Merges[0].ID)
	if page.Code != http.StatusOK || !strings.Contains(page.Body.String(), undo) || strings.Contains(page.Body.String(), `action="/entities/`+dup+`"`) {
		t.Errorf("the merged entity's page = %d, want the undo form and no change form:\n%.3000s", page.Code, page.Body)
	}
	rel := fmt.Sprintf("/entities/%s/relations/%d/delete", fwd, got.Relations[0].ID)
	for _, step := range []struct{ path, location string }{
		{fmt.Sprintf("/entities/%s/merges/%d/undo", fwd, got.Merges[0].ID), "/entities/" + fwd + "#merges"},
		{rel, "/entities/" + fwd + "#relations"},
	} {
		if w := post(step.path, url.Values{}); w.Code != http.StatusSeeOther || w.Header().Get("Location") != step.location {
			t.Errorf("POST %s = %d %q", step.path, w.Code, w.Header().Get("Location"))
		}
	}
	if d := get(dup); d.MergedInto != "" {
		t.Errorf("the merge was not undone: %+v", d.Entity)
	}
	if got := get(fwd); slices.Contains(got.Aliases, "Lion City Freight") || len(got.Relations) != 0 {
		t.Errorf("after the undo and the removal: aliases %q, relations %+v", got.Aliases, got.Relations)
	}

	// The page: forms for the desk's investigator, the graph, and other
	// entities to relate to or merge with, by resemblance or by search.
	page = getWithCookie(ts, "/entities/"+fwd, cookie)
	body := page.Body.String()
	for _, want := range []string{`<svg xmlns="http://www.w3.org/2000/svg"`, `href="/entities/` + fwd + `/graph.svg"`, `href="/api/v1/entities/` + fwd + `/graph"`,
		`<option value="" selected>Choose a relation…</option>`, `name="confirm" value="yes" required`,
		`action="/entities/` + fwd + `"`, `name="csrf" value="` + session.CSRF + `"`, `<input type="hidden" name="into" value="` + dup + `">`,
		"LCF Logistics\n狮城货运</textarea>", "registration: 201912345K\nlei: 5493001KJTIIGC8Y1R12</textarea>", `value="MY SG"`} {
		if page.Code != http.StatusOK || !strings.Contains(body, want) {
			t.Errorf("entity page = %d, lacks %q", page.Code, want)
		}
	}
	if strings.Contains(body, `name="to" value="`+fwd+`"`) {
		t.Error("the entity is offered to relate to itself")
	}
	page = getWithCookie(ts, "/entities/"+fwd+"?find=Huaxin", cookie)
	if !strings.Contains(page.Body.String(), `name="to" value="`+dist+`"`) || strings.Contains(page.Body.String(), `name="into" value="`+dup+`"`) {
		t.Errorf("find=Huaxin does not offer the distributor alone:\n%.3000s", page.Body)
	}

	// An admin reads the page without forms, and may not post them.
	admin := staffToken(t, ts, "root@example.org", casework.RoleAdmin, nil)
	r := httptest.NewRequest(http.MethodGet, "/entities/"+fwd, nil)
	r.Header.Set("Authorization", "Bearer "+admin)
	// (Only the navigation's log out form: none that posts to the entity.)
	if w := ts.do("casework", r); w.Code != http.StatusOK || strings.Contains(w.Body.String(), `action="/entities/`) {
		t.Errorf("admin's entity page = %d, with forms: %v", w.Code, strings.Contains(w.Body.String(), `action="/entities/`))
	}
}

// TestEntityPageBounded: a much named entity's page lists 50 of the cases
// holding a submission that names it and says how many more (it read
// every one of them, one query each), and refuses a page of links that is
// not one.
func TestEntityPageBounded(t *testing.T) {
	ts, secret := newStaffTestServer(t)
	ctx := context.Background()
	addGPGKey(t, ts)
	sub := submitNoJS(t, ts, intake.DefaultDeskSlug, []formPart{{name: "narrative", value: "Relabelled H20 boards."}})
	_, cookie := ts.login(t, secret)
	u, err := ts.deps.Staff.Store.UserByEmail(ctx, "ana@example.org")
	if err != nil {
		t.Fatal(err)
	}
	ana := casework.Principal{UserID: u.ID, Email: u.Email, Role: u.Role, Desks: u.Desks}
	e, err := ts.deps.Entities.Create(ctx, ana, entities.NewEntity{Desk: intake.DefaultDeskSlug, Kind: entities.Organization, Name: "Lion City Freight Pte Ltd"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ts.deps.Entities.LinkSubmission(ctx, ana, e.ID, sub, entities.FreightForwarder); err != nil {
		t.Fatal(err)
	}
	for i := range maxCasesThrough + 2 {
		if _, err := ts.deps.Cases.Create(ctx, ana, casework.NewCase{Desk: intake.DefaultDeskSlug, Title: fmt.Sprintf("Changi transshipments %d", i), Submissions: []string{sub}}); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name, query string
		status      int
		want        []string
	}{
		{"CasesCapped", "", http.StatusOK, []string{"and 2 more cases holding a submission that names this entity", "Links newest received first, 50 a page."}},
		{"BadCursor", "?after=yesterday", http.StatusUnprocessableEntity, []string{"Bad page of links"}},
		{"EmptyPage", "?after=2000-01-01.1", http.StatusOK, []string{"No link on this page.", `href="/entities/` + e.ID + `#links">Newest links</a>`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := getWithCookie(ts, "/entities/"+e.ID+tc.query, cookie)
			body := w.Body.String()
			if w.Code != tc.status {
				t.Fatalf("GET = %d, want %d", w.Code, tc.status)
			}
			for _, want := range tc.want {
				if !strings.Contains(body, want) {
					t.Errorf("the page lacks %q", want)
				}
			}
			if n := strings.Count(body, "— holds a submission that names this entity"); tc.status == http.StatusOK && n != maxCasesThrough {
				t.Errorf("the page lists %d cases holding the submission, want %d", n, maxCasesThrough)
			}
		})
	}
}
