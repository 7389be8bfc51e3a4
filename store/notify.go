package store

import (
	"context"
	"errors"

	"gorm.io/gorm"

	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/notify"
)

var _ notify.Store = (*Store)(nil)

// notifySettingsRow is one staff member's notification settings.
type notifySettingsRow struct {
	UserID    int64 `gorm:"primaryKey"`
	NewTips   bool
	Messages  bool
	Deadlines bool
	ByEmail   bool
	Digest    bool
	Webhook   []byte // sealed
}

func (notifySettingsRow) TableName() string { return "notify_settings" }

func (r notifySettingsRow) settings() notify.Settings {
	return notify.Settings{UserID: r.UserID, NewTips: r.NewTips, Messages: r.Messages, Deadlines: r.Deadlines,
		ByEmail: r.ByEmail, Digest: r.Digest}
}

// notifyDeliveryRow is one notice owed.
type notifyDeliveryRow struct {
	ID       int64 `gorm:"primaryKey"`
	UserID   int64
	Channel  string
	Kind     string
	DeskSlug string
	Day      string
	Digest   bool
	Attempts int
}

func (notifyDeliveryRow) TableName() string { return "notify_deliveries" }

// QueueEvent implements notify.Store.
func (s *Store) QueueEvent(ctx context.Context, e notify.Event) error {
	err := s.db.WithContext(ctx).Exec(`INSERT INTO notify_events (kind, desk_slug, day, fanned_out) VALUES (?, ?, ?, ?)
		ON CONFLICT (kind, desk_slug, day) DO UPDATE SET fanned_out = ?`, string(e.Kind), e.Desk, e.Day, false, false).Error
	return translate(err, "Notice")
}

// QueueEventOnce implements notify.Store.
func (s *Store) QueueEventOnce(ctx context.Context, e notify.Event) error {
	err := s.db.WithContext(ctx).Exec(`INSERT INTO notify_events (kind, desk_slug, day, fanned_out) VALUES (?, ?, ?, ?)
		ON CONFLICT (kind, desk_slug, day) DO NOTHING`, string(e.Kind), e.Desk, e.Day, false).Error
	return translate(err, "Notice")
}

// PendingEvents implements notify.Store.
func (s *Store) PendingEvents(ctx context.Context) ([]notify.Event, error) {
	var rows []struct{ Kind, DeskSlug, Day string }
	err := s.db.WithContext(ctx).Raw(`SELECT kind, desk_slug, day FROM notify_events WHERE fanned_out = ? ORDER BY day, kind, desk_slug`, false).
		Scan(&rows).Error
	if err != nil {
		return nil, translate(err, "Notice")
	}
	events := make([]notify.Event, len(rows))
	for i, r := range rows {
		events[i] = notify.Event{Kind: notify.Kind(r.Kind), Desk: r.DeskSlug, Day: dayOf(r.Day)}
	}
	return events, nil
}

// Subscribers implements notify.Store.
func (s *Store) Subscribers(ctx context.Context) ([]notify.Subscriber, error) {
	var subs []notify.Subscriber
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var rows []struct {
			UserID                                        int64
			NewTips, Messages, Deadlines, ByEmail, Digest bool
			Webhook                                       []byte
			Email, Role                                   string
		}
		err := tx.Raw(`SELECT n.user_id, n.new_tips, n.messages, n.deadlines, n.by_email, n.digest, n.webhook, u.email, u.role
			FROM notify_settings n JOIN users u ON u.id = n.user_id
			WHERE u.disabled = ? AND u.role IN (?, ?) AND (n.new_tips OR n.messages OR n.deadlines)
			AND (n.by_email OR n.webhook IS NOT NULL) ORDER BY u.id`,
			false, string(casework.RoleAdmin), string(casework.RoleInvestigator)).Scan(&rows).Error
		if err != nil {
			return translate(err, "Notification settings")
		}
		for _, r := range rows {
			sub := notify.Subscriber{Email: r.Email, SealedWebhook: r.Webhook, Settings: notify.Settings{UserID: r.UserID,
				NewTips: r.NewTips, Messages: r.Messages, Deadlines: r.Deadlines, ByEmail: r.ByEmail, Digest: r.Digest}}
			if r.Role != string(casework.RoleAdmin) {
				desks, err := userDesks(tx, r.UserID)
				if err != nil {
					return err
				}
				sub.Desks = append([]string{}, desks...) // not nil: none is none
			}
			subs = append(subs, sub)
		}
		return nil
	})
	return subs, err
}

