package intake

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"math/big"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/crypto"
)

// The page that shows a codename is answered to a POST that cannot be
// repeated safely, and the server keeps no codename. Its "I have saved
// it" step asks for one numbered group back; so that a wrong answer can
// show the codename again, the step's form carries the page, sealed
// (crypto.Pepper.Sealer with codenamePageLabel): only this server opens
// it, and nothing of it is ever stored. It travels in a POST body, never
// in a URL.

const codenamePageLabel = "tipline codename page v1"

// ErrCodenamePage refuses a sealed codename page that does not open.
var ErrCodenamePage = tipline.Errorf(tipline.Invalid, "The codename page sent back is not one this site made.")

// CodenamePage is what the "I have saved it" step needs: the receipt to
// show again and the number of the group (1-based) to type back.
type CodenamePage struct {
	Receipt *Receipt
	Ask     int
}

type sealedPage struct {
	keptReceipt
	Ask int `json:"a"`
}

// NewCodenamePage picks, at random, the group a source types back.
func NewCodenamePage(r *Receipt) CodenamePage {
	n, err := rand.Int(rand.Reader, big.NewInt(int64(len(r.Codename.Groups()))))
	if err != nil {
		panic(err) // crypto/rand never fails (Go ≥ 1.24)
	}
	return CodenamePage{Receipt: r, Ask: int(n.Int64()) + 1}
}

// SealCodenamePage seals p for the form of the "I have saved it" step.
func (s *Service) SealCodenamePage(p CodenamePage) (string, error) {
	sealer, err := s.Pepper.Sealer(codenamePageLabel)
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(sealedPage{newKeptReceipt(p.Receipt), p.Ask})
	if err != nil {
		return "", err
	}
	defer clear(b)
	return base64.RawURLEncoding.EncodeToString(sealer.Seal(b, nil)), nil
}

// OpenCodenamePage opens what SealCodenamePage sealed; ErrCodenamePage for
// anything else.
func (s *Service) OpenCodenamePage(sealed string) (CodenamePage, error) {
	sealer, err := s.Pepper.Sealer(codenamePageLabel)
	if err != nil {
		return CodenamePage{}, err
	}
	raw, err := base64.RawURLEncoding.DecodeString(sealed)
	if err != nil {
		return CodenamePage{}, ErrCodenamePage
	}
	b, err := sealer.Open(raw, nil)
	if err != nil {
		return CodenamePage{}, ErrCodenamePage
	}
	defer clear(b)
	var sp sealedPage
	if err := json.Unmarshal(b, &sp); err != nil {
		return CodenamePage{}, ErrCodenamePage
	}
	r, err := sp.receipt()
	if err != nil || sp.Ask < 1 || sp.Ask > len(r.Codename.Groups()) {
		return CodenamePage{}, ErrCodenamePage
	}
	return CodenamePage{Receipt: r, Ask: sp.Ask}, nil
}

// Saved reports whether typed is the group the page asks for.
func (p CodenamePage) Saved(typed string) bool {
	return p.Receipt.Codename.GroupMatches(p.Ask, typed)
}

// newCodename draws the codename of a new submission in the form the
// source chose.
func newCodename(numeric bool) (crypto.Codename, error) {
	if numeric {
		return crypto.NewNumericCodename()
	}
	return crypto.NewCodename()
}
