package store

import (
	"context"
	"crypto/sha256"
	"time"

	"gorm.io/gorm"

	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/chain"
	"github.com/tipline/tipline/intake"
)

var _ intake.SubmissionStore = (*Store)(nil)

type submissionRow struct {
	ID          string
	DeskID      int64
	ReceivedDay string
	EncryptedBy string
	LookupKey   []byte
	ReplySalt   []byte
	Status      string
	// The source's reply key (migration 00008); nil for older rows.
	ReplyPublic  *string
	ReplyPrivate *string
	// Received above an hourly soft limit (migration 00016).
	Flood bool
	// The language of the source's pages (migration 00018).
	Lang string `gorm:"default:en"`
}

func (submissionRow) TableName() string { return "submissions" }

type objectRow struct {
	ID           string
	SubmissionID string
	Kind         string
	Position     int
	BlobKey      string
	KeyPackets   []byte
	BodySize     int64
	SHA256       []byte `gorm:"column:sha256"`
	// The UTC day it was recorded (migration 00018); nil for older rows.
	Day *string
}

func (objectRow) TableName() string { return "objects" }

type logRow struct {
	Seq          int64 `gorm:"primaryKey;autoIncrement:false"`
	SubmissionID string
	ReceivedDay  string
	Payload      string
	PrevHash     []byte
	EntryHash    []byte
}

func (logRow) TableName() string { return "intake_log" }

// Commit records a submission as CommitCounted does, counted in the hour
// it is committed in against no limits.
func (s *Store) Commit(ctx context.Context, sub intake.Submission, payload func(seq int64, prev [32]byte) []byte) (intake.LogEntry, error) {
	window := time.Now().UTC().Truncate(time.Hour).Unix()
	q := intake.Quota{Window: window, DeskBucket: "submissions:desk:" + sub.DeskSlug, TotalBucket: "submissions:all", BytesBucket: "bytes:committed"}
	entry, _, err := s.CommitCounted(ctx, sub, q, payload)
	return entry, err
}

// CommitCounted implements intake.SubmissionStore. The counting comes
// last, after the intake log's lock (see chainTail), so that concurrent
// commits take their counters in turn.
func (s *Store) CommitCounted(ctx context.Context, sub intake.Submission, q intake.Quota, payload func(seq int64, prev [32]byte) []byte) (intake.LogEntry, bool, error) {
	var entry intake.LogEntry
	var flood bool
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var desk deskRow
		if err := tx.Where("slug = ?", sub.DeskSlug).Take(&desk).Error; err != nil {
			return translate(err, "Desk "+sub.DeskSlug)
		}
		row := submissionRow{
			ID: sub.ID, DeskID: desk.ID, ReceivedDay: sub.ReceivedDay, EncryptedBy: sub.EncryptedBy,
			LookupKey: sub.LookupKey[:], ReplySalt: sub.ReplySalt, Status: "new", Lang: string(sub.Lang),
			ReplyPublic: optionalText(sub.ReplyPublic), ReplyPrivate: optionalText(sub.ReplyPrivate),
		}
		if err := tx.Create(&row).Error; err != nil {
			return translate(err, "Submission")
		}
		if err := insertReceivedDeadlines(tx, sub.ID, sub.ReceivedDay, casework.Policy{AckDays: desk.AckDays, FeedbackMonths: desk.FeedbackMonths}); err != nil {
			return err
		}
		for _, o := range sub.Objects {
			orow := objectRow{ID: o.ID, SubmissionID: sub.ID, Kind: o.Kind, Position: o.Position, BlobKey: o.BlobKey,
				KeyPackets: o.KeyPackets, BodySize: o.BodySize, SHA256: o.SHA256[:], Day: &sub.ReceivedDay}
			if err := tx.Create(&orow).Error; err != nil {
				return translate(err, "Object")
			}
		}
		seq, prev, err := s.chainTail(tx, "intake_log", "Intake log")
		if err != nil {
			return err
		}
		if err := numberSubmission(tx, sub.ID, desk.ID); err != nil {
			return err
		}
		p := payload(seq, prev)
		hash := sha256.Sum256(p)
		lrow := logRow{Seq: seq, SubmissionID: sub.ID, ReceivedDay: sub.ReceivedDay, Payload: string(p), PrevHash: prev[:], EntryHash: hash[:]}
		if err := tx.Create(&lrow).Error; err != nil {
			return translate(err, "Intake log entry")
		}
		if err := s.anchorHead(tx, chain.Intake, seq, prev, hash); err != nil {
			return err
		}
		entry = intake.LogEntry{Seq: seq, SubmissionID: sub.ID, ReceivedDay: sub.ReceivedDay, Payload: p, PrevHash: prev, EntryHash: hash}
		flood, err = s.countCommit(tx, sub, q)
		return err
	})
	return entry, flood, err
}

