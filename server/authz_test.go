package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/claims"
	"github.com/tipline/tipline/crypto"
	"github.com/tipline/tipline/entities"
	"github.com/tipline/tipline/quitam"
)

// caller is who sends a request in the authorization matrix.
type caller string

const (
	nobody       caller = "nobody"       // no session
	admin        caller = "admin"        // no desk
	investigator caller = "investigator" // member of the submission's desk
	otherDesk    caller = "other-desk"   // investigator of another desk
	counsel      caller = "counsel"
	auditor      caller = "auditor"
)

var callers = []caller{nobody, admin, investigator, otherDesk, counsel, auditor}

// authzRoute is one casework route and the status each caller must get.
type authzRoute struct {
	method, pattern, path, body string
	want                        map[caller]int
}

// everyone answers the same status to every caller.
func everyone(status int) map[caller]int {
	m := map[caller]int{}
	for _, c := range callers {
		m[c] = status
	}
	return m
}

// staffOnly answers 401 without a session and status otherwise.
func staffOnly(status int) map[caller]int {
	m := everyone(status)
	m[nobody] = http.StatusUnauthorized
	return m
}

// TestCaseworkAuthorization calls every route of the casework listener as
// each kind of caller. The table must name every route: a new route fails
// this test until its expectations are written down.
func TestCaseworkAuthorization(t *testing.T) {
	ts := newTestServer(t)
	// The matrix sends a dozen wrong logins for one address; the login
	// delay they would start is tested in login_attack_test.go.
	ts.deps.Staff.Delay = casework.LoginDelay{Free: 1000, First: time.Second, Max: time.Second, Forget: time.Hour}
	ctx := context.Background()
	addGPGKey(t, ts)
	pub, _, _, err := crypto.GenerateKey("Securities desk", "", []byte("passphrase"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ts.intake.Desks.AddDesk(ctx, "sec-fraud", "Securities fraud", ""); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ts.intake.Desks.AddKey(ctx, "sec-fraud", pub); err != nil {
		t.Fatal(err)
	}

	// One submission to the export-controls desk, through the plain form.
	ctype, body := multipartBody(t, []formPart{{name: "narrative", value: "Relabelled H20 boards."}})
	r := httptest.NewRequest(http.MethodPost, "/desk/export-controls/submit", body)
	r.Header.Set("Content-Type", ctype)
	if w := ts.do("intake", r); w.Code != http.StatusOK {
		t.Fatalf("submission = %d", w.Code)
	}
	var sub, object string
	ts.db.Raw("SELECT id FROM submissions").Scan(&sub)
	ts.db.Raw("SELECT id FROM objects").Scan(&object)

	tokens := map[caller]string{}
	for _, u := range []struct {
		who   caller
		role  casework.Role
		desks []string
	}{
		{admin, casework.RoleAdmin, nil},
		{investigator, casework.RoleInvestigator, []string{"export-controls"}},
		{otherDesk, casework.RoleInvestigator, []string{"sec-fraud"}},
		{counsel, casework.RoleCounsel, nil},
		{auditor, casework.RoleAuditor, nil},
	} {
		email := string(u.who) + "@example.org"
		_, uri, err := ts.deps.Staff.AddUser(ctx, 0, email, u.role, staffPassword, u.desks)
		if err != nil {
			t.Fatal(err)
		}
		parsed, _ := url.Parse(uri)
		code, _ := casework.TOTPCode(parsed.Query().Get("secret"), time.Now())
		token, _, err := ts.deps.Staff.Login(ctx, email, staffPassword, code)
		if err != nil {
			t.Fatal(err)
		}
		tokens[u.who] = token
	}

	// One case on the export-controls desk, holding the submission.
	inv, err := ts.deps.Staff.Store.UserByEmail(ctx, string(investigator)+"@example.org")
	if err != nil {
		t.Fatal(err)
	}
	kase, err := ts.deps.Cases.Create(ctx, casework.Principal{UserID: inv.ID, Email: inv.Email, Role: inv.Role, Desks: inv.Desks},
		casework.NewCase{Desk: "export-controls", Title: "Relabelled boards", Submissions: []string{sub}})
	if err != nil {
		t.Fatal(err)
	}

	// Entities of the export-controls desk, with a link, a relation and a
	// merge for the routes that remove or undo them.
	invP := casework.Principal{UserID: inv.ID, Email: inv.Email, Role: inv.Role, Desks: inv.Desks}
	entity := func(name string) string {
		d, err := ts.deps.Entities.Create(ctx, invP, entities.NewEntity{Desk: "export-controls", Kind: entities.Organization, Name: name})
		if err != nil {
			t.Fatal(err)
		}
		return d.ID
	}
	ent, forwarder, owned, mergedByRoute, mergedBefore := entity("Huaqiang Electronics Co., Ltd."), entity("Lion City Freight Pte. Ltd."),
		entity("Shell One Ltd"), entity("Shell Two Ltd"), entity("Shell Three Ltd")
	subLink, err := ts.deps.Entities.LinkSubmission(ctx, invP, ent, sub, entities.Exporter)
	if err != nil {
		t.Fatal(err)
	}
	caseLink, err := ts.deps.Entities.LinkCase(ctx, invP, ent, kase.ID, entities.Subject)
	if err != nil {
		t.Fatal(err)
	}
	rel, err := ts.deps.Entities.Relate(ctx, invP, ent, owned, entities.Owns)
	if err != nil {
		t.Fatal(err)
	}
	merge, err := ts.deps.Entities.Merge(ctx, invP, ent, mergedBefore)
	if err != nil {
		t.Fatal(err)
	}
	entPath := "/api/v1/entities/" + ent
	// More of them for the entity page's forms, which change their own.
	pageLoser, pageWinner, undoWinner, undoLoser := entity("Shell Four Ltd"), entity("Shell Five Ltd"), entity("Shell Six Ltd"), entity("Shell Seven Ltd")
	pageMerge, err := ts.deps.Entities.Merge(ctx, invP, undoWinner, undoLoser)
	if err != nil {
		t.Fatal(err)
	}
	pageRel, err := ts.deps.Entities.Relate(ctx, invP, forwarder, owned, entities.DirectorOf)
	if err != nil {
		t.Fatal(err)
	}
	pageSubLink, err := ts.deps.Entities.LinkSubmission(ctx, invP, owned, sub, entities.Consignee)
	if err != nil {
		t.Fatal(err)
	}
	pageCaseLink, err := ts.deps.Entities.LinkCase(ctx, invP, owned, kase.ID, entities.Financier)
	if err != nil {
		t.Fatal(err)
	}

	// One claim of counsel's on the submission, with an SEC action and a
	// ledger entry.
	cu, err := ts.deps.Staff.Store.UserByEmail(ctx, string(counsel)+"@example.org")
	if err != nil {
		t.Fatal(err)
	}
	cp := casework.Principal{UserID: cu.ID, Email: cu.Email, Role: cu.Role}
	act, err := ts.deps.Claims.CreateAction(ctx, cp, claims.ActionFields{Relation: claims.Covered, Agency: "SEC", Title: "SEC v. Example"})
	if err != nil {
		t.Fatal(err)
	}
	claim, err := ts.deps.Claims.CreateClaim(ctx, cp, claims.ClaimFields{Program: "sec", ClaimantKind: claims.Source, Pseudonym: "Source A"})
	if err != nil {
		t.Fatal(err)
	}
	// Counsel attach the submission with the source's signed receipt.
	receipt, err := ts.intake.SignedReceipt(ctx, sub)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ts.deps.Claims.AttachReceipt(ctx, cp, claim.ID, receipt); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.deps.Claims.SetActions(ctx, cp, claim.ID, []string{act.ID}); err != nil {
		t.Fatal(err)
	}
	col, err := ts.deps.Claims.RecordCollection(ctx, cp, act.ID, claims.NewCollection{Kind: "penalty", Amount: "1000", ReceivedDay: "2026-01-02"})
	if err != nil {
		t.Fatal(err)
	}
	// A second entry, for the page that reverses one.
	col2, err := ts.deps.Claims.RecordCollection(ctx, cp, act.ID, claims.NewCollection{Kind: "penalty", Amount: "2000", ReceivedDay: "2026-01-02"})
	if err != nil {
		t.Fatal(err)
	}
	// A qui tam matter on an FCA claim of counsel's, on the case holding
	// the submission.
	fcaClaim, err := ts.deps.Claims.CreateClaim(ctx, cp, claims.ClaimFields{Program: "fca", ClaimantKind: claims.Relator, Pseudonym: "Relator A"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ts.deps.Claims.AttachReceipt(ctx, cp, fcaClaim.ID, receipt); err != nil {
		t.Fatal(err)
	}
	matter, err := ts.deps.QuiTam.Create(ctx, cp, quitam.NewMatter{ClaimID: fcaClaim.ID, CaseID: kase.ID, Caption: "United States ex rel. Relator A v. Example"})
	if err != nil {
		t.Fatal(err)
	}
	matterPath := "/quitam/" + matter.ID
	// Qui tam pages: counsel of the claim and admins; nobody else.
	quitamPage := map[caller]int{nobody: 303, admin: http.StatusOK, investigator: 403, otherDesk: 403, counsel: http.StatusOK, auditor: 403}
	quitamWrite := map[caller]int{nobody: 303, admin: 303, investigator: 403, otherDesk: 403, counsel: 303, auditor: 403}
	claimFields := `{"program":"sec","claimant_kind":"source","pseudonym":"Source A","counsel":["counsel@example.org"]}`
	actionFields := `{"relation":"covered","agency":"SEC","title":"SEC v. Example","defendants":[]}`

	ok := http.StatusOK
	read := map[caller]int{nobody: 401, admin: ok, investigator: ok, otherDesk: 404, counsel: 403, auditor: 403}
	write := map[caller]int{nobody: 401, admin: 403, investigator: ok, otherDesk: 404, counsel: 403, auditor: 403}
	// Page forms answer with a redirect: to the login page, or back to the page.
	pageWrite := map[caller]int{nobody: 303, admin: 403, investigator: 303, otherDesk: 404, counsel: 403, auditor: 403}
	claimRead := map[caller]int{nobody: 401, admin: ok, investigator: ok, otherDesk: 404, counsel: ok, auditor: 403}
	claimWrite := map[caller]int{nobody: 401, admin: ok, investigator: 403, otherDesk: 404, counsel: ok, auditor: 403}
	pageRead := map[caller]int{nobody: 303, admin: ok, investigator: ok, otherDesk: 404, counsel: ok, auditor: 403}
	claimPageWrite := map[caller]int{nobody: 303, admin: 303, investigator: 403, otherDesk: 404, counsel: 303, auditor: 403}
	// actionPageWrite: the action is linked to a case of the
	// export-controls desk; auditors see no action.
	actionPageWrite := func(status int) map[caller]int {
		return map[caller]int{nobody: 303, admin: status, investigator: status, otherDesk: 404, counsel: status, auditor: 403}
	}
	staffOnlyExcept := func(status int) map[caller]int {
		m := staffOnly(status)
		m[auditor] = 403
		return m
	}
	// unlinkedAction: an action linked to no case is seen by admins, its
	// creator, counsel of its claims and investigators of its claims'
	// submissions' desks, not by another desk.
	unlinkedAction := func(status int) map[caller]int {
		m := staffOnlyExcept(status)
		m[otherDesk] = 404
		return m
	}
	routes := []authzRoute{
		{"GET", "/", "/", "", everyone(ok)},
		{"GET", "/healthz", "/healthz", "", everyone(ok)},
		{"GET", "/readyz", "/readyz", "", everyone(ok)},
		// For the scraper, like /readyz: nothing in it names a source or a
		// tip (metrics.go), and the casework listener is not public.
		{"GET", "/metrics", "/metrics", "", everyone(ok)},
		{"GET", "/static/*path", "/static/nothing.css", "", everyone(http.StatusNotFound)},
		{"HEAD", "/static/*path", "/static/nothing.css", "", everyone(http.StatusNotFound)},
		// A login with wrong credentials: the same answer whoever asks.
		{"POST", "/api/v1/session", "/api/v1/session", `{"email":"x@example.org","password":"wrong password!","totp":"000000"}`, everyone(http.StatusUnauthorized)},
		{"GET", "/api/v1/session", "/api/v1/session", "", staffOnly(ok)},
		{"POST", "/api/v1/password", "/api/v1/password", `{"old":"not the password","new":"another long passphrase 42"}`, staffOnly(http.StatusUnprocessableEntity)},
		{"GET", "/api/v1/submissions", "/api/v1/submissions", "", map[caller]int{nobody: 401, admin: ok, investigator: ok, otherDesk: ok, counsel: 403, auditor: 403}},
		{"GET", "/api/v1/submissions/:id", "/api/v1/submissions/" + sub, "", read},
		{"PATCH", "/api/v1/submissions/:id", "/api/v1/submissions/" + sub, `{"priority":2}`,
			map[caller]int{nobody: 401, admin: 403, investigator: ok, otherDesk: 404, counsel: 403, auditor: 403}},
		{"GET", "/api/v1/objects/:id", "/api/v1/objects/" + object, "",
			map[caller]int{nobody: 401, admin: 403, investigator: ok, otherDesk: 404, counsel: 403, auditor: 403}},
		// Access grants: investigators of the desk only. Counsel is no
		// investigator of the desk, so the investigator's grant is refused
		// as for an unknown email (404, issue 11); a successful grant and
		// revoke are in grants_test.go. No grant exists to revoke here: the
		// investigator gets 404.
		{"POST", "/api/v1/objects/:id/grants", "/api/v1/objects/" + object + "/grants", `{"email":"counsel@example.org","key_packet":"wcBMA0NvbnRyb2w="}`,
			map[caller]int{nobody: 401, admin: 403, investigator: 404, otherDesk: 404, counsel: 403, auditor: 403}},
		{"DELETE", "/api/v1/objects/:id/grants/:email", "/api/v1/objects/" + object + "/grants/counsel@example.org", "",
			map[caller]int{nobody: 401, admin: 403, investigator: 404, otherDesk: 404, counsel: 403, auditor: 403}},
		// Case documents: the upload is multipart, so a JSON body is refused
		// before anything else; no document exists to download here (a
		// real one is in documents_test.go).
		{"GET", "/api/v1/cases/:id/documents", "/api/v1/cases/" + kase.ID + "/documents", "", read},
		{"POST", "/api/v1/cases/:id/documents", "/api/v1/cases/" + kase.ID + "/documents", `{"meta":"x"}`,
			map[caller]int{nobody: 401, admin: 403, investigator: 422, otherDesk: 422, counsel: 403, auditor: 403}},
		{"GET", "/api/v1/documents/:id", "/api/v1/documents/nosuchdocument", "",
			map[caller]int{nobody: 401, admin: 403, investigator: 404, otherDesk: 404, counsel: 403, auditor: 403}},
		// Counsel is no investigator of the caller's desks: the same 404 as
		// for an unknown email (issue 11).
		{"GET", "/api/v1/staff/:email/key", "/api/v1/staff/counsel@example.org/key", "",
			map[caller]int{nobody: 401, admin: 403, investigator: 404, otherDesk: 404, counsel: 403, auditor: 403}},
		{"GET", "/api/v1/submissions/:id/grants", "/api/v1/submissions/" + sub + "/grants", "", read},
		{"POST", "/submissions/:id/revoke", "/submissions/" + sub + "/revoke", "email=counsel%40example.org",
			map[caller]int{nobody: 303, admin: 422, investigator: 422, otherDesk: 404, counsel: 403, auditor: 403}},
		// Replies to sources: investigators of the desk only. A JSON body
		// is refused: replies are OpenPGP messages (application/octet-stream).
		{"GET", "/api/v1/submissions/:id/reply-key", "/api/v1/submissions/" + sub + "/reply-key", "",
			map[caller]int{nobody: 401, admin: 403, investigator: ok, otherDesk: 404, counsel: 403, auditor: 403}},
		{"POST", "/api/v1/submissions/:id/replies", "/api/v1/submissions/" + sub + "/replies", `{"text":"plaintext"}`,
			map[caller]int{nobody: 401, admin: 403, investigator: http.StatusUnsupportedMediaType, otherDesk: 404, counsel: 403, auditor: 403}},
		{"POST", "/api/v1/cases", "/api/v1/cases", `{"desk":"export-controls","title":"Another","submissions":["` + sub + `"]}`,
			map[caller]int{nobody: 401, admin: 403, investigator: http.StatusCreated, otherDesk: 404, counsel: 403, auditor: 403}},
		{"GET", "/api/v1/cases", "/api/v1/cases", "", map[caller]int{nobody: 401, admin: ok, investigator: ok, otherDesk: ok, counsel: 403, auditor: 403}},
		{"GET", "/api/v1/cases/:id", "/api/v1/cases/" + kase.ID, "", read},
		{"PATCH", "/api/v1/cases/:id", "/api/v1/cases/" + kase.ID, `{"status":"on_hold"}`, write},
		{"POST", "/api/v1/cases/:id/submissions", "/api/v1/cases/" + kase.ID + "/submissions", `{"submission":"` + sub + `"}`, write},
		{"POST", "/api/v1/cases/:id/notes", "/api/v1/cases/" + kase.ID + "/notes", `{"text":"Asked the forwarder."}`,
			map[caller]int{nobody: 401, admin: 403, investigator: http.StatusCreated, otherDesk: 404, counsel: 403, auditor: 403}},
		// Award claims: counsel of the claim and admins read and write;
		// investigators of the submission's desk read; auditors see nothing.
		{"GET", "/api/v1/claims", "/api/v1/claims", "", map[caller]int{nobody: 401, admin: ok, investigator: ok, otherDesk: ok, counsel: ok, auditor: 403}},
		{"POST", "/api/v1/claims", "/api/v1/claims", claimFields,
			map[caller]int{nobody: 401, admin: http.StatusCreated, investigator: 403, otherDesk: 403, counsel: http.StatusCreated, auditor: 403}},
		{"GET", "/api/v1/claims/:id", "/api/v1/claims/" + claim.ID, "", claimRead},
		{"PUT", "/api/v1/claims/:id", "/api/v1/claims/" + claim.ID, claimFields, claimWrite},
		// draft → paid is no step: the writers get 422.
		{"PUT", "/api/v1/claims/:id/status", "/api/v1/claims/" + claim.ID + "/status", `{"status":"paid"}`,
			map[caller]int{nobody: 401, admin: 422, investigator: 403, otherDesk: 404, counsel: 422, auditor: 403}},
		{"PUT", "/api/v1/claims/:id/submissions", "/api/v1/claims/" + claim.ID + "/submissions", `{"submissions":["` + sub + `"]}`, claimWrite},
		{"POST", "/api/v1/claims/:id/receipts", "/api/v1/claims/" + claim.ID + "/receipts", string(receipt), claimWrite},
		{"PUT", "/api/v1/claims/:id/actions", "/api/v1/claims/" + claim.ID + "/actions", `{"actions":["` + act.ID + `"]}`, claimWrite},
		{"PUT", "/api/v1/claims/:id/action_terms", "/api/v1/claims/" + claim.ID + "/action_terms", `{"terms":[{"action":"` + act.ID + `","credited":"0"}]}`, claimWrite},
		{"PUT", "/api/v1/claims/:id/checklist/:item", "/api/v1/claims/" + claim.ID + "/checklist/voluntary", `{"status":"yes","evidence":"TCR before any request"}`, claimWrite},
		{"PUT", "/api/v1/claims/:id/splits", "/api/v1/claims/" + claim.ID + "/splits", `{"splits":[]}`, claimWrite},
		{"GET", "/api/v1/claims/:id/estimate", "/api/v1/claims/" + claim.ID + "/estimate", "", claimRead},
		// Actions linked to no case: every role that works awards may list
		// and create them; another desk sees none of this one.
		{"GET", "/api/v1/actions", "/api/v1/actions", "", map[caller]int{nobody: 401, admin: ok, investigator: ok, otherDesk: ok, counsel: ok, auditor: 403}},
		{"POST", "/api/v1/actions", "/api/v1/actions", actionFields, staffOnlyExcept(http.StatusCreated)},
		{"GET", "/api/v1/actions/:id", "/api/v1/actions/" + act.ID, "", unlinkedAction(ok)},
		{"PUT", "/api/v1/actions/:id", "/api/v1/actions/" + act.ID, actionFields, unlinkedAction(ok)},
		{"PUT", "/api/v1/actions/:id/sanctions/:kind", "/api/v1/actions/" + act.ID + "/sanctions/penalty", `{"ordered":"2000000"}`, unlinkedAction(ok)},
		{"POST", "/api/v1/actions/:id/collections", "/api/v1/actions/" + act.ID + "/collections", `{"kind":"penalty","amount":"500","received_day":"2026-01-03"}`,
			unlinkedAction(http.StatusCreated)},
		// The first writer reverses the entry; it is then reversed already.
		{"POST", "/api/v1/collections/:id/reversal", "/api/v1/collections/" + strconv.FormatInt(col.ID, 10) + "/reversal", `{"document_ref":"bounced"}`,
			map[caller]int{nobody: 401, admin: http.StatusCreated, investigator: 409, otherDesk: 404, counsel: 409, auditor: 403}},
		// Only investigators link an action to a case of their desk; once
		// linked, the other desk no longer sees the action.
		{"PUT", "/api/v1/actions/:id/case", "/api/v1/actions/" + act.ID + "/case", `{"case":"` + kase.ID + `"}`,
			map[caller]int{nobody: 401, admin: 403, investigator: ok, otherDesk: 404, counsel: 403, auditor: 403}},
		{"GET", "/claims", "/claims", "", map[caller]int{nobody: 303, admin: ok, investigator: ok, otherDesk: ok, counsel: ok, auditor: 403}},
		{"GET", "/claims/:id/report", "/claims/" + claim.ID + "/report", "", pageRead},
		{"GET", "/claims/:id/report.pdf", "/claims/" + claim.ID + "/report.pdf", "", pageRead},
		{"GET", "/awards", "/awards", "", map[caller]int{nobody: 303, admin: ok, investigator: 403, otherDesk: 403, counsel: ok, auditor: 403}},
		{"GET", "/quitam", "/quitam", "", quitamPage},
		{"POST", "/quitam", "/quitam", "opening=" + fcaClaim.ID + "%2F" + kase.ID + "&caption=Another", quitamWrite},
		{"GET", "/quitam/:id", matterPath, "", quitamPage},
		{"POST", "/quitam/:id/facts", matterPath + "/facts", "caption=Renamed&filed_day=2026-01-05", quitamWrite},
		// The first writer extends the seal; the same new day is then no extension.
		{"POST", "/quitam/:id/extensions", matterPath + "/extensions", "granted_day=2026-03-01&new_day=2026-09-01",
			map[caller]int{nobody: 303, admin: 303, investigator: 403, otherDesk: 403, counsel: 422, auditor: 403}},
		{"POST", "/quitam/:id/intervention", matterPath + "/intervention", "intervention=declined&intervention_day=2026-08-20", quitamWrite},
		{"POST", "/quitam/:id/collections", matterPath + "/collections", "received_day=2026-09-02&federal=100", quitamWrite},
		// Claim and action pages: the same rules as the API, as pages.
		{"POST", "/claims", "/claims", "program=sec&claimant_kind=source&pseudonym=Source+B&counsel=counsel%40example.org",
			map[caller]int{nobody: 303, admin: 303, investigator: 403, otherDesk: 403, counsel: 303, auditor: 403}},
		{"GET", "/claims/:id", "/claims/" + claim.ID, "", pageRead},
		{"POST", "/claims/:id", "/claims/" + claim.ID, "program=sec&claimant_kind=source&pseudonym=Source+A&counsel=counsel%40example.org", claimPageWrite},
		{"POST", "/claims/:id/status", "/claims/" + claim.ID + "/status", "status=paid",
			map[caller]int{nobody: 303, admin: 422, investigator: 403, otherDesk: 404, counsel: 422, auditor: 403}},
		{"POST", "/claims/:id/submissions", "/claims/" + claim.ID + "/submissions", "submissions=" + sub, claimPageWrite},
		{"POST", "/claims/:id/receipts", "/claims/" + claim.ID + "/receipts", "receipt=" + url.QueryEscape(string(receipt)), claimPageWrite},
		{"POST", "/claims/:id/actions", "/claims/" + claim.ID + "/actions", "action=" + act.ID, claimPageWrite},
		{"POST", "/claims/:id/action_terms", "/claims/" + claim.ID + "/action_terms", "action_0=" + act.ID + "&role_0=covered&authority_0=sec&credited_0=", claimPageWrite},
		{"POST", "/claims/:id/checklist", "/claims/" + claim.ID + "/checklist", "status_voluntary=yes&evidence_voluntary=TCR+before+any+request", claimPageWrite},
		{"POST", "/claims/:id/splits", "/claims/" + claim.ID + "/splits", "claimant_0=&share_0=", claimPageWrite},
		{"GET", "/actions", "/actions", "", map[caller]int{nobody: 303, admin: ok, investigator: ok, otherDesk: ok, counsel: ok, auditor: 403}},
		{"POST", "/actions", "/actions", "relation=covered&agency=SEC&title=SEC+v.+Another",
			map[caller]int{nobody: 303, admin: 303, investigator: 303, otherDesk: 303, counsel: 303, auditor: 403}},
		// By now the action is linked to the export-controls case.
		{"GET", "/actions/:id", "/actions/" + act.ID, "", actionPageWrite(ok)},
		{"POST", "/actions/:id", "/actions/" + act.ID, "relation=covered&agency=SEC&title=SEC+v.+Example", actionPageWrite(303)},
		{"POST", "/actions/:id/case", "/actions/" + act.ID + "/case", "case=" + kase.ID,
			map[caller]int{nobody: 303, admin: 403, investigator: 303, otherDesk: 404, counsel: 403, auditor: 403}},
		{"POST", "/actions/:id/sanctions", "/actions/" + act.ID + "/sanctions", "kind=penalty&ordered=2000000", actionPageWrite(303)},
		{"POST", "/actions/:id/collections", "/actions/" + act.ID + "/collections", "kind=penalty&amount=500&received_day=2026-01-03", actionPageWrite(303)},
		// The first writer reverses the entry; the form then says it is reversed already.
		{"POST", "/actions/:id/collections/:entry/reversal", "/actions/" + act.ID + "/collections/" + strconv.FormatInt(col2.ID, 10) + "/reversal", "document_ref=bounced",
			map[caller]int{nobody: 303, admin: 303, investigator: 422, otherDesk: 404, counsel: 422, auditor: 403}},
		// Administration (admin only) and single-use links (no session; an unknown token is not found).
		{"GET", "/admin", "/admin", "", map[caller]int{nobody: 303, admin: ok, investigator: 403, otherDesk: 403, counsel: 403, auditor: 403}},
		{"POST", "/admin/desks", "/admin/desks", "slug=Bad+Slug", map[caller]int{nobody: 303, admin: 422, investigator: 403, otherDesk: 403, counsel: 403, auditor: 403}},
		{"GET", "/admin/desks/:slug", "/admin/desks/export-controls", "", map[caller]int{nobody: 303, admin: ok, investigator: 403, otherDesk: 403, counsel: 403, auditor: 403}},
		{"POST", "/admin/desks/:slug/deadlines", "/admin/desks/export-controls/deadlines", "ack_days=0&feedback_months=0", map[caller]int{nobody: 303, admin: 422, investigator: 403, otherDesk: 403, counsel: 403, auditor: 403}},
		{"POST", "/admin/desks/:slug/retention", "/admin/desks/export-controls/retention", "closed_days=-1", map[caller]int{nobody: 303, admin: 422, investigator: 403, otherDesk: 403, counsel: 403, auditor: 403}},
		// Legal holds (admin only): a reason over the limit is refused, and
		// there is no hold to release (the page says so, 422).
		{"POST", "/submissions/:id/legal-hold", "/submissions/" + sub + "/legal-hold", "reason=" + strings.Repeat("x", casework.MaxHoldReason+1),
			map[caller]int{nobody: 303, admin: 422, investigator: 403, otherDesk: 403, counsel: 403, auditor: 403}},
		{"POST", "/submissions/:id/legal-hold/release", "/submissions/" + sub + "/legal-hold/release", "",
			map[caller]int{nobody: 303, admin: 422, investigator: 403, otherDesk: 403, counsel: 403, auditor: 403}},
		{"POST", "/admin/desks/:slug/questionnaire", "/admin/desks/export-controls/questionnaire", "definition=x", map[caller]int{nobody: 303, admin: 422, investigator: 403, otherDesk: 403, counsel: 403, auditor: 403}},
		{"GET", "/admin/keys", "/admin/keys", "", map[caller]int{nobody: 303, admin: ok, investigator: 403, otherDesk: 403, counsel: 403, auditor: 403}},
		{"POST", "/admin/keys", "/admin/keys", "desk=export-controls&key=x", map[caller]int{nobody: 303, admin: 422, investigator: 403, otherDesk: 403, counsel: 403, auditor: 403}},
		{"POST", "/admin/keys/remove", "/admin/keys/remove", "desk=export-controls&fingerprint=AA", map[caller]int{nobody: 303, admin: 404, investigator: 403, otherDesk: 403, counsel: 403, auditor: 403}},
		{"GET", "/admin/staff", "/admin/staff", "", map[caller]int{nobody: 303, admin: ok, investigator: 403, otherDesk: 403, counsel: 403, auditor: 403}},
		{"POST", "/admin/staff/invite", "/admin/staff/invite", "email=x&role=admin", map[caller]int{nobody: 303, admin: 422, investigator: 403, otherDesk: 403, counsel: 403, auditor: 403}},
		{"POST", "/admin/staff/access", "/admin/staff/access", "email=nobody%40example.org&role=admin", map[caller]int{nobody: 303, admin: 422, investigator: 403, otherDesk: 403, counsel: 403, auditor: 403}},
		{"POST", "/admin/staff/disable", "/admin/staff/disable", "email=nobody%40example.org", map[caller]int{nobody: 303, admin: 422, investigator: 403, otherDesk: 403, counsel: 403, auditor: 403}},
		{"POST", "/admin/staff/reset-totp", "/admin/staff/reset-totp", "email=nobody%40example.org", map[caller]int{nobody: 303, admin: 422, investigator: 403, otherDesk: 403, counsel: 403, auditor: 403}},
		{"GET", "/setup/:token", "/setup/x", "", everyone(http.StatusNotFound)},
		{"POST", "/setup/:token", "/setup/x", "password=x", everyone(http.StatusNotFound)},
		{"POST", "/setup/:token/confirm", "/setup/x/confirm", "totp=000000", everyone(http.StatusNotFound)},
		{"GET", "/invite/:token", "/invite/x", "", everyone(http.StatusNotFound)},
		{"POST", "/invite/:token", "/invite/x", "password=x", everyone(http.StatusNotFound)},
		{"POST", "/invite/:token/confirm", "/invite/x/confirm", "totp=000000", everyone(http.StatusNotFound)},
		// Staff pages: without a session they redirect to the login page.
		{"GET", "/login", "/login", "", everyone(ok)},
		{"POST", "/login", "/login", "email=x%40example.org&password=wrong+password%21&totp=000000", everyone(http.StatusUnauthorized)},
		{"GET", "/home", "/home", "", everyone(http.StatusSeeOther)},
		{"GET", "/audit", "/audit", "", map[caller]int{nobody: 303, admin: 403, investigator: 403, otherDesk: 403, counsel: 403, auditor: ok}},
		{"GET", "/queue", "/queue", "", map[caller]int{nobody: 303, admin: ok, investigator: ok, otherDesk: ok, counsel: 403, auditor: 403}},
		{"GET", "/settings", "/settings", "", map[caller]int{nobody: 303, admin: ok, investigator: ok, otherDesk: ok, counsel: 403, auditor: 403}},
		{"POST", "/settings", "/settings", "new_tips=on", map[caller]int{nobody: 303, admin: 303, investigator: 303, otherDesk: 303, counsel: 403, auditor: 403}},
		{"GET", "/awards/estimate", "/awards/estimate?program=sec&ordered=2000000&collected=100000", "", map[caller]int{nobody: 303, admin: ok, investigator: ok, otherDesk: ok, counsel: ok, auditor: 403}},
		{"GET", "/submissions/:id", "/submissions/" + sub, "", map[caller]int{nobody: 303, admin: ok, investigator: ok, otherDesk: 404, counsel: 403, auditor: 403}},
		{"POST", "/submissions/:id", "/submissions/" + sub, "status=acknowledged&priority=1&labels=h20&assignee=", pageWrite},
		{"GET", "/cases", "/cases", "", map[caller]int{nobody: 303, admin: ok, investigator: ok, otherDesk: ok, counsel: 403, auditor: 403}},
		{"POST", "/cases", "/cases", "submission=" + sub + "&title=Opened+from+the+page", pageWrite},
		{"GET", "/cases/:id", "/cases/" + kase.ID, "", map[caller]int{nobody: 303, admin: ok, investigator: ok, otherDesk: 404, counsel: 403, auditor: 403}},
		{"POST", "/cases/:id", "/cases/" + kase.ID, "title=Renamed&lead=investigator%40example.org&status=on_hold", pageWrite},
		{"POST", "/cases/:id/notes", "/cases/" + kase.ID + "/notes", "text=Called+the+bank.", pageWrite},
		{"POST", "/cases/:id/submissions", "/cases/" + kase.ID + "/submissions", "submission=" + sub, pageWrite},
		{"GET", "/api/v1/desks/:slug/keys", "/api/v1/desks/export-controls/keys", "",
			map[caller]int{nobody: 401, admin: 403, investigator: ok, otherDesk: 404, counsel: 403, auditor: 403}},
		{"GET", "/api/v1/audit", "/api/v1/audit", "",
			map[caller]int{nobody: 401, admin: 403, investigator: 403, otherDesk: 403, counsel: 403, auditor: ok}},
		// Entities: admins read every desk's, investigators work their
		// desk's, counsel and auditors see none.
		{"GET", "/api/v1/entities", "/api/v1/entities?q=Huaqiang", "", map[caller]int{nobody: 401, admin: ok, investigator: ok, otherDesk: ok, counsel: 403, auditor: 403}},
		{"POST", "/api/v1/entities", "/api/v1/entities", `{"desk":"export-controls","kind":"person","name":"Wang Wei"}`,
			map[caller]int{nobody: 401, admin: 403, investigator: http.StatusCreated, otherDesk: 404, counsel: 403, auditor: 403}},
		{"GET", "/api/v1/entities/corroborated", "/api/v1/entities/corroborated", "", map[caller]int{nobody: 401, admin: ok, investigator: ok, otherDesk: ok, counsel: 403, auditor: 403}},
		{"GET", "/api/v1/entities/:id", entPath, "", read},
		{"GET", "/api/v1/entities/:id/graph", entPath + "/graph", "", read},
		{"PATCH", "/api/v1/entities/:id", entPath, `{"notes":"Named in two tips."}`, write},
		{"DELETE", "/api/v1/entities/:id/submission-links/:link", entPath + "/submission-links/" + fmt.Sprint(subLink.ID), "",
			map[caller]int{nobody: 401, admin: 403, investigator: http.StatusNoContent, otherDesk: 404, counsel: 403, auditor: 403}},
		{"DELETE", "/api/v1/entities/:id/case-links/:link", entPath + "/case-links/" + fmt.Sprint(caseLink.ID), "",
			map[caller]int{nobody: 401, admin: 403, investigator: http.StatusNoContent, otherDesk: 404, counsel: 403, auditor: 403}},
		{"POST", "/api/v1/entities/:id/relations", entPath + "/relations", `{"to":"` + forwarder + `","type":"ships_for"}`,
			map[caller]int{nobody: 401, admin: 403, investigator: http.StatusCreated, otherDesk: 404, counsel: 403, auditor: 403}},
		{"DELETE", "/api/v1/entities/:id/relations/:rel", entPath + "/relations/" + fmt.Sprint(rel.ID), "",
			map[caller]int{nobody: 401, admin: 403, investigator: http.StatusNoContent, otherDesk: 404, counsel: 403, auditor: 403}},
		{"POST", "/api/v1/entities/:id/merges", entPath + "/merges", `{"loser":"` + mergedByRoute + `"}`,
			map[caller]int{nobody: 401, admin: 403, investigator: http.StatusCreated, otherDesk: 404, counsel: 403, auditor: 403}},
		{"POST", "/api/v1/entities/:id/merges/:merge/undo", entPath + "/merges/" + fmt.Sprint(merge.ID) + "/undo", "", write},
		{"GET", "/api/v1/submissions/:id/entities", "/api/v1/submissions/" + sub + "/entities", "", read},
		{"POST", "/api/v1/submissions/:id/entities", "/api/v1/submissions/" + sub + "/entities", `{"entity":"` + forwarder + `","role":"freight_forwarder"}`,
			map[caller]int{nobody: 401, admin: 403, investigator: http.StatusCreated, otherDesk: 404, counsel: 403, auditor: 403}},
		{"POST", "/api/v1/submissions/:id/entity-suggestions", "/api/v1/submissions/" + sub + "/entity-suggestions", `{"parties":[{"name":"Hua Qiang Electronics","role":"distributor"}]}`, write},
		{"POST", "/api/v1/cases/:id/entities", "/api/v1/cases/" + kase.ID + "/entities", `{"entity":"` + forwarder + `","role":"freight_forwarder"}`,
			map[caller]int{nobody: 401, admin: 403, investigator: http.StatusCreated, otherDesk: 404, counsel: 403, auditor: 403}},
		{"GET", "/entities", "/entities?q=Huaqiang", "", map[caller]int{nobody: 303, admin: ok, investigator: ok, otherDesk: ok, counsel: 403, auditor: 403}},
		{"GET", "/entities/:id", "/entities/" + ent, "", map[caller]int{nobody: 303, admin: ok, investigator: ok, otherDesk: 404, counsel: 403, auditor: 403}},
		{"GET", "/entities/:id/graph.svg", "/entities/" + ent + "/graph.svg", "", map[caller]int{nobody: 303, admin: ok, investigator: ok, otherDesk: 404, counsel: 403, auditor: 403}},
		{"POST", "/entities/:id", "/entities/" + ent, "kind=organization&name=Huaqiang+Electronics+Co.%2C+Ltd.&countries=CN&notes=Seen+at+Changi.", pageWrite},
		{"POST", "/entities/:id/relations", "/entities/" + forwarder + "/relations", "to=" + owned + "&type=shares_address", pageWrite},
		{"POST", "/entities/:id/relations/:rel/delete", "/entities/" + forwarder + "/relations/" + fmt.Sprint(pageRel.ID) + "/delete", "", pageWrite},
		{"POST", "/entities/:id/merge", "/entities/" + pageLoser + "/merge", "into=" + pageWinner + "&confirm=yes", pageWrite},
		{"POST", "/entities/:id/merges/:merge/undo", "/entities/" + undoWinner + "/merges/" + fmt.Sprint(pageMerge.ID) + "/undo", "", pageWrite},
		{"POST", "/entities/:id/submission-links/:link/delete", "/entities/" + owned + "/submission-links/" + fmt.Sprint(pageSubLink.ID) + "/delete", "", pageWrite},
		{"POST", "/entities/:id/case-links/:link/delete", "/entities/" + owned + "/case-links/" + fmt.Sprint(pageCaseLink.ID) + "/delete", "", pageWrite},
		// Logging out ends the caller's session: last.
		{"DELETE", "/api/v1/session", "/api/v1/session", "", staffOnly(http.StatusNoContent)},
		// The sessions are gone: the page's log out sends everyone to log in.
		{"POST", "/logout", "/logout", "", everyone(http.StatusSeeOther)},
	}

	listed := map[string]bool{}
	for _, rt := range routes {
		listed[rt.method+" "+rt.pattern] = true
	}
	for _, r := range ts.caseworkEngine(t).Routes() {
		if !listed[r.Method+" "+r.Path] {
			t.Errorf("route %s %s is missing from the authorization matrix", r.Method, r.Path)
		}
	}

	for _, rt := range routes {
		for _, who := range callers {
			t.Run(rt.method+" "+rt.pattern+"/"+string(who), func(t *testing.T) {
				r := httptest.NewRequest(rt.method, rt.path, strings.NewReader(rt.body))
				switch {
				case strings.HasPrefix(rt.body, "{"):
					r.Header.Set("Content-Type", "application/json")
				case rt.body != "":
					r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				}
				if tok := tokens[who]; tok != "" {
					r.Header.Set("Authorization", "Bearer "+tok)
				}
				w := ts.do("casework", r)
				if w.Code != rt.want[who] {
					t.Errorf("%s %s as %s = %d, want %d\n%.300s", rt.method, rt.path, who, w.Code, rt.want[who], w.Body)
				}
				if w.Code == http.StatusSeeOther && who != nobody && rt.pattern != "/logout" && w.Header().Get("Location") == "/login" {
					t.Errorf("%s %s as %s was sent to the login page", rt.method, rt.path, who)
				}
				if (rt.pattern == "/api/v1/submissions" || rt.pattern == "/queue") && who == otherDesk && strings.Contains(w.Body.String(), sub) {
					t.Error("an investigator of another desk sees the submission in the queue")
				}
				if (rt.pattern == "/api/v1/entities" || rt.pattern == "/api/v1/entities/corroborated" || rt.pattern == "/entities") && who == otherDesk &&
					strings.Contains(w.Body.String(), ent) {
					t.Error("an investigator of another desk sees the entity")
				}
				if (rt.pattern == "/api/v1/actions" || rt.pattern == "/actions") && who == otherDesk && strings.Contains(w.Body.String(), act.ID) {
					t.Error("an investigator of another desk sees the action")
				}
				if rt.pattern == "/api/v1/cases" && who == otherDesk && strings.Contains(w.Body.String(), kase.ID) {
					t.Error("an investigator of another desk sees the case in the list")
				}
			})
		}
	}

	// What was viewed, changed and downloaded is in the audit log.
	entries, err := ts.deps.Staff.Store.AuditEntries(ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	actions := map[string]bool{}
	for _, e := range entries {
		actions[string(e.Record.Action)] = true
	}
	for _, a := range []string{"submission.view", "submission.update", "object.download",
		"case.create", "case.list", "case.view", "case.update", "case.link", "case.note",
		"entity.search", "entity.create", "entity.corroborated", "entity.view", "entity.update", "entity.link", "entity.unlink",
		"entity.relate", "entity.unrelate", "entity.merge", "entity.undo_merge", "entity.links_view", "entity.suggest"} {
		if !actions[a] {
			t.Errorf("no %s in the audit log", a)
		}
	}
	// The auditor reads it (with a fresh session: the matrix logged out).
	uri, _ := ts.deps.Staff.ResetTOTP(ctx, 0, string(auditor)+"@example.org")
	parsed, _ := url.Parse(uri)
	code, _ := casework.TOTPCode(parsed.Query().Get("secret"), time.Now())
	token, _, err := ts.deps.Staff.Login(ctx, string(auditor)+"@example.org", staffPassword, code)
	if err != nil {
		t.Fatal(err)
	}
	r = httptest.NewRequest(http.MethodGet, "/api/v1/audit?limit=1000", nil)
	r.Header.Set("Authorization", "Bearer "+token)
	if w := ts.do("casework", r); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"action":"object.download"`) {
		t.Errorf("auditor reading the log = %d\n%.300s", w.Code, w.Body)
	}
}

// TestAwardsAccessRegressions reproduces issue 13's access defects: an
// investigator of another desk changing an action linked to no case (a
// $99,999,999 collection that turned another desk's estimate into
// $9.99M–$29.99M), and counsel opening actions and submissions by
// attaching their ids to their own claim.
func TestAwardsAccessRegressions(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	if _, err := ts.intake.Desks.AddDesk(ctx, "sec-fraud", "Securities fraud", ""); err != nil {
		t.Fatal(err)
	}
	addGPGKey(t, ts)
	ctype, body := multipartBody(t, []formPart{{name: "narrative", value: "Relabelled H20 boards."}})
	r := httptest.NewRequest(http.MethodPost, "/desk/export-controls/submit", body)
	r.Header.Set("Content-Type", ctype)
	if w := ts.do("intake", r); w.Code != http.StatusOK {
		t.Fatalf("submission = %d", w.Code)
	}
	var sub string
	ts.db.Raw("SELECT id FROM submissions").Scan(&sub)

	owner, ownerP := staffSession(t, ts, "owner@example.org", casework.RoleCounsel, nil)
	other, _ := staffSession(t, ts, "other@example.org", casework.RoleCounsel, nil)
	outsider, _ := staffSession(t, ts, "outsider@example.org", casework.RoleInvestigator, []string{"sec-fraud"})
	act, err := ts.deps.Claims.CreateAction(ctx, ownerP, claims.ActionFields{Relation: claims.Covered, Agency: "SEC", Title: "SEC v. Example"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ts.deps.Claims.SetSanction(ctx, ownerP, act.ID, "penalty", "2000000"); err != nil {
		t.Fatal(err)
	}
	claim, err := ts.deps.Claims.CreateClaim(ctx, ownerP, claims.ClaimFields{Program: "sec", ClaimantKind: claims.Source, Pseudonym: "Source A"})
	if err != nil {
		t.Fatal(err)
	}
	receipt, err := ts.intake.SignedReceipt(ctx, sub)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ts.deps.Claims.AttachReceipt(ctx, ownerP, claim.ID, receipt); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.deps.Claims.SetActions(ctx, ownerP, claim.ID, []string{act.ID}); err != nil {
		t.Fatal(err)
	}
	// Another counsel's own claim, to attach things to.
	otherClaim := func() string {
		w := call(t, ts, other, "POST", "/api/v1/claims", `{"program":"sec","claimant_kind":"source","pseudonym":"Source B","counsel":["other@example.org"]}`)
		var c struct{ ID string }
		if w.Code != http.StatusCreated || json.Unmarshal(w.Body.Bytes(), &c) != nil {
			t.Fatalf("other counsel's claim = %d %s", w.Code, w.Body)
		}
		return c.ID
	}()
	forged := strings.Replace(string(receipt), sub, otherFirst(sub), 1)

	for _, tc := range []struct {
		name, token, method, path, body string
		want                            int
	}{
		{"another desk reads the unlinked action", outsider, "GET", "/api/v1/actions/" + act.ID, "", 404},
		{"another desk records a collection", outsider, "POST", "/api/v1/actions/" + act.ID + "/collections", `{"kind":"penalty","amount":"99999999","received_day":"2026-01-03"}`, 404},
		{"another desk changes the sanctions", outsider, "PUT", "/api/v1/actions/" + act.ID + "/sanctions/penalty", `{"ordered":"99999999"}`, 404},
		{"another desk changes the action", outsider, "PUT", "/api/v1/actions/" + act.ID, `{"relation":"covered","agency":"SEC","title":"Renamed","defendants":[]}`, 404},
		{"counsel attach another's action", other, "PUT", "/api/v1/claims/" + otherClaim + "/actions", `{"actions":["` + act.ID + `"]}`, 404},
		{"counsel attach a submission by id", other, "PUT", "/api/v1/claims/" + otherClaim + "/submissions", `{"submissions":["` + sub + `"]}`, 403},
		{"counsel attach a forged receipt", other, "POST", "/api/v1/claims/" + otherClaim + "/receipts", forged, 422},
		{"the action stays unseen", other, "GET", "/api/v1/actions/" + act.ID, "", 404},
		{"the owner still reads the action", owner, "GET", "/api/v1/actions/" + act.ID, "", 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if w := call(t, ts, tc.token, tc.method, tc.path, tc.body); w.Code != tc.want {
				t.Errorf("%s %s = %d, want %d\n%.300s", tc.method, tc.path, w.Code, tc.want, w.Body)
			}
		})
	}
	a, err := ts.deps.Claims.GetAction(ctx, ownerP, act.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Collections) != 0 || a.Ordered() != 200000000 || a.Title != "SEC v. Example" {
		t.Errorf("the action was changed by another desk: %+v", a)
	}
	w := call(t, ts, other, "GET", "/api/v1/claims/"+otherClaim, "")
	if w.Code != http.StatusOK || strings.Contains(w.Body.String(), act.ID) || strings.Contains(w.Body.String(), sub) {
		t.Errorf("the other counsel's claim holds the action or the submission: %d %.500s", w.Code, w.Body)
	}
}
