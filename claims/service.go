package claims

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/awards"
	"github.com/tipline/tipline/blob"
	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/crypto"
)

// Service is the service behind actions, the ledger and claims. It decides
// who may see and change what (see the package documentation) and
// recomputes every claim an input change touches.
type Service struct {
	Store  Store
	Pepper crypto.Pepper // derives the key that seals claimants' legal names
	// Receipts checks the signed receipts counsel attach submissions
	// with; nil: only admins attach submissions.
	Receipts *Receipts
	Now      func() time.Time
}

// Errors that hide whether a thing exists from those who may not see it.
var (
	errNoClaim  = tipline.Errorf(tipline.NotFound, "Claim not found.")
	errNoAction = tipline.Errorf(tipline.NotFound, "Action not found.")
)

func (s *Service) now() time.Time { return s.Now().UTC() }
func (s *Service) today() string  { return s.now().Format(time.DateOnly) }

// worksAwards returns Forbidden for the roles that see nothing here.
func worksAwards(p casework.Principal) error {
	switch p.Role {
	case casework.RoleAdmin, casework.RoleCounsel, casework.RoleInvestigator:
		return nil
	}
	return tipline.Errorf(tipline.Forbidden, "Your role does not work award claims.")
}

// canSeeAction: admins all; investigators the actions of their desks'
// cases, and of those linked to no case the ones they created or that a
// claim on a submission of their desks counts; counsel the actions they
// created or that are part of their claims. Who sees an action may change
// it and its ledger.
func canSeeAction(p casework.Principal, a Action) bool {
	switch p.Role {
	case casework.RoleAdmin:
		return true
	case casework.RoleInvestigator:
		if a.CaseID != "" {
			return slices.Contains(p.Desks, a.CaseDesk)
		}
		return a.CreatedBy == p.Email || slices.ContainsFunc(a.ClaimDesks, func(d string) bool { return slices.Contains(p.Desks, d) })
	case casework.RoleCounsel:
		return a.CreatedBy == p.Email || slices.Contains(a.Counsel, p.Email)
	}
	return false
}

// canSeeClaim: admins all; counsel the claims assigned to them;
// investigators the claims on a submission of one of their desks.
func canSeeClaim(p casework.Principal, c Claim) bool {
	switch p.Role {
	case casework.RoleAdmin:
		return true
	case casework.RoleCounsel:
		return slices.Contains(c.Counsel, p.Email)
	case casework.RoleInvestigator:
		return slices.ContainsFunc(c.Submissions, func(r SubmissionRef) bool { return slices.Contains(p.Desks, r.Desk) })
	}
	return false
}

// action returns an action p may see.
func (s *Service) action(ctx context.Context, p casework.Principal, id string) (Action, error) {
	if err := worksAwards(p); err != nil {
		return Action{}, err
	}
	a, err := s.Store.Action(ctx, id)
	if tipline.ErrorCode(err) == tipline.NotFound || (err == nil && !canSeeAction(p, a)) {
		return Action{}, errNoAction
	}
	return a, err
}

// CreateAction records an action; admins, counsel and investigators do.
func (s *Service) CreateAction(ctx context.Context, p casework.Principal, f ActionFields) (Action, error) {
	if err := worksAwards(p); err != nil {
		return Action{}, err
	}
	f, err := f.Check()
	if err != nil {
		return Action{}, err
	}
	if f.CoveredID != "" {
		if _, err := s.action(ctx, p, f.CoveredID); err != nil {
			return Action{}, err
		}
	}
	id := blob.NewKey("")
	if err := s.Store.CreateAction(ctx, id, f, p.UserID, s.now(), s.record(p, AuditActionCreate, actionTarget(id))); err != nil {
		return Action{}, err
	}
	return s.Store.Action(ctx, id)
}

// ListActions returns the actions p may see, newest first, and audits the
// view.
func (s *Service) ListActions(ctx context.Context, p casework.Principal) ([]Action, error) {
	list, err := s.listActions(ctx, p)
	if err != nil {
		return nil, err
	}
	if err := s.audit(ctx, p, AuditActionList, actionsTarget); err != nil {
		return nil, err
	}
	return list, nil
}

