package store

import (
	"context"
	"errors"
	"slices"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/claims"
	"github.com/tipline/tipline/database"
)

var _ casework.RetentionStore = (*Store)(nil)

// retentionRow is a tip as retention sees it.
type retentionRow struct {
	SubmissionID string
	DeskID       int64
	Desk         string
	Number       int
	ClosedDay    *string
	KeepDays     int
}

func (r retentionRow) state() casework.RetentionState {
	return casework.RetentionState{SubmissionID: r.SubmissionID, Desk: r.Desk, Number: r.Number,
		ClosedDay: dayOrEmpty(r.ClosedDay), KeepDays: r.KeepDays, Holds: []casework.Hold{}}
}

// retentionSelect selects retentionRows.
func retentionSelect(tx *gorm.DB) *gorm.DB {
	return tx.Table("submissions").
		Select("submissions.id AS submission_id, submissions.desk_id, desks.slug AS desk, COALESCE(submissions.number, 0) AS number, " +
			"submissions.closed_day, COALESCE(retention_policies.closed_days, 0) AS keep_days").
		Joins("JOIN desks ON desks.id = submissions.desk_id").
		Joins("LEFT JOIN retention_policies ON retention_policies.desk_id = submissions.desk_id")
}

// SetRetentionPolicy implements casework.RetentionStore.
func (s *Store) SetRetentionPolicy(ctx context.Context, desk string, closedDays int, rec casework.AuditRecord) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var d deskRow
		if err := tx.Where("slug = ?", desk).Take(&d).Error; err != nil {
			return translate(err, "Desk "+desk)
		}
		var err error
		if closedDays == 0 {
			err = tx.Exec("DELETE FROM retention_policies WHERE desk_id = ?", d.ID).Error
		} else {
			err = tx.Exec("INSERT INTO retention_policies (desk_id, closed_days) VALUES (?, ?) "+
				"ON CONFLICT (desk_id) DO UPDATE SET closed_days = excluded.closed_days", d.ID, closedDays).Error
		}
		if err != nil {
			return translate(err, "Retention policy")
		}
		return s.appendAudit(tx, rec)
	})
}

// RetentionPolicy implements casework.RetentionStore.
func (s *Store) RetentionPolicy(ctx context.Context, desk string) (int, error) {
	var row struct{ KeepDays int }
	err := s.db.WithContext(ctx).Table("desks").Select("COALESCE(retention_policies.closed_days, 0) AS keep_days").
		Joins("LEFT JOIN retention_policies ON retention_policies.desk_id = desks.id").
		Where("desks.slug = ?", desk).Take(&row).Error
	return row.KeepDays, translate(err, "Desk "+desk)
}

// RetentionState implements casework.RetentionStore.
func (s *Store) RetentionState(ctx context.Context, submissionID string) (casework.RetentionState, error) {
	var row retentionRow
	db := s.db.WithContext(ctx)
	if err := retentionSelect(db).Where("submissions.id = ?", submissionID).Take(&row).Error; err != nil {
		return casework.RetentionState{}, translate(err, "Submission")
	}
	states := []casework.RetentionState{row.state()}
	if err := fillHolds(db, states); err != nil {
		return casework.RetentionState{}, err
	}
	return states[0], nil
}

// ExpiredSubmissions implements casework.RetentionStore.
func (s *Store) ExpiredSubmissions(ctx context.Context, today string) ([]casework.RetentionState, error) {
	var rows []retentionRow
	db := s.db.WithContext(ctx)
	err := retentionSelect(db).Where("submissions.closed_day IS NOT NULL AND retention_policies.closed_days IS NOT NULL").
		Order("submissions.closed_day, submissions.id").Scan(&rows).Error
	if err != nil {
		return nil, translate(err, "Submission")
	}
	var states []casework.RetentionState
	for _, r := range rows {
		if st := r.state(); st.DeleteOn() <= today {
			states = append(states, st)
		}
	}
	for batch := range slices.Chunk(states, 500) {
		if err := fillHolds(db, batch); err != nil {
			return nil, err
		}
	}
	return states, nil
}

// closedClaimStatuses are the claim statuses that hold no tip.
func closedClaimStatuses() []string {
	var closed []string
	for _, st := range claims.Statuses {
		if st.Closed() {
			closed = append(closed, string(st))
		}
	}
	return closed
}

