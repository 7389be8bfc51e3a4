package server

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tipline/tipline/blob"
	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/crypto"
	"github.com/tipline/tipline/entities"
	"github.com/tipline/tipline/intake"
	"github.com/tipline/tipline/screening"
	"github.com/tipline/tipline/store"
)

// TestBrowserEntitySuggestions is the entities issue's "done when" in
// headless Chromium. The desk has imported the Consolidated Screening List
// fixture, which lists a Singapore freight forwarder; it knows that
// forwarder under another spelling, named by two earlier tips, and a
// Shenzhen distributor by its name in pinyin. A new tip, sent through the
// plain form, names the distributor in Chinese characters and the
// forwarder in a third spelling. The investigator logs in, imports the
// key, decrypts the tip, sees both entities suggested, links each with
// one click, reads that the forwarder is listed and now named by three
// tips, relates it to the distributor with the entity page's plain form
// and looks at the graph of who connects to whom.
func TestBrowserEntitySuggestions(t *testing.T) {
	chromium := newBrowser(t)
	ts, secret := newStaffTestServer(t)
	ctx := context.Background()
	pub, priv, _, err := crypto.GenerateKey("Investigator", "", []byte("pass phrase"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := ts.intake.Desks.AddKey(ctx, intake.DefaultDeskSlug, pub); err != nil {
		t.Fatal(err)
	}
	csl, err := os.Open("../screening/testdata/csl.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer csl.Close()
	lists := screening.New(store.New(ts.db))
	if _, err := lists.Import(ctx, screening.FormatCSL, csl, "csl.csv", time.Now()); err != nil {
		t.Fatal(err)
	}
	ts.deps.Entities.Screener = entities.Lists{Service: lists}

	u, err := ts.deps.Staff.Store.UserByEmail(ctx, "ana@example.org")
	if err != nil {
		t.Fatal(err)
	}
	ana := casework.Principal{UserID: u.ID, Email: u.Email, Role: u.Role, Desks: u.Desks}
	create := func(name, country string) entities.Detail {
		t.Helper()
		d, err := ts.deps.Entities.Create(ctx, ana, entities.NewEntity{Desk: intake.DefaultDeskSlug, Kind: entities.Organization, Name: name, Countries: []string{country}})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	distributor := create("Shenzhen Huaxin Technology Co., Ltd.", "CN")
	forwarder := create("Straits Meridian Logistics Pte Ltd", "SG")
	if len(forwarder.Screening) == 0 {
		t.Fatalf("the forwarder is not flagged: %+v", forwarder.Entity)
	}
	for _, narrative := range []string{"The forwarder books H20 boards as routers.", "Same forwarder, another shipment to Hong Kong."} {
		earlier := submitNoJS(t, ts, intake.DefaultDeskSlug, []formPart{{name: "narrative", value: narrative}})
		if _, err := ts.deps.Entities.LinkSubmission(ctx, ana, forwarder.ID, earlier, entities.FreightForwarder); err != nil {
			t.Fatal(err)
		}
	}
	sub := submitNoJS(t, ts, intake.DefaultDeskSlug, []formPart{
		{name: "violation", value: "smuggling"},
		{name: "parties.0.name", value: "深圳市华芯科技有限公司"},
		{name: "parties.0.role", value: "distributor"},
		{name: "parties.0.country", value: "CN"},
		{name: "parties.1.name", value: "STRAITS-MERIDIAN LOGISTICS (SINGAPORE) PTE. LTD."},
		{name: "parties.1.role", value: "freight_forwarder"},
		{name: "parties.1.country", value: "SG"},
		{name: "parties.2.name", value: "王伟"},
		{name: "parties.2.role", value: "financier"},
		{name: "parties.2.country", value: "HK"},
		{name: "narrative", value: "H100 servers relabelled as routers. " + canary},
	})
	serveTest(t, ts)
	base := "http://" + ts.Addr("casework")
	dir := artifacts(t)

	tab, cancel := chromedp.NewContext(chromium)
	defer cancel()
	tab, cancelTimeout := context.WithTimeout(tab, browserTimeout)
	defer cancelTimeout()
	code, err := casework.TOTPCode(secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(tab,
		chromedp.Navigate(base+"/queue"),
		chromedp.WaitVisible(chromedp.ID("login-email")),
		chromedp.SetValue(chromedp.ID("login-email"), "ana@example.org"),
		chromedp.SetValue(chromedp.ID("login-password"), staffPassword),
		chromedp.SetValue(chromedp.ID("login-totp"), code),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.CSS(`table.cw-queue a[href="/submissions/`+sub+`"]`)),
		chromedp.Click(chromedp.CSS(`table.cw-queue a[href="/submissions/`+sub+`"]`)),
		chromedp.WaitVisible(chromedp.ID("key-armored")),
		chromedp.SetValue(chromedp.ID("key-armored"), string(priv)),
		chromedp.Click(chromedp.ID("key-save")),
		chromedp.WaitVisible(chromedp.ID("key-passphrase")),
		chromedp.SetValue(chromedp.ID("key-passphrase"), "pass phrase"),
		chromedp.Click(chromedp.ID("decrypt-run")),
		chromedp.WaitVisible(chromedp.CSS(`#entity-suggestions .cw-party:nth-of-type(2)`)),
	); err != nil {
		msg, _ := chromedp.Run(tab, chromedp.Evaluate[string](`(document.getElementById("decrypt-error")?.textContent ?? "") + " | " + (document.getElementById("entity-suggestions-list")?.textContent ?? "")`))
		t.Fatalf("log in and decrypt: %v (%q)", err, msg)
	}

	// Each party's best match is the entity the desk knows, whatever the
	// spelling or script, with its score and why; the forwarder's name is
	// on the screening list.
	linkButton := func(party int, entity string) string {
		return fmt.Sprintf(`#entity-suggestions .cw-party:nth-of-type(%d) .cw-match:first-child button.cw-link-entity[data-entity=%q]`, party, entity)
	}
	if err := chromedp.Do(tab,
		chromedp.WaitVisible(chromedp.CSS(linkButton(1, distributor.ID))),
		chromedp.WaitVisible(chromedp.CSS(linkButton(2, forwarder.ID))),
	); err != nil {
		list, _ := chromedp.Run(tab, chromedp.Text(chromedp.ID("entity-suggestions-list")))
		t.Fatalf("the suggestions lack the known entities: %v\n%s", err, list)
	}
	parties, err := chromedp.Run(tab, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("#entity-suggestions .cw-party"), (p) => p.textContent)`))
	if err != nil || len(parties) != 3 {
		t.Fatalf("parties %q, %v", parties, err)
	}
	for i, want := range [][]string{
		{"深圳市华芯科技有限公司", "Shenzhen Huaxin Technology Co., Ltd.", "Link as distributor", "Why:"},
		{"STRAITS-MERIDIAN LOGISTICS (SINGAPORE) PTE. LTD.", "Straits Meridian Logistics Pte Ltd", "Listed: Entity List", "Straits Meridian Logistics Pte. Ltd.", "Link as freight forwarder"},
	} {
		for _, w := range want {
			if !strings.Contains(parties[i], w) {
				t.Errorf("party %d lacks %q:\n%s", i+1, w, parties[i])
			}
		}
	}
	if !strings.Contains(parties[2], "No known entity matches this name.") {
		t.Errorf("party 3:\n%s", parties[2])
	}
	if strings.Contains(parties[0], "Listed") {
		t.Errorf("the distributor is shown as listed:\n%s", parties[0])
	}
	screenshot(t, tab, dir, "entities-suggestions")

	// One click each.
	status := func(party int) string {
		return fmt.Sprintf(`#entity-suggestions .cw-party:nth-of-type(%d) .cw-party-status a`, party)
	}
	if err := chromedp.Do(tab,
		chromedp.Click(chromedp.CSS(linkButton(1, distributor.ID))),
		chromedp.WaitVisible(chromedp.CSS(status(1))),
		chromedp.Click(chromedp.CSS(linkButton(2, forwarder.ID))),
		chromedp.WaitVisible(chromedp.CSS(status(2))),
	); err != nil {
		list, _ := chromedp.Run(tab, chromedp.Text(chromedp.ID("entity-suggestions-list")))
		t.Fatalf("link: %v\n%s", err, list)
	}
	// The financier is new to the desk: created as a person, and linked.
	if err := chromedp.Do(tab,
		chromedp.SetValue(chromedp.CSS(`#entity-suggestions .cw-party:nth-of-type(3) select.cw-new-kind`), "person"),
		chromedp.Click(chromedp.CSS(`#entity-suggestions .cw-party:nth-of-type(3) button.cw-create-entity`)),
		chromedp.WaitVisible(chromedp.CSS(status(3))),
	); err != nil {
		list, _ := chromedp.Run(tab, chromedp.Text(chromedp.ID("entity-suggestions-list")))
		t.Fatalf("create and link: %v\n%s", err, list)
	}
	statuses, err := chromedp.Run(tab, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("#entity-suggestions .cw-party-status"), (p) => p.textContent)`))
	if err != nil || len(statuses) != 3 {
		t.Fatalf("statuses %q, %v", statuses, err)
	}
	for i, want := range []string{"Linked to Shenzhen Huaxin Technology Co., Ltd. as distributor. Named by 1 submission",
		"Linked to Straits Meridian Logistics Pte Ltd as freight forwarder. Named by 3 submissions",
		"Created 王伟 and linked it as financier. Named by 1 submission"} {
		if !strings.Contains(statuses[i], want) {
			t.Errorf("status %d = %q, want %q", i+1, statuses[i], want)
		}
	}
	if !strings.Contains(statuses[1], "On a screening list: Entity List") || strings.Contains(statuses[0], "screening") {
		t.Errorf("screening in the statuses: %q", statuses)
	}
	screenshot(t, tab, dir, "entities-linked")
	links, err := ts.deps.Entities.SubmissionEntities(ctx, ana, sub)
	if err != nil {
		t.Fatal(err)
	}
	if len(links) != 3 {
		t.Fatalf("the tip has %d entity links, want 3: %+v", len(links), links)
	}
	for _, l := range links {
		want := map[string]entities.Role{distributor.ID: entities.Distributor, forwarder.ID: entities.FreightForwarder}[l.Entity]
		if want == "" {
			e, err := ts.deps.Entities.Get(ctx, ana, l.Entity, entities.LinkPage{})
			if err != nil || e.Name != "王伟" || e.Kind != entities.Person || fmt.Sprint(e.Countries) != "[HK]" {
				t.Errorf("the created entity: %+v, %v", e.Entity, err)
			}
			want = entities.Financier
		}
		if l.Role != want {
			t.Errorf("link %+v, want role %s", l, want)
		}
	}

	// The forwarder's page: listed, three tips; the plain form relates it
	// to the distributor, found by name; the graph shows who connects to
	// whom.
	if err := chromedp.Do(tab,
		chromedp.Click(chromedp.CSS(status(2))),
		chromedp.WaitVisible(chromedp.ID("graph")),
		chromedp.SetValue(chromedp.ID("entity-find"), "Huaxin"),
		chromedp.Submit(chromedp.ID("entity-find")),
		chromedp.WaitReady(chromedp.CSS(`.cw-candidates input[name=to][value="`+distributor.ID+`"]`)),
	); err != nil {
		t.Fatalf("find the distributor from the forwarder's page: %v", err)
	}
	screenshot(t, tab, dir, "entities-find")
	// Issue 15: the menu chose "owns" before anyone did.
	if v, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.querySelector(".cw-candidates tr:first-child select[name=type]").value`)); err != nil || v != "" {
		t.Errorf("the relation menu starts at %q (%v), want no choice", v, err)
	}
	if err := chromedp.Do(tab,
		chromedp.SetValue(chromedp.CSS(`.cw-candidates tr:first-child select[name=type]`), "ships_for"),
		chromedp.Click(chromedp.CSS(`.cw-candidates tr:first-child form[action$="/relations"] button`)),
		// The list of relations, not the candidates table beside it,
		// which links the distributor before the form is even posted.
		chromedp.WaitVisible(chromedp.CSS(`#relations ul.cw-links a[href="/entities/`+distributor.ID+`"]`)),
	); err != nil {
		t.Fatalf("entity page: %v", err)
	}
	// The graph is drawn inline; the distributor's node links to its page.
	if err := waitTrue(tab, `!!document.querySelector('#graph svg a[href="/entities/`+distributor.ID+`"]')`); err != nil {
		t.Fatalf("the graph does not link the distributor: %v", err)
	}
	page, err := chromedp.Run(tab, chromedp.Text(chromedp.CSS("main")))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Straits Meridian Logistics Pte Ltd", "Entity List", "3 distinct submissions",
		"Straits Meridian Logistics Pte Ltd ships for Shenzhen Huaxin Technology Co., Ltd."} {
		if !strings.Contains(page, want) {
			t.Errorf("entity page lacks %q", want)
		}
	}
	screenshot(t, tab, dir, "entities-forwarder")
	// The JSON export the page links to.
	export, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.querySelector("#graph a[download]").href`))
	if err != nil || export != base+"/api/v1/entities/"+forwarder.ID+"/graph" {
		t.Fatalf("the JSON export's link is %q, %v", export, err)
	}
	if err := chromedp.Do(tab, chromedp.Navigate(export)); err != nil {
		t.Fatal(err)
	}
	graph, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.body.textContent`))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"entity:` + distributor.ID + `"`, `"submission:` + sub + `"`, "Straits Meridian Logistics Pte. Ltd.", `"ships_for"`} {
		if !strings.Contains(graph, want) {
			t.Errorf("the graph's JSON lacks %s:\n%.1500s", want, graph)
		}
	}
	if strings.Count(graph, `"submission:`) < 3 {
		t.Errorf("the graph holds fewer than three submissions:\n%.1500s", graph)
	}

	// The picture itself, as the investigator sees it.
	if err := chromedp.Do(tab, chromedp.Navigate(base+"/entities/"+forwarder.ID+"/graph.svg")); err != nil {
		t.Fatal(err)
	}
	screenshot(t, tab, dir, "entities-graph")

	// The entities page: search across scripts, and the most corroborated.
	if err := chromedp.Do(tab,
		chromedp.Navigate(base+"/entities"),
		chromedp.SetValue(chromedp.ID("entity-q"), "华芯科技"),
		chromedp.Submit(chromedp.ID("entity-q")),
		chromedp.WaitVisible(chromedp.CSS(`main table a[href="/entities/`+distributor.ID+`"]`)),
	); err != nil {
		t.Fatalf("entities page: %v", err)
	}
	screenshot(t, tab, dir, "entities-search")

	// The parties the server matched are the investigator's confirmations
	// only: nothing of the tip reached the log.
	for _, s := range []string{canaryID(), "华芯", "STRAITS-MERIDIAN"} {
		if strings.Contains(ts.log.String(), s) {
			t.Errorf("the server log holds %q", s)
		}
	}
}

