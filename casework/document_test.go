package casework_test

import (
	"bytes"
	"context"
	"io"
	"testing"
	"time"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/blob"
	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/crypto"
	"github.com/tipline/tipline/intake"
)

// testKey makes a key pair and returns the public key and the unlocked
// private key.
func testKey(t *testing.T, name string) (*crypto.PublicKey, *crypto.PrivateKey, []byte) {
	t.Helper()
	pub, priv, _, err := crypto.GenerateKey(name, "", []byte("pass"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	k, err := crypto.ParsePublicKey(pub, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	sk, err := crypto.ReadPrivateKey(priv, []byte("pass"))
	if err != nil {
		t.Fatal(err)
	}
	return k, sk, pub
}

func encryptTo(t *testing.T, plaintext []byte, keys ...*crypto.PublicKey) []byte {
	t.Helper()
	var b bytes.Buffer
	w, err := crypto.Encrypt(&b, keys...)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(plaintext)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestCaseDocuments: an investigator of the desk adds a document encrypted
// to the desk's keys; it is listed with its encrypted meta and downloads as
// a message the desk's key opens. Anything not to exactly the desk's keys
// is refused and leaves nothing behind; other desks and roles are kept out.
func TestCaseDocuments(t *testing.T) {
	f := newCaseFixture(t)
	ctx := context.Background()
	deskKey, deskPriv, _ := testKey(t, "Desk")
	otherKey, _, otherArmored := testKey(t, "Someone else")
	blobs, err := blob.OpenDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	grants := &casework.Grants{Store: f.st, Now: time.Now}
	docs := &casework.Documents{Cases: f.cases, Grants: grants, Store: f.st, Blobs: blobs,
		Recipients: func(context.Context, string) ([]*crypto.PublicKey, error) { return []*crypto.PublicKey{deskKey}, nil }}
	c, err := f.cases.Create(ctx, f.who["investigator"], casework.NewCase{Desk: intake.DefaultDeskSlug, Title: "Forwarder", Submissions: []string{f.subs[0]}})
	if err != nil {
		t.Fatal(err)
	}
	content := []byte("Interview notes: the forwarder relabels H20 boards as routers.")
	meta := encryptTo(t, []byte(`{"name":"interview.txt","type":"text/plain"}`), deskKey)
	body := encryptTo(t, content, deskKey)

	for _, tt := range []struct {
		name       string
		who        string
		meta, body []byte
		want       tipline.Code
	}{
		{"admin", "admin", meta, body, tipline.Forbidden},
		{"counsel", "counsel", meta, body, tipline.Forbidden},
		{"other desk", "other-desk", meta, body, tipline.NotFound},
		{"body to another key", "investigator", meta, encryptTo(t, content, otherKey), tipline.Invalid},
		{"body to more keys", "investigator", meta, encryptTo(t, content, deskKey, otherKey), tipline.Invalid},
		{"plaintext body", "investigator", meta, content, tipline.Invalid},
		{"meta to another key", "investigator", encryptTo(t, []byte(`{}`), otherKey), body, tipline.Invalid},
		{"no meta", "investigator", nil, body, tipline.Invalid},
	} {
		if _, err := docs.Add(ctx, f.who[tt.who], c.ID, tt.meta, bytes.NewReader(tt.body)); code(err) != tt.want {
			t.Errorf("%s: %v, want %s", tt.name, err, tt.want)
		}
	}
	if left, _ := blobs.List(ctx, ""); len(left) != 0 {
		t.Fatalf("refused documents left %d blobs", len(left))
	}

	d, err := docs.Add(ctx, f.who["colleague"], c.ID, meta, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	list, err := docs.List(ctx, f.who["admin"], c.ID)
	if err != nil || len(list) != 1 || list[0].ID != d.ID || list[0].Author != "colleague@example.org" || list[0].Size == 0 {
		t.Fatalf("List = %+v, %v", list, err)
	}
	plain, err := crypto.Decrypt(bytes.NewReader(list[0].Meta), deskPriv)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(plain); !bytes.Contains(b, []byte("interview.txt")) {
		t.Errorf("meta decrypts to %q", b)
	}
	if _, err := docs.List(ctx, f.who["other-desk"], c.ID); code(err) != tipline.NotFound {
		t.Errorf("other desk listing: %v", err)
	}

	r, caseID, err := docs.Open(ctx, f.who["investigator"], d.ID)
	if err != nil || caseID != c.ID {
		t.Fatalf("Open = %q, %v", caseID, err)
	}
	message, _ := io.ReadAll(r)
	r.Close()
	if !bytes.Equal(message, body) {
		t.Error("the download differs from the upload")
	}
	if _, _, err := docs.Open(ctx, f.who["other-desk"], d.ID); code(err) != tipline.NotFound {
		t.Errorf("other desk opening: %v", err)
	}
	if _, _, err := docs.Open(ctx, f.who["investigator"], "nosuchdocument"); code(err) != tipline.NotFound {
		t.Errorf("unknown document: %v", err)
	}
	// A registered key that is not among the recipients opens nothing.
	if _, err := grants.SetKey(ctx, 0, "colleague@example.org", otherArmored); err != nil {
		t.Fatal(err)
	}
	if _, _, err := docs.Open(ctx, f.who["colleague"], d.ID); code(err) != tipline.Forbidden {
		t.Errorf("opening with a key that is no recipient: %v", err)
	}

	entries, err := f.st.AuditEntries(ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	added := 0
	for _, e := range entries {
		if e.Record.Action == "case.document.add" {
			added++
		}
	}
	if added != 1 {
		t.Errorf("%d case.document.add entries in the audit log, want 1", added)
	}
}
