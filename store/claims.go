package store

import (
	"context"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/awards"
	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/claims"
)

var _ claims.Store = (*Store)(nil)

// optionalDay stores an empty day as NULL.
func optionalDay(d string) any {
	if d == "" {
		return nil
	}
	return d
}

func dayOrEmpty(d *string) string {
	if d == nil {
		return ""
	}
	return dayOf(*d)
}

// actionColumns writes an action's fields.
func actionColumns(f claims.ActionFields, at time.Time) map[string]any {
	covered := any(nil)
	if f.CoveredID != "" {
		covered = f.CoveredID
	}
	return map[string]any{
		"relation": string(f.Relation), "covered_id": covered, "basis": f.Basis, "agency": f.Agency,
		"forum": f.Forum, "case_number": f.CaseNumber, "title": f.Title, "filed_day": optionalDay(f.FiledDay),
		"final_order_day": optionalDay(f.FinalOrderDay), "notice_day": optionalDay(f.NoticeDay), "updated_at": at.UTC(),
	}
}

// checkCovered checks that an aggregated or related action names a
// covered action.
func checkCovered(tx *gorm.DB, f claims.ActionFields) error {
	if f.CoveredID == "" {
		return nil
	}
	var rel struct{ Relation string }
	if err := tx.Table("enforcement_actions").Select("relation").Where("id = ?", f.CoveredID).Take(&rel).Error; err != nil {
		return translate(err, "Covered action")
	}
	if rel.Relation != string(claims.Covered) {
		return tipline.Errorf(tipline.Invalid, "An action is grouped under a covered action, not under an aggregated or related one.")
	}
	return nil
}

func writeDefendants(tx *gorm.DB, id string, defs []claims.Defendant) error {
	if err := tx.Exec("DELETE FROM action_defendants WHERE action_id = ?", id).Error; err != nil {
		return translate(err, "Defendant")
	}
	for i, d := range defs {
		entity := any(nil)
		if d.EntityID != "" {
			entity = d.EntityID
		}
		if err := tx.Exec("INSERT INTO action_defendants (action_id, position, name, entity_id) VALUES (?, ?, ?, ?)", id, i, d.Name, entity).Error; err != nil {
			return translate(err, "Defendant")
		}
	}
	return nil
}

// CreateAction implements claims.Store.
func (s *Store) CreateAction(ctx context.Context, id string, f claims.ActionFields, byID int64, at time.Time, rec casework.AuditRecord) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := checkCovered(tx, f); err != nil {
			return err
		}
		cols := actionColumns(f, at)
		cols["id"], cols["created_by"], cols["created_at"] = id, byID, at.UTC()
		if err := tx.Table("enforcement_actions").Create(cols).Error; err != nil {
			return translate(err, "Action")
		}
		if err := writeDefendants(tx, id, f.Defendants); err != nil {
			return err
		}
		return s.appendAudit(tx, rec)
	})
}

// UpdateAction implements claims.Store.
func (s *Store) UpdateAction(ctx context.Context, id string, f claims.ActionFields, at time.Time, rec casework.AuditRecord) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := checkCovered(tx, f); err != nil {
			return err
		}
		if f.Relation != claims.Covered {
			var n int64
			if err := tx.Table("enforcement_actions").Where("covered_id = ?", id).Count(&n).Error; err != nil {
				return translate(err, "Action")
			}
			if n > 0 {
				return tipline.Errorf(tipline.Invalid, "Other actions are grouped under this one: it stays a covered action.")
			}
		}
		res := tx.Table("enforcement_actions").Where("id = ?", id).Updates(actionColumns(f, at))
		if res.Error != nil {
			return translate(res.Error, "Action")
		}
		if res.RowsAffected == 0 {
			return translate(gorm.ErrRecordNotFound, "Action")
		}
		if err := writeDefendants(tx, id, f.Defendants); err != nil {
			return err
		}
		return s.appendAudit(tx, rec)
	})
}

// actionRow is an action with its case's desk and its creator's email.
type actionRow struct {
	ID, Relation, Basis, Agency, Forum, CaseNumber, Title string
	CoveredID, CaseID, CaseDesk                           *string
	FiledDay, FinalOrderDay, NoticeDay                    *string
	CreatedBy                                             string
	CreatedAt, UpdatedAt                                  time.Time
}

