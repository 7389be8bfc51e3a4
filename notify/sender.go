package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/tipline/tipline/crypto"
)

// Mailer sends one plain-text mail.
type Mailer interface {
	Send(ctx context.Context, to, subject, body string) error
}

// Subject is the subject of every notice: the same for each, so that it
// tells nothing.
const Subject = "Tipline: news on your desks"

// SignatureHeader carries a webhook body's HMAC-SHA256 under the staff
// member's secret: "sha256=" and the hex digest.
const SignatureHeader = "X-Tipline-Signature"

// Retries of a failed notice: after retryBase, doubling up to retryMax
// between attempts; after maxAttempts it is dropped (and logged).
const (
	retryBase   = time.Minute
	retryMax    = time.Hour
	maxAttempts = 50
)

// tickEvery is how often Run looks for work.
const tickEvery = time.Minute

// Sender fans queued events out to the staff who asked for them, once an
// hour, and sends the notices. Run one sender per deployment.
type Sender struct {
	Store Store
	// Mail sends email; nil: email is off.
	Mail Mailer
	// HTTP posts to webhooks.
	HTTP   *http.Client
	Sealer *crypto.Sealer // of WebhookSealLabel
	// QueueURL is the link every notice carries; SettingsURL where the
	// staff member changes what they hear of.
	QueueURL, SettingsURL string
	// DigestHour is the UTC hour from which each day's digests go out,
	// with the news of the days before.
	DigestHour int
	Logger     *slog.Logger
	Now        func() time.Time

	hour    time.Time           // the hour of the last tick
	day     string              // the day of the last tick
	retryAt map[int64]time.Time // failed deliveries → their next attempt
}

