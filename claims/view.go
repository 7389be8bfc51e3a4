package claims

import (
	"context"

	"github.com/tipline/tipline/casework"
)

// ClaimView is what a claim's page shows: the claim's award report and,
// for those who change the claim, the actions they may count.
type ClaimView struct {
	Report
	Edit    bool     // p changes the claim: admins and its counsel
	Actions []Action // the actions p may see, newest first; nil unless Edit
}

// ViewClaim returns the view of claim id for p and audits it.
func (s *Service) ViewClaim(ctx context.Context, p casework.Principal, id string) (ClaimView, error) {
	v, err := s.claimView(ctx, p, id)
	if err != nil {
		return ClaimView{}, err
	}
	if err := s.audit(ctx, p, AuditClaimView, claimTarget(v.Claim.ID)); err != nil {
		return ClaimView{}, err
	}
	return v, nil
}

// ViewClaimAgain is ViewClaim without an audit entry, for the forms of a
// claim's page: to check the claim before a change, and to show the page
// again with the reason a form was refused. The page was audited when it
// was opened, a change is audited with the change, and a refused form
// changes nothing.
func (s *Service) ViewClaimAgain(ctx context.Context, p casework.Principal, id string) (ClaimView, error) {
	return s.claimView(ctx, p, id)
}

func (s *Service) claimView(ctx context.Context, p casework.Principal, id string) (ClaimView, error) {
	r, err := s.report(ctx, p, id)
	if err != nil {
		return ClaimView{}, err
	}
	v := ClaimView{Report: r, Edit: changesClaims(p)}
	if v.Edit {
		if v.Actions, err = s.listActions(ctx, p); err != nil {
			return ClaimView{}, err
		}
	}
	return v, nil
}

// ActionView is what an action's page shows: the action, the actions p
// may see (to group it under a covered one) and the claims that count it.
type ActionView struct {
	Action
	Actions []Action      // the actions p may see, newest first
	Claims  []ActionClaim // the claims p may see that count the action, with their verdicts
}

// ViewAction returns the view of action id for p and audits it.
func (s *Service) ViewAction(ctx context.Context, p casework.Principal, id string) (ActionView, error) {
	v, err := s.actionView(ctx, p, id)
	if err != nil {
		return ActionView{}, err
	}
	if err := s.audit(ctx, p, AuditActionView, actionTarget(v.ID)); err != nil {
		return ActionView{}, err
	}
	return v, nil
}

// ViewActionAgain is ViewAction without an audit entry, for showing an
// action's page again with the reason a form was refused (see
// ViewClaimAgain).
func (s *Service) ViewActionAgain(ctx context.Context, p casework.Principal, id string) (ActionView, error) {
	return s.actionView(ctx, p, id)
}

func (s *Service) actionView(ctx context.Context, p casework.Principal, id string) (ActionView, error) {
	a, err := s.action(ctx, p, id)
	if err != nil {
		return ActionView{}, err
	}
	v := ActionView{Action: a}
	if v.Actions, err = s.listActions(ctx, p); err != nil {
		return ActionView{}, err
	}
	if v.Claims, err = s.actionClaims(ctx, p, id); err != nil {
		return ActionView{}, err
	}
	return v, nil
}

// changesClaims reports whether p's role changes claims: admins and
// counsel (counsel only their own).
func changesClaims(p casework.Principal) bool {
	return p.Role == casework.RoleAdmin || p.Role == casework.RoleCounsel
}
