package intake_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/crypto"
	"github.com/tipline/tipline/database"
	"github.com/tipline/tipline/database/dbtest"
	"github.com/tipline/tipline/intake"
	"github.com/tipline/tipline/store"
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
			if !box.Unlocked || len(box.Thread) != 1 || box.Thread[0].Text != "We need the invoices." || box.Thread[0].Author != intake.AuthorStaff ||
				box.Thread[0].Day != r.ReceivedDay || box.Status != "new" || len(token) <= 64 || token[64] != '.' {
				t.Errorf("mailbox = %+v", box)
			}
			// With JavaScript, the browser gets the key still locked, its
			// passphrase and the replies as stored, and decrypts them.
			_, token2, m, err := svc.UnlockMailbox(ctx, r.Codename.Reveal())
			if err != nil || m == nil || len(token2) <= 64 || len(m.Thread) != 1 || m.Thread[0].Author != intake.AuthorStaff {
				t.Fatalf("UnlockMailbox = %+v, %v", m, err)
			}
			if _, err := crypto.ReadPrivateKey(m.LockedKey, nil); err == nil {
				t.Error("the handed-over reply key is not locked")
			}
			replyPriv, err := crypto.ReadPrivateKey(m.LockedKey, m.Passphrase)
			if err != nil {
				t.Fatal(err)
			}
			plain, err := crypto.Decrypt(bytes.NewReader(m.Thread[0].Message), replyPriv)
			if err != nil {
				t.Fatal(err)
			}
			if b, _ := io.ReadAll(plain); string(b) != "We need the invoices." {
				t.Errorf("the handed-over reply decrypts to %q", b)
			}
			if _, _, _, err := svc.UnlockMailbox(ctx, other.Reveal()); !errors.Is(err, intake.ErrWrongCodename) {
				t.Errorf("UnlockMailbox with a wrong codename: %v", err)
			}
			// The session's cookie holds the key to the thread, sealed: each
			// page of the session shows it. The token alone opens no thread.
			later, err := svc.MailboxBySession(ctx, token)
			if err != nil || !later.Unlocked || len(later.Thread) != 1 || later.SubmissionID != r.SubmissionID {
				t.Errorf("mailbox by session = %+v, %v", later, err)
			}
			bare, err := svc.MailboxBySession(ctx, token[:64])
			if err != nil || bare.Unlocked || bare.Thread != nil {
				t.Errorf("mailbox by the session token alone = %+v, %v", bare, err)
			}
			forged, err := svc.MailboxBySession(ctx, token[:64]+"."+token2[65:])
			if err != nil || forged.Unlocked {
				t.Errorf("mailbox by a session token with another session's key = %+v, %v", forged, err)
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
			// A refused follow-up leaves none of its files behind (the
			// committed blobs wait under pending/ for the janitor's batch).
			pendingBefore, _ := svc.Blobs.List(ctx, "pending/")
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
			if pending, _ := svc.Blobs.List(ctx, "pending/"); len(pending) != len(pendingBefore) {
				t.Errorf("%d pending blobs left by a refused follow-up", len(pending)-len(pendingBefore))
			}
			if err := followUp("The invoices are in the second shipment."); err != nil {
				t.Fatal(err)
			}
			objects, err := st.SubmissionObjects(ctx, r.SubmissionID)
			if err != nil {
				t.Fatal(err)
			}
			last := objects[len(objects)-1]
			if last.Kind != intake.KindMessage || last.BlobKey != "pending/"+last.ID {
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
			// Every pending blob left is a committed object's, waiting
			// for the janitor's batch.
			objects, _ = st.SubmissionObjects(ctx, r.SubmissionID)
			pending, _ := svc.Blobs.List(ctx, "pending/")
			for _, p := range pending {
				if !slices.ContainsFunc(objects, func(o intake.Object) bool { return o.BlobKey == p.Key }) {
					t.Errorf("pending blob %s after the encrypted follow-ups belongs to no object", p.Key)
				}
			}
			if n := len(objects); n < 2 || objects[n-2].Kind != intake.KindManifest || objects[n-1].Kind != intake.KindFile {
				t.Errorf("objects after an encrypted follow-up: %+v", objects)
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

// TestMailboxGuessing is the reproduction of issue 11's point 4: 30 wrong
// codenames locked every source out of the mailbox for up to an hour, one
// shared bucket checked before the codename. Now the codename is checked
// first and only failures are counted: after more wrong codenames than any
// old limit, the real one still logs in on both paths and reads the reply,
// and wrong ones are still refused and counted.
func TestMailboxGuessing(t *testing.T) {
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			svc, _, _ := newTestService(t, d)
			r := commitTip(t, svc)
			reply := "Which port did the boards leave from?"
			addReply(t, svc, r.SubmissionID, reply)

			const guesses = 40 // the old limit was 30 an hour
			for i := range guesses {
				wrong, _ := crypto.NewCodename()
				var err error
				if i%2 == 0 {
					_, _, err = svc.OpenMailbox(ctx, wrong.Reveal())
				} else {
					_, _, _, err = svc.UnlockMailbox(ctx, wrong.Reveal())
				}
				if !errors.Is(err, intake.ErrWrongCodename) || tipline.ErrorCode(err) != tipline.Forbidden {
					t.Fatalf("guess %d: %v, want ErrWrongCodename (Forbidden)", i, err)
				}
			}
			// Text that is no codename fails without a derivation, and
			// counts too.
			if _, _, err := svc.OpenMailbox(ctx, "not a codename"); !errors.Is(err, intake.ErrWrongCodename) {
				t.Errorf("text that is no codename: %v", err)
			}
			if n, err := svc.CodenameFailures(ctx); err != nil || n != guesses+1 {
				t.Errorf("failures counted = %d, %v; want %d", n, err, guesses+1)
			}

			box, token, err := svc.OpenMailbox(ctx, r.Codename.Reveal())
			if err != nil {
				t.Fatalf("the real codename after %d wrong ones: %v", guesses, err)
			}
			if len(token) <= 64 || len(box.Thread) != 1 || box.Thread[0].Text != reply {
				t.Errorf("mailbox = %+v", box)
			}
			_, _, m, err := svc.UnlockMailbox(ctx, r.Codename.Reveal())
			if err != nil || m == nil || len(m.Thread) != 1 {
				t.Fatalf("UnlockMailbox with the real codename after %d wrong ones = %+v, %v", guesses, m, err)
			}
			if n, _ := svc.CodenameFailures(ctx); n != guesses+1 {
				t.Errorf("failures after the real logins = %d, want %d", n, guesses+1)
			}
		})
	}
}

