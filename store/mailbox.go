package store

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/intake"
)

var _ intake.MailboxStore = (*Store)(nil)

// optionalText stores an empty value as NULL.
func optionalText(b []byte) *string {
	if len(b) == 0 {
		return nil
	}
	s := string(b)
	return &s
}

func optionalBytes(s *string) []byte {
	if s == nil {
		return nil
	}
	return []byte(*s)
}

type mailboxRow struct {
	ID           string
	Slug         string
	Status       string
	ReceivedDay  string
	LookupKey    []byte
	ReplySalt    []byte
	ReplyPublic  *string
	ReplyPrivate *string
}

func (s *Store) mailboxEntry(ctx context.Context, where string, arg any) (intake.MailboxEntry, error) {
	var rows []mailboxRow
	err := s.db.WithContext(ctx).Table("submissions").
		Select("submissions.id, desks.slug, submissions.status, submissions.received_day, submissions.lookup_key, submissions.reply_salt, submissions.reply_public, submissions.reply_private").
		Joins("JOIN desks ON desks.id = submissions.desk_id").
		Where(where, arg).Limit(1).Scan(&rows).Error
	if err != nil {
		return intake.MailboxEntry{}, translate(err, "Submission")
	}
	if len(rows) == 0 {
		return intake.MailboxEntry{}, translate(gorm.ErrRecordNotFound, "Submission")
	}
	r := rows[0]
	e := intake.MailboxEntry{SubmissionID: r.ID, DeskSlug: r.Slug, Status: r.Status, ReceivedDay: dayOf(r.ReceivedDay), ReplySalt: r.ReplySalt,
		ReplyPublic: optionalBytes(r.ReplyPublic), ReplyPrivate: optionalBytes(r.ReplyPrivate)}
	copy(e.LookupKey[:], r.LookupKey)
	return e, nil
}

// MailboxByLookup implements intake.MailboxStore: one lookup through the
// unique index on lookup_key.
func (s *Store) MailboxByLookup(ctx context.Context, lookup [32]byte) (intake.MailboxEntry, error) {
	return s.mailboxEntry(ctx, "submissions.lookup_key = ?", lookup[:])
}

// MailboxByID implements intake.MailboxStore.
func (s *Store) MailboxByID(ctx context.Context, id string) (intake.MailboxEntry, error) {
	return s.mailboxEntry(ctx, "submissions.id = ?", id)
}

type authoredObjectRow struct {
	ID           string
	SubmissionID string
	Kind         string
	Position     int
	BlobKey      string
	KeyPackets   []byte
	BodySize     int64
	SHA256       []byte `gorm:"column:sha256"`
	Author       string
	Day          *string // migration 00018
}

func (authoredObjectRow) TableName() string { return "objects" }

// AddObjects implements intake.MailboxStore.
func (s *Store) AddObjects(ctx context.Context, submissionID string, objects []intake.Object, author string) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return addObjects(tx, submissionID, objects, author)
	})
}

// AddObjectsAudited implements casework.ReplyStore: AddObjects and the
// audit entry rec in one transaction.
func (s *Store) AddObjectsAudited(ctx context.Context, submissionID string, objects []intake.Object, author string, rec casework.AuditRecord) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := addObjects(tx, submissionID, objects, author); err != nil {
			return err
		}
		return s.appendAudit(tx, rec)
	})
}

// addObjects records objects of a committed submission inside tx, at the
// next free positions.
func addObjects(tx *gorm.DB, submissionID string, objects []intake.Object, author string) error {
	var n int64
	if err := tx.Model(&submissionRow{}).Where("id = ?", submissionID).Count(&n).Error; err != nil {
		return translate(err, "Submission")
	}
	if n == 0 {
		return translate(gorm.ErrRecordNotFound, "Submission")
	}
	var max *int
	if err := tx.Raw("SELECT MAX(position) FROM objects WHERE submission_id = ?", submissionID).Scan(&max).Error; err != nil {
		return translate(err, "Object")
	}
	pos := 0
	if max != nil {
		pos = *max + 1
	}
	for i, o := range objects {
		row := authoredObjectRow{ID: o.ID, SubmissionID: submissionID, Kind: o.Kind, Position: pos + i,
			BlobKey: o.BlobKey, KeyPackets: o.KeyPackets, BodySize: o.BodySize, SHA256: o.SHA256[:], Author: author, Day: optionalText([]byte(o.Day))}
		if err := tx.Create(&row).Error; err != nil {
			return translate(err, "Object")
		}
	}
	return nil
}