// listActions returns the actions p may see, newest first.
func (s *Service) listActions(ctx context.Context, p casework.Principal) ([]Action, error) {
	if err := worksAwards(p); err != nil {
		return nil, err
	}
	all, err := s.Store.ListActions(ctx, MaxListed)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(a Action) bool { return !canSeeAction(p, a) }), nil
}

// GetAction returns one action p may see and audits the view.
func (s *Service) GetAction(ctx context.Context, p casework.Principal, id string) (Action, error) {
	a, err := s.action(ctx, p, id)
	if err != nil {
		return Action{}, err
	}
	if err := s.audit(ctx, p, AuditActionView, actionTarget(a.ID)); err != nil {
		return Action{}, err
	}
	return a, nil
}

// UpdateAction replaces an action's fields and recomputes its claims.
func (s *Service) UpdateAction(ctx context.Context, p casework.Principal, id string, f ActionFields) (Action, error) {
	if _, err := s.action(ctx, p, id); err != nil {
		return Action{}, err
	}
	f, err := f.Check()
	if err != nil {
		return Action{}, err
	}
	if f.CoveredID == id {
		return Action{}, tipline.Errorf(tipline.Invalid, "An action is not grouped under itself.")
	}
	if err := s.Store.UpdateAction(ctx, id, f, s.now(), s.record(p, AuditActionUpdate, actionTarget(id))); err != nil {
		return Action{}, err
	}
	return s.afterActionChange(ctx, id)
}

// LinkCase links an action to a case of one of the investigator's desks
// ("" unlinks); only investigators link.
func (s *Service) LinkCase(ctx context.Context, p casework.Principal, id, caseID string) (Action, error) {
	a, err := s.action(ctx, p, id)
	if err != nil {
		return Action{}, err
	}
	if p.Role != casework.RoleInvestigator {
		return Action{}, tipline.Errorf(tipline.Forbidden, "Only investigators link actions to cases.")
	}
	if caseID != "" {
		desk, err := s.Store.CaseDesk(ctx, caseID)
		if tipline.ErrorCode(err) == tipline.NotFound || (err == nil && !slices.Contains(p.Desks, desk)) {
			return Action{}, tipline.Errorf(tipline.NotFound, "Case not found.")
		}
		if err != nil {
			return Action{}, err
		}
	}
	if err := s.Store.LinkActionCase(ctx, a.ID, caseID, s.now(), s.record(p, AuditActionCase, actionTarget(a.ID))); err != nil {
		return Action{}, err
	}
	return s.Store.Action(ctx, id)
}

// SetSanction sets what an action orders of one kind, in dollars ("0"
// removes the kind), and recomputes its claims.
func (s *Service) SetSanction(ctx context.Context, p casework.Principal, id string, kind awards.Kind, ordered string) (Action, error) {
	if _, err := s.action(ctx, p, id); err != nil {
		return Action{}, err
	}
	if err := checkKind(kind); err != nil {
		return Action{}, err
	}
	amount, err := awards.ParseUSD(ordered)
	if err != nil || amount < 0 {
		return Action{}, tipline.Errorf(tipline.Invalid, "An amount ordered is in dollars, such as 1500000.00.")
	}
	if err := s.Store.SetSanction(ctx, id, Sanction{Kind: kind, Ordered: amount}, s.now(), s.record(p, AuditActionSanction, actionTarget(id))); err != nil {
		return Action{}, err
	}
	return s.afterActionChange(ctx, id)
}

// RecordCollection appends a payment received to the ledger and
// recomputes every claim the action is part of.
func (s *Service) RecordCollection(ctx context.Context, p casework.Principal, id string, n NewCollection) (Collection, error) {
	if _, err := s.action(ctx, p, id); err != nil {
		return Collection{}, err
	}
	c, err := n.check(id, s.today())
	if err != nil {
		return Collection{}, err
	}
	c, err = s.Store.AppendCollection(ctx, c, p.UserID, s.now(), func(c Collection) casework.AuditRecord {
		return s.record(p, AuditCollectionRecord, collectionTarget(id, c.ID))
	})
	if err != nil {
		return Collection{}, err
	}
	_, err = s.afterActionChange(ctx, id)
	return c, err
}

