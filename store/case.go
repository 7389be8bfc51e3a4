package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/casework"
)

var _ casework.CaseStore = (*Store)(nil)

// caseRow is a case with its desk's slug and its lead's email.
type caseRow struct {
	ID        string
	Desk      string
	Title     string
	Lead      string
	Status    string
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (r caseRow) summary() casework.CaseSummary {
	return casework.CaseSummary{ID: r.ID, Desk: r.Desk, Title: r.Title, Lead: r.Lead, Status: casework.CaseStatus(r.Status),
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

// caseSelect selects caseRows.
func (s *Store) caseSelect(ctx context.Context) *gorm.DB {
	return s.db.WithContext(ctx).Table("cases").
		Select("cases.id, desks.slug AS desk, cases.title, users.email AS lead, cases.status, cases.created_at, cases.updated_at").
		Joins("JOIN desks ON desks.id = cases.desk_id").
		Joins("JOIN users ON users.id = cases.lead_id")
}

// deskLead returns the id of the investigator lead of the desk deskID;
// Invalid when lead is no enabled investigator of it.
func deskLead(tx *gorm.DB, deskID int64, lead string) (int64, error) {
	var user struct{ ID int64 }
	err := tx.Table("users").Select("users.id").
		Joins("JOIN user_desks ON user_desks.user_id = users.id").
		Where("users.email = ? AND users.role = ? AND NOT users.disabled AND user_desks.desk_id = ?", lead, string(casework.RoleInvestigator), deskID).
		Take(&user).Error
	if err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return 0, tipline.Errorf(tipline.Invalid, "The lead must be an investigator of the case's desk.")
		}
		return 0, translate(err, "Staff member")
	}
	return user.ID, nil
}

// linkSubmission links a submission of the desk deskID to a case; NotFound
// for a submission of another desk, which the caller may not know of.
func linkSubmission(tx *gorm.DB, caseID string, deskID int64, submissionID string) error {
	var n int64
	if err := tx.Table("submissions").Where("id = ? AND desk_id = ?", submissionID, deskID).Count(&n).Error; err != nil {
		return translate(err, "Submission")
	}
	if n == 0 {
		return tipline.Errorf(tipline.NotFound, "Submission not found.")
	}
	err := tx.Exec("INSERT INTO case_submissions (case_id, submission_id, desk_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
		caseID, submissionID, deskID).Error
	return translate(err, "Case submission")
}

// caseOpened moves a submission to case_opened inside tx, meeting its
// deadlines on the day of at.
func caseOpened(tx *gorm.DB, submissionID string, at time.Time) error {
	st := casework.CaseOpened
	return updateSubmission(tx, submissionID, casework.Change{Status: &st}, at.UTC().Format(time.DateOnly))
}

// CreateCase implements casework.CaseStore.
func (s *Store) CreateCase(ctx context.Context, c casework.NewCase, at time.Time, rec casework.AuditRecord) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var desk deskRow
		if err := tx.Where("slug = ?", c.Desk).Take(&desk).Error; err != nil {
			return translate(err, "Desk")
		}
		leadID, err := deskLead(tx, desk.ID, c.Lead)
		if err != nil {
			return err
		}
		err = tx.Exec("INSERT INTO cases (id, desk_id, title, lead_id, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
			c.ID, desk.ID, c.Title, leadID, string(casework.CaseOpen), at.UTC(), at.UTC()).Error
		if err != nil {
			return translate(err, "Case")
		}
		for _, id := range c.Submissions {
			if err := linkSubmission(tx, c.ID, desk.ID, id); err != nil {
				return err
			}
			if err := caseOpened(tx, id, at); err != nil {
				return err
			}
		}
		return s.appendAudit(tx, rec)
	})
}

// ListCases implements casework.CaseStore.
func (s *Store) ListCases(ctx context.Context, q casework.CaseQuery) ([]casework.CaseSummary, error) {
	db := s.caseSelect(ctx)
	if q.Desks != nil {
		// "" is never a slug: no desks means no cases (IN () is not SQL).
		db = db.Where("desks.slug IN ?", append([]string{""}, q.Desks...))
	}
	if q.Desk != "" {
		db = db.Where("desks.slug = ?", q.Desk)
	}
	if q.Status != "" {
		db = db.Where("cases.status = ?", string(q.Status))
	}
	if q.Submission != "" {
		db = db.Where("cases.id IN (SELECT case_id FROM case_submissions WHERE submission_id = ?)", q.Submission)
	}
	var rows []caseRow
	if err := db.Order("cases.created_at DESC, cases.id DESC").Limit(q.Limit).Scan(&rows).Error; err != nil {
		return nil, translate(err, "Case")
	}
	items := make([]casework.CaseSummary, len(rows))
	for i, r := range rows {
		items[i] = r.summary()
	}
	return items, nil
}

