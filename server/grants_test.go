package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/crypto"
)

// TestAccessGrant: an investigator of the desk, whose key is a recipient,
// grants an object to a colleague of the same desk whose key is not. The
// server checks and stores the wrapped key packet; the colleague's download
// then decrypts with the colleague's key; revoking removes the packet.
func TestAccessGrant(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	g := addGPGKey(t, ts) // the desk's recipient: the granting investigator's key
	holder, err := crypto.ReadPrivateKey(g.ExportSecret(), nil)
	if err != nil {
		t.Fatal(err)
	}

	ctype, body := multipartBody(t, []formPart{{name: "narrative", value: "Relabelled H20 boards."}})
	r := httptest.NewRequest(http.MethodPost, "/desk/export-controls/submit", body)
	r.Header.Set("Content-Type", ctype)
	if w := ts.do("intake", r); w.Code != http.StatusOK {
		t.Fatalf("submission = %d", w.Code)
	}
	var object string
	ts.db.Raw("SELECT id FROM objects ORDER BY position LIMIT 1").Scan(&object)

	tokens := map[string]string{}
	for _, email := range []string{"granter@example.org", "colleague@example.org", "nokey@example.org"} {
		_, uri, err := ts.deps.Staff.AddUser(ctx, 0, email, casework.RoleInvestigator, staffPassword, []string{"export-controls"})
		if err != nil {
			t.Fatal(err)
		}
		parsed, _ := url.Parse(uri)
		code, _ := casework.TOTPCode(parsed.Query().Get("secret"), time.Now())
		token, _, err := ts.deps.Staff.Login(ctx, email, staffPassword, code)
		if err != nil {
			t.Fatal(err)
		}
		tokens[email] = token
	}
	// The colleague's key pair: made in their browser; the admin registers
	// the public half (tipline users set-key).
	pubArmored, privArmored, _, err := crypto.GenerateKey("Colleague", "colleague@example.org", []byte("pass"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	colleagueKey, err := ts.deps.Grants.SetKey(ctx, 0, "colleague@example.org", pubArmored)
	if err != nil {
		t.Fatal(err)
	}
	colleaguePriv, err := crypto.ReadPrivateKey(privArmored, []byte("pass"))
	if err != nil {
		t.Fatal(err)
	}

	call := func(who, method, path, body string) *httptest.ResponseRecorder {
		t.Helper()
		r := httptest.NewRequest(method, path, strings.NewReader(body))
		if body != "" {
			r.Header.Set("Content-Type", "application/json")
		}
		r.Header.Set("Authorization", "Bearer "+tokens[who])
		return ts.do("casework", r)
	}
	download := func(who string) []byte {
		t.Helper()
		w := call(who, "GET", "/api/v1/objects/"+object, "")
		if w.Code != http.StatusOK {
			t.Fatalf("GET object as %s = %d\n%s", who, w.Code, w.Body)
		}
		return w.Body.Bytes()
	}
	decrypts := func(message []byte, key *crypto.PrivateKey) bool {
		t.Helper()
		r, err := crypto.Decrypt(bytes.NewReader(message), key)
		if errors.Is(err, crypto.ErrWrongKey) {
			return false
		}
		if err != nil {
			t.Fatalf("Decrypt: %v", err)
		}
		if _, err := io.ReadAll(r); err != nil {
			t.Fatalf("Decrypt: %v", err)
		}
		return true
	}

	// Before the grant nothing of the object is for the colleague's key:
	// the download is refused rather than handed over undecryptable.
	if w := call("colleague@example.org", "GET", "/api/v1/objects/"+object, ""); w.Code != http.StatusForbidden {
		t.Fatalf("GET object as the colleague before the grant = %d, want 403", w.Code)
	}
	// The granter, who has registered no key, gets the desk's key packets.
	message := download("granter@example.org")
	var own bytes.Buffer
	ownPackets, err := crypto.SplitMessage(bytes.NewReader(message), &own, mustParse(t, g.Public))
	if err != nil {
		t.Fatal(err)
	}

	// What the granting investigator's browser does with OpenPGP.js.
	packet, err := crypto.WrapSessionKey(ownPackets, holder, colleagueKey)
	if err != nil {
		t.Fatal(err)
	}
	grantBody := func(email string, packet []byte) string {
		b, _ := json.Marshal(map[string]any{"email": email, "key_packet": packet})
		return string(b)
	}
	grantsPath := "/api/v1/objects/" + object + "/grants"

	// Refused: a packet for another key, garbage, two packets, no such
	// staff member, a grantee without a public key.
	wrongKey, err := crypto.WrapSessionKey(ownPackets, holder, mustParse(t, g.Public))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, body string
		want       int
	}{
		{"packet for another key", grantBody("colleague@example.org", wrongKey), 422},
		{"not a packet", grantBody("colleague@example.org", []byte("hello")), 422},
		{"two packets", grantBody("colleague@example.org", append(bytes.Clone(packet), packet...)), 422},
		{"packet and body", grantBody("colleague@example.org", append(bytes.Clone(packet), own.Bytes()[:100]...)), 422},
		{"unknown grantee", grantBody("nobody@example.org", packet), 404},
		{"grantee without a key", grantBody("nokey@example.org", packet), 422},
	} {
		if w := call("granter@example.org", "POST", grantsPath, tt.body); w.Code != tt.want {
			t.Errorf("grant with %s = %d, want %d\n%s", tt.name, w.Code, tt.want, w.Body)
		}
	}

	// Issue 15: the page offered a grant to oneself. Nobody grants to
	// themselves, not even with a packet for their own key.
	if w := call("colleague@example.org", "POST", grantsPath, grantBody("colleague@example.org", packet)); w.Code != http.StatusUnprocessableEntity ||
		!strings.Contains(w.Body.String(), "cannot grant access to yourself") {
		t.Errorf("a grant to oneself = %d, want 422\n%s", w.Code, w.Body)
	}

	if w := call("granter@example.org", "POST", grantsPath, grantBody("colleague@example.org", packet)); w.Code != http.StatusOK {
		t.Fatalf("grant = %d\n%s", w.Code, w.Body)
	}
	// The colleague's download now holds only the grant, then the body:
	// the colleague's key opens it, the desk's key packets stay out.
	message = download("colleague@example.org")
	if want := append(bytes.Clone(packet), own.Bytes()...); !bytes.Equal(message, want) {
		t.Error("the colleague's download is not the grant + body")
	}
	if !decrypts(message, colleaguePriv) {
		t.Error("the colleague cannot decrypt the granted object")
	}
	// The desk key that made the grant still reads the whole object, and
	// GnuPG reads it with the grant joined after the own key packets.
	if got := g.Decrypt(append(append(bytes.Clone(ownPackets), packet...), own.Bytes()...)); len(got) == 0 {
		t.Error("gpg cannot decrypt the object with the grant in it")
	}
	// Others' downloads are unchanged.
	if !bytes.Equal(download("granter@example.org"), append(bytes.Clone(ownPackets), own.Bytes()...)) {
		t.Error("the granter's download changed")
	}

	// Revoke: the packet is gone, and the answer says what stays read.
	w := call("granter@example.org", "DELETE", grantsPath+"/colleague@example.org", "")
	var resp struct {
		Revoked bool   `json:"revoked"`
		Note    string `json:"note"`
	}
	if w.Code != http.StatusOK || json.Unmarshal(w.Body.Bytes(), &resp) != nil || !resp.Revoked || !strings.Contains(resp.Note, "stays readable") {
		t.Fatalf("revoke = %d\n%s", w.Code, w.Body)
	}
	var n int64
	ts.db.Raw("SELECT count(*) FROM object_grants").Scan(&n)
	if n != 0 {
		t.Errorf("%d grants left after revoking", n)
	}
	if w := call("colleague@example.org", "GET", "/api/v1/objects/"+object, ""); w.Code != http.StatusForbidden {
		t.Errorf("the colleague's download after the revoke = %d, want 403", w.Code)
	}
	if w := call("granter@example.org", "DELETE", grantsPath+"/colleague@example.org", ""); w.Code != http.StatusNotFound {
		t.Errorf("second revoke = %d, want 404", w.Code)
	}

	// Once the granter registers their key (one of the desk's), their
	// download carries only the key packet for it.
	deskKey, err := ts.deps.Grants.SetKey(ctx, 0, "granter@example.org", g.Public)
	if err != nil {
		t.Fatal(err)
	}
	var body2 bytes.Buffer
	packets, err := crypto.SplitMessage(bytes.NewReader(download("granter@example.org")), &body2, deskKey)
	if err != nil {
		t.Fatalf("the granter's download is not a message to their key alone: %v", err)
	}
	if ids, _ := crypto.PKESKKeyIDs(packets); len(ids) != 1 {
		t.Errorf("the granter's download holds %d key packets, want 1", len(ids))
	}

	// The colleague's page says plainly that their key does not read the
	// tip and who can grant it, and offers no grant to themselves.
	var submission string
	ts.db.Raw("SELECT id FROM submissions").Scan(&submission)
	page := call("colleague@example.org", "GET", "/submissions/"+submission, "").Body.String()
	for _, want := range []string{"You cannot decrypt this tip with your key.", "<strong>granter@example.org</strong>"} {
		if !strings.Contains(page, want) {
			t.Errorf("the colleague's submission page lacks %q", want)
		}
	}
	if strings.Contains(page, `data-email="colleague@example.org"`) || strings.Contains(page, "(403)") {
		t.Error("the colleague's submission page offers a grant to themselves, or a bare status")
	}
	if page := call("granter@example.org", "GET", "/submissions/"+submission, "").Body.String(); strings.Contains(page, "cw-cannot-read") ||
		!strings.Contains(page, `data-email="colleague@example.org"`) {
		t.Error("the granter's page says they cannot read, or offers no grant to the colleague")
	}

	entries, err := ts.deps.Staff.Store.AuditEntries(ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	actions := map[string]int{}
	for _, e := range entries {
		actions[string(e.Record.Action)]++
	}
	if actions["grant.create"] != 1 || actions["grant.revoke"] != 1 || actions["user.set_key"] != 2 {
		t.Errorf("audit: %d grant.create, %d grant.revoke, %d user.set_key; want 1, 1, 2",
			actions["grant.create"], actions["grant.revoke"], actions["user.set_key"])
	}
}

func mustParse(t *testing.T, armored []byte) *crypto.PublicKey {
	t.Helper()
	k, err := crypto.ParsePublicKey(armored, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return k
}