// TestCodenameDerivationSlots shows that codename derivations run in a
// bounded number of slots: the others wait in line, a login is refused
// (429, uncounted) only when the line is full, a submission being
// committed is never refused, and a waiter whose client left leaves the
// line. Slots are counted through the derivation hook, not by timing.
func TestCodenameDerivationSlots(t *testing.T) {
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			svc, _, _ := newTestService(t, d)
			svc.DerivationSlots, svc.DerivationLine = 2, 3
			r := commitTip(t, svc)

			var most atomic.Int32
			entered := make(chan struct{}, 64)
			release := make(chan struct{})
			intake.SetDerivationHook(t, func(running int) {
				for {
					m := most.Load()
					if int32(running) <= m || most.CompareAndSwap(m, int32(running)) {
						break
					}
				}
				entered <- struct{}{}
				<-release
			})
			waitFor := func(n int) {
				t.Helper()
				for svc.DerivationsWaiting() != n {
					runtime.Gosched()
				}
			}

			guess := func(ctx context.Context) error {
				wrong, _ := crypto.NewCodename()
				_, _, err := svc.OpenMailbox(ctx, wrong.Reveal())
				return err
			}
			errs := make(chan error, 8)
			for range 4 {
				go func() { errs <- guess(ctx) }()
			}
			<-entered
			<-entered
			waitFor(2)
			leaving, leave := context.WithCancel(ctx)
			left := make(chan error, 1)
			go func() { left <- guess(leaving) }()
			waitFor(3)

			// The line is full: a login is refused at once, uncounted.
			if err := guess(ctx); !errors.Is(err, intake.ErrMailboxBusy) || tipline.ErrorCode(err) != tipline.RateLimited {
				t.Errorf("a guess with the line full: %v, want ErrMailboxBusy", err)
			}
			if _, _, err := svc.OpenMailbox(ctx, r.Codename.Reveal()); !errors.Is(err, intake.ErrMailboxBusy) {
				t.Errorf("a login with the line full: %v, want ErrMailboxBusy", err)
			}
			// A submission being committed waits at the front instead.
			sub, err := svc.BeginServerSubmission(ctx, intake.DefaultDeskSlug)
			if err != nil {
				t.Fatal(err)
			}
			sub.AddValue("narrative", "Second tip.")
			committed := make(chan error, 1)
			go func() {
				_, err := sub.Commit(ctx, intake.EN)
				committed <- err
			}()
			waitFor(4)
			// A client that leaves leaves the line.
			leave()
			if err := <-left; !errors.Is(err, context.Canceled) || tipline.ErrorCode(err) != tipline.RateLimited {
				t.Errorf("a guess whose client left: %v, want RateLimited wrapping context.Canceled", err)
			}
			waitFor(3)
			if n, _ := svc.CodenameFailures(ctx); n != 0 {
				t.Errorf("failures counted before any check ended = %d", n)
			}

			close(release)
			for range 4 {
				if err := <-errs; !errors.Is(err, intake.ErrWrongCodename) {
					t.Errorf("a waiting guess: %v, want ErrWrongCodename", err)
				}
			}
			if err := <-committed; err != nil {
				t.Errorf("the submission that waited: %v", err)
			}
			if got := most.Load(); got != 2 {
				t.Errorf("at most %d derivations ran at once, want 2", got)
			}
			if n, _ := svc.CodenameFailures(ctx); n != 4 {
				t.Errorf("failures counted = %d, want 4", n)
			}
			if _, _, err := svc.OpenMailbox(ctx, r.Codename.Reveal()); err != nil {
				t.Errorf("the real codename once the line is free: %v", err)
			}
		})
	}
}

