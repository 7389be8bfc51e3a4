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

// NewPowChallenge returns a fresh challenge for a submission to desk, as
// hard as PowBitsFor(desk) asks: harder while the desk is flooded.
func (s *Service) NewPowChallenge(ctx context.Context, desk string) PowChallenge {
	return s.newPowChallenge(s.PowBitsFor(ctx, desk))
}

// NewUploadPowChallenge returns a fresh challenge for opening an upload
// session of size bytes to desk, as hard as UploadPowBits asks.
func (s *Service) NewUploadPowChallenge(ctx context.Context, desk string, size int64) PowChallenge {
	return s.newPowChallenge(s.UploadPowBits(ctx, desk, size))
}

func (s *Service) newPowChallenge(difficulty int) PowChallenge {
	var raw [powTokenLen]byte
	rand.Read(raw[:16])
	binary.BigEndian.PutUint64(raw[16:24], uint64(s.Now().Add(powLifetime).Unix()))
	copy(raw[24:], s.powMAC(raw[:24]))
	return PowChallenge{Token: base64.RawURLEncoding.EncodeToString(raw[:]), Bits: difficulty}
}

// The proof of work that opens an upload session grows with the size the
// client declares for its message, so that storage costs work in
// proportion: up to powSizeStep (8 MiB) it is the base difficulty, and each
// doubling beyond adds one bit. With the base of 18 bits (about 0.14 s in
// a browser): 16 MiB asks 19 bits, 128 MiB 22, 1 GiB 25 (2^7 = 128 times
// the work, about 18 s), 2 GiB 26. It grows again while open sessions or
// pending bytes near their caps (see loadPowBits). The bits added for size
// and load together are at most maxUploadPowExtraBits.
const (
	powSizeStep           = 8 << 20
	maxUploadPowExtraBits = 10
	maxLoadPowBits        = 4
)

// SizePowBits returns the bits a message of size bytes adds to the proof
// of work of its upload session: 0 up to 8 MiB, then one per doubling.
func SizePowBits(size int64) int {
	if size <= powSizeStep {
		return 0
	}
	return bits.Len64(uint64(size-1) / powSizeStep)
}

// UploadPowBits returns the difficulty of the proof of work that opens an
// upload session of size bytes to desk: PowBitsFor(desk), plus
// SizePowBits(size), plus loadPowBits, the last two together at most
// maxUploadPowExtraBits.
func (s *Service) UploadPowBits(ctx context.Context, desk string, size int64) int {
	return s.PowBitsFor(ctx, desk) + min(SizePowBits(size)+s.loadPowBits(ctx), maxUploadPowExtraBits)
}

// loadPowBits returns the bits added while the open upload sessions or the
// pending bytes near their caps: one from 1/8 of a cap, and one more at
// each doubling, up to 4 at the cap. The bits are few on purpose: an
// attacker solves the work natively, far faster than a source's browser,
// so load-driven work slows real sources more than it slows the flood; it
// only makes filling the last half of a cap cost 2^3 times the base per
// session. When the counts cannot be read it answers the hardest.
func (s *Service) loadPowBits(ctx context.Context) int {
	const steps = 8
	open, err := s.Store.OpenUploads(ctx, s.Now().Unix())
	if err != nil {
		s.Logger.Warn("cannot count the open upload sessions; asking for the harder proof of work", "err", err)
		return maxLoadPowBits
	}
	load := float64(open) / float64(s.maxUploadSessions()) // the fullest cap, as a fraction
	if s.Limits.PendingBytes > 0 {
		pending, err := s.Store.PendingBytes(ctx)
		if err != nil {
			s.Logger.Warn("cannot read the pending bytes; asking for the harder proof of work", "err", err)
			return maxLoadPowBits
		}
		load = max(load, float64(pending)/float64(s.Limits.PendingBytes))
	}
	return min(bits.Len64(uint64(load*steps)), maxLoadPowBits)
}

func (s *Service) powMAC(data []byte) []byte {
	key := hmac.New(sha256.New, s.Pepper)
	key.Write([]byte("tipline proof of work v1"))
	mac := hmac.New(sha256.New, key.Sum(nil))
	mac.Write(data)
	return mac.Sum(nil)[:16]
}

// CheckProofOfWork verifies a solved challenge for a submission to desk,
// at the difficulty PowBitsFor(desk) asks now, and spends it. (A challenge
// fetched just before its desk became flooded falls short once, and the
// source submits again.)
func (s *Service) CheckProofOfWork(ctx context.Context, desk string, pow Pow) error {
	return s.checkProofOfWork(ctx, pow, s.PowBitsFor(ctx, desk))
}

// checkUploadPow verifies a solved challenge for opening an upload session
// of size bytes to desk, at the difficulty UploadPowBits asks now, and
// spends it. A challenge fetched just before the difficulty rose falls
// short, and the browser asks for a new one.
func (s *Service) checkUploadPow(ctx context.Context, desk string, size int64, pow Pow) error {
	return s.checkProofOfWork(ctx, pow, s.UploadPowBits(ctx, desk, size))
}

// checkProofOfWork verifies a solved challenge at the difficulty need
// (leading zero bits) and spends it.
func (s *Service) checkProofOfWork(ctx context.Context, pow Pow, need int) error {
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
	if leadingZeroBits(sum[:]) < need {
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
