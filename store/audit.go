package store

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"time"

	"gorm.io/gorm"

	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/chain"
)

var _ casework.AuditStore = (*Store)(nil)

type auditRow struct {
	Seq       int64 `gorm:"primaryKey;autoIncrement:false"`
	At        time.Time
	ActorID   *int64
	Action    string
	Target    string
	Detail    string
	Payload   string
	PrevHash  []byte
	EntryHash []byte
}

func (auditRow) TableName() string { return "audit_log" }

// AppendAudit implements casework.AuditStore.
func (s *Store) AppendAudit(ctx context.Context, rec casework.AuditRecord) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return s.appendAudit(tx, rec)
	})
}

// appendAudit appends rec to the audit log inside tx.
func (s *Store) appendAudit(tx *gorm.DB, rec casework.AuditRecord) error {
	seq, prev, err := s.chainTail(tx, "audit_log", "Audit log")
	if err != nil {
		return err
	}
	rec.At = rec.At.UTC().Truncate(time.Microsecond)
	payload := rec.Payload(seq, prev)
	hash := sha256.Sum256(payload)
	if rec.Detail == nil {
		rec.Detail = map[string]string{}
	}
	detail, err := json.Marshal(rec.Detail)
	if err != nil {
		return translate(err, "Audit log entry")
	}
	row := auditRow{Seq: seq, At: rec.At, Action: string(rec.Action), Target: rec.Target, Detail: string(detail),
		Payload: string(payload), PrevHash: prev[:], EntryHash: hash[:]}
	if rec.Actor != 0 {
		row.ActorID = &rec.Actor
	}
	if err := tx.Create(&row).Error; err != nil {
		return translate(err, "Audit log entry")
	}
	return s.anchorHead(tx, chain.Audit, seq, prev, hash)
}

// AuditEntries implements casework.AuditStore.
func (s *Store) AuditEntries(ctx context.Context, after int64, limit int) ([]casework.AuditEntry, error) {
	var rows []auditRow
	if err := s.db.WithContext(ctx).Where("seq > ?", after).Order("seq").Limit(limit).Find(&rows).Error; err != nil {
		return nil, translate(err, "Audit log")
	}
	entries := make([]casework.AuditEntry, len(rows))
	for i, r := range rows {
		e := casework.AuditEntry{Seq: r.Seq, Payload: []byte(r.Payload),
			Record: casework.AuditRecord{At: r.At, Action: casework.AuditAction(r.Action), Target: r.Target}}
		if r.ActorID != nil {
			e.Record.Actor = *r.ActorID
		}
		if err := json.Unmarshal([]byte(r.Detail), &e.Record.Detail); err != nil {
			// Keep the unreadable text, so that the entry fails
			// verification instead of passing with no detail.
			e.Record.Detail = map[string]string{"unreadable": r.Detail}
		}
		copy(e.PrevHash[:], r.PrevHash)
		copy(e.EntryHash[:], r.EntryHash)
		entries[i] = e
	}
	return entries, nil
}