// loadActions returns the actions with the given ids (nil: the newest
// limit), newest first, in full.
func (s *Store) loadActions(ctx context.Context, ids []string, limit int) ([]claims.Action, error) {
	db := s.db.WithContext(ctx)
	q := db.Table("enforcement_actions a").
		Select("a.id, a.relation, a.basis, a.agency, a.forum, a.case_number, a.title, a.covered_id, a.case_id, desks.slug AS case_desk, " +
			"a.filed_day, a.final_order_day, a.notice_day, users.email AS created_by, a.created_at, a.updated_at").
		Joins("JOIN users ON users.id = a.created_by").
		Joins("LEFT JOIN cases ON cases.id = a.case_id").
		Joins("LEFT JOIN desks ON desks.id = cases.desk_id").
		Order("a.created_at DESC, a.id DESC")
	if ids != nil {
		q = q.Where("a.id IN ?", append([]string{""}, ids...))
	} else {
		q = q.Limit(limit)
	}
	var rows []actionRow
	if err := q.Scan(&rows).Error; err != nil {
		return nil, translate(err, "Action")
	}
	out := make([]claims.Action, len(rows))
	index := map[string]*claims.Action{}
	keys := make([]string, len(rows))
	for i, r := range rows {
		a := claims.Action{ID: r.ID, ActionFields: claims.ActionFields{
			Relation: claims.Relation(r.Relation), Basis: r.Basis, Agency: r.Agency, Forum: r.Forum, CaseNumber: r.CaseNumber,
			Title: r.Title, Defendants: []claims.Defendant{}, FiledDay: dayOrEmpty(r.FiledDay), FinalOrderDay: dayOrEmpty(r.FinalOrderDay),
			NoticeDay: dayOrEmpty(r.NoticeDay),
		}, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
			Sanctions: []claims.Sanction{}, Collections: []claims.Collection{}, Counsel: []string{}, ClaimDesks: []string{}}
		if r.CoveredID != nil {
			a.CoveredID = *r.CoveredID
		}
		if r.CaseID != nil {
			a.CaseID = *r.CaseID
		}
		if r.CaseDesk != nil {
			a.CaseDesk = *r.CaseDesk
		}
		out[i] = a
		keys[i] = r.ID
	}
	for i := range out {
		index[out[i].ID] = &out[i]
	}
	if len(keys) == 0 {
		return out, nil
	}
	var defs []struct {
		ActionID, Name string
		EntityID       *string
	}
	if err := db.Table("action_defendants").Where("action_id IN ?", keys).Order("action_id, position").Scan(&defs).Error; err != nil {
		return nil, translate(err, "Defendant")
	}
	for _, d := range defs {
		def := claims.Defendant{Name: d.Name}
		if d.EntityID != nil {
			def.EntityID = *d.EntityID
		}
		index[d.ActionID].Defendants = append(index[d.ActionID].Defendants, def)
	}
	var sanctions []struct {
		ActionID, Kind string
		OrderedCents   int64
	}
	if err := db.Table("action_sanctions").Where("action_id IN ?", keys).Order("action_id, kind").Scan(&sanctions).Error; err != nil {
		return nil, translate(err, "Sanction")
	}
	for _, r := range sanctions {
		index[r.ActionID].Sanctions = append(index[r.ActionID].Sanctions, claims.Sanction{Kind: awards.Kind(r.Kind), Ordered: awards.Cents(r.OrderedCents)})
	}
	var ledger []struct {
		ID                                       int64
		ActionID, Kind, ReceivedDay, DocumentRef string
		AmountCents                              int64
		Reverses                                 *int64
		RecordedBy                               string
		RecordedAt                               time.Time
	}
	err := db.Table("collections c").
		Select("c.id, c.action_id, c.kind, c.received_day, c.document_ref, c.amount_cents, c.reverses, users.email AS recorded_by, c.recorded_at").
		Joins("JOIN users ON users.id = c.recorded_by").Where("c.action_id IN ?", keys).Order("c.id").Scan(&ledger).Error
	if err != nil {
		return nil, translate(err, "Collection")
	}
	reversed := map[int64]bool{}
	for _, r := range ledger {
		if r.Reverses != nil {
			reversed[*r.Reverses] = true
		}
	}
	for _, r := range ledger {
		c := claims.Collection{ID: r.ID, ActionID: r.ActionID, Kind: awards.Kind(r.Kind), Amount: awards.Cents(r.AmountCents),
			ReceivedDay: dayOf(r.ReceivedDay), DocumentRef: r.DocumentRef, Reversed: reversed[r.ID], RecordedBy: r.RecordedBy, RecordedAt: r.RecordedAt.UTC()}
		if r.Reverses != nil {
			c.Reverses = *r.Reverses
		}
		index[r.ActionID].Collections = append(index[r.ActionID].Collections, c)
	}
	var counsel []struct{ ActionID, Email string }
	err = db.Table("claim_actions").Select("DISTINCT claim_actions.action_id, users.email").
		Joins("JOIN claim_counsel ON claim_counsel.claim_id = claim_actions.claim_id").
		Joins("JOIN users ON users.id = claim_counsel.user_id").
		Where("claim_actions.action_id IN ?", keys).Order("users.email").Scan(&counsel).Error
	if err != nil {
		return nil, translate(err, "Counsel")
	}
	for _, r := range counsel {
		index[r.ActionID].Counsel = append(index[r.ActionID].Counsel, r.Email)
	}
	var claimDesks []struct{ ActionID, Desk string }
	err = db.Table("claim_actions").Select("DISTINCT claim_actions.action_id, desks.slug AS desk").
		Joins("JOIN claim_submissions ON claim_submissions.claim_id = claim_actions.claim_id").
		Joins("JOIN submissions ON submissions.id = claim_submissions.submission_id").
		Joins("JOIN desks ON desks.id = submissions.desk_id").
		Where("claim_actions.action_id IN ?", keys).Order("desks.slug").Scan(&claimDesks).Error
	if err != nil {
		return nil, translate(err, "Claim submission")
	}
	for _, r := range claimDesks {
		index[r.ActionID].ClaimDesks = append(index[r.ActionID].ClaimDesks, r.Desk)
	}
	return out, nil
}

