package intake_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/crypto"
	"github.com/tipline/tipline/database/dbtest"
	"github.com/tipline/tipline/intake"
)

// TestMailbox runs the two-way mailbox through the service on both
// dialects: the reply key made at commit, logins, replies and follow-ups.
func TestMailbox(t *testing.T) {
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			svc, st, deskKey := newTestService(t, d)
			pepper, params := svc.Pepper, svc.CodenameParams
			desk, _ := svc.Desks.Recipients(ctx, intake.DefaultDeskSlug)

			sub, err := svc.BeginServerSubmission(ctx, intake.DefaultDeskSlug)
			if err != nil {
				t.Fatal(err)
			}
			sub.AddValue("narrative", "Relabelled boards.")
			r, err := sub.Commit(ctx, intake.EN)
			if err != nil {
				t.Fatal(err)
			}

			// The reply key exists; its private half opens with the
			// codename's passphrase only.
			armored, err := svc.ReplyKey(ctx, r.SubmissionID)
			if err != nil {
				t.Fatal(err)
			}
			replyKey, err := crypto.ParsePublicKey(armored, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			e, err := st.MailboxByID(ctx, r.SubmissionID)
			if err != nil {
				t.Fatal(err)
			}
			kek := r.Codename.ReplyKeyKEK(pepper, e.ReplySalt, params)
			if _, err := crypto.ReadPrivateKey(e.ReplyPrivate, []byte(fmtHex(kek[:]))); err != nil {
				t.Errorf("reply key does not open with the codename's KEK: %v", err)
			}
			other, _ := crypto.NewCodename()
			kek = other.ReplyKeyKEK(pepper, e.ReplySalt, params)
			if _, err := crypto.ReadPrivateKey(e.ReplyPrivate, []byte(fmtHex(kek[:]))); !errors.Is(err, crypto.ErrWrongPassphrase) {
				t.Errorf("reply key with another codename: %v, want ErrWrongPassphrase", err)
			}
			if bytes.Contains(e.ReplyPrivate, []byte("PRIVATE KEY")) == false {
				t.Error("reply_private is not an armored private key")
			}

			// A wrong codename is refused and counted.
			if _, _, err := svc.OpenMailbox(ctx, other.Reveal()); !errors.Is(err, intake.ErrWrongCodename) {
				t.Errorf("wrong codename: %v", err)
			}
			window := time.Now().UTC().Truncate(time.Hour).Unix()
			if n, _ := st.RateCount(ctx, "codename-failures", window); n != 1 {
				t.Errorf("failures counted = %d, want 1", n)
			}

			// A reply to the desk and the reply key; one to the desk only
			// is refused.
			encrypt := func(text string, to ...*crypto.PublicKey) io.Reader {
				var b bytes.Buffer
				w, err := crypto.Encrypt(&b, to...)
				if err != nil {
					t.Fatal(err)
				}
				io.WriteString(w, text)
				w.Close()
				return &b
			}
			if _, err := svc.AddReply(ctx, r.SubmissionID, encrypt("We need the invoices.", append(desk, replyKey)...), nil); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.AddReply(ctx, r.SubmissionID, encrypt("desk only", desk...), nil); tipline.ErrorCode(err) != tipline.Invalid {
				t.Errorf("reply not to the reply key: %v, want Invalid", err)
			}

			box, token, err := svc.OpenMailbox(ctx, "  "+strings.ToUpper(r.Codename.Reveal())+" ")
			if err != nil {
				t.Fatal(err)
			}
			if !box.Unlocked || len(box.Replies) != 1 || box.Replies[0] != "We need the invoices." || box.Status != "new" || len(token) != 64 {
				t.Errorf("mailbox = %+v", box)
			}
			// With JavaScript, the browser gets the key still locked, its
			// passphrase and the replies as stored, and decrypts them.
			_, token2, m, err := svc.UnlockMailbox(ctx, r.Codename.Reveal())
			if err != nil || m == nil || len(token2) != 64 || len(m.Replies) != 1 {
				t.Fatalf("UnlockMailbox = %+v, %v", m, err)
			}
			if _, err := crypto.ReadPrivateKey(m.LockedKey, nil); err == nil {
				t.Error("the handed-over reply key is not locked")
			}
			replyPriv, err := crypto.ReadPrivateKey(m.LockedKey, m.Passphrase)
			if err != nil {
				t.Fatal(err)
			}
			plain, err := crypto.Decrypt(bytes.NewReader(m.Replies[0]), replyPriv)
			if err != nil {
				t.Fatal(err)
			}
			if b, _ := io.ReadAll(plain); string(b) != "We need the invoices." {
				t.Errorf("the handed-over reply decrypts to %q", b)
			}
			if _, _, _, err := svc.UnlockMailbox(ctx, other.Reveal()); !errors.Is(err, intake.ErrWrongCodename) {
				t.Errorf("UnlockMailbox with a wrong codename: %v", err)
			}
			later, err := svc.MailboxBySession(ctx, token)
			if err != nil || later.Unlocked || later.Replies != nil || later.SubmissionID != r.SubmissionID {
				t.Errorf("mailbox by session = %+v, %v", later, err)
			}
			if _, err := svc.MailboxBySession(ctx, strings.Repeat("0", 64)); !errors.Is(err, intake.ErrNoMailboxSession) {
				t.Errorf("unknown session: %v", err)
			}

			// Follow-ups: the codename is refused, anything else is stored
			// encrypted to the desk.
			followUp := func(text string) error {
				f, err := svc.BeginFollowUp(ctx, token)
				if err != nil {
					return err
				}
				return f.Commit(ctx, text)
			}
			if err := followUp("my codename is " + strings.ReplaceAll(r.Codename.Reveal(), " ", "-")); !errors.Is(err, intake.ErrCodenameInText) {
				t.Errorf("message with the codename: %v", err)
			}
			if err := followUp("  "); !errors.Is(err, intake.ErrEmptyMessage) {
				t.Errorf("empty follow-up: %v", err)
			}
			// A refused follow-up leaves none of its files behind.
			f, err := svc.BeginFollowUp(ctx, token)
			if err != nil {
				t.Fatal(err)
			}
			if err := f.AddFile(ctx, "ledger.csv", "text/csv", strings.NewReader("row 1")); err != nil {
				t.Fatal(err)
			}
			if err := f.Commit(ctx, "codename: "+r.Codename.Reveal()); !errors.Is(err, intake.ErrCodenameInText) {
				t.Errorf("follow-up with a file and the codename: %v", err)
			}
			if pending, _ := svc.Blobs.List(ctx, "pending/"); len(pending) != 0 {
				t.Errorf("%d pending blobs left by a refused follow-up", len(pending))
			}
			if err := followUp("The invoices are in the second shipment."); err != nil {
				t.Fatal(err)
			}
			objects, err := st.SubmissionObjects(ctx, r.SubmissionID)
			if err != nil {
				t.Fatal(err)
			}
			last := objects[len(objects)-1]
			if last.Kind != intake.KindMessage || !strings.HasPrefix(last.BlobKey, "objects/") {
				t.Fatalf("last object = %+v", last)
			}
			rc, _ := svc.OpenObject(ctx, last)
			plain, err = crypto.Decrypt(rc, deskKey)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(plain)
			rc.Close()
			if string(got) != "The invoices are in the second shipment." {
				t.Errorf("follow-up decrypts to %q", got)
			}

			// Files the source's browser encrypted: they come with their
			// encrypted manifest, to exactly the desk's keys.
			encrypted := func(parts func(f *intake.FollowUp) error) error {
				f, err := svc.BeginFollowUp(ctx, token)
				if err != nil {
					return err
				}
				if err := parts(f); err != nil {
					f.Abort(ctx)
					return err
				}
				return f.Commit(ctx, "")
			}
			if err := encrypted(func(f *intake.FollowUp) error {
				return f.AddEncryptedFile(ctx, encrypt("rows", desk...))
			}); tipline.ErrorCode(err) != tipline.Invalid {
				t.Errorf("encrypted file without its manifest: %v, want Invalid", err)
			}
			if err := encrypted(func(f *intake.FollowUp) error {
				return f.AddEncryptedFile(ctx, encrypt("rows", replyKey))
			}); tipline.ErrorCode(err) != tipline.Invalid {
				t.Errorf("encrypted file to another key: %v, want Invalid", err)
			}
			if err := encrypted(func(f *intake.FollowUp) error {
				if err := f.SetEncryptedManifest(ctx, encrypt(`{"files":[{"name":"a.csv"}]}`, desk...)); err != nil {
					return err
				}
				return f.AddEncryptedFile(ctx, encrypt("rows", desk...))
			}); err != nil {
				t.Fatalf("encrypted follow-up: %v", err)
			}
			if pending, _ := svc.Blobs.List(ctx, "pending/"); len(pending) != 0 {
				t.Errorf("%d pending blobs after the encrypted follow-ups", len(pending))
			}
			objects, _ = st.SubmissionObjects(ctx, r.SubmissionID)
			if n := len(objects); n < 2 || objects[n-2].Kind != intake.KindManifest || objects[n-1].Kind != intake.KindFile {
				t.Errorf("objects after an encrypted follow-up: %+v", objects)
			}

			// Past the limit, even the right codename is refused.
			defer func(n int) { intake.CodenameFailuresPerHour = n }(intake.CodenameFailuresPerHour)
			intake.CodenameFailuresPerHour = 2
			svc.OpenMailbox(ctx, other.Reveal())
			if _, _, err := svc.OpenMailbox(ctx, r.Codename.Reveal()); !errors.Is(err, intake.ErrTooManyFailures) {
				t.Errorf("login past the limit: %v", err)
			}
		})
	}
}

func TestContainsCodename(t *testing.T) {
	c, _ := crypto.NewCodename()
	words := strings.Fields(c.Reveal())
	for _, text := range []string{
		c.Reveal(),
		"see: " + strings.Join(words, "-") + ".",
		"Words\n" + strings.ToUpper(strings.Join(words, ",  ")),
		strings.Join(words[:3], "-") + " " + strings.Join(words[3:], " "),
	} {
		if !intake.ContainsCodename(text) {
			t.Errorf("%q: codename not found", text)
		}
	}
	for _, text := range []string{"", "The invoices are in the second shipment.", strings.Join(words[:6], " ")} {
		if intake.ContainsCodename(text) {
			t.Errorf("%q: found a codename", text)
		}
	}
}

func fmtHex(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}
