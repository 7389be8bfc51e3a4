package store

import (
	"context"
	"encoding/hex"
	"time"

	"gorm.io/gorm"

	"github.com/tipline/tipline/casework"
)

var _ casework.DocumentStore = (*Store)(nil)

// documentRow is one row of case_documents.
type documentRow struct {
	ID             string
	CaseID         string
	AuthorID       int64
	BlobKey        string
	KeyPackets     []byte
	BodySize       int64
	SHA256         []byte `gorm:"column:sha256"`
	MetaKeyPackets []byte
	MetaBody       []byte
	CreatedAt      time.Time
}

func (documentRow) TableName() string { return "case_documents" }

// documentSelect reads documents with their authors' emails.
func (s *Store) documentSelect(ctx context.Context) *gorm.DB {
	return s.db.WithContext(ctx).Table("case_documents").
		Select("case_documents.*, users.email AS author").
		Joins("JOIN users ON users.id = case_documents.author_id")
}

// documentWithAuthor is a documentRow with its author's email (flat: gorm
// scans joined columns into named fields only).
type documentWithAuthor struct {
	ID             string
	CaseID         string
	AuthorID       int64
	Author         string
	BlobKey        string
	KeyPackets     []byte
	BodySize       int64
	SHA256         []byte `gorm:"column:sha256"`
	MetaKeyPackets []byte
	MetaBody       []byte
	CreatedAt      time.Time
}

func (r documentWithAuthor) record() casework.DocumentRecord {
	return casework.DocumentRecord{
		Document: casework.Document{ID: r.ID, Author: r.Author, Size: r.BodySize, SHA256: hex.EncodeToString(r.SHA256), CreatedAt: r.CreatedAt.UTC()},
		CaseID:   r.CaseID, AuthorID: r.AuthorID, BlobKey: r.BlobKey, KeyPackets: r.KeyPackets,
		MetaKeyPackets: r.MetaKeyPackets, MetaBody: r.MetaBody,
	}
}

// AddDocument implements casework.DocumentStore.
func (s *Store) AddDocument(ctx context.Context, d casework.DocumentRecord, rec casework.AuditRecord) error {
	sum, err := hex.DecodeString(d.SHA256)
	if err != nil {
		return err
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if _, err := caseDesk(tx, d.CaseID); err != nil {
			return err
		}
		row := documentRow{ID: d.ID, CaseID: d.CaseID, AuthorID: d.AuthorID, BlobKey: d.BlobKey, KeyPackets: d.KeyPackets,
			BodySize: d.Size, SHA256: sum, MetaKeyPackets: d.MetaKeyPackets, MetaBody: d.MetaBody, CreatedAt: d.CreatedAt.UTC()}
		if err := tx.Create(&row).Error; err != nil {
			return translate(err, "Document")
		}
		if err := tx.Exec("UPDATE cases SET updated_at = ? WHERE id = ?", d.CreatedAt.UTC(), d.CaseID).Error; err != nil {
			return translate(err, "Case")
		}
		return s.appendAudit(tx, rec)
	})
}

// CaseDocuments implements casework.DocumentStore.
func (s *Store) CaseDocuments(ctx context.Context, caseID string) ([]casework.DocumentRecord, error) {
	var rows []documentWithAuthor
	if err := s.documentSelect(ctx).Where("case_documents.case_id = ?", caseID).
		Order("case_documents.created_at, case_documents.id").Scan(&rows).Error; err != nil {
		return nil, translate(err, "Document")
	}
	out := make([]casework.DocumentRecord, len(rows))
	for i, r := range rows {
		out[i] = r.record()
	}
	return out, nil
}

// DocumentRecord implements casework.DocumentStore.
func (s *Store) DocumentRecord(ctx context.Context, id string) (casework.DocumentRecord, error) {
	var rows []documentWithAuthor
	if err := s.documentSelect(ctx).Where("case_documents.id = ?", id).Limit(1).Scan(&rows).Error; err != nil {
		return casework.DocumentRecord{}, translate(err, "Document")
	}
	if len(rows) == 0 {
		return casework.DocumentRecord{}, translate(gorm.ErrRecordNotFound, "Document")
	}
	return rows[0].record(), nil
}