// Action implements claims.Store.
func (s *Store) Action(ctx context.Context, id string) (claims.Action, error) {
	list, err := s.loadActions(ctx, []string{id}, 0)
	if err != nil {
		return claims.Action{}, err
	}
	if len(list) == 0 {
		return claims.Action{}, translate(gorm.ErrRecordNotFound, "Action")
	}
	return list[0], nil
}

// ListActions implements claims.Store.
func (s *Store) ListActions(ctx context.Context, limit int) ([]claims.Action, error) {
	return s.loadActions(ctx, nil, limit)
}

// CaseDesk implements claims.Store.
func (s *Store) CaseDesk(ctx context.Context, caseID string) (string, error) {
	var row struct{ Slug string }
	err := s.db.WithContext(ctx).Table("cases").Select("desks.slug").Joins("JOIN desks ON desks.id = cases.desk_id").
		Where("cases.id = ?", caseID).Take(&row).Error
	return row.Slug, translate(err, "Case")
}

// LinkActionCase implements claims.Store.
func (s *Store) LinkActionCase(ctx context.Context, id, caseID string, at time.Time, rec casework.AuditRecord) error {
	link := any(nil)
	if caseID != "" {
		link = caseID
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Table("enforcement_actions").Where("id = ?", id).Updates(map[string]any{"case_id": link, "updated_at": at.UTC()})
		if res.Error != nil {
			return translate(res.Error, "Action")
		}
		if res.RowsAffected == 0 {
			return translate(gorm.ErrRecordNotFound, "Action")
		}
		return s.appendAudit(tx, rec)
	})
}

// touchAction checks an action exists and stamps it changed.
func touchAction(tx *gorm.DB, id string, at time.Time) error {
	res := tx.Exec("UPDATE enforcement_actions SET updated_at = ? WHERE id = ?", at.UTC(), id)
	if res.Error != nil {
		return translate(res.Error, "Action")
	}
	if res.RowsAffected == 0 {
		return translate(gorm.ErrRecordNotFound, "Action")
	}
	return nil
}

// SetSanction implements claims.Store.
func (s *Store) SetSanction(ctx context.Context, actionID string, sn claims.Sanction, at time.Time, rec casework.AuditRecord) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := touchAction(tx, actionID, at); err != nil {
			return err
		}
		if err := tx.Exec("DELETE FROM action_sanctions WHERE action_id = ? AND kind = ?", actionID, string(sn.Kind)).Error; err != nil {
			return translate(err, "Sanction")
		}
		if sn.Ordered != 0 {
			err := tx.Exec("INSERT INTO action_sanctions (action_id, kind, ordered_cents) VALUES (?, ?, ?)", actionID, string(sn.Kind), int64(sn.Ordered)).Error
			if err != nil {
				return translate(err, "Sanction")
			}
		}
		return s.appendAudit(tx, rec)
	})
}

