package intake_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tipline/tipline/crypto"
	"github.com/tipline/tipline/database"
	"github.com/tipline/tipline/intake"
)

// clock is a settable Now for a service.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// sendForm receives a no-JavaScript form with a retry token and commits it.
func sendForm(t *testing.T, svc *intake.Service, token string, numeric bool) (*intake.Receipt, error) {
	t.Helper()
	ctx := context.Background()
	sub, err := svc.BeginServerSubmission(ctx, intake.DefaultDeskSlug)
	if err != nil {
		t.Fatal(err)
	}
	if r, err := sub.ClaimRetry(ctx, token); r != nil || err != nil {
		sub.Abort(ctx)
		return r, err
	}
	sub.ChooseNumericCodename(numeric)
	sub.AddValue("narrative", "Relabelled boards.")
	return sub.Commit(ctx, intake.ZH)
}

func countSubmissions(t *testing.T, svc *intake.Service) int {
	t.Helper()
	subs, err := svc.Store.Submissions(context.Background(), "", 100)
	if err != nil {
		t.Fatal(err)
	}
	return len(subs)
}

// TestRetryToken: a form sent again with its retry token (the answer to
// the first was lost) gets the same codename, as many times as it is sent
// within RetryTTL, and never commits a second submission; after RetryTTL
// it is refused. A form whose first sending failed commits on the next.
func TestRetryToken(t *testing.T) {
	svc, _, _ := newTestService(t, database.SQLite)
	clk := &clock{now: time.Now()}
	svc.Now = clk.Now
	token := strings.Repeat("ab", crypto.RetryTokenSize)

	first, err := sendForm(t, svc, token, true)
	if err != nil || first == nil {
		t.Fatalf("first sending = %v", err)
	}
	if !first.Codename.Numeric() {
		t.Error("the codename chosen numeric is not")
	}
	for i, wait := range []time.Duration{time.Second, intake.RetryTTL / 2} {
		clk.add(wait)
		again, err := sendForm(t, svc, token, true)
		if err != nil || again == nil {
			t.Fatalf("retry %d = %v", i+1, err)
		}
		if again.Codename.Reveal() != first.Codename.Reveal() || again.SubmissionID != first.SubmissionID ||
			again.ReceivedDay != first.ReceivedDay || again.EncryptedBy != first.EncryptedBy {
			t.Errorf("retry %d gave another receipt", i+1)
		}
	}
	if n := countSubmissions(t, svc); n != 1 {
		t.Errorf("%d submissions after retries, want 1", n)
	}
	clk.add(intake.RetryTTL)
	if r, err := sendForm(t, svc, token, true); !errors.Is(err, intake.ErrRetryExpired) || r != nil {
		t.Errorf("retry after RetryTTL = %v, want ErrRetryExpired", err)
	}
	if n := countSubmissions(t, svc); n != 1 {
		t.Errorf("%d submissions after an expired retry, want 1", n)
	}

	// A sending that failed (answers to correct) leaves the token free.
	ctx := context.Background()
	other := strings.Repeat("cd", crypto.RetryTokenSize)
	sub, err := svc.BeginServerSubmission(ctx, intake.DefaultDeskSlug)
	if err != nil {
		t.Fatal(err)
	}
	if r, err := sub.ClaimRetry(ctx, other); r != nil || err != nil {
		t.Fatalf("claim = %v, %v", r, err)
	}
	sub.AddValue("incident_date", "not a date at all, nor anything like one")
	sub.Abort(ctx)
	if r, err := sendForm(t, svc, other, false); err != nil || r == nil || r.Codename.Numeric() {
		t.Fatalf("sending after a failed one = %v", err)
	}

	// No token, or a malformed one: an ordinary submission.
	for _, bad := range []string{"", "zz", strings.Repeat("00", crypto.RetryTokenSize)} {
		if r, err := sendForm(t, svc, bad, false); err != nil || r == nil {
			t.Errorf("token %q: %v", bad, err)
		}
	}
}

// TestRetryWhileCommitting: a retry that arrives while the first sending
// is still committing waits for it and gets its codename.
func TestRetryWhileCommitting(t *testing.T) {
	svc, _, _ := newTestService(t, database.SQLite)
	ctx := context.Background()
	token := strings.Repeat("ef", crypto.RetryTokenSize)
	sub, err := svc.BeginServerSubmission(ctx, intake.DefaultDeskSlug)
	if err != nil {
		t.Fatal(err)
	}
	if r, err := sub.ClaimRetry(ctx, token); r != nil || err != nil {
		t.Fatal(r, err)
	}
	sub.AddValue("narrative", "Relabelled boards.")
	got := make(chan *intake.Receipt, 1)
	go func() {
		r, err := sendForm(t, svc, token, false)
		if err != nil {
			t.Error(err)
		}
		got <- r
	}()
	first, err := sub.Commit(ctx, intake.EN)
	if err != nil {
		t.Fatal(err)
	}
	if again := <-got; again == nil || again.Codename.Reveal() != first.Codename.Reveal() {
		t.Error("the retry did not get the first sending's codename")
	}
	if n := countSubmissions(t, svc); n != 1 {
		t.Errorf("%d submissions, want 1", n)
	}
}

