package store

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/tipline/tipline/awards"
	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/quitam"
)

var _ quitam.Store = (*Store)(nil)

// matterRow is a row of qui_tam_matters.
type matterRow struct {
	ID, CaseID, ClaimID, Caption                         string
	FiledDay, ServedDay, ViolationDay, KnowledgeDay      *string
	RetaliationDay, RetaliationFiledDay, InterventionDay *string
	PublicDisclosure, OriginalSource, PrimarilyPublic    bool
	FirstToFile, PlannedInitiated                        bool
	Intervention                                         string
	CreatedAt, UpdatedAt                                 time.Time
}

func (r matterRow) matter() quitam.Matter {
	return quitam.Matter{
		ID: r.ID, CaseID: r.CaseID, ClaimID: r.ClaimID,
		Facts: quitam.Facts{
			Caption: r.Caption, FiledDay: dayOrEmpty(r.FiledDay), ServedDay: dayOrEmpty(r.ServedDay),
			ViolationDay: dayOrEmpty(r.ViolationDay), KnowledgeDay: dayOrEmpty(r.KnowledgeDay),
			RetaliationDay: dayOrEmpty(r.RetaliationDay), RetaliationFiledDay: dayOrEmpty(r.RetaliationFiledDay),
			PublicDisclosure: r.PublicDisclosure, OriginalSource: r.OriginalSource, PrimarilyPublic: r.PrimarilyPublic,
			FirstToFile: r.FirstToFile, PlannedInitiated: r.PlannedInitiated,
		},
		Intervention: quitam.Intervention(r.Intervention), InterventionDay: dayOrEmpty(r.InterventionDay),
		Extensions: []quitam.Extension{}, Collections: []quitam.Collection{}, Counsel: []string{},
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}
}

// matterColumns writes a matter's facts and election.
func matterColumns(m quitam.Matter) map[string]any {
	return map[string]any{
		"caption": m.Caption, "filed_day": optionalDay(m.FiledDay), "served_day": optionalDay(m.ServedDay),
		"violation_day": optionalDay(m.ViolationDay), "knowledge_day": optionalDay(m.KnowledgeDay),
		"retaliation_day": optionalDay(m.RetaliationDay), "retaliation_filed_day": optionalDay(m.RetaliationFiledDay),
		"public_disclosure": m.PublicDisclosure, "original_source": m.OriginalSource, "primarily_public": m.PrimarilyPublic,
		"first_to_file": m.FirstToFile, "planned_initiated": m.PlannedInitiated,
		"intervention": string(m.Intervention), "intervention_day": optionalDay(m.InterventionDay),
		"updated_at": m.UpdatedAt.UTC(),
	}
}

// CreateMatter implements quitam.Store.
func (s *Store) CreateMatter(ctx context.Context, m quitam.Matter, createdBy int64, deadlines []casework.Deadline, rec casework.AuditRecord) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		cols := matterColumns(m)
		cols["id"], cols["case_id"], cols["claim_id"], cols["created_by"], cols["created_at"] = m.ID, m.CaseID, m.ClaimID, createdBy, m.CreatedAt.UTC()
		if err := tx.Table("qui_tam_matters").Create(cols).Error; err != nil {
			return translate(err, "Qui tam matter")
		}
		if err := replaceMatterDeadlines(tx, m, deadlines); err != nil {
			return err
		}
		return s.appendAudit(tx, rec)
	})
}

// SaveMatter implements quitam.Store.
func (s *Store) SaveMatter(ctx context.Context, m quitam.Matter, deadlines []casework.Deadline, rec casework.AuditRecord) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Table("qui_tam_matters").Where("id = ?", m.ID).Updates(matterColumns(m))
		if res.Error != nil {
			return translate(res.Error, "Qui tam matter")
		}
		if res.RowsAffected == 0 {
			return translate(gorm.ErrRecordNotFound, "Qui tam matter")
		}
		if err := tx.Exec("DELETE FROM qui_tam_extensions WHERE matter_id = ?", m.ID).Error; err != nil {
			return translate(err, "Seal extension")
		}
		for i, e := range m.Extensions {
			err := tx.Exec("INSERT INTO qui_tam_extensions (matter_id, position, granted_day, new_day) VALUES (?, ?, ?, ?)",
				m.ID, i, e.GrantedDay, e.NewDay).Error
			if err != nil {
				return translate(err, "Seal extension")
			}
		}
		if err := replaceMatterDeadlines(tx, m, deadlines); err != nil {
			return err
		}
		return s.appendAudit(tx, rec)
	})
}

