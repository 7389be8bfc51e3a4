package store

import (
	"context"
	"slices"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/database"
	"github.com/tipline/tipline/intake"
)

var _ intake.UploadStore = (*Store)(nil)

type uploadRow struct {
	ID          string
	DeskID      int64
	ChunkSize   int64
	MaxBytes    int64
	Claimed     bool
	ExpiresHour int64
}

func (uploadRow) TableName() string { return "uploads" }

type uploadChunkRow struct {
	UploadID string `gorm:"primaryKey"`
	N        int    `gorm:"primaryKey;autoIncrement:false"`
	Size     int64
}

func (uploadChunkRow) TableName() string { return "upload_chunks" }

// CreateUpload implements intake.UploadStore. On PostgreSQL, sessions are
// created one at a time (a transaction-scoped advisory lock), so that
// concurrent requests cannot open more than maxOpen between them; SQLite
// runs one writing transaction at a time anyway.
func (s *Store) CreateUpload(ctx context.Context, u intake.Upload, maxOpen int, now int64) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var desk deskRow
		if err := tx.Where("slug = ?", u.DeskSlug).Take(&desk).Error; err != nil {
			return translate(err, "Desk "+u.DeskSlug)
		}
		if maxOpen > 0 {
			if s.db.Dialect == database.Postgres {
				if err := tx.Exec("SELECT pg_advisory_xact_lock(hashtext('tipline uploads'))").Error; err != nil {
					return translate(err, "Upload")
				}
			}
			var open int64
			if err := tx.Model(&uploadRow{}).Where("expires_hour > ?", now).Count(&open).Error; err != nil {
				return translate(err, "Upload")
			}
			if open >= int64(maxOpen) {
				return intake.ErrTooManyUploads
			}
		}
		row := uploadRow{ID: u.ID, DeskID: desk.ID, ChunkSize: u.ChunkSize, MaxBytes: u.MaxBytes, ExpiresHour: u.ExpiresHour}
		return translate(tx.Create(&row).Error, "Upload")
	})
}

// Upload implements intake.UploadStore.
func (s *Store) Upload(ctx context.Context, id string) (intake.Upload, error) {
	var u intake.Upload
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var row struct {
			ID          string
			Slug        string
			ChunkSize   int64
			MaxBytes    int64
			Claimed     bool
			ExpiresHour int64
		}
		err := tx.Table("uploads").
			Select("uploads.id, desks.slug, uploads.chunk_size, uploads.max_bytes, uploads.claimed, uploads.expires_hour").
			Joins("JOIN desks ON desks.id = uploads.desk_id").
			Where("uploads.id = ?", id).Take(&row).Error
		if err != nil {
			return translate(err, "Upload")
		}
		var chunks []uploadChunkRow
		if err := tx.Where("upload_id = ?", id).Order("n").Find(&chunks).Error; err != nil {
			return translate(err, "Upload")
		}
		u = intake.Upload{ID: row.ID, DeskSlug: row.Slug, ChunkSize: row.ChunkSize, MaxBytes: row.MaxBytes,
			Claimed: row.Claimed, ExpiresHour: row.ExpiresHour, Chunks: make([]intake.UploadChunk, len(chunks))}
		for i, c := range chunks {
			u.Chunks[i] = intake.UploadChunk{N: c.N, Size: c.Size}
		}
		return nil
	})
	return u, err
}

// OpenUploads implements intake.UploadStore.
func (s *Store) OpenUploads(ctx context.Context, now int64) (int, error) {
	var open int64
	err := s.db.WithContext(ctx).Model(&uploadRow{}).Where("expires_hour > ?", now).Count(&open).Error
	return int(open), translate(err, "Upload")
}

// AddChunk implements intake.UploadStore. The session's row is locked
// first, against a concurrent ClaimUploads, AddChunk and idle sweep, so
// that the order of the chunks is checked against what is recorded; a new
// chunk, not one sent again, counts as progress.
func (s *Store) AddChunk(ctx context.Context, id string, n int, size int64) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := lockUnclaimed(tx, id); err != nil {
			return err
		}
		var stored int64
		if err := tx.Model(&uploadChunkRow{}).Where("upload_id = ?", id).Count(&stored).Error; err != nil {
			return translate(err, "Upload chunk")
		}
		if int64(n) != stored && int64(n) != stored-1 {
			return tipline.Errorf(tipline.Conflict, "Chunk %d is out of order: %d chunks are stored.", n, stored)
		}
		if int64(n) == stored {
			// New bytes: the session is no longer held by keeps.
			err := tx.Model(&uploadRow{}).Where("id = ?", id).
				Updates(map[string]any{"progress": gorm.Expr("progress + 1"), "kept": false}).Error
			if err != nil {
				return translate(err, "Upload")
			}
		}
		row := uploadChunkRow{UploadID: id, N: n, Size: size}
		err := tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "upload_id"}, {Name: "n"}},
			DoUpdates: clause.AssignmentColumns([]string{"size"}),
		}).Create(&row).Error
		return translate(err, "Upload chunk")
	})
}