// AppendCollection implements claims.Store.
func (s *Store) AppendCollection(ctx context.Context, c claims.Collection, byID int64, at time.Time, rec func(claims.Collection) casework.AuditRecord) (claims.Collection, error) {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := touchAction(tx, c.ActionID, at); err != nil {
			return err
		}
		reverses := any(nil)
		if c.Reverses != 0 {
			var orig struct {
				ActionID, Kind string
				AmountCents    int64
				Reverses       *int64
			}
			if err := tx.Table("collections").Select("action_id, kind, amount_cents, reverses").Where("id = ?", c.Reverses).Take(&orig).Error; err != nil {
				return translate(err, "Ledger entry")
			}
			if orig.ActionID != c.ActionID {
				return translate(gorm.ErrRecordNotFound, "Ledger entry")
			}
			if orig.Reverses != nil {
				return tipline.Errorf(tipline.Invalid, "A reversing entry is not reversed; record a new collection instead.")
			}
			var n int64
			if err := tx.Table("collections").Where("reverses = ?", c.Reverses).Count(&n).Error; err != nil {
				return translate(err, "Ledger entry")
			}
			if n > 0 {
				return tipline.Errorf(tipline.Conflict, "That ledger entry is reversed already.")
			}
			c.Kind, c.Amount, reverses = awards.Kind(orig.Kind), -awards.Cents(orig.AmountCents), c.Reverses
		}
		row := map[string]any{"action_id": c.ActionID, "kind": string(c.Kind), "amount_cents": int64(c.Amount),
			"received_day": c.ReceivedDay, "document_ref": c.DocumentRef, "reverses": reverses, "recorded_by": byID, "recorded_at": at.UTC()}
		if err := tx.Table("collections").Create(row).Error; err != nil {
			return translate(err, "Ledger entry")
		}
		var last struct{ ID int64 }
		if err := tx.Table("collections").Select("id").Where("action_id = ?", c.ActionID).Order("id DESC").Limit(1).Take(&last).Error; err != nil {
			return translate(err, "Ledger entry")
		}
		var by struct{ Email string }
		if err := tx.Table("users").Select("email").Where("id = ?", byID).Take(&by).Error; err != nil {
			return translate(err, "Staff member")
		}
		c.ID, c.RecordedBy, c.RecordedAt = last.ID, by.Email, at.UTC()
		return s.appendAudit(tx, rec(c))
	})
	if err != nil {
		return claims.Collection{}, err
	}
	return c, nil
}

// CollectionAction implements claims.Store.
func (s *Store) CollectionAction(ctx context.Context, id int64) (string, error) {
	var row struct{ ActionID string }
	err := s.db.WithContext(ctx).Table("collections").Select("action_id").Where("id = ?", id).Take(&row).Error
	return row.ActionID, translate(err, "Ledger entry")
}

// counselIDs resolves counsel emails to user ids; Invalid for an email
// that is no enabled counsel's.
func counselIDs(tx *gorm.DB, emails []string) ([]int64, error) {
	ids := make([]int64, 0, len(emails))
	for _, e := range emails {
		var u struct{ ID int64 }
		err := tx.Table("users").Select("id").Where("email = ? AND role = ? AND NOT disabled", e, string(casework.RoleCounsel)).Take(&u).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, tipline.Errorf(tipline.Invalid, "%s is not a counsel's account.", e)
		}
		if err != nil {
			return nil, translate(err, "Staff member")
		}
		ids = append(ids, u.ID)
	}
	return ids, nil
}

func claimColumns(c claims.Claim, at time.Time) map[string]any {
	var sealed any
	if len(c.LegalNameSealed) > 0 {
		sealed = c.LegalNameSealed
	}
	var intervened any
	if c.Intervened != nil {
		intervened = *c.Intervened
	}
	return map[string]any{
		"program": c.Program, "claimant_kind": string(c.ClaimantKind), "pseudonym": c.Pseudonym, "legal_name_sealed": sealed,
		"show_legal_name": c.ShowLegalName, "taxpayer_individual": c.TaxpayerIndividual,
		"amount_in_dispute_cents": int64(c.AmountInDispute), "individual_income_cents": int64(c.IndividualIncome),
		"intervened": intervened, "public_disclosure": c.PublicDisclosure, "original_source": c.OriginalSource, "updated_at": at.UTC(),
	}
}

func writeCounsel(tx *gorm.DB, id string, emails []string) error {
	ids, err := counselIDs(tx, emails)
	if err != nil {
		return err
	}
	if err := tx.Exec("DELETE FROM claim_counsel WHERE claim_id = ?", id).Error; err != nil {
		return translate(err, "Counsel")
	}
	for _, uid := range ids {
		if err := tx.Exec("INSERT INTO claim_counsel (claim_id, user_id) VALUES (?, ?)", id, uid).Error; err != nil {
			return translate(err, "Counsel")
		}
	}
	return nil
}

// CreateClaim implements claims.Store.
func (s *Store) CreateClaim(ctx context.Context, c claims.Claim, at time.Time, rec casework.AuditRecord) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		cols := claimColumns(c, at)
		cols["id"], cols["status"], cols["created_at"] = c.ID, string(c.Status), at.UTC()
		if err := tx.Table("claims").Create(cols).Error; err != nil {
			return translate(err, "Claim")
		}
		if err := writeCounsel(tx, c.ID, c.Counsel); err != nil {
			return err
		}
		return s.appendAudit(tx, rec)
	})
}