// ReverseCollection appends the entry that reverses ledger entry
// collectionID (a correction: record the right amount afterwards), dated
// today, and recomputes the action's claims.
func (s *Service) ReverseCollection(ctx context.Context, p casework.Principal, collectionID int64, documentRef string) (Collection, error) {
	actionID, err := s.Store.CollectionAction(ctx, collectionID)
	if tipline.ErrorCode(err) == tipline.NotFound {
		return Collection{}, tipline.Errorf(tipline.NotFound, "Ledger entry not found.")
	}
	if err != nil {
		return Collection{}, err
	}
	if _, err := s.action(ctx, p, actionID); err != nil {
		return Collection{}, tipline.Errorf(tipline.NotFound, "Ledger entry not found.")
	}
	ref, err := oneLine(documentRef, "The document reference", MaxText, true)
	if err != nil {
		return Collection{}, err
	}
	c, err := s.Store.AppendCollection(ctx, Collection{ActionID: actionID, ReceivedDay: s.today(), DocumentRef: ref, Reverses: collectionID}, p.UserID, s.now(),
		func(Collection) casework.AuditRecord {
			return s.record(p, AuditCollectionReverse, collectionTarget(actionID, collectionID))
		})
	if err != nil {
		return Collection{}, err
	}
	_, err = s.afterActionChange(ctx, actionID)
	return c, err
}

// ReverseActionCollection is ReverseCollection of an entry of action
// actionID: an entry of another action is not found.
func (s *Service) ReverseActionCollection(ctx context.Context, p casework.Principal, actionID string, collectionID int64, documentRef string) (Collection, error) {
	of, err := s.Store.CollectionAction(ctx, collectionID)
	if tipline.ErrorCode(err) == tipline.NotFound || (err == nil && of != actionID) {
		return Collection{}, tipline.Errorf(tipline.NotFound, "Ledger entry not found.")
	}
	if err != nil {
		return Collection{}, err
	}
	return s.ReverseCollection(ctx, p, collectionID, documentRef)
}

// afterActionChange recomputes the claims an action is part of and
// returns the action.
func (s *Service) afterActionChange(ctx context.Context, id string) (Action, error) {
	ids, err := s.Store.ClaimsOfAction(ctx, id)
	if err != nil {
		return Action{}, err
	}
	for _, claimID := range ids {
		if _, err := s.Recompute(ctx, claimID); err != nil {
			return Action{}, err
		}
	}
	return s.Store.Action(ctx, id)
}

// claim returns a claim p may see, its legal name opened and its
// checklist complete.
func (s *Service) claim(ctx context.Context, p casework.Principal, id string) (Claim, error) {
	if err := worksAwards(p); err != nil {
		return Claim{}, err
	}
	c, err := s.Store.Claim(ctx, id)
	if tipline.ErrorCode(err) == tipline.NotFound || (err == nil && !canSeeClaim(p, c)) {
		return Claim{}, errNoClaim
	}
	if err != nil {
		return Claim{}, err
	}
	if c, err = s.complete(c); err != nil {
		return Claim{}, err
	}
	return forViewer(p, c), nil
}

// forViewer keeps the claimant's legal name from those who may not read
// it: only admins and counsel do; investigators see the pseudonym, whatever
// counsel chose for reports.
func forViewer(p casework.Principal, c Claim) Claim {
	if p.Role != casework.RoleAdmin && p.Role != casework.RoleCounsel {
		c.LegalName, c.ShowLegalName = "", false
	}
	return c
}

// writableClaim returns a claim p may change: admins and its counsel.
func (s *Service) writableClaim(ctx context.Context, p casework.Principal, id string) (Claim, error) {
	c, err := s.claim(ctx, p, id)
	if err != nil {
		return c, err
	}
	if p.Role != casework.RoleAdmin && p.Role != casework.RoleCounsel {
		return c, tipline.Errorf(tipline.Forbidden, "Only the claim's counsel and admins change it.")
	}
	return c, nil
}

