package entities

import (
	"context"
	"slices"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/casework"
)

func checkRole(r Role) error {
	if !slices.Contains(Roles, r) {
		return tipline.Errorf(tipline.Invalid, "Unknown role %q.", r)
	}
	return nil
}

// LinkSubmission links a submission of the entity's desk to the entity in
// a role.
func (s *Service) LinkSubmission(ctx context.Context, p casework.Principal, entityID, submissionID string, role Role) (SubmissionLink, error) {
	e, err := s.writable(ctx, p, entityID)
	if err != nil {
		return SubmissionLink{}, err
	}
	if err := checkRole(role); err != nil {
		return SubmissionLink{}, err
	}
	if !validID(submissionID) {
		return SubmissionLink{}, tipline.Errorf(tipline.NotFound, "Submission not found.")
	}
	by := s.actor(p)
	return s.Store.LinkEntitySubmission(ctx, e.ID, submissionID, role, by,
		record(by, ActionLink, entityTarget(e.ID)+"/"+submissionTarget(submissionID)))
}

// UnlinkSubmission removes a link of a submission to the entity; the
// entity's history keeps it.
func (s *Service) UnlinkSubmission(ctx context.Context, p casework.Principal, entityID string, linkID int64) error {
	if _, err := s.writable(ctx, p, entityID); err != nil {
		return err
	}
	by := s.actor(p)
	return s.Store.UnlinkEntitySubmission(ctx, entityID, linkID, by, record(by, ActionUnlink, itemTarget(entityID, "submission-link", linkID)))
}

// LinkCase links a case of the entity's desk to the entity in a role.
func (s *Service) LinkCase(ctx context.Context, p casework.Principal, entityID, caseID string, role Role) (CaseLink, error) {
	e, err := s.writable(ctx, p, entityID)
	if err != nil {
		return CaseLink{}, err
	}
	if err := checkRole(role); err != nil {
		return CaseLink{}, err
	}
	if !validID(caseID) {
		return CaseLink{}, tipline.Errorf(tipline.NotFound, "Case not found.")
	}
	by := s.actor(p)
	return s.Store.LinkEntityCase(ctx, e.ID, caseID, role, by, record(by, ActionLink, entityTarget(e.ID)+"/case:"+caseID))
}

// UnlinkCase removes a link of a case to the entity.
func (s *Service) UnlinkCase(ctx context.Context, p casework.Principal, entityID string, linkID int64) error {
	if _, err := s.writable(ctx, p, entityID); err != nil {
		return err
	}
	by := s.actor(p)
	return s.Store.UnlinkEntityCase(ctx, entityID, linkID, by, record(by, ActionUnlink, itemTarget(entityID, "case-link", linkID)))
}

// ErrNoRelation refuses a relation whose type was not chosen: no type is
// assumed.
var ErrNoRelation = tipline.Errorf(tipline.Invalid, "Choose how the two entities relate: no relation was recorded.")

// Relate records that entity from relates to entity to, both of one desk.
func (s *Service) Relate(ctx context.Context, p casework.Principal, from, to string, t RelationType) (Relation, error) {
	if _, err := s.writable(ctx, p, from); err != nil {
		return Relation{}, err
	}
	if _, err := s.writable(ctx, p, to); err != nil {
		return Relation{}, err
	}
	if from == to {
		return Relation{}, tipline.Errorf(tipline.Invalid, "An entity does not relate to itself.")
	}
	if t == "" {
		return Relation{}, ErrNoRelation
	}
	if !slices.Contains(RelationTypes, t) {
		return Relation{}, tipline.Errorf(tipline.Invalid, "Unknown relation %q.", t)
	}
	by := s.actor(p)
	return s.Store.RelateEntities(ctx, from, to, t, by, record(by, ActionRelate, pairTarget(from, to)))
}

// Unrelate removes a relation of which the entity is either end.
func (s *Service) Unrelate(ctx context.Context, p casework.Principal, entityID string, relationID int64) error {
	if _, err := s.writable(ctx, p, entityID); err != nil {
		return err
	}
	by := s.actor(p)
	return s.Store.UnrelateEntities(ctx, entityID, relationID, by, record(by, ActionUnrelate, itemTarget(entityID, "relation", relationID)))
}