// holdQueries select (submission_id, ref) of each kind of hold but legal
// holds, for the submissions in the one parameter.
var holdQueries = []struct {
	kind casework.HoldKind
	sql  string
}{
	{casework.HoldOpenCase, `SELECT cs.submission_id, c.id AS ref FROM case_submissions cs JOIN cases c ON c.id = cs.case_id
		WHERE cs.submission_id IN ? AND c.status <> 'closed' ORDER BY c.id`},
	{casework.HoldAwardClaim, `SELECT cs.submission_id, c.id AS ref FROM claim_submissions cs JOIN claims c ON c.id = cs.claim_id
		WHERE cs.submission_id IN ? AND c.status NOT IN ? ORDER BY c.id`},
	{casework.HoldEnforcementAction, `SELECT l.submission_id, a.id AS ref FROM (
			SELECT cs.submission_id, ea.id AS action_id FROM case_submissions cs JOIN enforcement_actions ea ON ea.case_id = cs.case_id
			UNION
			SELECT cl.submission_id, ca.action_id FROM claim_submissions cl JOIN claim_actions ca ON ca.claim_id = cl.claim_id
		) l JOIN enforcement_actions a ON a.id = l.action_id
		WHERE l.submission_id IN ? AND (a.final_order_day IS NULL
			OR (SELECT COALESCE(SUM(ordered_cents), 0) FROM action_sanctions WHERE action_id = a.id)
			 > (SELECT COALESCE(SUM(amount_cents), 0) FROM collections WHERE action_id = a.id))
		ORDER BY a.id`},
	{casework.HoldDeadline, `SELECT submission_id, kind AS ref FROM deadlines WHERE submission_id IN ? AND met_day IS NULL ORDER BY due_day, kind`},
}

// fillHolds adds the holds of each of states.
func fillHolds(db *gorm.DB, states []casework.RetentionState) error {
	if len(states) == 0 {
		return nil
	}
	ids := make([]string, len(states))
	at := map[string]int{}
	for i, st := range states {
		ids[i], at[st.SubmissionID] = st.SubmissionID, i
	}
	for _, q := range holdQueries {
		args := []any{ids}
		if q.kind == casework.HoldAwardClaim {
			args = append(args, closedClaimStatuses())
		}
		var found []struct{ SubmissionID, Ref string }
		if err := db.Raw(q.sql, args...).Scan(&found).Error; err != nil {
			return translate(err, "Hold")
		}
		for _, f := range found {
			st := &states[at[f.SubmissionID]]
			st.Holds = append(st.Holds, casework.Hold{Kind: q.kind, Ref: f.Ref})
		}
	}
	var legal []struct {
		SubmissionID, Email, SetDay, Reason string
	}
	err := db.Raw(`SELECT h.submission_id, u.email, h.set_day, h.reason FROM legal_holds h JOIN users u ON u.id = h.set_by
		WHERE h.submission_id IN ?`, ids).Scan(&legal).Error
	if err != nil {
		return translate(err, "Legal hold")
	}
	for _, l := range legal {
		st := &states[at[l.SubmissionID]]
		st.Holds = append(st.Holds, casework.Hold{Kind: casework.HoldLegal, SetBy: l.Email, SetDay: dayOf(l.SetDay), Reason: l.Reason})
	}
	return nil
}

// SetLegalHold implements casework.RetentionStore.
func (s *Store) SetLegalHold(ctx context.Context, submissionID string, by int64, day, reason string, rec casework.AuditRecord) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		err := tx.Exec("INSERT INTO legal_holds (submission_id, set_by, set_day, reason) VALUES (?, ?, ?, ?)",
			submissionID, by, day, reason).Error
		if err != nil {
			return translate(err, "Legal hold")
		}
		return s.appendAudit(tx, rec)
	})
}

// ReleaseLegalHold implements casework.RetentionStore.
func (s *Store) ReleaseLegalHold(ctx context.Context, submissionID string, rec casework.AuditRecord) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Exec("DELETE FROM legal_holds WHERE submission_id = ?", submissionID)
		if res.Error != nil {
			return translate(res.Error, "Legal hold")
		}
		if res.RowsAffected == 0 {
			return tipline.Errorf(tipline.NotFound, "This tip is under no legal hold.")
		}
		return s.appendAudit(tx, rec)
	})
}