// complete opens the legal name and fills the checklist with every item
// the program asks about, open where nothing is recorded.
func (s *Service) complete(c Claim) (Claim, error) {
	if len(c.LegalNameSealed) > 0 {
		name, err := s.openName(c.ID, c.LegalNameSealed)
		if err != nil {
			return c, err
		}
		c.LegalName = name
	}
	c.Checklist = fullChecklist(c.Program, c.Checklist)
	return c, nil
}

// fullChecklist returns the program's checklist, conditions then
// disqualifiers, with what is recorded.
func fullChecklist(program string, recorded []ChecklistItem) []ChecklistItem {
	byItem := map[string]ChecklistItem{}
	for _, it := range recorded {
		byItem[it.Item] = it
	}
	var out []ChecklistItem
	for _, def := range checklistItems(program) {
		it := def
		it.Status = Open
		if r, ok := byItem[def.Item]; ok && slices.Contains(ItemStatuses, r.Status) {
			it.Status, it.Evidence, it.UpdatedAt = r.Status, r.Evidence, r.UpdatedAt
		}
		out = append(out, it)
	}
	return out
}

// checklistItems lists the conditions and the program's disqualifiers.
func checklistItems(program string) []ChecklistItem {
	var out []ChecklistItem
	p, _ := awards.ProgramByID(program)
	for _, c := range Conditions {
		c.Kind = Condition
		for _, pc := range p.Conditions {
			if pc.ID == c.Item {
				c.Cite = pc.Cite.Ref
			}
		}
		out = append(out, c)
	}
	for _, d := range programDisqualifiers(program) {
		out = append(out, ChecklistItem{Item: d.ID, Kind: Disqualifier, Label: d.Label, Cite: d.Cite.Ref})
	}
	return out
}

// CreateClaim opens a draft claim. Counsel who open one are its counsel.
func (s *Service) CreateClaim(ctx context.Context, p casework.Principal, f ClaimFields) (Claim, error) {
	if p.Role != casework.RoleAdmin && p.Role != casework.RoleCounsel {
		return Claim{}, tipline.Errorf(tipline.Forbidden, "Only counsel and admins open claims.")
	}
	if p.Role == casework.RoleCounsel && !slices.Contains(f.Counsel, p.Email) {
		f.Counsel = append(f.Counsel, p.Email)
	}
	c, err := s.fromFields(Claim{ID: blob.NewKey(""), Status: Draft}, f)
	if err != nil {
		return Claim{}, err
	}
	if len(c.Counsel) == 0 {
		return Claim{}, tipline.Errorf(tipline.Invalid, "A claim has at least one counsel.")
	}
	if err := s.Store.CreateClaim(ctx, c, s.now(), s.record(p, AuditClaimCreate, claimTarget(c.ID))); err != nil {
		return Claim{}, err
	}
	return s.Recompute(ctx, c.ID)
}

// fromFields applies checked fields to c, sealing the legal name.
func (s *Service) fromFields(c Claim, f ClaimFields) (Claim, error) {
	f, dispute, income, err := f.check()
	if err != nil {
		return c, err
	}
	c.Program, c.ClaimantKind, c.Pseudonym, c.ShowLegalName = f.Program, f.ClaimantKind, f.Pseudonym, f.ShowLegalName
	c.AmountInDispute, c.IndividualIncome, c.Intervened, c.PublicDisclosure = dispute, income, f.Intervened, f.PublicDisclosure
	c.TaxpayerIndividual, c.OriginalSource = f.TaxpayerIndividual, f.OriginalSource
	c.Counsel, c.LegalName, c.LegalNameSealed = f.Counsel, f.LegalName, nil
	if f.LegalName != "" {
		if c.LegalNameSealed, err = s.sealName(c.ID, f.LegalName); err != nil {
			return c, err
		}
	}
	return c, nil
}

// ListClaims returns the claims p may see, newest first (only those in
// status, unless ""), and audits the view.
func (s *Service) ListClaims(ctx context.Context, p casework.Principal, status Status) ([]Claim, error) {
	list, err := s.listClaims(ctx, p, status)
	if err != nil {
		return nil, err
	}
	if err := s.audit(ctx, p, AuditClaimList, claimsTarget); err != nil {
		return nil, err
	}
	return list, nil
}

