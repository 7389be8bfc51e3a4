package server

import (
	"context"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tipline/tipline/entities"
	"github.com/tipline/tipline/screening"
	"github.com/tipline/tipline/store"
)

// readingsCSL lists a Hong Kong trading company in its Cantonese spelling.
const readingsCSL = `_id,source,type,name,addresses
a1,Entity List (EL) - Bureau of Industry and Security,Entity,"Wong Kwok Hung Trading Co., Ltd.","51 Kwai Cheong Road, Kwai Chung, Hong Kong, HK"
`

// TestReadingShown: the reading that matched a name in Chinese characters
// to its Cantonese spelling is shown in the API, on the entity search page
// and in the screening flags of the entity page (issue 17).
func TestReadingShown(t *testing.T) {
	ts, secret := newStaffTestServer(t)
	ctx := context.Background()
	lists := screening.New(store.New(ts.db))
	if _, err := lists.Import(ctx, screening.FormatCSL, strings.NewReader(readingsCSL), "csl.csv", time.Now()); err != nil {
		t.Fatal(err)
	}
	ts.deps.Entities.Screener = entities.Lists{Service: lists}
	session, cookie := ts.login(t, secret)
	const reading = "黃 → Wong (Cantonese)"

	var e entities.Detail
	if code := callJSON(t, ts, session.Token, "POST", "/api/v1/entities", entities.NewEntity{Desk: "export-controls",
		Kind: entities.Organization, Name: "黃國雄貿易有限公司"}, &e); code != http.StatusCreated {
		t.Fatalf("create = %d", code)
	}
	if len(e.Screening) != 1 || !slices.ContainsFunc(e.Screening[0].Explanation, func(s string) bool { return strings.Contains(s, reading) }) {
		t.Errorf("screening flags %+v, want the listed party explained by %q", e.Screening, reading)
	}
	var search struct {
		Entities []entities.Match `json:"entities"`
	}
	if code := callJSON(t, ts, session.Token, "GET", "/api/v1/entities?q="+url.QueryEscape("Wong Kwok Hung Trading"), nil, &search); code != http.StatusOK {
		t.Fatalf("search = %d", code)
	}
	found := search.Entities
	if len(found) == 0 || found[0].Entity.ID != e.ID || !slices.ContainsFunc(found[0].Explanation, func(s string) bool { return strings.Contains(s, reading) }) {
		t.Errorf("API search %+v, want %s explained by %q", found, e.ID, reading)
	}
	for _, page := range []string{"/entities?q=" + url.QueryEscape("Wong Kwok Hung Trading"), "/entities/" + e.ID} {
		r := httptest.NewRequest(http.MethodGet, page, nil)
		r.AddCookie(cookie)
		w := ts.do("casework", r)
		if w.Code != http.StatusOK || !strings.Contains(html.UnescapeString(w.Body.String()), reading) {
			t.Errorf("GET %s = %d, want %q on the page", page, w.Code, reading)
		}
	}
}