// TestCodenamePage: the sealed page of the "I have saved it" step opens
// only here, and checks the group asked for.
func TestCodenamePage(t *testing.T) {
	svc, _, _ := newTestService(t, database.SQLite)
	r, err := sendForm(t, svc, "", true)
	if err != nil {
		t.Fatal(err)
	}
	p := intake.NewCodenamePage(r)
	sealed, err := svc.SealCodenamePage(p)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(sealed, r.Codename.Groups()[0]) {
		t.Fatal("the sealed page shows the codename")
	}
	opened, err := svc.OpenCodenamePage(sealed)
	if err != nil || opened.Ask != p.Ask || opened.Receipt.Codename.Reveal() != r.Codename.Reveal() {
		t.Fatalf("OpenCodenamePage = %+v, %v", opened, err)
	}
	group := r.Codename.Groups()[p.Ask-1]
	fullWidth := strings.Map(func(r rune) rune { return r - '0' + '０' }, group)
	for typed, want := range map[string]bool{group: true, fullWidth: true, " " + group[:2] + "-" + group[2:]: true, "": false, group + "1": false} {
		if opened.Saved(typed) != want {
			t.Errorf("Saved(%q) = %v, want %v", typed, !want, want)
		}
	}
	for _, bad := range []string{"", "abc", sealed[:len(sealed)-2], sealed + "A"} {
		if _, err := svc.OpenCodenamePage(bad); !errors.Is(err, intake.ErrCodenamePage) {
			t.Errorf("OpenCodenamePage(%q) = %v", bad, err)
		}
	}
}

// TestNumericMailboxAndThread: a numeric codename logs in however it is
// typed; the source's own follow-up is in the thread with its day, and a
// message holding the codename comes back without it.
func TestNumericMailboxAndThread(t *testing.T) {
	svc, st, _ := newTestService(t, database.SQLite)
	ctx := context.Background()
	r, err := sendForm(t, svc, "", true)
	if err != nil {
		t.Fatal(err)
	}
	digits := strings.ReplaceAll(r.Codename.Reveal(), " ", "")
	fullWidth := strings.Map(func(r rune) rune { return r - '0' + '０' }, digits)
	typed := fullWidth[:12*3] + "－" + fullWidth[12*3:] // a full-width dash inside
	_, cookie, err := svc.OpenMailbox(ctx, typed)
	if err != nil {
		t.Fatalf("login with full-width digits: %v", err)
	}
	f, err := svc.BeginFollowUp(ctx, cookie)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Commit(ctx, "The boards left on Tuesday."); err != nil {
		t.Fatal(err)
	}
	box, err := svc.MailboxBySession(ctx, cookie)
	if err != nil {
		t.Fatal(err)
	}
	if len(box.Thread) != 1 || box.Thread[0].Author != intake.AuthorSource || box.Thread[0].Text != "The boards left on Tuesday." ||
		box.Thread[0].Day != svc.Now().UTC().Format(time.DateOnly) || box.ReceivedDay != r.ReceivedDay {
		t.Errorf("thread = %+v", box)
	}
	subs, err := st.Submissions(ctx, "", 10)
	if err != nil || len(subs) != 1 || subs[0].Lang != intake.ZH {
		t.Errorf("the submission's language = %+v, %v", subs, err)
	}

	grouped := strings.Join(strings.Split(r.Codename.Reveal(), " "), "-")
	for _, tc := range []struct{ text, want string }{
		{"my code is " + r.Codename.Reveal() + " ok", "my code is  ok"},
		{"code: " + fullWidth + ".", "code: ."},
		{grouped + "\nsee the ledger", "\nsee the ledger"},
		{"call 0123 4567 tomorrow", "call 0123 4567 tomorrow"},
	} {
		if got := intake.RemoveCodenames(tc.text); got != tc.want {
			t.Errorf("RemoveCodenames(%q) = %q, want %q", tc.text, got, tc.want)
		}
		if intake.ContainsCodename(tc.text) != (tc.text != tc.want) {
			t.Errorf("ContainsCodename(%q) disagrees with RemoveCodenames", tc.text)
		}
	}
}
