package server

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/entities"
)

func TestEntityGraph(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	token := staffToken(t, ts, "inv@example.org", casework.RoleInvestigator, []string{"export-controls"})
	inv, err := ts.deps.Staff.Store.UserByEmail(ctx, "inv@example.org")
	if err != nil {
		t.Fatal(err)
	}
	p := casework.Principal{UserID: inv.ID, Email: inv.Email, Role: inv.Role, Desks: inv.Desks}
	create := func(name string) string {
		d, err := ts.deps.Entities.Create(ctx, p, entities.NewEntity{Desk: "export-controls", Kind: entities.Organization, Name: name})
		if err != nil {
			t.Fatal(err)
		}
		return d.ID
	}
	hostile := `Huaxin </text><script>alert(1)</script> Ltd`
	center := create(hostile)
	for _, name := range []string{"Golden Dragon Logistics Pte. Ltd.", "香港恒达国际贸易有限公司"} {
		if _, err := ts.deps.Entities.Relate(ctx, p, center, create(name), entities.ShipsFor); err != nil {
			t.Fatal(err)
		}
	}
	get := func(target string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodGet, target, nil)
		r.Header.Set("Authorization", "Bearer "+token)
		return ts.do("casework", r)
	}

	w := get("/api/v1/entities/" + center + "/graph")
	if w.Code != http.StatusOK {
		t.Fatalf("GET graph: %d %s", w.Code, w.Body)
	}
	var export struct {
		Center string `json:"center"`
		Nodes  []struct {
			ID    string  `json:"id"`
			Label string  `json:"label"`
			X     float64 `json:"x"`
		} `json:"nodes"`
		Edges []struct{ From, To, Label string } `json:"edges"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &export); err != nil {
		t.Fatal(err)
	}
	if export.Center != "entity:"+center || len(export.Nodes) != 3 || len(export.Edges) != 2 || export.Nodes[0].Label != hostile {
		t.Errorf("export = %+v, want the centre and two related entities", export)
	}

	w = get("/entities/" + center + "/graph.svg")
	if w.Code != http.StatusOK {
		t.Fatalf("GET graph.svg: %d %s", w.Code, w.Body)
	}
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "image/svg+xml") {
		t.Errorf("Content-Type = %q", ct)
	}
	if csp := w.Header().Get("Content-Security-Policy"); !strings.HasPrefix(csp, "default-src 'none'") || strings.Contains(csp, "script-src") {
		t.Errorf("CSP = %q, want one that runs nothing", csp)
	}
	if bytes.Contains(w.Body.Bytes(), []byte("<script")) {
		t.Error("the SVG holds the label's <script> unescaped")
	}
	d := xml.NewDecoder(bytes.NewReader(w.Body.Bytes()))
	nodes := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("the SVG does not parse: %v", err)
		}
		if el, ok := tok.(xml.StartElement); ok && el.Name.Local == "g" {
			for _, a := range el.Attr {
				if a.Name.Local == "data-id" {
					nodes++
				}
			}
		}
	}
	if nodes != 3 {
		t.Errorf("the SVG draws %d nodes, want 3", nodes)
	}

	if w := get("/api/v1/entities/" + center + "/graph?limit=0"); w.Code != http.StatusUnprocessableEntity {
		t.Errorf("limit=0: %d, want 422", w.Code)
	}
	var audited int64
	ts.db.Table("audit_log").Where("action = ? AND target = ?", "entity.graph", "entity:"+center).Count(&audited)
	if audited != 2 {
		t.Errorf("%d graph views audited, want 2", audited)
	}
}
