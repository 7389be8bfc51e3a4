package intake

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"math/bits"
	"strconv"
	"time"

	"github.com/tipline/tipline"
)

// Proof of work on the JavaScript path: before its submission is accepted,
// a browser must find a counter such that SHA-256(token || counter in
// decimal) starts with Bits zero bits. That costs a browser a few hundred
// milliseconds and the server one hash to check; tokens are stateless
// (HMAC-signed with a key derived from the pepper), expire, and are spent
// once. Sources without JavaScript are protected by Tor's own onion-service
// proof of work instead (see the README).

// DefaultPowBits is the difficulty in production: 2^18 hashes on average,
// a few hundred milliseconds with the page's SHA-256 in a current browser.
const DefaultPowBits = 18

// Pow is a solved challenge, as a browser sends it.
type Pow struct {
	Token   string `json:"token"`
	Counter uint64 `json:"counter"`
}

// powLifetime is how long a token may be solved and spent.
const powLifetime = 30 * time.Minute

// powTokenLen is random(16) || expiry(8) || mac(16).
const powTokenLen = 40

// PowChallenge is what the browser must solve.
type PowChallenge struct {
	Token string `json:"token"`
	Bits  int    `json:"bits"`
}

// Solve finds the counter that answers the challenge, as the page's script
// does: for clients of the JSON API other than the browser, and for tests.
func (c PowChallenge) Solve() Pow {
	for counter := uint64(0); ; counter++ {
		sum := sha256.Sum256(append([]byte(c.Token), strconv.FormatUint(counter, 10)...))
		if leadingZeroBits(sum[:]) >= c.Bits {
			return Pow{Token: c.Token, Counter: counter}
		}
	}
}

// NewPowChallenge returns a fresh challenge.
func (s *Service) NewPowChallenge() PowChallenge {
	var raw [powTokenLen]byte
	rand.Read(raw[:16])
	binary.BigEndian.PutUint64(raw[16:24], uint64(s.Now().Add(powLifetime).Unix()))
	copy(raw[24:], s.powMAC(raw[:24]))
	return PowChallenge{Token: base64.RawURLEncoding.EncodeToString(raw[:]), Bits: s.PowBits}
}

func (s *Service) powMAC(data []byte) []byte {
	key := hmac.New(sha256.New, s.Pepper)
	key.Write([]byte("tipline proof of work v1"))
	mac := hmac.New(sha256.New, key.Sum(nil))
	mac.Write(data)
	return mac.Sum(nil)[:16]
}

// CheckProofOfWork verifies a solved challenge and spends it.
func (s *Service) CheckProofOfWork(ctx context.Context, pow Pow) error {
	token, counter := pow.Token, pow.Counter
	invalid := tipline.Errorf(tipline.Invalid, "The anti-abuse check failed or expired. Please submit again.")
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(raw) != powTokenLen || !hmac.Equal(raw[24:], s.powMAC(raw[:24])) {
		return invalid
	}
	expires := int64(binary.BigEndian.Uint64(raw[16:24]))
	if s.Now().Unix() > expires {
		return invalid
	}
	sum := sha256.Sum256(append([]byte(token), strconv.FormatUint(counter, 10)...))
	if leadingZeroBits(sum[:]) < s.PowBits {
		return invalid
	}
	if s.Rates == nil {
		return nil
	}
	fresh, err := s.Rates.Take(ctx, "pow:"+hex.EncodeToString(raw[:16]), expires, 1)
	if err != nil {
		return err
	}
	if !fresh {
		return invalid
	}
	return nil
}

func leadingZeroBits(b []byte) int {
	n := 0
	for _, c := range b {
		if c != 0 {
			return n + bits.LeadingZeros8(c)
		}
		n += 8
	}
	return n
}