// ThreadMessages implements intake.MailboxStore.
func (s *Store) ThreadMessages(ctx context.Context, submissionID string) ([]intake.ThreadObject, error) {
	var rows []struct {
		ID, Kind, BlobKey, Author string
		Position                  int
		KeyPackets                []byte
		BodySize                  int64
		SHA256                    []byte `gorm:"column:sha256"`
		Day                       *string
		SubmissionDay             string
	}
	err := s.db.WithContext(ctx).Table("objects").
		Select("objects.id, objects.kind, objects.blob_key, objects.author, objects.position, objects.key_packets, "+
			"objects.body_size, objects.sha256, objects.day, submissions.received_day AS submission_day").
		Joins("JOIN submissions ON submissions.id = objects.submission_id").
		Where("objects.submission_id = ? AND objects.kind = ?", submissionID, intake.KindMessage).
		Order("objects.position").Scan(&rows).Error
	if err != nil {
		return nil, translate(err, "Object")
	}
	messages := make([]intake.ThreadObject, len(rows))
	for i, r := range rows {
		day := r.SubmissionDay
		if r.Day != nil {
			day = *r.Day
		}
		o := intake.Object{ID: r.ID, Kind: r.Kind, Position: r.Position, BlobKey: r.BlobKey, KeyPackets: r.KeyPackets,
			BodySize: r.BodySize, Day: dayOf(day)}
		copy(o.SHA256[:], r.SHA256)
		messages[i] = intake.ThreadObject{Object: o, Author: r.Author}
	}
	return messages, nil
}

type mailboxSessionRow struct {
	TokenHash    []byte `gorm:"primaryKey"`
	SubmissionID string
	ExpiresAt    int64
}

func (mailboxSessionRow) TableName() string { return "mailbox_sessions" }

// CreateMailboxSession implements intake.MailboxStore.
func (s *Store) CreateMailboxSession(ctx context.Context, tokenHash [32]byte, submissionID string, expires time.Time) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec("DELETE FROM mailbox_sessions WHERE expires_at < ?", time.Now().Unix()).Error; err != nil {
			return translate(err, "Mailbox session")
		}
		return translate(tx.Create(&mailboxSessionRow{TokenHash: tokenHash[:], SubmissionID: submissionID, ExpiresAt: expires.Unix()}).Error, "Mailbox session")
	})
}

// DeleteMailboxSession implements intake.MailboxStore.
func (s *Store) DeleteMailboxSession(ctx context.Context, tokenHash [32]byte) error {
	return translate(s.db.WithContext(ctx).Exec("DELETE FROM mailbox_sessions WHERE token_hash = ?", tokenHash[:]).Error, "Mailbox session")
}

// MailboxSession implements intake.MailboxStore.
func (s *Store) MailboxSession(ctx context.Context, tokenHash [32]byte, now time.Time) (string, error) {
	var row mailboxSessionRow
	err := s.db.WithContext(ctx).Where("token_hash = ? AND expires_at > ?", tokenHash[:], now.Unix()).Take(&row).Error
	return row.SubmissionID, translate(err, "Mailbox session")
}

// RateCount implements intake.MailboxStore.
func (s *Store) RateCount(ctx context.Context, bucket string, windowStart int64) (int, error) {
	var n *int
	err := s.db.WithContext(ctx).Raw("SELECT count FROM rate_limits WHERE bucket = ? AND window_start = ?", bucket, windowStart).Scan(&n).Error
	if err != nil || n == nil {
		return 0, translate(err, "Rate limit")
	}
	return *n, nil
}
