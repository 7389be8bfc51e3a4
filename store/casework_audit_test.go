package store_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/blob"
	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/crypto"
	"github.com/tipline/tipline/database"
	"github.com/tipline/tipline/database/dbtest"
	"github.com/tipline/tipline/intake"
	"github.com/tipline/tipline/store"
)

// refuseAudit makes the audit log refuse every new entry, as a full disk
// or a broken table would, with a trigger that raises on INSERT; the
// returned function lifts the refusal. The casework, entities and claims
// audit tests all use it.
func refuseAudit(tb testing.TB, db *database.DB) (allow func()) {
	tb.Helper()
	refuse := "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'audit log refused'); END"
	drop := "DROP TRIGGER refuse_audit"
	if db.Dialect == database.Postgres {
		if err := db.Exec(`CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit log refused'; END $$`).Error; err != nil {
			tb.Fatal(err)
		}
		refuse = "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION refuse_audit()"
		drop = "DROP TRIGGER refuse_audit ON audit_log"
	}
	if err := db.Exec(refuse).Error; err != nil {
		tb.Fatal(err)
	}
	return func() {
		tb.Helper()
		if err := db.Exec(drop).Error; err != nil {
			tb.Fatal(err)
		}
	}
}

// auditTestKey makes a key pair: the public key parsed and armored, and the
// unlocked private key.
func auditTestKey(tb testing.TB, name string) (*crypto.PublicKey, []byte, *crypto.PrivateKey) {
	tb.Helper()
	pub, priv, _, err := crypto.GenerateKey(name, "", []byte("pass"), time.Now())
	if err != nil {
		tb.Fatal(err)
	}
	k, err := crypto.ParsePublicKey(pub, time.Now())
	if err != nil {
		tb.Fatal(err)
	}
	sk, err := crypto.ReadPrivateKey(priv, []byte("pass"))
	if err != nil {
		tb.Fatal(err)
	}
	return k, pub, sk
}

// auditTestMessage encrypts plaintext to keys and returns the key packets
// and the encrypted body apart.
func auditTestMessage(tb testing.TB, plaintext string, keys ...*crypto.PublicKey) (packets, body []byte) {
	tb.Helper()
	var b bytes.Buffer
	w, packets, err := crypto.EncryptSplit(&b, keys...)
	if err != nil {
		tb.Fatal(err)
	}
	io.WriteString(w, plaintext)
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return packets, b.Bytes()
}

// openedBody is a body the fake object opener hands out; it tells whether
// it was closed.
type openedBody struct {
	io.Reader
	closed bool
}

func (b *openedBody) Close() error { b.closed = true; return nil }

// bodyOpener opens every object as a short body and keeps what it handed
// out, in place of the intake service.
type bodyOpener struct{ opened []*openedBody }

func (o *bodyOpener) OpenObject(_ context.Context, obj intake.Object) (io.ReadCloser, error) {
	b := &openedBody{Reader: io.MultiReader(bytes.NewReader(obj.KeyPackets), strings.NewReader("body"))}
	o.opened = append(o.opened, b)
	return b, nil
}

// replyMailbox stands in for the intake service: it has a reply key and
// records every reply as one staff object with the recorder it is given.
type replyMailbox struct{ key []byte }

func (m replyMailbox) ReplyKey(context.Context, string) ([]byte, error) { return m.key, nil }

func (m replyMailbox) AddReply(ctx context.Context, submissionID string, src io.Reader, record intake.ObjectRecorder) (intake.Object, error) {
	body, err := io.ReadAll(src)
	if err != nil {
		return intake.Object{}, err
	}
	o := intake.Object{ID: blob.NewKey(""), Kind: intake.KindMessage, BlobKey: "pending/reply", KeyPackets: []byte{1}, BodySize: int64(len(body))}
	if err := record(ctx, submissionID, []intake.Object{o}, intake.AuthorStaff); err != nil {
		return intake.Object{}, err
	}
	return o, nil
}

