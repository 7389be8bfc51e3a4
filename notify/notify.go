// Package notify tells staff that something waits for them — a new tip on
// one of their desks, a message from a source, a deadline due soon —
// without telling anyone anything about it. A notice says at most "a new
// tip on desk X" and links to the queue: no names, no content, no ids, no
// time finer than the hour it is sent in (or the day, with a digest).
//
// Intake only queues an event (kind, desk, UTC day) after its commit; it
// never waits for a mail server. A Sender fans events out once an hour to
// the staff who asked for them and sends them by email (SMTP) or to a
// webhook, retrying what fails.
package notify

import (
	"context"
	"time"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/casework"
)

// Kind is what a notice is about.
type Kind string

// The kinds of notice.
const (
	KindNewTip        Kind = "new_tip"
	KindSourceMessage Kind = "source_message"
	KindDeadlineDue   Kind = "deadline_due"
)

// Kinds lists every kind, in the order notices list them.
var Kinds = []Kind{KindNewTip, KindSourceMessage, KindDeadlineDue}

// Channel is how a notice reaches a staff member.
type Channel string

// The channels.
const (
	ChannelEmail   Channel = "email"
	ChannelWebhook Channel = "webhook"
)

// ActionSettings is the audit action of a staff member changing their
// notification settings.
const ActionSettings casework.AuditAction = "notify.settings"

// deadlineHorizon is how far ahead a deadline counts as due soon.
const deadlineHorizon = 2 * 24 * time.Hour

// Event is something to tell the staff of a desk, on a UTC day
// (YYYY-MM-DD). It never names a submission.
type Event struct {
	Kind Kind
	Desk string
	Day  string
}

// Settings are one staff member's choices.
type Settings struct {
	UserID int64
	// What to hear of.
	NewTips, Messages, Deadlines bool
	// ByEmail sends notices to the staff member's login address.
	ByEmail bool
	// Digest sends one notice a day instead of one at the end of each
	// hour with news.
	Digest bool
	// Webhook receives a POST for each notice; empty: none.
	Webhook Webhook
}

// Wants reports whether the settings ask for notices of kind k.
func (s Settings) Wants(k Kind) bool {
	switch k {
	case KindNewTip:
		return s.NewTips
	case KindSourceMessage:
		return s.Messages
	case KindDeadlineDue:
		return s.Deadlines
	}
	return false
}

// Webhook is where a staff member's notices are posted, and the secret
// that signs them (optional).
type Webhook struct {
	URL    string `json:"url"`
	Secret string `json:"secret,omitempty"`
}

// Subscriber is a staff member who may hear of a desk's news: an
// investigator of the desk, or an admin.
type Subscriber struct {
	Settings Settings
	Email    string
	// Desks the subscriber works; nil: all (an admin).
	Desks []string
	// SealedWebhook is the webhook as stored (nil: none); the sender
	// opens it when it posts.
	SealedWebhook []byte
}

// sees reports whether the subscriber works desk.
func (s Subscriber) sees(desk string) bool {
	if s.Desks == nil {
		return true
	}
	for _, d := range s.Desks {
		if d == desk {
			return true
		}
	}
	return false
}

// Delivery is one notice owed to one staff member on one channel.
type Delivery struct {
	ID      int64
	UserID  int64
	Channel Channel
	Kind    Kind
	Desk    string
	Day     string
	Digest  bool
	// Attempts counts the sends that failed.
	Attempts int
}

// Store keeps settings, queued events and deliveries.
type Store interface {
	// QueueEvent records e as waiting to be fanned out, again when an
	// event of the same kind, desk and day was fanned out already.
	QueueEvent(ctx context.Context, e Event) error
	// QueueEventOnce records e unless an event of the same kind, desk and
	// day exists, fanned out or not.
	QueueEventOnce(ctx context.Context, e Event) error
	// PendingEvents returns the events not yet fanned out.
	PendingEvents(ctx context.Context) ([]Event, error)
	// Subscribers returns the staff members, not disabled, admins and
	// investigators, whose settings ask for some notice on some channel.
	Subscribers(ctx context.Context) ([]Subscriber, error)
	// FanOut records deliveries (ignoring duplicates) and marks events as
	// fanned out, in one transaction.
	FanOut(ctx context.Context, events []Event, deliveries []Delivery) error
	// Deliveries returns the deliveries not yet sent: those owed at once,
	// and the digests of days before digestsBefore ("" for none).
	Deliveries(ctx context.Context, digestsBefore string) ([]Delivery, error)
	// Delivered removes sent deliveries.
	Delivered(ctx context.Context, ids []int64) error
	// DeliveryFailed counts a failed attempt of each delivery.
	DeliveryFailed(ctx context.Context, ids []int64) error
	// PruneEvents removes fanned-out events of days before day.
	PruneEvents(ctx context.Context, day string) error
	// DesksWithDeadlinesDue returns the desks with an open submission
	// deadline due on or before day.
	DesksWithDeadlinesDue(ctx context.Context, day string) ([]string, error)
	// NotifySettings returns a staff member's settings, with the webhook
	// still sealed; zero settings when they never chose.
	NotifySettings(ctx context.Context, userID int64) (Settings, []byte, error)
	// SetNotifySettings stores a staff member's settings with the webhook
	// sealed (nil: none) and appends rec to the audit log, in one
	// transaction.
	SetNotifySettings(ctx context.Context, s Settings, sealedWebhook []byte, rec casework.AuditRecord) error
}

// ErrBadWebhook refuses a webhook address that is not https (or http to
// this machine, for a local relay).
var ErrBadWebhook = tipline.Errorf(tipline.Invalid, "The webhook address must start with https:// (http:// only to this machine).")
