package casework

import (
	"context"
	"slices"
	"time"

	"github.com/tipline/tipline"
)

// Triage is the service behind the triage queue. It decides what each
// staff member may see and change: investigators work the desks they are
// members of; admins see every desk's metadata; counsel and auditors see
// no submissions here.
type Triage struct {
	Store TriageStore
	Now   func() time.Time
}

// MaxPage bounds one page of the queue.
const MaxPage = 200

// errNoSubmission hides whether a submission exists from those who may not
// see it.
var errNoSubmission = tipline.Errorf(tipline.NotFound, "Submission not found.")

// visibleDesks returns the desks p may see (nil: all), or Forbidden.
func visibleDesks(p Principal) ([]string, error) {
	switch p.Role {
	case RoleAdmin:
		return nil, nil
	case RoleInvestigator:
		return append([]string{}, p.Desks...), nil
	}
	return nil, tipline.Errorf(tipline.Forbidden, "Your role does not work the triage queue.")
}

func (t *Triage) today() string { return t.Now().UTC().Format(time.DateOnly) }

// List returns a page of the queue as q selects it, within what p may see,
// and the keyset to ask for the next page ("" on the last).
func (t *Triage) List(ctx context.Context, p Principal, q Query) ([]SubmissionSummary, string, string, error) {
	desks, err := visibleDesks(p)
	if err != nil {
		return nil, "", "", err
	}
	q.Desks, q.Today, q.Viewer = desks, t.today(), p.UserID
	if q.Limit <= 0 || q.Limit > MaxPage {
		q.Limit = 50
	}
	items, err := t.Store.ListSubmissions(ctx, q)
	if err != nil || len(items) < q.Limit {
		return items, "", "", err
	}
	last := items[len(items)-1]
	return items, last.ReceivedDay, last.ID, nil
}

// Get returns one submission that p may see. It is not audited: it is for
// checks and for pages that show more than the submission; View is the
// audited read.
func (t *Triage) Get(ctx context.Context, p Principal, id string) (SubmissionDetail, error) {
	desks, err := visibleDesks(p)
	if err != nil {
		return SubmissionDetail{}, err
	}
	d, err := t.Store.SubmissionDetail(ctx, id)
	if tipline.ErrorCode(err) == tipline.NotFound || (err == nil && desks != nil && !slices.Contains(desks, d.Desk)) {
		return SubmissionDetail{}, errNoSubmission
	}
	return d, err
}

// View returns one submission that p may see and records the view in the
// audit log, and what p has now seen of it; when the entry cannot be
// written it returns the error and no submission.
func (t *Triage) View(ctx context.Context, p Principal, id string) (SubmissionDetail, error) {
	d, err := t.Get(ctx, p, id)
	if err != nil {
		return SubmissionDetail{}, err
	}
	rec := AuditRecord{At: t.Now(), Actor: p.UserID, Action: ActionSubmissionView, Target: "submission:" + d.ID}
	if err := t.Store.ViewSubmission(ctx, p.UserID, d.ID, rec); err != nil {
		return SubmissionDetail{}, err
	}
	return d, nil
}

// Update changes the triage state of a submission that p may see; only
// investigators of its desk change it, and only to assign one of the
// desk's investigators (NotFound, the same for every other email). The
// change and its audit entry are one transaction.
func (t *Triage) Update(ctx context.Context, p Principal, id string, ch Change) (SubmissionDetail, error) {
	d, err := t.Get(ctx, p, id)
	if err != nil {
		return d, err
	}
	if p.Role != RoleInvestigator {
		return d, tipline.Errorf(tipline.Forbidden, "Only investigators of this desk change a submission.")
	}
	if ch.Assignee != nil && *ch.Assignee != "" {
		// Only the desk's investigators are assignees; any other email,
		// known or not, gets the same answer.
		u, err := deskInvestigator(ctx, t.Store, *ch.Assignee, []string{d.Desk})
		if err != nil {
			return d, err
		}
		ch.Assignee = &u.Email
	}
	rec := AuditRecord{At: t.Now(), Actor: p.UserID, Action: ActionSubmissionUpdate, Target: "submission:" + d.ID}
	if err := t.Store.UpdateSubmission(ctx, d.ID, ch, t.today(), rec); err != nil {
		return d, err
	}
	return t.Store.SubmissionDetail(ctx, d.ID)
}
