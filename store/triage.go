package store

import (
	"context"
	"encoding/hex"
	"time"

	"gorm.io/gorm"

	"github.com/tipline/tipline/casework"
)

var _ casework.TriageStore = (*Store)(nil)

// triageRow is a submission's triage columns with its desk and assignee.
type triageRow struct {
	ID          string
	Desk        string
	Number      int
	ReceivedDay string
	Status      string
	ClosingCode *string
	Priority    int
	Assignee    *string
	EncryptedBy string
	Flood       bool
	Lang        string
}

func (r triageRow) summary() casework.SubmissionSummary {
	s := casework.SubmissionSummary{
		ID: r.ID, Desk: r.Desk, Number: r.Number, ReceivedDay: dayOf(r.ReceivedDay), Status: casework.Status(r.Status),
		Priority: r.Priority, Labels: []string{}, Deadlines: []casework.Deadline{}, Flood: r.Flood, Lang: r.Lang,
	}
	if r.ClosingCode != nil {
		s.ClosingCode = casework.ClosingCode(*r.ClosingCode)
	}
	if r.Assignee != nil {
		s.Assignee = *r.Assignee
	}
	return s
}

// triageSelect selects triageRows.
func (s *Store) triageSelect(ctx context.Context) *gorm.DB {
	return s.db.WithContext(ctx).Table("submissions").
		Select("submissions.id, desks.slug AS desk, COALESCE(submissions.number, 0) AS number, submissions.received_day, submissions.status, " +
			"submissions.closing_code, submissions.priority, users.email AS assignee, submissions.encrypted_by, submissions.flood, submissions.lang").
		Joins("JOIN desks ON desks.id = submissions.desk_id").
		Joins("LEFT JOIN users ON users.id = submissions.assignee_id")
}

// ListSubmissions implements casework.TriageStore. The keyset (received
// day, id) matches the submissions_* indexes, so a page costs the same at
// the millionth submission as at the first.
func (s *Store) ListSubmissions(ctx context.Context, q casework.Query) ([]casework.SubmissionSummary, error) {
	db := s.triageSelect(ctx)
	if q.Desks != nil {
		// "" is never a slug: it keeps the list non-empty (IN () is not
		// SQL), so that no desks means no submissions.
		db = db.Where("desks.slug IN ?", append([]string{""}, q.Desks...))
	}
	if q.Desk != "" {
		db = db.Where("desks.slug = ?", q.Desk)
	}
	if q.Status != "" {
		db = db.Where("submissions.status = ?", string(q.Status))
	}
	if q.Flood != nil {
		db = db.Where("submissions.flood = ?", *q.Flood)
	}
	if q.Assignee != "" {
		db = db.Where("users.email = ?", q.Assignee)
	}
	if q.Label != "" {
		db = db.Where("EXISTS (SELECT 1 FROM submission_labels l WHERE l.submission_id = submissions.id AND l.label = ?)", q.Label)
	}
	if q.Priority != nil {
		db = db.Where("submissions.priority = ?", *q.Priority)
	}
	if q.Overdue {
		db = db.Where("EXISTS (SELECT 1 FROM deadlines d WHERE d.submission_id = submissions.id AND d.met_day IS NULL AND d.due_day < ?)", q.Today)
	}
	if q.DueWithinDays > 0 {
		today, err := time.Parse(time.DateOnly, q.Today)
		if err != nil {
			return nil, translate(err, "Query")
		}
		until := today.AddDate(0, 0, q.DueWithinDays).Format(time.DateOnly)
		db = db.Where("EXISTS (SELECT 1 FROM deadlines d WHERE d.submission_id = submissions.id AND d.met_day IS NULL AND d.due_day BETWEEN ? AND ?)", q.Today, until)
	}
	if q.AfterID != "" {
		// A row comparison, which both databases read as one range of the
		// (received_day, id) indexes; the equivalent OR is not.
		if q.Oldest {
			db = db.Where("(submissions.received_day, submissions.id) > (?, ?)", q.AfterDay, q.AfterID)
		} else {
			db = db.Where("(submissions.received_day, submissions.id) < (?, ?)", q.AfterDay, q.AfterID)
		}
	}
	order := "submissions.received_day DESC, submissions.id DESC"
	if q.Oldest {
		order = "submissions.received_day, submissions.id"
	}
	var rows []triageRow
	if err := db.Order(order).Limit(q.Limit).Scan(&rows).Error; err != nil {
		return nil, translate(err, "Submission")
	}
	items := make([]casework.SubmissionSummary, len(rows))
	index := make(map[string]int, len(rows))
	ids := make([]string, len(rows))
	for i, r := range rows {
		items[i], index[r.ID], ids[i] = r.summary(), i, r.ID
	}
	if len(ids) == 0 {
		return items, nil
	}
	item := func(id string) *casework.SubmissionSummary { return &items[index[id]] }
	if err := s.fillLabelsAndDeadlines(ctx, ids, item); err != nil {
		return nil, err
	}
	if err := s.fillCounts(ctx, ids, q.Viewer, item); err != nil {
		return nil, err
	}
	return items, nil
}