// updateClaim runs f on an existing claim, stamps it changed and appends
// rec to the audit log, in one transaction.
func (s *Store) updateClaim(ctx context.Context, id string, at time.Time, rec casework.AuditRecord, f func(tx *gorm.DB) error) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Exec("UPDATE claims SET updated_at = ? WHERE id = ?", at.UTC(), id)
		if res.Error != nil {
			return translate(res.Error, "Claim")
		}
		if res.RowsAffected == 0 {
			return translate(gorm.ErrRecordNotFound, "Claim")
		}
		if err := f(tx); err != nil {
			return err
		}
		return s.appendAudit(tx, rec)
	})
}

// UpdateClaim implements claims.Store.
func (s *Store) UpdateClaim(ctx context.Context, c claims.Claim, at time.Time, rec casework.AuditRecord) error {
	return s.updateClaim(ctx, c.ID, at, rec, func(tx *gorm.DB) error {
		if err := tx.Table("claims").Where("id = ?", c.ID).Updates(claimColumns(c, at)).Error; err != nil {
			return translate(err, "Claim")
		}
		return writeCounsel(tx, c.ID, c.Counsel)
	})
}

// SetClaimStatus implements claims.Store.
func (s *Store) SetClaimStatus(ctx context.Context, id string, st claims.Status, meet []casework.DeadlineKind, day string, at time.Time, rec casework.AuditRecord) error {
	return s.updateClaim(ctx, id, at, rec, func(tx *gorm.DB) error {
		if err := tx.Exec("UPDATE claims SET status = ? WHERE id = ?", string(st), id).Error; err != nil {
			return translate(err, "Claim")
		}
		return meetClaimDeadlines(tx, id, meet, day)
	})
}

// SetClaimSubmissions implements claims.Store.
func (s *Store) SetClaimSubmissions(ctx context.Context, id string, submissions []string, at time.Time, rec casework.AuditRecord) error {
	return s.updateClaim(ctx, id, at, rec, func(tx *gorm.DB) error {
		if err := tx.Exec("DELETE FROM claim_submissions WHERE claim_id = ?", id).Error; err != nil {
			return translate(err, "Claim submission")
		}
		for _, sub := range submissions {
			var n int64
			if err := tx.Table("intake_log").Where("submission_id = ?", sub).Count(&n).Error; err != nil {
				return translate(err, "Submission")
			}
			if n == 0 {
				return tipline.Errorf(tipline.NotFound, "No submission %s in the intake log.", sub)
			}
			if err := tx.Exec("INSERT INTO claim_submissions (claim_id, submission_id) VALUES (?, ?)", id, sub).Error; err != nil {
				return translate(err, "Claim submission")
			}
		}
		return nil
	})
}

// SetClaimActions implements claims.Store.
func (s *Store) SetClaimActions(ctx context.Context, id string, actions []string, at time.Time, rec casework.AuditRecord) error {
	return s.updateClaim(ctx, id, at, rec, func(tx *gorm.DB) error {
		if err := tx.Exec("DELETE FROM claim_actions WHERE claim_id = ? AND action_id NOT IN ?", id, append([]string{""}, actions...)).Error; err != nil {
			return translate(err, "Claim action")
		}
		for _, a := range actions {
			var n int64
			if err := tx.Table("enforcement_actions").Where("id = ?", a).Count(&n).Error; err != nil {
				return translate(err, "Action")
			}
			if n == 0 {
				return tipline.Errorf(tipline.NotFound, "Action %s not found.", a)
			}
			// An action the claim counts already keeps its terms.
			if err := tx.Exec("INSERT INTO claim_actions (claim_id, action_id) VALUES (?, ?) ON CONFLICT (claim_id, action_id) DO NOTHING", id, a).Error; err != nil {
				return translate(err, "Claim action")
			}
		}
		return nil
	})
}

// SetActionTerms implements claims.Store.
func (s *Store) SetActionTerms(ctx context.Context, id string, terms []claims.ActionTerms, at time.Time, rec casework.AuditRecord) error {
	return s.updateClaim(ctx, id, at, rec, func(tx *gorm.DB) error {
		if err := tx.Exec("UPDATE claim_actions SET role = '', authority = '', credited_cents = 0 WHERE claim_id = ?", id).Error; err != nil {
			return translate(err, "Claim action")
		}
		for _, t := range terms {
			if err := tx.Exec("UPDATE claim_actions SET role = ?, authority = ?, credited_cents = ? WHERE claim_id = ? AND action_id = ?",
				string(t.Role), t.Authority, int64(t.Credited), id, t.Action).Error; err != nil {
				return translate(err, "Claim action")
			}
		}
		return nil
	})
}