// countCommit counts a submission being committed in tx against q (see
// intake.SubmissionStore.CommitCounted) and flags its row when a count
// went over its soft limit.
func (s *Store) countCommit(tx *gorm.DB, sub intake.Submission, q intake.Quota) (bool, error) {
	var size int64
	keys := make([]string, len(sub.Objects))
	for i, o := range sub.Objects {
		size += o.BodySize + int64(len(o.KeyPackets))
		keys[i] = o.BlobKey
	}
	added, err := addRate(tx, q.BytesBucket, q.Window, size, q.CommittedBytesPerHour)
	if err != nil {
		return false, err
	}
	if !added {
		return false, intake.ErrStorageFull
	}
	flood := false
	for _, b := range []struct {
		bucket string
		limit  int
	}{{q.TotalBucket, q.TotalPerHour}, {q.DeskBucket, q.PerDeskPerHour}} {
		if _, err := addRate(tx, b.bucket, q.Window, 1, 0); err != nil {
			return false, err
		}
		n, err := countRate(tx, b.bucket, q.Window)
		if err != nil {
			return false, err
		}
		if b.limit > 0 && n > int64(b.limit) {
			flood = true
		}
	}
	if flood {
		if err := tx.Model(&submissionRow{}).Where("id = ?", sub.ID).Update("flood", true).Error; err != nil {
			return false, translate(err, "Submission")
		}
	}
	if len(keys) > 0 {
		if _, err := s.releasePending(tx, "blob_key IN ?", keys); err != nil {
			return false, err
		}
	}
	return flood, nil
}

// MoveObject implements intake.SubmissionStore.
func (s *Store) MoveObject(ctx context.Context, objectID, blobKey string) error {
	res := s.db.WithContext(ctx).Model(&objectRow{}).Where("id = ?", objectID).Update("blob_key", blobKey)
	if res.Error != nil {
		return translate(res.Error, "Object")
	}
	if res.RowsAffected == 0 {
		return translate(gorm.ErrRecordNotFound, "Object")
	}
	return nil
}

// ObjectCommitted implements intake.SubmissionStore.
func (s *Store) ObjectCommitted(ctx context.Context, objectID string) (string, bool, error) {
	var rows []objectRow
	if err := s.db.WithContext(ctx).Select("day").Where("id = ?", objectID).Limit(1).Find(&rows).Error; err != nil {
		return "", false, translate(err, "Object")
	}
	switch {
	case len(rows) == 0:
		return "", false, nil
	case rows[0].Day == nil:
		return "", true, nil
	}
	return *rows[0].Day, true, nil
}

type serverKeyRow struct {
	Name    string `gorm:"primaryKey"`
	Armored string
}

func (serverKeyRow) TableName() string { return "server_keys" }

var _ intake.LogStore = (*Store)(nil)

// ServerKey implements intake.LogStore.
func (s *Store) ServerKey(ctx context.Context, name string) (string, error) {
	var row serverKeyRow
	err := s.db.WithContext(ctx).Where("name = ?", name).Take(&row).Error
	return row.Armored, translate(err, "Server key "+name)
}

// AddServerKey implements intake.LogStore.
func (s *Store) AddServerKey(ctx context.Context, name, armored string) error {
	return translate(s.db.WithContext(ctx).Create(&serverKeyRow{Name: name, Armored: armored}).Error, "Server key "+name)
}