// TestCaseworkAuditRollsBack: every audited change of the casework
// services writes its audit entry in the change's transaction. When the
// audit log refuses entries (a trigger raising on INSERT), each change
// answers an error and leaves nothing behind: no triage update, no case,
// no case update, link or note, no document (nor its blob), no key, grant
// or revocation, no reply. Each audited view answers an error and hands
// out nothing. Once the log takes entries again, the same change goes
// through and the chain still verifies. On both dialects.
func TestCaseworkAuditRollsBack(t *testing.T) {
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			db := dbtest.Open(t, d)
			s := store.New(db)
			must := func(err error) {
				t.Helper()
				if err != nil {
					t.Fatal(err)
				}
			}
			who := map[string]casework.Principal{}
			for _, u := range []struct {
				name string
				role casework.Role
			}{{"ana", casework.RoleInvestigator}, {"ben", casework.RoleInvestigator}, {"cy", casework.RoleInvestigator}, {"aud", casework.RoleAuditor}} {
				email := u.name + "@example.org"
				var desks []string
				if u.role == casework.RoleInvestigator {
					desks = []string{intake.DefaultDeskSlug}
				}
				created, err := s.CreateUser(ctx, casework.User{Email: email, Role: u.role, PasswordHash: "x", TOTPSealed: []byte{1}, Desks: desks},
					casework.AuditRecord{At: time.Now(), Action: casework.ActionUserAdd, Target: email})
				must(err)
				who[u.name] = casework.Principal{UserID: created.ID, Email: email, Role: u.role, Desks: desks}
			}
			ana := who["ana"]
			deskKey, _, deskPriv := auditTestKey(t, "Desk")
			benKey, benArmored, _ := auditTestKey(t, "Ben")
			cyKey, cyArmored, _ := auditTestKey(t, "Cy")
			_, anaArmored, _ := auditTestKey(t, "Ana")

			packets, _ := auditTestMessage(t, "the tip", deskKey)
			sub := submission(intake.DefaultDeskSlug)
			sub.Objects[0].KeyPackets = packets
			object := sub.Objects[0].ID
			_, err := s.Commit(ctx, sub, func(seq int64, _ [32]byte) []byte { return fmt.Appendf(nil, `{"seq":%d}`, seq) })
			must(err)

			blobs, err := blob.OpenDir(t.TempDir())
			must(err)
			opener := &bodyOpener{}
			triage := &casework.Triage{Store: s, Now: time.Now}
			cases := &casework.Cases{Store: s, Now: time.Now}
			grants := &casework.Grants{Store: s, Now: time.Now}
			docs := &casework.Documents{Cases: cases, Grants: grants, Store: s, Blobs: blobs,
				Recipients: func(context.Context, string) ([]*crypto.PublicKey, error) { return []*crypto.PublicKey{deskKey}, nil }}
			objects := &casework.Objects{Triage: triage, Grants: grants, Store: s, Bodies: opener, Now: time.Now}
			replies := &casework.Replies{Triage: triage, Mailbox: replyMailbox{key: []byte("reply key")}, Store: s, Now: time.Now}
			staff := casework.NewStaff(s, crypto.NewPepper(), slog.New(slog.DiscardHandler))

			// What the changes below would touch, made while the log
			// takes entries.
			kept, err := cases.Create(ctx, ana, casework.NewCase{Desk: intake.DefaultDeskSlug, Title: "Kept"})
			must(err)
			for email, armored := range map[string][]byte{"ben@example.org": benArmored, "cy@example.org": cyArmored} {
				_, err := grants.SetKey(ctx, 0, email, armored)
				must(err)
			}
			toBen, err := crypto.WrapSessionKey(packets, deskPriv, benKey)
			must(err)
			must(objects.Grant(ctx, ana, object, "ben@example.org", toBen))
			docPackets, docBody := auditTestMessage(t, "interview notes", deskKey)
			metaPackets, metaBody := auditTestMessage(t, `{"name":"notes.txt"}`, deskKey)
			doc, err := docs.Add(ctx, ana, kept.ID, append(metaPackets, metaBody...), bytes.NewReader(append(docPackets, docBody...)))
			must(err)

			// state is everything the changes could touch.
			state := func() string {
				t.Helper()
				var b strings.Builder
				detail, err := s.SubmissionDetail(ctx, sub.ID)
				must(err)
				fmt.Fprintf(&b, "submission %+v\n", detail)
				list, err := s.ListCases(ctx, casework.CaseQuery{Limit: 100})
				must(err)
				fmt.Fprintf(&b, "cases %+v\n", list)
				c, err := s.CaseDetail(ctx, kept.ID)
				must(err)
				fmt.Fprintf(&b, "case %+v\n", c)
				documents, err := s.CaseDocuments(ctx, kept.ID)
				must(err)
				fmt.Fprintf(&b, "documents %d\n", len(documents))
				g, err := s.SubmissionGrants(ctx, sub.ID)
				must(err)
				fmt.Fprintf(&b, "grants %+v\n", g)
				for _, email := range []string{"ana@example.org", "cy@example.org"} {
					_, armored, err := s.UserPublicKey(ctx, email)
					must(err)
					fmt.Fprintf(&b, "key of %s: %d bytes\n", email, len(armored))
				}
				objs, err := s.SubmissionObjects(ctx, sub.ID)
				must(err)
				fmt.Fprintf(&b, "objects %d\n", len(objs))
				infos, err := blobs.List(ctx, "")
				must(err)
				fmt.Fprintf(&b, "blobs %d\n", len(infos))
				entries, err := s.AuditEntries(ctx, 0, 10000)
				must(err)
				fmt.Fprintf(&b, "audit entries %d\n", len(entries))
				return b.String()
			}
			before := state()
			allow := refuseAudit(t, db)

			ack, prio, labels := casework.Acknowledged, 2, []string{"chips"}
			title, onHold := "Renamed", casework.CaseOnHold
			toCy, err := crypto.WrapSessionKey(packets, deskPriv, cyKey)
			must(err)
			newDocPackets, newDocBody := auditTestMessage(t, "more notes", deskKey)
			changes := []struct {
				name   string
				change func() error
			}{
				{"triage update", func() error {
					_, err := triage.Update(ctx, ana, sub.ID, casework.Change{Status: &ack, Priority: &prio, Labels: &labels})
					return err
				}},
				{"case create", func() error {
					_, err := cases.Create(ctx, ana, casework.NewCase{Desk: intake.DefaultDeskSlug, Title: "New", Submissions: []string{sub.ID}})
					return err
				}},
				{"case update", func() error {
					_, err := cases.Update(ctx, ana, kept.ID, casework.CaseChange{Title: &title, Status: &onHold})
					return err
				}},
				{"case link", func() error { _, err := cases.Link(ctx, ana, kept.ID, sub.ID); return err }},
				{"case note", func() error { _, err := cases.AddNote(ctx, ana, kept.ID, "Called the forwarder."); return err }},
				{"document add", func() error {
					_, err := docs.Add(ctx, ana, kept.ID, append(metaPackets, metaBody...), bytes.NewReader(append(newDocPackets, newDocBody...)))
					return err
				}},
				{"set key", func() error { _, err := grants.SetKey(ctx, 0, "ana@example.org", anaArmored); return err }},
				{"grant", func() error { return objects.Grant(ctx, ana, object, "cy@example.org", toCy) }},
				{"revoke", func() error { return objects.Revoke(ctx, ana, object, "ben@example.org") }},
				{"revoke all", func() error { _, err := objects.RevokeAll(ctx, ana, sub.ID, "ben@example.org"); return err }},
				{"reply", func() error { _, err := replies.Create(ctx, ana, sub.ID, strings.NewReader("reply")); return err }},
			}
			for _, tt := range changes {
				t.Run(tt.name, func(t *testing.T) {
					if err := tt.change(); tipline.ErrorCode(err) != tipline.Internal {
						t.Errorf("with the audit log refusing entries: %v, want an Internal error", err)
					}
					if after := state(); after != before {
						t.Errorf("the change stayed without its audit entry:\nbefore\n%s\nafter\n%s", before, after)
					}
				})
			}

			// Audited views hand out nothing.
			views := []struct {
				name string
				view func() (any, error)
			}{
				{"submission view", func() (any, error) { return triage.View(ctx, ana, sub.ID) }},
				{"case view", func() (any, error) { return cases.View(ctx, ana, kept.ID) }},
				{"case list", func() (any, error) { return cases.ViewList(ctx, ana, casework.CaseQuery{}) }},
				{"documents list", func() (any, error) { return docs.ViewList(ctx, ana, kept.ID) }},
				{"document download", func() (any, error) { r, _, err := docs.Open(ctx, ana, doc.ID); return r, err }},
				{"object download", func() (any, error) { return objects.Open(ctx, ana, object) }},
				{"reply key", func() (any, error) { return replies.Key(ctx, ana, sub.ID) }},
				{"audit log", func() (any, error) { return staff.ViewAuditLog(ctx, who["aud"], 0, 100, true) }},
			}
			for _, tt := range views {
				t.Run(tt.name, func(t *testing.T) {
					got, err := tt.view()
					if tipline.ErrorCode(err) != tipline.Internal {
						t.Errorf("with the audit log refusing entries: %v, want an Internal error", err)
					}
					if !isZero(got) {
						t.Errorf("handed out %+v without its audit entry", got)
					}
				})
			}
			if len(opener.opened) != 1 || !opener.opened[0].closed {
				t.Errorf("the object body opened for a refused download was not closed: %+v", opener.opened)
			}
			if after := state(); after != before {
				t.Errorf("a refused view changed something:\nbefore\n%s\nafter\n%s", before, after)
			}

			// The log takes entries again: the change goes through, with
			// its entry, and the chain holds.
			allow()
			if _, err := triage.Update(ctx, ana, sub.ID, casework.Change{Status: &ack}); err != nil {
				t.Fatal(err)
			}
			entries, err := s.AuditEntries(ctx, 0, 10000)
			must(err)
			if last := entries[len(entries)-1].Record; last.Action != casework.ActionSubmissionUpdate || last.Target != "submission:"+sub.ID || last.Actor != ana.UserID {
				t.Errorf("last audit entry = %+v", last)
			}
			if n, broken, err := casework.VerifyAuditLog(ctx, s); err != nil || n != int64(len(entries)) {
				t.Errorf("VerifyAuditLog = %d, %d, %v", n, broken, err)
			}
		})
	}
}

// isZero reports whether a view handed out nothing: a nil reader, slice or
// key, or a zero struct.
func isZero(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case io.ReadCloser:
		return false // a nil reader is a nil any
	case []byte:
		return v == nil
	case []casework.CaseSummary:
		return v == nil
	case []casework.Document:
		return v == nil
	case casework.SubmissionDetail:
		return v.ID == "" && v.Objects == nil
	case casework.CaseDetail:
		return v.ID == "" && v.Notes == nil
	case casework.AuditLog:
		return v.Entries == nil && !v.Checked
	}
	return false
}