// SetChecklist implements claims.Store.
func (s *Store) SetChecklist(ctx context.Context, id string, items []claims.ChecklistItem, at time.Time, rec casework.AuditRecord) error {
	return s.updateClaim(ctx, id, at, rec, func(tx *gorm.DB) error {
		for _, it := range items {
			if err := tx.Exec("DELETE FROM claim_checklist WHERE claim_id = ? AND item = ?", id, it.Item).Error; err != nil {
				return translate(err, "Checklist item")
			}
			if err := tx.Exec("INSERT INTO claim_checklist (claim_id, item, status, evidence, updated_at) VALUES (?, ?, ?, ?, ?)",
				id, it.Item, string(it.Status), it.Evidence, at.UTC()).Error; err != nil {
				return translate(err, "Checklist item")
			}
		}
		return nil
	})
}

// SetSplits implements claims.Store.
func (s *Store) SetSplits(ctx context.Context, id string, splits []claims.Split, at time.Time, rec casework.AuditRecord) error {
	return s.updateClaim(ctx, id, at, rec, func(tx *gorm.DB) error {
		if err := tx.Exec("DELETE FROM claim_claimants WHERE claim_id = ?", id).Error; err != nil {
			return translate(err, "Claimant")
		}
		for i, sp := range splits {
			if err := tx.Exec("INSERT INTO claim_claimants (claim_id, position, claimant, joint, share_bp, culpable_amount_cents, disqualified, negative_factors) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
				id, i, sp.Claimant, sp.Joint, sp.ShareBP, int64(sp.CulpableAmount), sp.Disqualified, strings.Join(sp.NegativeFactors, ",")).Error; err != nil {
				return translate(err, "Claimant")
			}
		}
		return nil
	})
}

// claimRow is one row of claims.
type claimRow struct {
	ID, Program, Status, ClaimantKind, Pseudonym        string
	LegalNameSealed                                     []byte
	ShowLegalName, TaxpayerIndividual, PublicDisclosure bool
	OriginalSource                                      bool
	AmountInDisputeCents, IndividualIncomeCents         int64
	Intervened                                          *bool
	CreatedAt, UpdatedAt                                time.Time
}