// CaseDetail implements casework.CaseStore.
func (s *Store) CaseDetail(ctx context.Context, id string) (casework.CaseDetail, error) {
	var row caseRow
	if err := s.caseSelect(ctx).Where("cases.id = ?", id).Take(&row).Error; err != nil {
		return casework.CaseDetail{}, translate(err, "Case")
	}
	d := casework.CaseDetail{CaseSummary: row.summary(), Submissions: []string{}, Numbers: map[string]int{}, Notes: []casework.Note{}}
	var tips []struct {
		ID     string
		Number int
	}
	if err := s.db.WithContext(ctx).Table("case_submissions").
		Select("submissions.id, submissions.number").
		Joins("JOIN submissions ON submissions.id = case_submissions.submission_id").
		Where("case_submissions.case_id = ?", id).Order("submissions.number, submissions.id").
		Scan(&tips).Error; err != nil {
		return d, translate(err, "Case submission")
	}
	for _, tip := range tips {
		d.Submissions = append(d.Submissions, tip.ID)
		d.Numbers[tip.ID] = tip.Number
	}
	var notes []struct {
		ID        int64
		Author    string
		Body      string
		CreatedAt time.Time
	}
	err := s.db.WithContext(ctx).Table("case_notes").
		Select("case_notes.id, users.email AS author, case_notes.body, case_notes.created_at").
		Joins("JOIN users ON users.id = case_notes.author_id").
		Where("case_notes.case_id = ?", id).Order("case_notes.id").Scan(&notes).Error
	if err != nil {
		return d, translate(err, "Note")
	}
	for _, n := range notes {
		d.Notes = append(d.Notes, casework.Note{ID: n.ID, Author: n.Author, Text: n.Body, At: n.CreatedAt.UTC()})
	}
	return d, nil
}

// caseDesk returns the desk id of a case.
func caseDesk(tx *gorm.DB, id string) (int64, error) {
	deskID, _, err := caseState(tx, id)
	return deskID, err
}

// caseState returns the desk id and the status of a case.
func caseState(tx *gorm.DB, id string) (int64, casework.CaseStatus, error) {
	var c struct {
		DeskID int64
		Status string
	}
	if err := tx.Table("cases").Select("desk_id, status").Where("id = ?", id).Take(&c).Error; err != nil {
		return 0, "", translate(err, "Case")
	}
	return c.DeskID, casework.CaseStatus(c.Status), nil
}

// UpdateCase implements casework.CaseStore.
func (s *Store) UpdateCase(ctx context.Context, id string, ch casework.CaseChange, at time.Time, rec casework.AuditRecord) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		deskID, err := caseDesk(tx, id)
		if err != nil {
			return err
		}
		set := map[string]any{"updated_at": at.UTC()}
		if ch.Title != nil {
			set["title"] = *ch.Title
		}
		if ch.Status != nil {
			set["status"] = string(*ch.Status)
		}
		if ch.Lead != nil {
			leadID, err := deskLead(tx, deskID, *ch.Lead)
			if err != nil {
				return err
			}
			set["lead_id"] = leadID
		}
		if err := tx.Table("cases").Where("id = ?", id).Updates(set).Error; err != nil {
			return translate(err, "Case")
		}
		return s.appendAudit(tx, rec)
	})
}

// LinkSubmission implements casework.CaseStore.
func (s *Store) LinkSubmission(ctx context.Context, caseID, submissionID string, at time.Time, rec casework.AuditRecord) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		deskID, status, err := caseState(tx, caseID)
		if err != nil {
			return err
		}
		if err := linkSubmission(tx, caseID, deskID, submissionID); err != nil {
			return err
		}
		if status == casework.CaseOpen {
			if err := caseOpened(tx, submissionID, at); err != nil {
				return err
			}
		}
		if err := tx.Exec("UPDATE cases SET updated_at = ? WHERE id = ?", at.UTC(), caseID).Error; err != nil {
			return translate(err, "Case")
		}
		return s.appendAudit(tx, rec)
	})
}

// AddNote implements casework.CaseStore.
func (s *Store) AddNote(ctx context.Context, caseID string, authorID int64, text string, at time.Time, rec casework.AuditRecord) (casework.Note, error) {
	var note casework.Note
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if _, err := caseDesk(tx, caseID); err != nil {
			return err
		}
		row := caseNoteRow{CaseID: caseID, AuthorID: authorID, Body: text, CreatedAt: at.UTC()}
		if err := tx.Create(&row).Error; err != nil {
			return translate(err, "Note")
		}
		var author struct{ Email string }
		if err := tx.Table("users").Select("email").Where("id = ?", authorID).Take(&author).Error; err != nil {
			return translate(err, "Staff member")
		}
		note = casework.Note{ID: row.ID, Author: author.Email, Text: text, At: row.CreatedAt}
		if err := tx.Exec("UPDATE cases SET updated_at = ? WHERE id = ?", at.UTC(), caseID).Error; err != nil {
			return translate(err, "Case")
		}
		return s.appendAudit(tx, rec)
	})
	if err != nil {
		return casework.Note{}, err
	}
	return note, nil
}

// caseNoteRow is one row of case_notes.
type caseNoteRow struct {
	ID        int64
	CaseID    string
	AuthorID  int64
	Body      string
	CreatedAt time.Time
}

func (caseNoteRow) TableName() string { return "case_notes" }
