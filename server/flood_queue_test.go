package server

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tipline/tipline/casework"
)

// TestFloodFlagTriagedApart: a tip committed above the desk's hourly soft
// limit is accepted and flagged; staff see the flag on the queue and the
// submission page and filter the queue by it, in the API as on the page.
func TestFloodFlagTriagedApart(t *testing.T) {
	ts, secret := newStaffTestServer(t)
	ts.deps.Config.MaxFormUpload = 8 << 20
	ts.intake.Limits.PerDeskPerHour, ts.intake.Limits.TotalPerHour = 1, 100
	addGPGKey(t, ts)
	for i := range 2 {
		if w := postNoJS(t, ts, "en", noJSForm("rows")); w.Code != http.StatusOK {
			t.Fatalf("tip %d = %d, want 200 (a soft limit refuses nobody)\n%.500s", i, w.Code, w.Body)
		}
	}
	resp, _ := ts.login(t, secret)
	list := func(query string) []casework.SubmissionSummary {
		t.Helper()
		var out struct{ Submissions []casework.SubmissionSummary }
		if code := callJSON(t, ts, resp.Token, http.MethodGet, "/api/v1/submissions"+query, nil, &out); code != http.StatusOK {
			t.Fatalf("GET /api/v1/submissions%s = %d", query, code)
		}
		return out.Submissions
	}
	all, flooded, calm := list(""), list("?flood=true"), list("?flood=false")
	if len(all) != 2 || len(flooded) != 1 || len(calm) != 1 || !flooded[0].Flood || calm[0].Flood {
		t.Fatalf("all %d, flood=true %v, flood=false %v: want 2, one flagged, one not", len(all), flooded, calm)
	}
	if code := callJSON(t, ts, resp.Token, http.MethodGet, "/api/v1/submissions?flood=maybe", nil, nil); code != http.StatusUnprocessableEntity {
		t.Errorf("flood=maybe = %d, want 422", code)
	}
	page := func(path string) string {
		t.Helper()
		r := httptest.NewRequest(http.MethodGet, path, nil)
		r.Header.Set("Authorization", "Bearer "+resp.Token)
		w := ts.do("casework", r)
		if w.Code != http.StatusOK {
			t.Fatalf("GET %s = %d", path, w.Code)
		}
		return w.Body.String()
	}
	queue := page("/queue?flood=true")
	if strings.Count(queue, "received during a flood</span>") != 1 || !strings.Contains(queue, flooded[0].ID) || strings.Contains(queue, calm[0].ID) {
		t.Errorf("the flood filter of the queue page does not show just the flagged tip:\n%s", queue)
	}
	if !strings.Contains(page("/queue"), `href="/queue?flood=true"`) {
		t.Error("the queue page has no flood filter")
	}
	if !strings.Contains(page("/submissions/"+flooded[0].ID), "Received during a flood") {
		t.Error("the flagged submission's page does not say so")
	}
	if strings.Contains(page("/submissions/"+calm[0].ID), "Received during a flood") {
		t.Error("an unflagged submission's page says it came in a flood")
	}
}