// fillCounts counts, in one query, the evidence files of the given
// submissions and the source's messages and follow-ups that viewer has
// not seen: those after the last object they saw on the submission's
// page, the tip itself (its first object) aside.
func (s *Store) fillCounts(ctx context.Context, ids []string, viewer int64, item func(string) *casework.SubmissionSummary) error {
	var counts []struct {
		SubmissionID  string
		Files, Unread int
	}
	err := s.db.WithContext(ctx).Raw(`SELECT o.submission_id,
	SUM(CASE WHEN o.kind = 'file' THEN 1 ELSE 0 END) AS files,
	SUM(CASE WHEN o.kind <> 'file' AND o.author = 'source' AND o.position > COALESCE(v.position, 0)
		AND o.position > (SELECT MIN(f.position) FROM objects f WHERE f.submission_id = o.submission_id) THEN 1 ELSE 0 END) AS unread
FROM objects o LEFT JOIN submission_seen v ON v.submission_id = o.submission_id AND v.user_id = ?
WHERE o.submission_id IN ? GROUP BY o.submission_id`, viewer, ids).Scan(&counts).Error
	if err != nil {
		return translate(err, "Object")
	}
	for _, n := range counts {
		it := item(n.SubmissionID)
		it.Files, it.Unread = n.Files, n.Unread
	}
	return nil
}

// ViewSubmission implements casework.TriageStore.
func (s *Store) ViewSubmission(ctx context.Context, userID int64, id string, rec casework.AuditRecord) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		err := tx.Exec(`INSERT INTO submission_seen (user_id, submission_id, position)
SELECT ?, ?, COALESCE(MAX(position), 0) FROM objects WHERE submission_id = ?
ON CONFLICT (user_id, submission_id) DO UPDATE SET position = excluded.position`, userID, id, id).Error
		if err != nil {
			return translate(err, "Submission")
		}
		return s.appendAudit(tx, rec)
	})
}

// numberSubmission gives a submission being committed in tx the next
// number of its desk, never one of a tip retention deleted. It runs after the intake log's lock (chainTail), so
// that concurrent commits take their numbers in turn.
func numberSubmission(tx *gorm.DB, id string, deskID int64) error {
	err := tx.Exec(`UPDATE submissions SET number = (SELECT COALESCE(MAX(n.number), 0) + 1 FROM
	(SELECT number FROM submissions WHERE desk_id = ? UNION ALL SELECT number FROM retired_tip_numbers WHERE desk_id = ?) n) WHERE id = ?`,
		deskID, deskID, id).Error
	return translate(err, "Submission")
}

// fillLabelsAndDeadlines loads the labels and deadlines of the given
// submissions in two queries.
func (s *Store) fillLabelsAndDeadlines(ctx context.Context, ids []string, item func(string) *casework.SubmissionSummary) error {
	var labels []struct{ SubmissionID, Label string }
	if err := s.db.WithContext(ctx).Table("submission_labels").Where("submission_id IN ?", ids).Order("label").Scan(&labels).Error; err != nil {
		return translate(err, "Label")
	}
	for _, l := range labels {
		it := item(l.SubmissionID)
		it.Labels = append(it.Labels, l.Label)
	}
	var deadlines []struct {
		SubmissionID, Kind, DueDay string
		MetDay                     *string
	}
	if err := s.db.WithContext(ctx).Table("deadlines").Where("submission_id IN ?", ids).Order("due_day, kind").Scan(&deadlines).Error; err != nil {
		return translate(err, "Deadline")
	}
	for _, d := range deadlines {
		dl := casework.Deadline{Kind: casework.DeadlineKind(d.Kind), DueDay: dayOf(d.DueDay)}
		if d.MetDay != nil {
			dl.MetDay = dayOf(*d.MetDay)
		}
		it := item(d.SubmissionID)
		it.Deadlines = append(it.Deadlines, dl)
	}
	return nil
}

// SubmissionDetail implements casework.TriageStore.
func (s *Store) SubmissionDetail(ctx context.Context, id string) (casework.SubmissionDetail, error) {
	var row triageRow
	if err := s.triageSelect(ctx).Where("submissions.id = ?", id).Take(&row).Error; err != nil {
		return casework.SubmissionDetail{}, translate(err, "Submission")
	}
	d := casework.SubmissionDetail{SubmissionSummary: row.summary(), EncryptedBy: row.EncryptedBy, Objects: []casework.ObjectRef{}}
	if err := s.fillLabelsAndDeadlines(ctx, []string{id}, func(string) *casework.SubmissionSummary { return &d.SubmissionSummary }); err != nil {
		return d, err
	}
	var objects []struct {
		ID, Kind, Author string
		Position         int
		BodySize         int64
		SHA256           []byte `gorm:"column:sha256"`
	}
	if err := s.db.WithContext(ctx).Table("objects").Where("submission_id = ?", id).Order("position").Find(&objects).Error; err != nil {
		return d, translate(err, "Object")
	}
	for _, o := range objects {
		d.Objects = append(d.Objects, casework.ObjectRef{ID: o.ID, Kind: o.Kind, Position: o.Position, Author: o.Author, Size: o.BodySize, SHA256: hex.EncodeToString(o.SHA256)})
	}
	return d, nil
}

