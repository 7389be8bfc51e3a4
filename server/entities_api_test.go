package server

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/entities"
	"github.com/tipline/tipline/screening"
	"github.com/tipline/tipline/store"
)

// entitiesCSL is a Consolidated Screening List with the forwarder of the
// suggestions test on the Entity List.
const entitiesCSL = `_id,source,entity_number,type,programs,name,title,addresses,federal_register_notice,start_date,end_date,standard_order,license_requirement,license_policy,call_sign,vessel_type,gross_tonnage,gross_registered_tonnage,vessel_flag,vessel_owner,remarks,source_list_url,alt_names,citizenships,dates_of_birth,nationalities,places_of_birth
f0e1d2c3b4a5968778695a4b3c2d1e0f00112233,Entity List (EL) - Bureau of Industry and Security,,,,Lion City Freight Pte. Ltd.,,"8 Changi South Lane, 486113, SG",90 FR 1 1/2/25,2025-01-02,,,For all items subject to the EAR.,Presumption of denial.,,,,,,,,https://www.bis.gov/entity-list,LCF Logistics,,,,
`

// TestEntitySuggestionsFlow is the flow of the submission page over HTTP:
// an investigator has decrypted a tip naming a Chinese distributor and a
// Singapore forwarder; the parties match existing entities across
// spellings and scripts, the forwarder is on an imported screening list
// and named by two other submissions; one click links it. The server
// keeps nothing of the parties it was asked about.
func TestEntitySuggestionsFlow(t *testing.T) {
	ts, secret := newStaffTestServer(t)
	ctx := context.Background()
	addGPGKey(t, ts)
	lists := screening.New(store.New(ts.db))
	if _, err := lists.Import(ctx, screening.FormatCSL, strings.NewReader(entitiesCSL), "csl.csv", time.Now()); err != nil {
		t.Fatal(err)
	}
	ts.deps.Entities.Screener = entities.Lists{Service: lists}

	var subs []string
	for range 3 {
		ctype, body := multipartBody(t, []formPart{{name: "narrative", value: "Relabelled H20 boards."}})
		r := httptest.NewRequest(http.MethodPost, "/desk/export-controls/submit", body)
		r.Header.Set("Content-Type", ctype)
		if w := ts.do("intake", r); w.Code != http.StatusOK {
			t.Fatalf("submission = %d", w.Code)
		}
	}
	ts.db.Raw("SELECT id FROM submissions ORDER BY id").Scan(&subs)
	session, _ := ts.login(t, secret)
	call := func(method, path string, in, out any) int {
		t.Helper()
		return callJSON(t, ts, session.Token, method, path, in, out)
	}

	// The desk knows the distributor by its Chinese name, the forwarder
	// by another spelling; two earlier submissions name the forwarder.
	var distributor, forwarder entities.Detail
	if code := call("POST", "/api/v1/entities", entities.NewEntity{Desk: "export-controls", Kind: entities.Organization,
		Name: "深圳市华强电子有限公司", Countries: []string{"cn"}}, &distributor); code != http.StatusCreated {
		t.Fatalf("create distributor = %d", code)
	}
	if code := call("POST", "/api/v1/entities", entities.NewEntity{Desk: "export-controls", Kind: entities.Organization,
		Name: "Lion City Freight Pte Ltd", Countries: []string{"SG"}}, &forwarder); code != http.StatusCreated {
		t.Fatalf("create forwarder = %d", code)
	}
	if len(forwarder.Screening) != 1 || !strings.HasPrefix(forwarder.Screening[0].List, "Entity List") || forwarder.Screening[0].Score < entities.DefaultFlagScore {
		t.Errorf("forwarder's screening flags = %+v", forwarder.Screening)
	}
	if len(distributor.Screening) != 0 || fmt.Sprint(distributor.Countries) != "[CN]" {
		t.Errorf("distributor = %+v", distributor.Entity)
	}
	for _, sub := range subs[:2] {
		if code := call("POST", "/api/v1/submissions/"+sub+"/entities", map[string]string{"entity": forwarder.ID, "role": "freight_forwarder"}, nil); code != http.StatusCreated {
			t.Fatalf("link = %d", code)
		}
	}

	var before, after int64
	count := func() int64 {
		var n int64
		ts.db.Raw("SELECT (SELECT COUNT(*) FROM entities) + (SELECT COUNT(*) FROM entity_names) + (SELECT COUNT(*) FROM entity_history)").Scan(&n)
		return n
	}
	before = count()
	parties := []entities.Party{
		{Name: "Shenzhen Huaqiang Electronics Co., Ltd.", Role: "distributor", Country: "CN"},
		{Name: "LION CITY FREIGHT PTE. LTD.", Role: "freight_forwarder", Country: "SG"},
	}
	var sg struct{ Suggestions []entities.Suggestion }
	if code := call("POST", "/api/v1/submissions/"+subs[2]+"/entity-suggestions", map[string]any{"parties": parties}, &sg); code != http.StatusOK {
		t.Fatalf("suggestions = %d", code)
	}
	if after = count(); after != before {
		t.Errorf("asking for suggestions changed the database: %d rows, then %d", before, after)
	}
	if len(sg.Suggestions) != 2 {
		t.Fatalf("suggestions = %+v", sg.Suggestions)
	}
	dist, fwd := sg.Suggestions[0], sg.Suggestions[1]
	if len(dist.Entities) == 0 || dist.Entities[0].Entity.ID != distributor.ID || dist.Role != entities.Distributor ||
		len(dist.Entities[0].Explanation) == 0 || len(dist.Screening) != 0 {
		t.Errorf("distributor suggestion = %+v", dist)
	}
	if len(fwd.Entities) == 0 || fwd.Entities[0].Entity.ID != forwarder.ID || fwd.Role != entities.FreightForwarder ||
		len(fwd.Entities[0].Entity.Screening) != 1 || len(fwd.Screening) != 1 || fwd.Screening[0].ListedName != "Lion City Freight Pte. Ltd." {
		t.Errorf("forwarder suggestion = %+v", fwd)
	}
	if !strings.Contains(strings.Join(dist.Entities[0].Explanation, " "), "country CN") {
		t.Errorf("distributor explanation = %v, want the shared country", dist.Entities[0].Explanation)
	}

	// One click: link with the suggested role.
	if code := call("POST", "/api/v1/submissions/"+subs[2]+"/entities", map[string]string{"entity": fwd.Entities[0].Entity.ID, "role": string(fwd.Role)}, nil); code != http.StatusCreated {
		t.Fatalf("link = %d", code)
	}
	var got entities.Detail
	if code := call("GET", "/api/v1/entities/"+forwarder.ID, nil, &got); code != http.StatusOK {
		t.Fatalf("get = %d", code)
	}
	if got.Corroboration.Submissions != 3 || len(got.Submissions) != 3 || len(got.Screening) != 1 {
		t.Errorf("forwarder after the link: corroboration %+v, %d links, flags %+v", got.Corroboration, len(got.Submissions), got.Screening)
	}
	var again struct{ Suggestions []entities.Suggestion }
	if call("POST", "/api/v1/submissions/"+subs[2]+"/entity-suggestions", map[string]any{"parties": parties[1:]}, &again); len(again.Suggestions) != 1 ||
		fmt.Sprint(again.Suggestions[0].Linked) != "["+forwarder.ID+"]" {
		t.Errorf("suggestion after the link = %+v, want the forwarder marked linked", again.Suggestions)
	}

	// The triage queue's flag for the new submission.
	u, err := ts.deps.Staff.Store.UserByEmail(ctx, "ana@example.org")
	if err != nil {
		t.Fatal(err)
	}
	p := casework.Principal{UserID: u.ID, Email: u.Email, Role: u.Role, Desks: u.Desks}
	flags, err := ts.deps.Entities.Flags(ctx, p, []string{subs[2]})
	if err != nil {
		t.Fatal(err)
	}
	if f := flags[subs[2]]; len(f) != 1 || f[0].Kind != entities.FlagScreened || f[0].Entity != forwarder.ID {
		t.Errorf("flags = %+v", flags)
	}

	// Search across scripts, with scores and flags; the page too.
	var found struct{ Entities []entities.Match }
	if code := call("GET", "/api/v1/entities?q="+"Huaqiang%20Electronics", nil, &found); code != http.StatusOK || len(found.Entities) == 0 ||
		found.Entities[0].Entity.ID != distributor.ID || found.Entities[0].Score < entities.MinScore {
		t.Errorf("search = %d %+v", code, found.Entities)
	}
	r := httptest.NewRequest(http.MethodGet, "/entities/"+forwarder.ID, nil)
	r.Header.Set("Authorization", "Bearer "+session.Token)
	w := ts.do("casework", r)
	for _, want := range []string{"Lion City Freight Pte. Ltd.", "<strong>3</strong> distinct submissions", "Entity List"} {
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), want) {
			t.Errorf("entity page = %d, want %q in\n%.2000s", w.Code, want, w.Body)
		}
	}

	// Nothing of the parties reached the log or the audit log.
	entries, err := ts.deps.Staff.Store.AuditEntries(ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	suggested := false
	for _, e := range entries {
		suggested = suggested || e.Record.Action == "entity.suggest"
		if strings.Contains(fmt.Sprint(e.Record), "Huaqiang") {
			t.Errorf("audit entry names a party: %+v", e.Record)
		}
	}
	if !suggested || strings.Contains(ts.log.String(), "Huaqiang") {
		t.Errorf("suggest audited: %v; log names a party: %v", suggested, strings.Contains(ts.log.String(), "Huaqiang"))
	}
}