// TestBrowserEntityLinkPages: the page of a much named entity lists its
// submission links 50 a page, newest received first. Without JavaScript,
// following "Older links" to the last page and "Newer links" back shows
// every link exactly once each way; the pages are looked at at a phone's
// and a desktop's width, in English and with ?lang=zh-Hans, with
// JavaScript on and off.
func TestBrowserEntityLinkPages(t *testing.T) {
	chromium := newBrowser(t)
	ts, secret := newStaffTestServer(t)
	ctx := context.Background()
	u, err := ts.deps.Staff.Store.UserByEmail(ctx, "ana@example.org")
	if err != nil {
		t.Fatal(err)
	}
	ana := casework.Principal{UserID: u.ID, Email: u.Email, Role: u.Role, Desks: u.Desks}
	e, err := ts.deps.Entities.Create(ctx, ana, entities.NewEntity{Desk: intake.DefaultDeskSlug, Kind: entities.Organization,
		Name: "深圳市华芯科技有限公司", Aliases: []string{"Shenzhen Huaxin Technology Co., Ltd."}, Countries: []string{"CN"}})
	if err != nil {
		t.Fatal(err)
	}
	// 110 links over 55 submissions of four days: three pages.
	s := store.New(ts.db)
	var want []string
	for i := range 55 {
		id := blob.NewKey("")
		sub := intake.Submission{ID: id, DeskSlug: intake.DefaultDeskSlug, ReceivedDay: fmt.Sprintf("2026-11-%02d", 10+i%4), EncryptedBy: "server",
			LookupKey: sha256.Sum256([]byte(id)), ReplySalt: make([]byte, 16)}
		if _, err := s.Commit(ctx, sub, func(seq int64, _ [32]byte) []byte { return fmt.Appendf(nil, `{"seq":%d}`, seq) }); err != nil {
			t.Fatal(err)
		}
		for _, role := range []entities.Role{entities.Distributor, entities.Exporter} {
			l, err := ts.deps.Entities.LinkSubmission(ctx, ana, e.ID, id, role)
			if err != nil {
				t.Fatal(err)
			}
			want = append(want, fmt.Sprintf("/entities/%s/submission-links/%d/delete", e.ID, l.ID))
		}
	}
	slices.Sort(want)
	serveTest(t, ts)
	base := "http://" + ts.Addr("casework")
	dir := artifacts(t)

	tab, cancel := chromedp.NewContext(chromium)
	defer cancel()
	// Thirteen entity pages, each drawing its graph: more than one
	// browser test's time.
	tab, cancelTimeout := context.WithTimeout(tab, 3*browserTimeout)
	defer cancelTimeout()
	code, err := casework.TOTPCode(secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(tab,
		chromedp.Navigate(base+"/queue"),
		chromedp.WaitVisible(chromedp.ID("login-email")),
		chromedp.SetValue(chromedp.ID("login-email"), "ana@example.org"),
		chromedp.SetValue(chromedp.ID("login-password"), staffPassword),
		chromedp.SetValue(chromedp.ID("login-totp"), code),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.CSS(`table.cw-queue`)),
	); err != nil {
		t.Fatalf("log in: %v", err)
	}

	// page reads the links the page lists (by their unlink forms, one per
	// link) and whether it offers newer and older ones.
	type listed struct {
		Links        []string `json:"links"`
		Newer, Older bool
	}
	page := func() listed {
		t.Helper()
		got, err := chromedp.Run(tab, chromedp.Evaluate[listed](`({
			links: Array.from(document.querySelectorAll("#links ul.cw-links form"), (f) => f.getAttribute("action")),
			newer: !!document.querySelector(".cw-links-pages a[rel=prev]"),
			older: !!document.querySelector(".cw-links-pages a[rel=next]"),
		})`))
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	follow := func(rel string) {
		t.Helper()
		if err := chromedp.Do(tab, chromedp.Click(chromedp.CSS(`.cw-links-pages a[rel=`+rel+`]`)),
			chromedp.WaitVisible(chromedp.ID("links"))); err != nil {
			t.Fatalf("follow %s: %v", rel, err)
		}
	}
	disableScripts(t, tab, true)
	if err := chromedp.Do(tab, chromedp.Navigate(base+"/entities/"+e.ID), chromedp.WaitVisible(chromedp.ID("links"))); err != nil {
		t.Fatal(err)
	}
	var older []listed
	for p := page(); ; p = page() {
		older = append(older, p)
		if !p.Older || len(older) > 3 {
			break
		}
		follow("next")
	}
	newer := []listed{older[len(older)-1]}
	for p := newer[0]; p.Newer && len(newer) <= 3; {
		follow("prev")
		p = page()
		newer = append(newer, p)
	}
	for _, walk := range []struct {
		name  string
		pages []listed
	}{{"older", older}, {"newer", newer}} {
		var seen []string
		for _, p := range walk.pages {
			seen = append(seen, p.Links...)
		}
		slices.Sort(seen)
		if len(walk.pages) != 3 || !slices.Equal(seen, want) {
			t.Errorf("pages %s: %d pages of %d links in all, want 3 pages showing the %d links once each", walk.name, len(walk.pages), len(seen), len(want))
		}
		if first, last := walk.pages[0], walk.pages[len(walk.pages)-1]; walk.name == "older" && (first.Newer || last.Older || len(first.Links) != entities.LinkPageSize) {
			t.Errorf("first page %+v, last %+v", first, last)
		}
	}

	// The second page, looked at.
	for _, look := range []struct {
		name    string
		width   int64
		query   string
		scripts bool
	}{{"390-en-nojs", 390, "", false}, {"1280-en-js", 1280, "", true}, {"390-zh-js", 390, "?lang=zh-Hans", true}, {"1280-zh-nojs", 1280, "?lang=zh-Hans", false}} {
		disableScripts(t, tab, !look.scripts)
		setWidth(t, tab, look.width)
		if err := chromedp.Do(tab, chromedp.Navigate(base+"/entities/"+e.ID+look.query), chromedp.WaitVisible(chromedp.ID("links"))); err != nil {
			t.Fatal(err)
		}
		follow("next")
		if p := page(); len(p.Links) != entities.LinkPageSize || !p.Newer || !p.Older {
			t.Errorf("%s: the second page lists %d links, newer %v, older %v", look.name, len(p.Links), p.Newer, p.Older)
		}
		// The links' end and the way to the other pages, as the window
		// shows them (the whole page is tens of thousands of pixels
		// high at a phone's width).
		if _, err := chromedp.Run(tab, chromedp.Evaluate[bool](`document.querySelector(".cw-links-pages").scrollIntoView({block: "end"}), true`)); err != nil {
			t.Fatal(err)
		}
		png, err := chromedp.Run(tab, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, "entity-link-pages-"+look.name+".png")
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