// replaceMatterDeadlines sets the matter's deadlines on every submission
// of its case: the matter's facts decide them, so they are written afresh.
func replaceMatterDeadlines(tx *gorm.DB, m quitam.Matter, deadlines []casework.Deadline) error {
	var subs []string
	if err := tx.Table("case_submissions").Where("case_id = ?", m.CaseID).Order("submission_id").Pluck("submission_id", &subs).Error; err != nil {
		return translate(err, "Case")
	}
	if err := tx.Exec("DELETE FROM deadlines WHERE kind LIKE ?", casework.QuiTamDeadlines(m.ID)+"%").Error; err != nil {
		return translate(err, "Deadline")
	}
	for _, sub := range subs {
		for _, d := range deadlines {
			err := tx.Exec("INSERT INTO deadlines (submission_id, kind, due_day, met_day) VALUES (?, ?, ?, ?)",
				sub, string(d.Kind), d.DueDay, optionalDay(d.MetDay)).Error
			if err != nil {
				return translate(err, "Deadline")
			}
		}
	}
	return nil
}

// matterCollectionRow is a row of qui_tam_collections.
type matterCollectionRow struct {
	ID                       int64 `gorm:"primaryKey"`
	MatterID, ReceivedDay    string
	FederalCents, StateCents int64
	DocumentRef              string
	RecordedBy               int64
	RecordedAt               time.Time
}

func (matterCollectionRow) TableName() string { return "qui_tam_collections" }

// AddMatterCollection implements quitam.Store.
func (s *Store) AddMatterCollection(ctx context.Context, matterID string, c quitam.Collection, by int64, at time.Time, rec casework.AuditRecord) (int64, error) {
	row := matterCollectionRow{MatterID: matterID, ReceivedDay: c.ReceivedDay, FederalCents: int64(c.Federal), StateCents: int64(c.State),
		DocumentRef: c.DocumentRef, RecordedBy: by, RecordedAt: at.UTC()}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&row).Error; err != nil {
			return translate(err, "Collection")
		}
		return s.appendAudit(tx, rec)
	})
	return row.ID, err
}

// matterSelect selects matterRows.
func (s *Store) matterSelect(ctx context.Context) *gorm.DB {
	return s.db.WithContext(ctx).Table("qui_tam_matters").Select("id, case_id, claim_id, caption, filed_day, served_day, violation_day, " +
		"knowledge_day, retaliation_day, retaliation_filed_day, intervention_day, public_disclosure, original_source, primarily_public, " +
		"first_to_file, planned_initiated, intervention, created_at, updated_at")
}

// Matter implements quitam.Store.
func (s *Store) Matter(ctx context.Context, id string) (quitam.Matter, error) {
	var row matterRow
	if err := s.matterSelect(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return quitam.Matter{}, translate(err, "Qui tam matter")
	}
	ms := []quitam.Matter{row.matter()}
	if err := s.fillMatters(ctx, ms); err != nil {
		return quitam.Matter{}, err
	}
	return ms[0], nil
}

// ListMatters implements quitam.Store.
func (s *Store) ListMatters(ctx context.Context, limit int) ([]quitam.Matter, error) {
	var rows []matterRow
	if err := s.matterSelect(ctx).Order("created_at DESC, id DESC").Limit(limit).Scan(&rows).Error; err != nil {
		return nil, translate(err, "Qui tam matter")
	}
	ms := make([]quitam.Matter, len(rows))
	for i, r := range rows {
		ms[i] = r.matter()
	}
	return ms, s.fillMatters(ctx, ms)
}

// ClaimMatters implements claims.Store.
func (s *Store) ClaimMatters(ctx context.Context, claimID string) ([]quitam.Matter, error) {
	var rows []matterRow
	if err := s.matterSelect(ctx).Where("claim_id = ?", claimID).Order("created_at, id").Scan(&rows).Error; err != nil {
		return nil, translate(err, "Qui tam matter")
	}
	ms := make([]quitam.Matter, len(rows))
	for i, r := range rows {
		ms[i] = r.matter()
	}
	return ms, s.fillMatters(ctx, ms)
}