// LogEntries implements intake.LogStore.
func (s *Store) LogEntries(ctx context.Context, from, to int64) ([]intake.LogEntry, error) {
	var rows []logRow
	err := s.db.WithContext(ctx).Where("seq BETWEEN ? AND ?", from, to).Order("seq").Find(&rows).Error
	if err != nil {
		return nil, translate(err, "Intake log")
	}
	entries := make([]intake.LogEntry, len(rows))
	for i, r := range rows {
		entries[i] = r.entry()
	}
	return entries, nil
}

// LogEntryOf implements intake.LogStore.
func (s *Store) LogEntryOf(ctx context.Context, submissionID string) (intake.LogEntry, error) {
	var row logRow
	err := s.db.WithContext(ctx).Where("submission_id = ?", submissionID).Take(&row).Error
	return row.entry(), translate(err, "Receipt")
}

func (r logRow) entry() intake.LogEntry {
	e := intake.LogEntry{Seq: r.Seq, SubmissionID: r.SubmissionID, ReceivedDay: dayOf(r.ReceivedDay), Payload: []byte(r.Payload)}
	copy(e.PrevHash[:], r.PrevHash)
	copy(e.EntryHash[:], r.EntryHash)
	return e
}

// dayOf keeps the YYYY-MM-DD of a DATE column, which PostgreSQL returns
// as a timestamp.
func dayOf(v string) string {
	if len(v) >= 10 {
		return v[:10]
	}
	return v
}

// Submissions implements intake.SubmissionStore.
func (s *Store) Submissions(ctx context.Context, desk string, limit int) ([]intake.Submission, error) {
	var rows []struct {
		ID          string
		Slug        string
		ReceivedDay string
		EncryptedBy string
		Flood       bool
		Lang        string
	}
	q := s.db.WithContext(ctx).Table("submissions").
		Select("submissions.id, desks.slug, submissions.received_day, submissions.encrypted_by, submissions.flood, submissions.lang").
		Joins("JOIN desks ON desks.id = submissions.desk_id").
		Order("submissions.received_day DESC, submissions.id DESC").Limit(limit)
	if desk != "" {
		q = q.Where("desks.slug = ?", desk)
	}
	if err := q.Scan(&rows).Error; err != nil {
		return nil, translate(err, "Submission")
	}
	subs := make([]intake.Submission, len(rows))
	for i, r := range rows {
		subs[i] = intake.Submission{ID: r.ID, DeskSlug: r.Slug, ReceivedDay: dayOf(r.ReceivedDay), EncryptedBy: r.EncryptedBy, Flood: r.Flood, Lang: intake.Lang(r.Lang)}
	}
	return subs, nil
}

// SubmissionObjects implements intake.SubmissionStore.
func (s *Store) SubmissionObjects(ctx context.Context, submissionID string) ([]intake.Object, error) {
	var n int64
	if err := s.db.WithContext(ctx).Model(&submissionRow{}).Where("id = ?", submissionID).Count(&n).Error; err != nil {
		return nil, translate(err, "Submission")
	}
	if n == 0 {
		return nil, translate(gorm.ErrRecordNotFound, "Submission")
	}
	var rows []objectRow
	if err := s.db.WithContext(ctx).Where("submission_id = ?", submissionID).Order("position").Find(&rows).Error; err != nil {
		return nil, translate(err, "Object")
	}
	objects := make([]intake.Object, len(rows))
	for i, r := range rows {
		o := intake.Object{ID: r.ID, Kind: r.Kind, Position: r.Position, BlobKey: r.BlobKey, KeyPackets: r.KeyPackets, BodySize: r.BodySize}
		copy(o.SHA256[:], r.SHA256)
		objects[i] = o
	}
	return objects, nil
}

// ObjectSubmission implements intake.SubmissionStore.
func (s *Store) ObjectSubmission(ctx context.Context, objectID string) (string, error) {
	var row objectRow
	err := s.db.WithContext(ctx).Select("submission_id").Where("id = ?", objectID).Take(&row).Error
	return row.SubmissionID, translate(err, "Object")
}
