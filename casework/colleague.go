package casework

import (
	"context"
	"slices"

	"github.com/tipline/tipline"
)

// StaffDirectory finds staff accounts by email, for the services that name
// a colleague: an assignee, the grantee of an access grant.
type StaffDirectory interface {
	// UserByEmail returns a user with desks; NotFound when there is none.
	UserByEmail(ctx context.Context, email string) (User, error)
}

// errNoColleague is the one answer for an email that is not an enabled
// investigator of the desks in question: unknown, malformed, disabled,
// another role or another desk alike, so that naming an email tells an
// investigator nothing about staff outside their desks.
var errNoColleague = tipline.Errorf(tipline.NotFound, "No investigator of this desk has that email address.")

// deskInvestigator returns the enabled investigator email who works on at
// least one of desks, or errNoColleague.
func deskInvestigator(ctx context.Context, dir StaffDirectory, email string, desks []string) (User, error) {
	e, err := NormalizeEmail(email)
	if err != nil {
		return User{}, errNoColleague
	}
	u, err := dir.UserByEmail(ctx, e)
	switch {
	case tipline.ErrorCode(err) == tipline.NotFound:
		return User{}, errNoColleague
	case err != nil:
		return User{}, err
	case u.Disabled || u.Role != RoleInvestigator:
		return User{}, errNoColleague
	}
	for _, d := range u.Desks {
		if slices.Contains(desks, d) {
			return u, nil
		}
	}
	return User{}, errNoColleague
}