// KeepUpload implements intake.UploadStore. Keeps under a cap are
// serialized on the idle sweep's row (taken before the session's, in the
// sweep's order), so that two at once cannot both find room under maxKept.
func (s *Store) KeepUpload(ctx context.Context, id string, maxKept int64) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if maxKept > 0 {
			err := tx.Exec("UPDATE upload_idle_sweep SET swept_at = swept_at WHERE id = 1").Error
			if err != nil {
				return translate(err, "Upload")
			}
		}
		if err := lockUnclaimed(tx, id); err != nil {
			return err
		}
		if maxKept > 0 {
			var kept int64
			err := tx.Raw(`SELECT COALESCE(SUM(c.size), 0) FROM upload_chunks c JOIN uploads u ON u.id = c.upload_id
				WHERE u.id = ? OR (u.kept AND NOT u.claimed)`, id).Scan(&kept).Error
			if err != nil {
				return translate(err, "Upload")
			}
			if kept > maxKept {
				return intake.ErrKeepsFull
			}
		}
		err := tx.Model(&uploadRow{}).Where("id = ?", id).
			Updates(map[string]any{"progress": gorm.Expr("progress + 1"), "kept": true}).Error
		return translate(err, "Upload")
	})
}

// lockUnclaimed locks the row of an unclaimed session until tx ends (an
// update that changes nothing): NotFound when there is no such session,
// Conflict when it is claimed.
func lockUnclaimed(tx *gorm.DB, id string) error {
	res := tx.Model(&uploadRow{}).Where("id = ? AND NOT claimed", id).Update("claimed", false)
	if res.Error != nil {
		return translate(res.Error, "Upload")
	}
	if res.RowsAffected == 1 {
		return nil
	}
	var count int64
	if err := tx.Model(&uploadRow{}).Where("id = ?", id).Count(&count).Error; err != nil {
		return translate(err, "Upload")
	}
	if count == 0 {
		return translate(gorm.ErrRecordNotFound, "Upload")
	}
	return tipline.Errorf(tipline.Conflict, "This upload is being submitted already.")
}

// SweepIdleUploads implements intake.UploadStore. On PostgreSQL the idle
// sessions' rows are locked while they are removed, so that a chunk
// counted meanwhile waits, then finds its session gone.
func (s *Store) SweepIdleUploads(ctx context.Context, now, every int64) ([]string, error) {
	var idle []string
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Exec("UPDATE upload_idle_sweep SET swept_at = ? WHERE id = 1 AND swept_at <= ?", now, now-every)
		if res.Error != nil {
			return translate(res.Error, "Upload")
		}
		if res.RowsAffected == 0 {
			return nil // swept within every, here or on another node
		}
		q := tx.Model(&uploadRow{}).Where("NOT claimed AND progress = seen_progress").Order("id")
		if s.db.Dialect == database.Postgres {
			q = q.Clauses(clause.Locking{Strength: "UPDATE"})
		}
		if err := q.Pluck("id", &idle).Error; err != nil {
			return translate(err, "Upload")
		}
		for ids := range slices.Chunk(idle, 500) {
			if err := deleteUploads(tx, ids); err != nil {
				return err
			}
		}
		err := tx.Model(&uploadRow{}).Where("seen_progress <> progress").Update("seen_progress", gorm.Expr("progress")).Error
		return translate(err, "Upload")
	})
	if err != nil {
		return nil, err
	}
	return idle, nil
}

// ClaimUploads implements intake.UploadStore.
func (s *Store) ClaimUploads(ctx context.Context, ids []string) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&uploadRow{}).Where("id IN ? AND NOT claimed", ids).Update("claimed", true)
		if res.Error != nil {
			return translate(res.Error, "Upload")
		}
		if res.RowsAffected == int64(len(ids)) {
			return nil
		}
		var found int64
		if err := tx.Model(&uploadRow{}).Where("id IN ?", ids).Count(&found).Error; err != nil {
			return translate(err, "Upload")
		}
		if found < int64(len(ids)) {
			return translate(gorm.ErrRecordNotFound, "Upload")
		}
		return tipline.Errorf(tipline.Conflict, "An upload is being submitted already.")
	})
}

// ReleaseUploads implements intake.UploadStore.
func (s *Store) ReleaseUploads(ctx context.Context, ids []string) error {
	// Counted as progress: the source retries now, not an idle sweep ago.
	err := s.db.WithContext(ctx).Model(&uploadRow{}).Where("id IN ?", ids).
		Updates(map[string]any{"claimed": false, "progress": gorm.Expr("progress + 1")}).Error
	return translate(err, "Upload")
}

// DeleteUploads implements intake.UploadStore.
func (s *Store) DeleteUploads(ctx context.Context, ids []string) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return deleteUploads(tx, ids)
	})
}

// deleteUploads removes sessions and their chunk records, in tx.
func deleteUploads(tx *gorm.DB, ids []string) error {
	if err := tx.Where("upload_id IN ?", ids).Delete(&uploadChunkRow{}).Error; err != nil {
		return translate(err, "Upload")
	}
	return translate(tx.Where("id IN ?", ids).Delete(&uploadRow{}).Error, "Upload")
}

// ExpiredUploads implements intake.UploadStore.
func (s *Store) ExpiredUploads(ctx context.Context, now int64) ([]string, error) {
	var ids []string
	err := s.db.WithContext(ctx).Model(&uploadRow{}).Where("expires_hour <= ?", now).Order("id").Pluck("id", &ids).Error
	return ids, translate(err, "Upload")
}