// commitTip commits a tip through the form path and returns its receipt.
func commitTip(t *testing.T, svc *intake.Service) *intake.Receipt {
	t.Helper()
	ctx := context.Background()
	sub, err := svc.BeginServerSubmission(ctx, intake.DefaultDeskSlug)
	if err != nil {
		t.Fatal(err)
	}
	sub.AddValue("narrative", "Relabelled boards.")
	r, err := sub.Commit(ctx, intake.EN)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// addReply stores a reply to a submission, encrypted to the desk's keys and
// the source's reply key, as an investigator's browser does.
func addReply(t *testing.T, svc *intake.Service, submissionID, text string) {
	t.Helper()
	ctx := context.Background()
	desk, err := svc.Desks.Recipients(ctx, intake.DefaultDeskSlug)
	if err != nil {
		t.Fatal(err)
	}
	armored, err := svc.ReplyKey(ctx, submissionID)
	if err != nil {
		t.Fatal(err)
	}
	replyKey, err := crypto.ParsePublicKey(armored, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	w, err := crypto.Encrypt(&b, append(desk, replyKey)...)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, text)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AddReply(ctx, submissionID, &b, nil); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkMailboxGuess measures one wrong codename login, the whole of an
// attacker's guess on the server, with crypto.DefaultCodenameParams on
// SQLite: the parse, the lookup derivation in its slot, the index lookup
// and the failure count. Serial, it gives the time of one guess; Parallel
// runs four clients per GOMAXPROCS against the default slots, so
// guesses/s is what one node answers at most (README "Under attack").
func BenchmarkMailboxGuess(b *testing.B) {
	st := store.New(dbtest.Open(b, database.SQLite))
	svc := &intake.Service{Store: st, Rates: st, Pepper: crypto.NewPepper(), CodenameParams: crypto.DefaultCodenameParams, Now: time.Now}
	ctx := context.Background()
	guess := func() {
		wrong, _ := crypto.NewCodename()
		if _, _, err := svc.OpenMailbox(ctx, wrong.Reveal()); !errors.Is(err, intake.ErrWrongCodename) {
			b.Fatal(err)
		}
	}
	b.Run("Serial", func(b *testing.B) {
		for b.Loop() {
			guess()
		}
	})
	b.Run("Parallel", func(b *testing.B) {
		b.SetParallelism(4) // more clients than slots, as in a flood
		start := time.Now()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				guess()
			}
		})
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "guesses/s")
	})
}

// TestMailboxSessionExpires: the session row keeps only the end of the UTC
// day, so the token's own expiry is what ends a session on time.
func TestMailboxSessionExpires(t *testing.T) {
	ctx := context.Background()
	svc, _, _ := newTestService(t, database.SQLite)
	now := time.Date(2026, 12, 6, 0, 10, 0, 0, time.UTC)
	svc.Now = func() time.Time { return now }
	sub, err := svc.BeginServerSubmission(ctx, intake.DefaultDeskSlug)
	if err != nil {
		t.Fatal(err)
	}
	sub.AddValue("narrative", "Relabelled boards.")
	r, err := sub.Commit(ctx, intake.EN)
	if err != nil {
		t.Fatal(err)
	}
	_, cookie, err := svc.OpenMailbox(ctx, r.Codename.Reveal())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.MailboxBySession(ctx, cookie); err != nil {
		t.Fatalf("a fresh session: %v", err)
	}
	now = now.Add(intake.MailboxSessionTTL)
	if _, err := svc.MailboxBySession(ctx, cookie); !errors.Is(err, intake.ErrNoMailboxSession) {
		t.Errorf("the session at its expiry, the same day: %v, want ErrNoMailboxSession", err)
	}
}