// listClaims returns the claims p may see, newest first.
func (s *Service) listClaims(ctx context.Context, p casework.Principal, status Status) ([]Claim, error) {
	if err := worksAwards(p); err != nil {
		return nil, err
	}
	if status != "" && !slices.Contains(Statuses, status) {
		return nil, tipline.Errorf(tipline.Invalid, "Unknown claim status %q.", status)
	}
	q := ClaimQuery{Status: status, Limit: MaxListed}
	switch p.Role {
	case casework.RoleCounsel:
		q.Counsel = p.Email
	case casework.RoleInvestigator:
		q.Desks = append([]string{}, p.Desks...)
	}
	list, err := s.Store.ListClaims(ctx, q)
	if err != nil {
		return nil, err
	}
	for i := range list {
		if list[i], err = s.complete(list[i]); err != nil {
			return nil, err
		}
		list[i] = forViewer(p, list[i])
	}
	return list, nil
}

// GetClaim returns one claim p may see and audits the view.
func (s *Service) GetClaim(ctx context.Context, p casework.Principal, id string) (Claim, error) {
	c, err := s.claim(ctx, p, id)
	if err != nil {
		return Claim{}, err
	}
	if err := s.audit(ctx, p, AuditClaimView, claimTarget(c.ID)); err != nil {
		return Claim{}, err
	}
	return c, nil
}

// UpdateClaim replaces a claim's fields and counsel. Counsel cannot take
// themselves off a claim (an admin can).
func (s *Service) UpdateClaim(ctx context.Context, p casework.Principal, id string, f ClaimFields) (Claim, error) {
	c, err := s.writableClaim(ctx, p, id)
	if err != nil {
		return Claim{}, err
	}
	if p.Role == casework.RoleCounsel && !slices.Contains(f.Counsel, p.Email) {
		return Claim{}, tipline.Errorf(tipline.Invalid, "Counsel cannot take themselves off a claim; ask an admin.")
	}
	if c, err = s.fromFields(c, f); err != nil {
		return Claim{}, err
	}
	if len(c.Counsel) == 0 {
		return Claim{}, tipline.Errorf(tipline.Invalid, "A claim has at least one counsel.")
	}
	if err := s.Store.UpdateClaim(ctx, c, s.now(), s.record(p, AuditClaimUpdate, claimTarget(id))); err != nil {
		return Claim{}, err
	}
	return s.Recompute(ctx, id)
}

// SetStatus moves a claim along its statuses. Filing meets the claim's
// open deadlines (the application windows); a closed claim has none.
func (s *Service) SetStatus(ctx context.Context, p casework.Principal, id string, st Status) (Claim, error) {
	c, err := s.writableClaim(ctx, p, id)
	if err != nil {
		return Claim{}, err
	}
	if !slices.Contains(Statuses, st) {
		return Claim{}, tipline.Errorf(tipline.Invalid, "Unknown claim status %q.", st)
	}
	if !slices.Contains(next[c.Status], st) {
		return Claim{}, tipline.Errorf(tipline.Invalid, "A %s claim cannot become %s.", c.Status, st)
	}
	var meet []casework.DeadlineKind
	if st == Filed {
		v, err := s.verdict(ctx, c)
		if err != nil {
			return Claim{}, err
		}
		for _, d := range v.Deadlines {
			meet = append(meet, d.Kind)
		}
	}
	if err := s.Store.SetClaimStatus(ctx, id, st, meet, s.today(), s.now(), s.record(p, AuditClaimStatus, claimTarget(id))); err != nil {
		return Claim{}, err
	}
	return s.Recompute(ctx, id)
}