// DeleteExpired implements casework.RetentionStore. The submission's row
// is locked first (on PostgreSQL), so that a concurrent run waits and then
// finds it gone, and a hold being added waits and then fails.
func (s *Store) DeleteExpired(ctx context.Context, submissionID, today string,
	record func(casework.RetentionState, []string) casework.AuditRecord) (bool, error) {
	deleted := false
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		q := tx.Table("submissions").Select("id").Where("id = ?", submissionID)
		if s.db.Dialect == database.Postgres {
			q = q.Clauses(clause.Locking{Strength: "UPDATE"})
		}
		var locked struct{ ID string }
		if err := q.Take(&locked).Error; errors.Is(err, gorm.ErrRecordNotFound) {
			return nil
		} else if err != nil {
			return translate(err, "Submission")
		}
		var row retentionRow
		if err := retentionSelect(tx).Where("submissions.id = ?", submissionID).Take(&row).Error; err != nil {
			return translate(err, "Submission")
		}
		states := []casework.RetentionState{row.state()}
		if err := fillHolds(tx, states); err != nil {
			return err
		}
		if !states[0].Due(today) {
			return nil
		}
		var objects []struct{ ID, BlobKey string }
		if err := tx.Table("objects").Select("id, blob_key").Where("submission_id = ?", submissionID).Order("position").Scan(&objects).Error; err != nil {
			return translate(err, "Object")
		}
		ids := make([]string, len(objects))
		for i, o := range objects {
			ids[i] = o.ID
			for _, key := range blobKeysOf(o.BlobKey) {
				if err := tx.Exec("INSERT INTO retention_blob_deletions (blob_key) VALUES (?) ON CONFLICT DO NOTHING", key).Error; err != nil {
					return translate(err, "Blob deletion")
				}
			}
		}
		if err := deleteSubmissionRows(tx, row); err != nil {
			return err
		}
		deleted = true
		return s.appendAudit(tx, record(states[0], ids))
	})
	return deleted && err == nil, err
}

// blobKeysOf returns the keys an object's blob may be under: its row's,
// and for a blob committed under pending/ the key under objects/ the
// janitor moves it to (package intake), pending/ first, so that a move
// racing the deletion finds nothing to move or is deleted after it.
func blobKeysOf(key string) []string {
	if id, pending := strings.CutPrefix(key, "pending/"); pending {
		return []string{key, "objects/" + id}
	}
	return []string{key}
}

// deleteSubmissionRows deletes a submission's row and every row that
// belongs to it inside tx: its objects with their key packets and access
// grants, deadlines, labels, case and closed-claim links, mailbox
// sessions and entity links (recounting the entities). Its intake log
// entry stays. Its number is retired, never to be given again.
func deleteSubmissionRows(tx *gorm.DB, row retentionRow) error {
	var entityIDs []string
	if err := tx.Table("entity_submission_links").Distinct("entity_id").Where("submission_id = ?", row.SubmissionID).
		Pluck("entity_id", &entityIDs).Error; err != nil {
		return translate(err, "Link")
	}
	for _, stmt := range []string{
		"DELETE FROM entity_submission_links WHERE submission_id = ?",
		"DELETE FROM claim_submissions WHERE submission_id = ?",
		"DELETE FROM submissions WHERE id = ?",
	} {
		if err := tx.Exec(stmt, row.SubmissionID).Error; err != nil {
			return translate(err, "Submission")
		}
	}
	if len(entityIDs) > 0 {
		if err := recount(tx, entityIDs...); err != nil {
			return err
		}
	}
	if row.Number == 0 {
		return nil
	}
	err := tx.Exec("INSERT INTO retired_tip_numbers (desk_id, number) VALUES (?, ?) "+
		"ON CONFLICT (desk_id) DO UPDATE SET number = excluded.number WHERE retired_tip_numbers.number < excluded.number",
		row.DeskID, row.Number).Error
	return translate(err, "Tip number")
}

// QueuedBlobDeletions implements casework.RetentionStore.
func (s *Store) QueuedBlobDeletions(ctx context.Context, limit int) ([]string, error) {
	var keys []string
	err := s.db.WithContext(ctx).Table("retention_blob_deletions").Order("blob_key DESC").Limit(limit).Pluck("blob_key", &keys).Error
	return keys, translate(err, "Blob deletion")
}

// BlobDeleted implements casework.RetentionStore.
func (s *Store) BlobDeleted(ctx context.Context, key string) error {
	return translate(s.db.WithContext(ctx).Exec("DELETE FROM retention_blob_deletions WHERE blob_key = ?", key).Error, "Blob deletion")
}