// loadClaims fills in claims of the given rows.
func (s *Store) loadClaims(ctx context.Context, rows []claimRow) ([]claims.Claim, error) {
	db := s.db.WithContext(ctx)
	out := make([]claims.Claim, len(rows))
	index := map[string]*claims.Claim{}
	ids := make([]string, len(rows))
	for i, r := range rows {
		out[i] = claims.Claim{ID: r.ID, Program: r.Program, Status: claims.Status(r.Status), ClaimantKind: claims.ClaimantKind(r.ClaimantKind),
			Pseudonym: r.Pseudonym, LegalNameSealed: r.LegalNameSealed, ShowLegalName: r.ShowLegalName, TaxpayerIndividual: r.TaxpayerIndividual,
			AmountInDispute: awards.Cents(r.AmountInDisputeCents), IndividualIncome: awards.Cents(r.IndividualIncomeCents),
			Intervened: r.Intervened, PublicDisclosure: r.PublicDisclosure, OriginalSource: r.OriginalSource, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
			Counsel: []string{}, Submissions: []claims.SubmissionRef{}, Actions: []string{}, Terms: []claims.ActionTerms{}, Checklist: []claims.ChecklistItem{}, Splits: []claims.Split{}}
		ids[i] = r.ID
	}
	for i := range out {
		index[out[i].ID] = &out[i]
	}
	if len(ids) == 0 {
		return out, nil
	}
	var counsel []struct{ ClaimID, Email string }
	if err := db.Table("claim_counsel").Select("claim_counsel.claim_id, users.email").Joins("JOIN users ON users.id = claim_counsel.user_id").
		Where("claim_counsel.claim_id IN ?", ids).Order("users.email").Scan(&counsel).Error; err != nil {
		return nil, translate(err, "Counsel")
	}
	for _, r := range counsel {
		index[r.ClaimID].Counsel = append(index[r.ClaimID].Counsel, r.Email)
	}
	var subs []struct {
		ClaimID, SubmissionID, ReceivedDay, Desk string
		Seq                                      int64
		EntryHash                                []byte
	}
	err := db.Table("claim_submissions cs").
		Select("cs.claim_id, cs.submission_id, intake_log.received_day, intake_log.seq, intake_log.entry_hash, desks.slug AS desk").
		Joins("JOIN intake_log ON intake_log.submission_id = cs.submission_id").
		Joins("JOIN submissions ON submissions.id = cs.submission_id").
		Joins("JOIN desks ON desks.id = submissions.desk_id").
		Where("cs.claim_id IN ?", ids).Order("intake_log.seq").Scan(&subs).Error
	if err != nil {
		return nil, translate(err, "Claim submission")
	}
	for _, r := range subs {
		index[r.ClaimID].Submissions = append(index[r.ClaimID].Submissions, claims.SubmissionRef{ID: r.SubmissionID,
			ReceivedDay: dayOf(r.ReceivedDay), ReceiptHash: hex.EncodeToString(r.EntryHash), Seq: r.Seq, Desk: r.Desk})
	}
	var acts []struct {
		ClaimID, ActionID, Role, Authority string
		CreditedCents                      int64
	}
	if err := db.Table("claim_actions").Where("claim_id IN ?", ids).Order("action_id").Scan(&acts).Error; err != nil {
		return nil, translate(err, "Claim action")
	}
	for _, r := range acts {
		c := index[r.ClaimID]
		c.Actions = append(c.Actions, r.ActionID)
		c.Terms = append(c.Terms, claims.ActionTerms{Action: r.ActionID, Role: awards.Role(r.Role), Authority: r.Authority, Credited: awards.Cents(r.CreditedCents)})
	}
	var items []struct {
		ClaimID, Item, Status, Evidence string
		UpdatedAt                       time.Time
	}
	if err := db.Table("claim_checklist").Where("claim_id IN ?", ids).Order("item").Scan(&items).Error; err != nil {
		return nil, translate(err, "Checklist item")
	}
	for _, r := range items {
		index[r.ClaimID].Checklist = append(index[r.ClaimID].Checklist, claims.ChecklistItem{Item: r.Item,
			Status: claims.ItemStatus(r.Status), Evidence: r.Evidence, UpdatedAt: r.UpdatedAt.UTC()})
	}
	var splits []struct {
		ClaimID, Claimant, Disqualified, NegativeFactors string
		Joint                                            bool
		ShareBP                                          int `gorm:"column:share_bp"`
		CulpableAmountCents                              int64
	}
	if err := db.Table("claim_claimants").Where("claim_id IN ?", ids).Order("claim_id, position").Scan(&splits).Error; err != nil {
		return nil, translate(err, "Claimant")
	}
	for _, r := range splits {
		factors := []string{}
		if r.NegativeFactors != "" {
			factors = strings.Split(r.NegativeFactors, ",")
		}
		index[r.ClaimID].Splits = append(index[r.ClaimID].Splits, claims.Split{Claimant: r.Claimant, Joint: r.Joint, ShareBP: r.ShareBP,
			CulpableAmount: awards.Cents(r.CulpableAmountCents), Disqualified: r.Disqualified, NegativeFactors: factors})
	}
	return out, nil
}

// Claim implements claims.Store.
func (s *Store) Claim(ctx context.Context, id string) (claims.Claim, error) {
	var row claimRow
	if err := s.db.WithContext(ctx).Table("claims").Where("id = ?", id).Take(&row).Error; err != nil {
		return claims.Claim{}, translate(err, "Claim")
	}
	list, err := s.loadClaims(ctx, []claimRow{row})
	if err != nil {
		return claims.Claim{}, err
	}
	return list[0], nil
}

// ListClaims implements claims.Store.
func (s *Store) ListClaims(ctx context.Context, q claims.ClaimQuery) ([]claims.Claim, error) {
	db := s.db.WithContext(ctx).Table("claims")
	if q.Counsel != "" {
		db = db.Where("EXISTS (SELECT 1 FROM claim_counsel cc JOIN users u ON u.id = cc.user_id WHERE cc.claim_id = claims.id AND u.email = ?)", q.Counsel)
	}
	if q.Desks != nil {
		db = db.Where("EXISTS (SELECT 1 FROM claim_submissions cs JOIN submissions su ON su.id = cs.submission_id "+
			"JOIN desks d ON d.id = su.desk_id WHERE cs.claim_id = claims.id AND d.slug IN ?)", append([]string{""}, q.Desks...))
	}
	if q.Status != "" {
		db = db.Where("status = ?", string(q.Status))
	}
	var rows []claimRow
	if err := db.Order("created_at DESC, id DESC").Limit(q.Limit).Scan(&rows).Error; err != nil {
		return nil, translate(err, "Claim")
	}
	return s.loadClaims(ctx, rows)
}

// ClaimsOfAction implements claims.Store.
func (s *Store) ClaimsOfAction(ctx context.Context, actionID string) ([]string, error) {
	var ids []string
	err := s.db.WithContext(ctx).Table("claim_actions").Where("action_id = ?", actionID).Order("claim_id").Pluck("claim_id", &ids).Error
	return ids, translate(err, "Claim")
}