// SetSubmissions replaces the submissions a claim rests on, by id. Admins
// may name any submission; counsel may keep or drop those on the claim
// and attach new ones only with the source's signed receipt
// (AttachReceipt), so that a submission id alone opens nothing.
func (s *Service) SetSubmissions(ctx context.Context, p casework.Principal, id string, submissions []string) (Claim, error) {
	c, err := s.writableClaim(ctx, p, id)
	if err != nil {
		return Claim{}, err
	}
	if len(submissions) > 100 {
		return Claim{}, tipline.Errorf(tipline.Invalid, "At most 100 submissions.")
	}
	if p.Role != casework.RoleAdmin {
		for _, sub := range submissions {
			if !slices.ContainsFunc(c.Submissions, func(r SubmissionRef) bool { return r.ID == sub }) {
				return Claim{}, tipline.Errorf(tipline.Forbidden, "Attach a new submission with the source's signed receipt, or ask an admin.")
			}
		}
	}
	if err := s.Store.SetClaimSubmissions(ctx, id, slices.Compact(slices.Sorted(slices.Values(submissions))), s.now(),
		s.record(p, AuditClaimSubmissions, claimTarget(id))); err != nil {
		return Claim{}, err
	}
	return s.Recompute(ctx, id)
}

// SetActions replaces the actions a claim counts. An action added must be
// one p may see: attaching an id does not open an action.
func (s *Service) SetActions(ctx context.Context, p casework.Principal, id string, actions []string) (Claim, error) {
	c, err := s.writableClaim(ctx, p, id)
	if err != nil {
		return Claim{}, err
	}
	if len(actions) > 50 {
		return Claim{}, tipline.Errorf(tipline.Invalid, "At most 50 actions.")
	}
	for _, a := range actions {
		if slices.Contains(c.Actions, a) {
			continue
		}
		if _, err := s.action(ctx, p, a); err != nil {
			return Claim{}, err
		}
	}
	if err := s.Store.SetClaimActions(ctx, id, slices.Compact(slices.Sorted(slices.Values(actions))), s.now(),
		s.record(p, AuditClaimActions, claimTarget(id))); err != nil {
		return Claim{}, err
	}
	return s.Recompute(ctx, id)
}

// SetChecklistItem records one checklist item's status and evidence.
func (s *Service) SetChecklistItem(ctx context.Context, p casework.Principal, id, item string, st ItemStatus, evidence string) (Claim, error) {
	return s.SetChecklist(ctx, p, id, []ChecklistItem{{Item: item, Status: st, Evidence: evidence}})
}

// SetChecklist records the status and evidence of checklist items, all or
// none: it writes the items that changed, with one audit entry naming
// them, and recomputes the claim. Nothing changed writes nothing.
func (s *Service) SetChecklist(ctx context.Context, p casework.Principal, id string, items []ChecklistItem) (Claim, error) {
	c, err := s.writableClaim(ctx, p, id)
	if err != nil {
		return Claim{}, err
	}
	var changed []ChecklistItem
	var names []string
	for _, it := range items {
		i := slices.IndexFunc(c.Checklist, func(o ChecklistItem) bool { return o.Item == it.Item })
		if i < 0 {
			return Claim{}, tipline.Errorf(tipline.NotFound, "The %s checklist has no item %q.", c.Program, it.Item)
		}
		if !slices.Contains(ItemStatuses, it.Status) {
			return Claim{}, tipline.Errorf(tipline.Invalid, "%s: a checklist item is open, yes, no or not applicable.", c.Checklist[i].Label)
		}
		if it.Evidence, err = longText(it.Evidence, c.Checklist[i].Label+": the evidence", MaxLongText); err != nil {
			return Claim{}, err
		}
		if it.Status == c.Checklist[i].Status && it.Evidence == c.Checklist[i].Evidence || slices.Contains(names, it.Item) {
			continue
		}
		changed = append(changed, ChecklistItem{Item: it.Item, Status: it.Status, Evidence: it.Evidence})
		names = append(names, it.Item)
	}
	if len(changed) == 0 {
		return c, nil
	}
	rec := s.record(p, AuditClaimChecklist, claimTarget(id))
	rec.Detail = map[string]string{"items": strings.Join(names, ", ")}
	if err := s.Store.SetChecklist(ctx, id, changed, s.now(), rec); err != nil {
		return Claim{}, err
	}
	return s.Recompute(ctx, id)
}