// Run ticks every minute until ctx ends.
func (s *Sender) Run(ctx context.Context) {
	t := time.NewTicker(tickEvery)
	defer t.Stop()
	for {
		s.Tick(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Tick does what is due now: on a new day, queue the day's deadline
// reminders; on a new hour (not the first one seen), fan out the events
// queued in the hour before; then send what is owed, retrying failures
// after their back-off.
func (s *Sender) Tick(ctx context.Context) {
	now := s.Now().UTC()
	today := now.Format(time.DateOnly)
	if today != s.day {
		if err := s.newDay(ctx, now); err != nil {
			s.Logger.Warn("deadline reminders not queued; will try again", "err", err)
		} else {
			s.day = today
		}
	}
	hour := now.Truncate(time.Hour)
	if !s.hour.IsZero() && hour.After(s.hour) {
		if err := s.fanOut(ctx); err != nil {
			s.Logger.Warn("notices not fanned out; will try again", "err", err)
			return
		}
	}
	if hour.After(s.hour) {
		s.hour = hour
	}
	if err := s.send(ctx, now); err != nil {
		s.Logger.Warn("notices not sent; will try again", "err", err)
	}
}

// newDay queues a reminder for each desk with a deadline due soon, once a
// day, and forgets the events of days before yesterday.
func (s *Sender) newDay(ctx context.Context, now time.Time) error {
	today := now.Format(time.DateOnly)
	desks, err := s.Store.DesksWithDeadlinesDue(ctx, now.Add(deadlineHorizon).Format(time.DateOnly))
	if err != nil {
		return err
	}
	for _, d := range desks {
		if err := s.Store.QueueEventOnce(ctx, Event{Kind: KindDeadlineDue, Desk: d, Day: today}); err != nil {
			return err
		}
	}
	return s.Store.PruneEvents(ctx, now.AddDate(0, 0, -1).Format(time.DateOnly))
}

// fanOut turns the events waiting into deliveries for each subscriber who
// asked for them and works their desk, on each of their channels.
func (s *Sender) fanOut(ctx context.Context) error {
	events, err := s.Store.PendingEvents(ctx)
	if err != nil || len(events) == 0 {
		return err
	}
	subs, err := s.Store.Subscribers(ctx)
	if err != nil {
		return err
	}
	var deliveries []Delivery
	for _, e := range events {
		for _, sub := range subs {
			if !sub.Settings.Wants(e.Kind) || !sub.sees(e.Desk) {
				continue
			}
			for _, ch := range s.channels(sub) {
				deliveries = append(deliveries, Delivery{UserID: sub.Settings.UserID, Channel: ch,
					Kind: e.Kind, Desk: e.Desk, Day: e.Day, Digest: sub.Settings.Digest})
			}
		}
	}
	return s.Store.FanOut(ctx, events, deliveries)
}

// channels are the channels a subscriber is reached on now.
func (s *Sender) channels(sub Subscriber) []Channel {
	var chs []Channel
	if sub.Settings.ByEmail && s.Mail != nil {
		chs = append(chs, ChannelEmail)
	}
	if len(sub.SealedWebhook) > 0 {
		chs = append(chs, ChannelWebhook)
	}
	return chs
}

// send sends the deliveries owed now: one mail per staff member and kind of
// batch (hourly or digest) listing every notice, one POST per notice to a
// webhook.
func (s *Sender) send(ctx context.Context, now time.Time) error {
	digestsBefore := ""
	if now.Hour() >= s.DigestHour {
		digestsBefore = now.Format(time.DateOnly)
	}
	all, err := s.Store.Deliveries(ctx, digestsBefore)
	if err != nil || len(all) == 0 {
		return err
	}
	subs, err := s.Store.Subscribers(ctx)
	if err != nil {
		return err
	}
	byUser := map[int64]Subscriber{}
	for _, sub := range subs {
		byUser[sub.Settings.UserID] = sub
	}
	type batch struct {
		user   int64
		digest bool
	}
	mails := map[batch][]Delivery{}
	var dropped []int64
	for _, d := range all {
		if t, ok := s.retryAt[d.ID]; ok && now.Before(t) {
			continue
		}
		sub, ok := byUser[d.UserID]
		if !ok || !slices.Contains(s.channels(sub), d.Channel) { // settings changed since
			dropped = append(dropped, d.ID)
			continue
		}
		switch d.Channel {
		case ChannelEmail:
			b := batch{d.UserID, d.Digest}
			mails[b] = append(mails[b], d)
		case ChannelWebhook:
			s.settle(ctx, now, []Delivery{d}, s.post(ctx, sub, d))
		}
	}
	for b, ds := range mails {
		s.settle(ctx, now, ds, s.Mail.Send(ctx, byUser[b.user].Email, Subject, s.mailBody(ds)))
	}
	if len(dropped) > 0 {
		return s.Store.Delivered(ctx, dropped)
	}
	return nil
}

// settle records the outcome of sending ds: removed when sent, retried
// later when not, dropped after maxAttempts. Errors are logged without
// any content (there is none to log).
func (s *Sender) settle(ctx context.Context, now time.Time, ds []Delivery, err error) {
	ids := make([]int64, len(ds))
	for i, d := range ds {
		ids[i] = d.ID
	}
	if err == nil {
		for _, id := range ids {
			delete(s.retryAt, id)
		}
		if err := s.Store.Delivered(ctx, ids); err != nil {
			s.Logger.Warn("sent notices not marked as sent; they may be sent again", "err", err)
		}
		return
	}
	attempts := ds[0].Attempts + 1
	if attempts >= maxAttempts {
		s.Logger.Error("a notice could not be sent and was dropped", "channel", string(ds[0].Channel), "attempts", attempts, "err", err)
		if err := s.Store.Delivered(ctx, ids); err != nil {
			s.Logger.Warn("dropped notices not removed", "err", err)
		}
		return
	}
	wait := retryBase << min(attempts-1, 10)
	s.Logger.Warn("a notice could not be sent; will retry", "channel", string(ds[0].Channel), "attempts", attempts,
		"retry_in", min(wait, retryMax).String(), "err", err)
	if s.retryAt == nil {
		s.retryAt = map[int64]time.Time{}
	}
	for _, id := range ids {
		s.retryAt[id] = now.Add(min(wait, retryMax))
	}
	if err := s.Store.DeliveryFailed(ctx, ids); err != nil {
		s.Logger.Warn("a failed attempt not counted", "err", err)
	}
}

// Line is what a notice says of one kind of news on one desk, and all it
// ever says.
func Line(k Kind, desk string) string {
	switch k {
	case KindNewTip:
		return "A new tip on desk " + desk
	case KindSourceMessage:
		return "A message from a source on desk " + desk
	default:
		return "A deadline due soon on desk " + desk
	}
}

// mailBody lists each kind of news once per desk, and the two links.
func (s *Sender) mailBody(ds []Delivery) string {
	var lines []string
	for _, k := range Kinds {
		for _, d := range ds {
			if line := "- " + Line(k, d.Desk); d.Kind == k && !slices.Contains(lines, line) {
				lines = append(lines, line)
			}
		}
	}
	return "There is news on your desks:\n\n" + strings.Join(lines, "\n") +
		"\n\nOpen the queue: " + s.QueueURL +
		"\n\nYou receive this because of your notification settings: " + s.SettingsURL + "\n"
}

// webhookBody is all a webhook receives.
type webhookBody struct {
	Event Kind   `json:"event"`
	Desk  string `json:"desk"`
	Link  string `json:"link"`
}

// post sends one notice to a subscriber's webhook, signed when they set a
// secret.
func (s *Sender) post(ctx context.Context, sub Subscriber, d Delivery) error {
	hook, err := openWebhook(s.Sealer, sub.Settings.UserID, sub.SealedWebhook)
	if err != nil {
		return err
	}
	body, err := json.Marshal(webhookBody{Event: d.Kind, Desk: d.Desk, Link: s.QueueURL})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, hook.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Tipline")
	if hook.Secret != "" {
		req.Header.Set(SignatureHeader, Signature([]byte(hook.Secret), body))
	}
	res, err := s.HTTP.Do(req)
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		return fmt.Errorf("webhook: %w", urlErr.Err) // the address may be a credential: never logged
	}
	if err != nil {
		return err
	}
	res.Body.Close()
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("webhook answered %d", res.StatusCode)
	}
	return nil
}

// Signature is the value of SignatureHeader for body under secret.
func Signature(secret, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// NewWebhookClient returns the client that posts to webhooks: a timeout,
// and redirects are not followed (a redirect is a failure).
func NewWebhookClient() *http.Client {
	return &http.Client{
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