// estimateRow is one row of claim_estimates.
type estimateRow struct {
	ID, LedgerVersion             int64
	ComputedAt                    time.Time
	Eligible, Incomplete          bool
	BaseCents, MinCents, MaxCents int64
	Result                        string
}

func (r estimateRow) estimate() claims.Estimate {
	return claims.Estimate{ID: r.ID, LedgerVersion: r.LedgerVersion, ComputedAt: r.ComputedAt.UTC(), Eligible: r.Eligible,
		Incomplete: r.Incomplete, Base: awards.Cents(r.BaseCents), Min: awards.Cents(r.MinCents), Max: awards.Cents(r.MaxCents), Result: r.Result}
}

// AddEstimate implements claims.Store.
func (s *Store) AddEstimate(ctx context.Context, claimID string, e claims.Estimate) (bool, error) {
	added := false
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var last estimateRow
		err := tx.Table("claim_estimates").Where("claim_id = ?", claimID).Order("id DESC").Limit(1).Take(&last).Error
		if err == nil && last.LedgerVersion == e.LedgerVersion && last.Result == e.Result {
			return nil
		}
		if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
			return translate(err, "Estimate")
		}
		added = true
		return translate(tx.Table("claim_estimates").Create(map[string]any{"claim_id": claimID, "ledger_version": e.LedgerVersion,
			"computed_at": e.ComputedAt.UTC(), "eligible": e.Eligible, "incomplete": e.Incomplete, "base_cents": int64(e.Base), "min_cents": int64(e.Min),
			"max_cents": int64(e.Max), "result": e.Result}).Error, "Estimate")
	})
	return added, err
}

// Estimates implements claims.Store.
func (s *Store) Estimates(ctx context.Context, claimID string) ([]claims.Estimate, error) {
	var rows []estimateRow
	if err := s.db.WithContext(ctx).Table("claim_estimates").Where("claim_id = ?", claimID).Order("id").Scan(&rows).Error; err != nil {
		return nil, translate(err, "Estimate")
	}
	out := make([]claims.Estimate, len(rows))
	for i, r := range rows {
		out[i] = r.estimate()
	}
	return out, nil
}

// claimSubmissionIDs returns the submissions of a claim and its program.
func claimSubmissionIDs(tx *gorm.DB, claimID string) ([]string, string, error) {
	var c struct{ Program string }
	if err := tx.Table("claims").Select("program").Where("id = ?", claimID).Take(&c).Error; err != nil {
		return nil, "", translate(err, "Claim")
	}
	var subs []string
	err := tx.Table("claim_submissions").Where("claim_id = ?", claimID).Pluck("submission_id", &subs).Error
	return subs, c.Program, translate(err, "Claim submission")
}

// SetClaimDeadlines implements claims.Store. A deadline met stays met;
// an open one moves to the new day or goes when the result no longer has
// it.
func (s *Store) SetClaimDeadlines(ctx context.Context, claimID string, ds []casework.Deadline) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		subs, program, err := claimSubmissionIDs(tx, claimID)
		if err != nil || len(subs) == 0 {
			return err
		}
		keep := make([]string, 0, len(ds)+1)
		keep = append(keep, "")
		for _, d := range ds {
			keep = append(keep, string(d.Kind))
		}
		if err := tx.Exec("DELETE FROM deadlines WHERE submission_id IN ? AND kind LIKE ? AND met_day IS NULL AND kind NOT IN ?",
			subs, casework.AwardClaimDeadlines(program)+"%", keep).Error; err != nil {
			return translate(err, "Deadline")
		}
		for _, sub := range subs {
			for _, d := range ds {
				err := tx.Exec("INSERT INTO deadlines (submission_id, kind, due_day) VALUES (?, ?, ?) "+
					"ON CONFLICT (submission_id, kind) DO UPDATE SET due_day = excluded.due_day WHERE deadlines.met_day IS NULL",
					sub, string(d.Kind), d.DueDay).Error
				if err != nil {
					return translate(err, "Deadline")
				}
			}
		}
		return nil
	})
}

// meetClaimDeadlines marks the open deadlines of the claim's submissions
// whose kind is in kinds as met on day.
func meetClaimDeadlines(tx *gorm.DB, claimID string, kinds []casework.DeadlineKind, day string) error {
	if len(kinds) == 0 {
		return nil
	}
	subs, _, err := claimSubmissionIDs(tx, claimID)
	if err != nil || len(subs) == 0 {
		return err
	}
	text := make([]string, len(kinds))
	for i, k := range kinds {
		text[i] = string(k)
	}
	return translate(tx.Exec("UPDATE deadlines SET met_day = ? WHERE submission_id IN ? AND kind IN ? AND met_day IS NULL",
		day, subs, text).Error, "Deadline")
}