// SetActionTerms records how the claim counts its actions, all or none,
// and recomputes it. Terms are for actions the claim counts; an action
// left out keeps its default terms.
func (s *Service) SetActionTerms(ctx context.Context, p casework.Principal, id string, terms []ActionTerms) (Claim, error) {
	c, err := s.writableClaim(ctx, p, id)
	if err != nil {
		return Claim{}, err
	}
	actions, err := s.claimActions(ctx, c)
	if err != nil {
		return Claim{}, err
	}
	out := make([]ActionTerms, 0, len(terms))
	for _, t := range terms {
		i := slices.IndexFunc(actions, func(a Action) bool { return a.ID == t.Action })
		if i < 0 || slices.ContainsFunc(out, func(o ActionTerms) bool { return o.Action == t.Action }) {
			return Claim{}, tipline.Errorf(tipline.Invalid, "Terms are for the actions the claim counts, once each.")
		}
		if t, err = t.check(actions[i], c.Program); err != nil {
			return Claim{}, err
		}
		out = append(out, t)
	}
	if err := s.Store.SetActionTerms(ctx, id, out, s.now(), s.record(p, AuditClaimActionTerms, claimTarget(id))); err != nil {
		return Claim{}, err
	}
	return s.Recompute(ctx, id)
}

// SetSplits replaces a claim's claimants and their facts (none: the
// claim's pseudonym alone).
// A lone claimant of the claim's pseudonym with no facts is the same as
// none.
func (s *Service) SetSplits(ctx context.Context, p casework.Principal, id string, splits []Split) (Claim, error) {
	c, err := s.writableClaim(ctx, p, id)
	if err != nil {
		return Claim{}, err
	}
	if splits, err = checkSplits(splits); err != nil {
		return Claim{}, err
	}
	if len(splits) == 1 && splits[0].bare() && splits[0].Claimant == c.Pseudonym {
		splits = []Split{}
	}
	if err := s.Store.SetSplits(ctx, id, splits, s.now(), s.record(p, AuditClaimSplits, claimTarget(id))); err != nil {
		return Claim{}, err
	}
	return s.Recompute(ctx, id)
}

// nameSealLabel is the crypto.Sealer label of claimants' legal names.
// Every stored name depends on it: changing it makes them all unopenable.
const nameSealLabel = "tipline claimant name v1"

// nameSealer seals legal names under the pepper (see crypto.Sealer).
func (s *Service) nameSealer() (*crypto.Sealer, error) {
	sealer, err := s.Pepper.Sealer(nameSealLabel)
	if err != nil {
		return nil, fmt.Errorf("claims: legal name sealer: %w", err)
	}
	return sealer, nil
}

// sealName seals a legal name to its claim: the claim id is the
// additional data, so a sealed name copied to another claim does not open.
func (s *Service) sealName(claimID, name string) ([]byte, error) {
	sealer, err := s.nameSealer()
	if err != nil {
		return nil, err
	}
	return sealer.Seal([]byte(name), []byte(claimID)), nil
}

// openName unseals the legal name of claim claimID.
func (s *Service) openName(claimID string, sealed []byte) (string, error) {
	sealer, err := s.nameSealer()
	if err != nil {
		return "", err
	}
	name, err := sealer.Open(sealed, []byte(claimID))
	if err != nil {
		return "", fmt.Errorf("claims: legal name of claim %s does not open (was the pepper changed?): %w", claimID, err)
	}
	return string(name), nil
}

// ActionClaim is a claim that counts an action, with its current verdict.
type ActionClaim struct {
	Claim   Claim
	Verdict Verdict
}

// actionClaims returns the claims p may see among those that count the
// action id, each with its verdict on the current ledger, so that whoever
// records a collection sees what it changes.
func (s *Service) actionClaims(ctx context.Context, p casework.Principal, id string) ([]ActionClaim, error) {
	if _, err := s.action(ctx, p, id); err != nil {
		return nil, err
	}
	ids, err := s.Store.ClaimsOfAction(ctx, id)
	if err != nil {
		return nil, err
	}
	out := []ActionClaim{}
	for _, claimID := range ids {
		c, err := s.claim(ctx, p, claimID)
		if tipline.ErrorCode(err) == tipline.NotFound {
			continue
		}
		if err != nil {
			return nil, err
		}
		v, err := s.verdict(ctx, c)
		if err != nil {
			return nil, err
		}
		out = append(out, ActionClaim{Claim: c, Verdict: v})
	}
	return out, nil
}