// fillMatters loads the extensions, collections and counsel of matters,
// one query each.
func (s *Store) fillMatters(ctx context.Context, ms []quitam.Matter) error {
	if len(ms) == 0 {
		return nil
	}
	ids, claimIDs := make([]string, len(ms)), make([]string, len(ms))
	index := map[string]int{}
	for i, m := range ms {
		ids[i], claimIDs[i], index[m.ID] = m.ID, m.ClaimID, i
	}
	db := s.db.WithContext(ctx)
	var exts []struct{ MatterID, GrantedDay, NewDay string }
	if err := db.Table("qui_tam_extensions").Where("matter_id IN ?", ids).Order("matter_id, position").Scan(&exts).Error; err != nil {
		return translate(err, "Seal extension")
	}
	for _, e := range exts {
		m := &ms[index[e.MatterID]]
		m.Extensions = append(m.Extensions, quitam.Extension{GrantedDay: dayOf(e.GrantedDay), NewDay: dayOf(e.NewDay)})
	}
	var cols []matterCollectionRow
	if err := db.Where("matter_id IN ?", ids).Order("id").Find(&cols).Error; err != nil {
		return translate(err, "Collection")
	}
	for _, c := range cols {
		m := &ms[index[c.MatterID]]
		m.Collections = append(m.Collections, quitam.Collection{ID: c.ID, ReceivedDay: dayOf(c.ReceivedDay),
			Federal: awards.Cents(c.FederalCents), State: awards.Cents(c.StateCents), DocumentRef: c.DocumentRef})
	}
	byClaim, err := s.claimCounsel(ctx, claimIDs)
	if err != nil {
		return err
	}
	for i := range ms {
		ms[i].Counsel = append(ms[i].Counsel, byClaim[ms[i].ClaimID]...)
	}
	return nil
}

// MatterClaim implements quitam.Store.
func (s *Store) MatterClaim(ctx context.Context, claimID string) (string, []string, error) {
	var row struct{ Program string }
	if err := s.db.WithContext(ctx).Table("claims").Select("program").Where("id = ?", claimID).Take(&row).Error; err != nil {
		return "", nil, translate(err, "Claim")
	}
	counsel, err := s.claimCounsel(ctx, []string{claimID})
	return row.Program, counsel[claimID], err
}

// CaseHoldsClaimSubmission implements quitam.Store.
func (s *Store) CaseHoldsClaimSubmission(ctx context.Context, caseID, claimID string) (bool, error) {
	var n int64
	if err := s.db.WithContext(ctx).Table("cases").Where("id = ?", caseID).Count(&n).Error; err != nil {
		return false, translate(err, "Case")
	}
	if n == 0 {
		return false, translate(gorm.ErrRecordNotFound, "Case")
	}
	err := s.db.WithContext(ctx).Table("case_submissions").
		Joins("JOIN claim_submissions ON claim_submissions.submission_id = case_submissions.submission_id").
		Where("case_submissions.case_id = ? AND claim_submissions.claim_id = ?", caseID, claimID).Count(&n).Error
	return n > 0, translate(err, "Case")
}

// MatterOpenings implements quitam.Store.
func (s *Store) MatterOpenings(ctx context.Context, limit int) ([]quitam.Opening, error) {
	var rows []struct{ ClaimID, Pseudonym, CaseID, Desk string }
	err := s.db.WithContext(ctx).Table("claims").
		Select("DISTINCT claims.id AS claim_id, claims.pseudonym, case_submissions.case_id, desks.slug AS desk").
		Joins("JOIN claim_submissions ON claim_submissions.claim_id = claims.id").
		Joins("JOIN case_submissions ON case_submissions.submission_id = claim_submissions.submission_id").
		Joins("JOIN desks ON desks.id = case_submissions.desk_id").
		Where("claims.program = ?", "fca").Order("claims.id, case_submissions.case_id").Limit(limit).Scan(&rows).Error
	if err != nil {
		return nil, translate(err, "Claim")
	}
	out := make([]quitam.Opening, len(rows))
	claimIDs := make([]string, len(rows))
	for i, r := range rows {
		out[i], claimIDs[i] = quitam.Opening{ClaimID: r.ClaimID, Claimant: r.Pseudonym, CaseID: r.CaseID, Desk: r.Desk}, r.ClaimID
	}
	if len(rows) == 0 {
		return out, nil
	}
	byClaim, err := s.claimCounsel(ctx, claimIDs)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Counsel = byClaim[out[i].ClaimID]
	}
	return out, nil
}

// claimCounsel returns the emails of the counsel of each claim.
func (s *Store) claimCounsel(ctx context.Context, claimIDs []string) (map[string][]string, error) {
	var counsel []struct{ ClaimID, Email string }
	if err := s.db.WithContext(ctx).Table("claim_counsel").Select("claim_counsel.claim_id, users.email").Joins("JOIN users ON users.id = claim_counsel.user_id").
		Where("claim_counsel.claim_id IN ?", claimIDs).Order("users.email").Scan(&counsel).Error; err != nil {
		return nil, translate(err, "Claim")
	}
	byClaim := map[string][]string{}
	for _, c := range counsel {
		byClaim[c.ClaimID] = append(byClaim[c.ClaimID], c.Email)
	}
	return byClaim, nil
}