// Merge merges loser into winner: the loser's aliases (its name among
// them), identifiers, countries, links and relations move to the winner,
// and the loser remains as a record of the merge, which UndoMerge
// reverses.
func (s *Service) Merge(ctx context.Context, p casework.Principal, winner, loser string) (Merge, error) {
	w, err := s.writable(ctx, p, winner)
	if err != nil {
		return Merge{}, err
	}
	l, err := s.writable(ctx, p, loser)
	if err != nil {
		return Merge{}, err
	}
	if w.ID == l.ID {
		return Merge{}, tipline.Errorf(tipline.Invalid, "An entity is not merged into itself.")
	}
	if w.Desk != l.Desk {
		return Merge{}, tipline.Errorf(tipline.Invalid, "Only entities of one desk are merged.")
	}
	by := s.actor(p)
	return s.Store.MergeEntities(ctx, w.ID, l.ID, by, record(by, ActionMerge, pairTarget(w.ID, l.ID)))
}

// UndoMerge reverses a merge into the entity winner: what moved and still
// exists moves back, and the loser is an entity of its own again.
func (s *Service) UndoMerge(ctx context.Context, p casework.Principal, winner string, mergeID int64) (Merge, error) {
	if _, err := s.writable(ctx, p, winner); err != nil {
		return Merge{}, err
	}
	m, err := s.Store.EntityMerge(ctx, mergeID)
	if tipline.ErrorCode(err) == tipline.NotFound || (err == nil && m.Winner != winner) {
		return Merge{}, tipline.Errorf(tipline.NotFound, "Merge not found.")
	}
	if err != nil {
		return Merge{}, err
	}
	by := s.actor(p)
	return s.Store.UndoEntityMerge(ctx, mergeID, by, record(by, ActionUndoMerge, pairTarget(m.Winner, m.Loser)))
}

// SubmissionEntities returns the entity links of a submission that p may
// see. It does not audit: the submission's page shows them as part of the
// submission.
func (s *Service) SubmissionEntities(ctx context.Context, p casework.Principal, submissionID string) ([]SubmissionLink, error) {
	if _, err := s.submissionDesk(ctx, p, submissionID); err != nil {
		return nil, err
	}
	return s.Store.SubmissionEntityLinks(ctx, submissionID)
}

// ViewSubmissionEntities is SubmissionEntities on their own, and audits
// the view.
func (s *Service) ViewSubmissionEntities(ctx context.Context, p casework.Principal, submissionID string) ([]SubmissionLink, error) {
	links, err := s.SubmissionEntities(ctx, p, submissionID)
	if err != nil {
		return nil, err
	}
	if err := s.audit(ctx, p, ActionLinksView, submissionTarget(submissionID)); err != nil {
		return nil, err
	}
	return links, nil
}

// submissionDesk returns the desk of a submission that p may see.
func (s *Service) submissionDesk(ctx context.Context, p casework.Principal, id string) (string, error) {
	desks, err := readDesks(p)
	if err != nil {
		return "", err
	}
	notFound := tipline.Errorf(tipline.NotFound, "Submission not found.")
	if !validID(id) {
		return "", notFound
	}
	desk, err := s.Store.EntitySubmissionDesk(ctx, id)
	if tipline.ErrorCode(err) == tipline.NotFound || (err == nil && desks != nil && !slices.Contains(desks, desk)) {
		return "", notFound
	}
	return desk, err
}

// Flags returns, for those of the submissions p may see, the reasons to
// look at them first: a linked entity that matches a screening-list party
// or is linked to an open case. The triage queue shows them beside new
// submissions.
func (s *Service) Flags(ctx context.Context, p casework.Principal, submissionIDs []string) (map[string][]Flag, error) {
	desks, err := readDesks(p)
	if err != nil {
		return nil, err
	}
	ids := slices.DeleteFunc(slices.Clone(submissionIDs), func(id string) bool { return !validID(id) })
	return s.Store.SubmissionEntityFlags(ctx, ids, desks)
}

// MostCorroborated returns the entities p may see that the most distinct
// submissions name, up to MaxPage, of one desk or all, and audits the
// view.
func (s *Service) MostCorroborated(ctx context.Context, p casework.Principal, desk string) ([]Corroborated, error) {
	list, err := s.mostCorroborated(ctx, p, desk)
	if err != nil {
		return nil, err
	}
	if err := s.audit(ctx, p, ActionCorroborated, searchTarget); err != nil {
		return nil, err
	}
	return list, nil
}

func (s *Service) mostCorroborated(ctx context.Context, p casework.Principal, desk string) ([]Corroborated, error) {
	desks, err := readDesks(p)
	if err != nil {
		return nil, err
	}
	if desk != "" {
		if desks != nil && !slices.Contains(desks, desk) {
			return []Corroborated{}, nil
		}
		desks = []string{desk}
	}
	return s.Store.MostCorroborated(ctx, desks, MaxPage)
}