// FanOut implements notify.Store.
func (s *Store) FanOut(ctx context.Context, events []notify.Event, deliveries []notify.Delivery) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, d := range deliveries {
			err := tx.Exec(`INSERT INTO notify_deliveries (user_id, channel, kind, desk_slug, day, digest) VALUES (?, ?, ?, ?, ?, ?)
				ON CONFLICT (user_id, channel, kind, desk_slug, day, digest) DO NOTHING`,
				d.UserID, string(d.Channel), string(d.Kind), d.Desk, d.Day, d.Digest).Error
			if err != nil {
				return translate(err, "Notice")
			}
		}
		for _, e := range events {
			err := tx.Exec(`UPDATE notify_events SET fanned_out = ? WHERE kind = ? AND desk_slug = ? AND day = ?`,
				true, string(e.Kind), e.Desk, e.Day).Error
			if err != nil {
				return translate(err, "Notice")
			}
		}
		return nil
	})
}

// Deliveries implements notify.Store.
func (s *Store) Deliveries(ctx context.Context, digestsBefore string) ([]notify.Delivery, error) {
	var rows []notifyDeliveryRow
	q := s.db.WithContext(ctx).Where("digest = ?", false)
	if digestsBefore != "" {
		q = q.Or("digest = ? AND day < ?", true, digestsBefore)
	}
	if err := q.Order("id").Find(&rows).Error; err != nil {
		return nil, translate(err, "Notice")
	}
	ds := make([]notify.Delivery, len(rows))
	for i, r := range rows {
		ds[i] = notify.Delivery{ID: r.ID, UserID: r.UserID, Channel: notify.Channel(r.Channel), Kind: notify.Kind(r.Kind),
			Desk: r.DeskSlug, Day: dayOf(r.Day), Digest: r.Digest, Attempts: r.Attempts}
	}
	return ds, nil
}

// Delivered implements notify.Store.
func (s *Store) Delivered(ctx context.Context, ids []int64) error {
	return translate(s.db.WithContext(ctx).Exec("DELETE FROM notify_deliveries WHERE id IN ?", ids).Error, "Notice")
}

// DeliveryFailed implements notify.Store.
func (s *Store) DeliveryFailed(ctx context.Context, ids []int64) error {
	return translate(s.db.WithContext(ctx).Exec("UPDATE notify_deliveries SET attempts = attempts + 1 WHERE id IN ?", ids).Error, "Notice")
}

// PruneEvents implements notify.Store.
func (s *Store) PruneEvents(ctx context.Context, day string) error {
	err := s.db.WithContext(ctx).Exec("DELETE FROM notify_events WHERE fanned_out = ? AND day < ?", true, day).Error
	return translate(err, "Notice")
}

// DesksWithDeadlinesDue implements notify.Store.
func (s *Store) DesksWithDeadlinesDue(ctx context.Context, day string) ([]string, error) {
	var desks []string
	err := s.db.WithContext(ctx).Raw(`SELECT DISTINCT desks.slug FROM deadlines d
		JOIN submissions ON submissions.id = d.submission_id JOIN desks ON desks.id = submissions.desk_id
		WHERE d.met_day IS NULL AND d.due_day <= ? ORDER BY desks.slug`, day).Scan(&desks).Error
	return desks, translate(err, "Deadline")
}

// NotifySettings implements notify.Store.
func (s *Store) NotifySettings(ctx context.Context, userID int64) (notify.Settings, []byte, error) {
	var row notifySettingsRow
	err := s.db.WithContext(ctx).Where("user_id = ?", userID).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return notify.Settings{UserID: userID}, nil, nil
	}
	if err != nil {
		return notify.Settings{}, nil, translate(err, "Notification settings")
	}
	return row.settings(), row.Webhook, nil
}

// SetNotifySettings implements notify.Store.
func (s *Store) SetNotifySettings(ctx context.Context, set notify.Settings, sealedWebhook []byte, rec casework.AuditRecord) error {
	var webhook any // NULL, not an empty value, when there is none
	if len(sealedWebhook) > 0 {
		webhook = sealedWebhook
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		err := tx.Exec(`INSERT INTO notify_settings (user_id, new_tips, messages, deadlines, by_email, digest, webhook)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET new_tips = excluded.new_tips,
			messages = excluded.messages, deadlines = excluded.deadlines, by_email = excluded.by_email,
			digest = excluded.digest, webhook = excluded.webhook`,
			set.UserID, set.NewTips, set.Messages, set.Deadlines, set.ByEmail, set.Digest, webhook).Error
		if err != nil {
			return translate(err, "Notification settings")
		}
		return s.appendAudit(tx, rec)
	})
}