// UpdateSubmission implements casework.TriageStore.
func (s *Store) UpdateSubmission(ctx context.Context, id string, ch casework.Change, today string, rec casework.AuditRecord) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := updateSubmission(tx, id, ch, today); err != nil {
			return err
		}
		return s.appendAudit(tx, rec)
	})
}

// updateSubmission checks a triage change against the submission's
// current state and applies it inside tx.
func updateSubmission(tx *gorm.DB, id string, ch casework.Change, today string) error {
	var cur struct {
		Status         string
		ClosingCode    *string
		AckDays        int
		FeedbackMonths int
	}
	err := tx.Table("submissions").Select("submissions.status, submissions.closing_code, desks.ack_days, desks.feedback_months").
		Joins("JOIN desks ON desks.id = submissions.desk_id").Where("submissions.id = ?", id).Take(&cur).Error
	if err != nil {
		return translate(err, "Submission")
	}
	curCode := casework.ClosingCode("")
	if cur.ClosingCode != nil {
		curCode = casework.ClosingCode(*cur.ClosingCode)
	}
	code, err := ch.Check(casework.Status(cur.Status), curCode)
	if err != nil {
		return err
	}
	set := map[string]any{}
	if code == "" {
		set["closing_code"] = nil
	} else {
		set["closing_code"] = string(code)
	}
	if ch.Status != nil {
		set["status"] = string(*ch.Status)
	}
	if ch.Priority != nil {
		set["priority"] = *ch.Priority
	}
	if ch.Assignee != nil {
		if *ch.Assignee == "" {
			set["assignee_id"] = nil
		} else {
			var user struct{ ID int64 }
			if err := tx.Table("users").Select("id").Where("email = ?", *ch.Assignee).Take(&user).Error; err != nil {
				return translate(err, "Staff member "+*ch.Assignee)
			}
			set["assignee_id"] = user.ID
		}
	}
	if err := tx.Table("submissions").Where("id = ?", id).Updates(set).Error; err != nil {
		return translate(err, "Submission")
	}
	if ch.Labels != nil {
		if err := tx.Exec("DELETE FROM submission_labels WHERE submission_id = ?", id).Error; err != nil {
			return translate(err, "Label")
		}
		for _, l := range *ch.Labels {
			if err := tx.Exec("INSERT INTO submission_labels (submission_id, label) VALUES (?, ?) ON CONFLICT DO NOTHING", id, l).Error; err != nil {
				return translate(err, "Label")
			}
		}
	}
	if ch.Status == nil {
		return nil
	}
	return meetDeadlines(tx, id, *ch.Status, casework.Policy{AckDays: cur.AckDays, FeedbackMonths: cur.FeedbackMonths}, today)
}

// meetDeadlines records the deadlines a move to status meets today. When
// it acknowledges receipt, the feedback deadline runs from today.
func meetDeadlines(tx *gorm.DB, id string, status casework.Status, p casework.Policy, today string) error {
	for _, kind := range casework.MeetsDeadlines(status) {
		res := tx.Exec("UPDATE deadlines SET met_day = ? WHERE submission_id = ? AND kind = ? AND met_day IS NULL", today, id, kind)
		if res.Error != nil {
			return translate(res.Error, "Deadline")
		}
		if kind == casework.DeadlineAcknowledge && res.RowsAffected == 1 {
			due, err := p.FeedbackDue(today)
			if err != nil {
				return err
			}
			if err := tx.Exec("UPDATE deadlines SET due_day = ? WHERE submission_id = ? AND kind = ? AND met_day IS NULL", due, id, casework.DeadlineFeedback).Error; err != nil {
				return translate(err, "Deadline")
			}
		}
	}
	return nil
}

// insertReceivedDeadlines starts a new submission's deadlines under its
// desk's policy.
func insertReceivedDeadlines(tx *gorm.DB, id, receivedDay string, p casework.Policy) error {
	deadlines, err := p.ReceivedDeadlines(receivedDay)
	if err != nil {
		return err
	}
	for _, d := range deadlines {
		if err := tx.Exec("INSERT INTO deadlines (submission_id, kind, due_day) VALUES (?, ?, ?)", id, string(d.Kind), d.DueDay).Error; err != nil {
			return translate(err, "Deadline")
		}
	}
	return nil
}
