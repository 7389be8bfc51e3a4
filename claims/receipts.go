package claims

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/crypto"
	"github.com/tipline/tipline/intake"
)

// Receipts checks sources' signed receipts against the intake log: the
// proof a claim's counsel give that a submission is their client's.
type Receipts struct {
	Signer *crypto.PublicKey // the server's receipt key
	Log    intake.LogStore
}

// IntakeReceipts checks receipts signed with the intake service's receipt
// key against the intake log.
func IntakeReceipts(signer *intake.ReceiptSigner, log intake.LogStore) (*Receipts, error) {
	key, err := crypto.ParsePublicKey([]byte(signer.PublicKey()), time.Now())
	if err != nil {
		return nil, fmt.Errorf("claims: receipt key: %w", err)
	}
	return &Receipts{Signer: key, Log: log}, nil
}

// submission returns the submission a signed receipt proves.
func (r *Receipts) submission(ctx context.Context, receipt []byte) (string, error) {
	v, err := intake.VerifyReceipt(ctx, receipt, r.Signer, r.Log)
	if err != nil {
		return "", err
	}
	if v.Problem != "" {
		return "", tipline.Errorf(tipline.Invalid, "The receipt does not prove a submission: %s.", v.Problem)
	}
	return v.SubmissionID, nil
}

// AttachReceipt adds the submission a source's signed receipt proves to a
// claim: how counsel attach a submission (admins may also give ids, see
// SetSubmissions).
func (s *Service) AttachReceipt(ctx context.Context, p casework.Principal, id string, receipt []byte) (Claim, error) {
	c, err := s.writableClaim(ctx, p, id)
	if err != nil {
		return Claim{}, err
	}
	if s.Receipts == nil {
		return Claim{}, tipline.Errorf(tipline.Unavailable, "Receipts cannot be checked on this server.")
	}
	if len(receipt) == 0 || len(receipt) > 64<<10 {
		return Claim{}, tipline.Errorf(tipline.Invalid, "Paste the source's signed receipt, from -----BEGIN PGP SIGNED MESSAGE----- to its end.")
	}
	sub, err := s.Receipts.submission(ctx, receipt)
	if err != nil {
		return Claim{}, err
	}
	ids := []string{sub}
	for _, r := range c.Submissions {
		ids = append(ids, r.ID)
	}
	if len(ids) > 100 {
		return Claim{}, tipline.Errorf(tipline.Invalid, "At most 100 submissions.")
	}
	if err := s.Store.SetClaimSubmissions(ctx, id, slices.Compact(slices.Sorted(slices.Values(ids))), s.now(),
		s.record(p, AuditClaimSubmissions, claimTarget(id))); err != nil {
		return Claim{}, err
	}
	return s.Recompute(ctx, id)
}
