package server

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/claims"
	"github.com/tipline/tipline/intake"
)

// TestQuiTamForms posts the matter page's forms as counsel without
// JavaScript: a done form goes back to its section, a refused one shows
// the page again (422) with the reason and what was typed.
func TestQuiTamForms(t *testing.T) {
	ts := newTestServer(t)
	addGPGKey(t, ts)
	ctx := context.Background()
	sub := submitNoJS(t, ts, intake.DefaultDeskSlug, []formPart{{name: "narrative", value: "Inflated invoices."}})
	ivan := signIn(t, ts, "ivan@example.org", casework.RoleInvestigator, []string{intake.DefaultDeskSlug})
	carla := signIn(t, ts, "carla@example.org", casework.RoleCounsel, nil)
	kase, err := ts.deps.Cases.Create(ctx, ivan.Principal, casework.NewCase{Desk: intake.DefaultDeskSlug, Title: "Invoices", Submissions: []string{sub}})
	if err != nil {
		t.Fatal(err)
	}
	cl, err := ts.deps.Claims.CreateClaim(ctx, carla.Principal, claims.ClaimFields{Program: "fca", ClaimantKind: claims.Relator, Pseudonym: "Relator A"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ts.deps.Claims.SetSubmissions(ctx, casework.Principal{UserID: carla.UserID, Email: carla.Email, Role: casework.RoleAdmin}, cl.ID, []string{sub}); err != nil {
		t.Fatal(err)
	}
	w := carla.post(ts, "/quitam", url.Values{"opening": {cl.ID + "/" + kase.ID}, "caption": {"United States ex rel. Relator A v. Example"}})
	if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/quitam/") {
		t.Fatalf("open a matter = %d %s", w.Code, w.Header().Get("Location"))
	}
	page := w.Header().Get("Location")
	for _, tc := range []struct {
		name, path string
		form       url.Values
		status     int
		location   string   // for a done form
		says       []string // for a refused one
	}{
		{"bad day", "/facts", url.Values{"caption": {"Renamed"}, "filed_day": {"05/01/2026"}}, http.StatusUnprocessableEntity, "",
			[]string{"The filing day is not a day (write YYYY-MM-DD)", `value="05/01/2026"`, `value="Renamed"`}},
		{"facts", "/facts", url.Values{"caption": {"Renamed"}, "filed_day": {"2026-01-05"}, "public_disclosure": {"1"}}, http.StatusSeeOther, "#facts", nil},
		{"extension not after the seal", "/extensions", url.Values{"granted_day": {"2026-02-01"}, "new_day": {"2026-03-01"}}, http.StatusUnprocessableEntity, "",
			[]string{"The new end of the seal must come after the current one, 2026-03-06.", `value="2026-03-01"`}},
		{"extension", "/extensions", url.Values{"granted_day": {"2026-02-01"}, "new_day": {"2026-06-01"}}, http.StatusSeeOther, "#seal", nil},
		{"unknown election", "/intervention", url.Values{"intervention": {"maybe"}, "intervention_day": {"2026-05-01"}}, http.StatusUnprocessableEntity, "",
			[]string{"Unknown election"}},
		{"collection in words", "/collections", url.Values{"received_day": {"2026-05-01"}, "federal": {"a million"}}, http.StatusUnprocessableEntity, "",
			[]string{"The federal amount is not an amount in dollars", `value="a million"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := carla.post(ts, page+tc.path, tc.form)
			if w.Code != tc.status {
				t.Fatalf("= %d, want %d\n%.500s", w.Code, tc.status, w.Body)
			}
			if tc.location != "" && w.Header().Get("Location") != page+tc.location {
				t.Errorf("went to %s, want %s", w.Header().Get("Location"), page+tc.location)
			}
			for _, s := range tc.says {
				if !strings.Contains(w.Body.String(), s) {
					t.Errorf("the page does not say %q", s)
				}
			}
		})
	}
	w = getWithCookie(ts, page, carla.cookie)
	for _, s := range []string{"Public-disclosure bar", "2026-06-01", "The Government declines", "0–30 %"} {
		if !strings.Contains(w.Body.String(), s) {
			t.Errorf("the matter page does not say %q", s)
		}
	}
	// Investigators reach no qui tam page.
	if w := getWithCookie(ts, page, ivan.cookie); w.Code != http.StatusForbidden {
		t.Errorf("an investigator reads the matter: %d", w.Code)
	}
}
