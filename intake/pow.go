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
// a browser must find PowSolutions counters, each such that SHA-256(token
// || counter in decimal) starts with the challenge's SolutionBits zero
// bits. That costs a browser a few hundred milliseconds and the server a
// few hashes to check; tokens are stateless (HMAC-signed with a key
// derived from the pepper), expire, and are spent once. Sources without
// JavaScript are protected by Tor's own onion-service proof of work
// instead (see the README).
//
// A difficulty of Bits asks 2^Bits tries on average in all: PowSolutions
// counters of Bits-3 zero bits each, rather than one of Bits. The work is
// the same, but a single counter's time is spread like an exponential
// (one source in twenty would wait three times the average), while with
// eight one in twenty waits 1.7 times it: the budget of issue 14 holds for
// each submission, not only on average.

// DefaultPowBits is the difficulty in production: 2^18 tries on average,
// a few hundred milliseconds with the page's SHA-256 in a current browser.
const DefaultPowBits = 18

// PowSolutions is how many counters a proof of work needs: 2^powSolutionsLog2.
const (
	powSolutionsLog2 = 3
	PowSolutions     = 1 << powSolutionsLog2
)

// Pow is a solved challenge, as a browser sends it: PowSolutions counters
// in increasing order.
type Pow struct {
	Token    string   `json:"token"`
	Counters []uint64 `json:"counters"`
}

// powLifetime is how long a token may be solved and spent.
const powLifetime = 30 * time.Minute

// powTokenLen is random(16) || expiry(8) || bits(1) || mac(16): the token
// carries the difficulty it was issued at, under the MAC.
const powTokenLen = 41

// PowChallenge is what the browser must solve: Solutions counters whose
// hashes start with SolutionBits zero bits each, 2^Bits tries on average
// in all.
type PowChallenge struct {
	Token        string `json:"token"`
	Bits         int    `json:"bits"`
	Solutions    int    `json:"solutions"`
	SolutionBits int    `json:"solution_bits"`
}

// solutionBits is the zero bits each counter of a proof of work of
// difficulty bits needs.
func solutionBits(bits int) int {
	return max(bits-powSolutionsLog2, 0)
}

// Solve finds the counters that answer the challenge, as the page's script
// does (the first PowSolutions from powStart up): for clients of the JSON
// API other than the browser, and for tests. Only Token and Bits are read.
func (c PowChallenge) Solve() Pow {
	need := solutionBits(c.Bits)
	pow := Pow{Token: c.Token}
	for counter := powStart(len(c.Token)); len(pow.Counters) < PowSolutions; counter++ {
		if powZeroBits(c.Token, counter) >= need {
			pow.Counters = append(pow.Counters, counter)
		}
	}
	return pow
}

// powStart is the first counter a solver tries for a token of n bytes, as
// powStart in the page's static/js/hash.js, where the reason is: SHA-256
// hashes 64-byte blocks, and from 0 up the counter and the padding of a
// token of 55 bytes (the API's) spill into a second block, two
// compressions a try. A counter of powRunDigits more digits than the
// token's last block has room for fills that block with leading digits
// that stay the same for a million tries, whose state is computed once:
// one compression a try. A solver in native code may do that with any
// token, since every increasing set of counters is taken, so it costs an
// attacker nothing it did not have; it halves what an honest browser
// pays. Counters stay below 10^15, exact as JavaScript numbers.
func powStart(n int) uint64 {
	room := 64 - n%64
	if room+powRunDigits > 15 {
		return 0
	}
	start := uint64(1)
	for range room + powRunDigits - 1 {
		start *= 10
	}
	return start
}

// powRunDigits is how many of a counter's last digits the page's solver
// changes in place (RUN_DIGITS in static/js/hash.js).
const powRunDigits = 6

// powZeroBits returns the leading zero bits of SHA-256(token || counter in
// decimal).
func powZeroBits(token string, counter uint64) int {
	sum := sha256.Sum256(strconv.AppendUint([]byte(token), counter, 10))
	return leadingZeroBits(sum[:])
}

// NewPowChallenge returns a fresh challenge for a submission to desk, as
// hard as PowBitsFor(desk) asks: harder while the desk is flooded.
func (s *Service) NewPowChallenge(ctx context.Context, desk string) PowChallenge {
	return s.newPowChallenge(desk, s.PowBitsFor(ctx, desk))
}

// NewUploadPowChallenge returns a fresh challenge for opening an upload
// session of size bytes to desk, as hard as UploadPowBits asks.
func (s *Service) NewUploadPowChallenge(ctx context.Context, desk string, size int64) PowChallenge {
	return s.newPowChallenge(desk, s.UploadPowBits(ctx, desk, size))
}

// newPowChallenge returns a challenge for desk at difficulty; the MAC
// binds both, so a challenge from a quiet desk does not serve a flooded one.
func (s *Service) newPowChallenge(desk string, difficulty int) PowChallenge {
	var raw [powTokenLen]byte
	rand.Read(raw[:16])
	binary.BigEndian.PutUint64(raw[16:24], uint64(s.Now().Add(powLifetime).Unix()))
	raw[24] = byte(difficulty)
	copy(raw[25:], s.powMAC(raw[:25], desk))
	return PowChallenge{
		Token: base64.RawURLEncoding.EncodeToString(raw[:]), Bits: difficulty,
		Solutions: PowSolutions, SolutionBits: solutionBits(difficulty),
	}
}

// The proof of work that opens an upload session grows with the size the
// client declares for its message: up to powSizeStep (8 MiB) it is the base
// difficulty, and each doubling beyond adds one bit, at most
// maxUploadPowExtraBits. With the base of 18 bits: 16 MiB asks 19 bits, 32
// MiB and more 20. The cap keeps every proof of work of a submission
// together within about 2 s in a browser (issue 14's budget, for the
// slowest device a source may use): a file of any size, its manifest and
// the commit need 2^20 + 2 × 2^18 tries, about 1.3 s at the 1.2 million
// tries a second of solvePow in a worker of Chromium 156 on the reference
// machine (2026-12-07; BENCHMARKS.md). Storage
// itself is bounded by the byte budgets, not by this work.
const (
	powSizeStep           = 8 << 20
	maxUploadPowExtraBits = 2
)

// SizePowBits returns the bits a message of size bytes adds to the proof
// of work of its upload session: 0 up to 8 MiB, then one per doubling, at
// most maxUploadPowExtraBits.
func SizePowBits(size int64) int {
	if size <= powSizeStep {
		return 0
	}
	return min(bits.Len64(uint64(size-1)/powSizeStep), maxUploadPowExtraBits)
}

// UploadPowBits returns the difficulty of the proof of work that opens an
// upload session of size bytes to desk: PowBitsFor(desk) plus
// SizePowBits(size). It does not
// rise with the load of the upload caps: an attacker solves natively, far
// faster than a source's browser, so load-driven work would slow sources
// more than floods. Abandoned sessions give their room back instead (see
// SweepIdleUploads).
func (s *Service) UploadPowBits(ctx context.Context, desk string, size int64) int {
	return s.PowBitsFor(ctx, desk) + SizePowBits(size)
}

func (s *Service) powMAC(data []byte, desk string) []byte {
	key := hmac.New(sha256.New, s.Pepper)
	key.Write([]byte("tipline proof of work v1"))
	mac := hmac.New(sha256.New, key.Sum(nil))
	mac.Write(data)
	mac.Write([]byte(desk))
	return mac.Sum(nil)[:16]
}

// CheckProofOfWork verifies a solved challenge for a submission to desk
// and spends it. The difficulty is what PowBitsFor(desk) asks now, or what
// the challenge was issued at if that is less, but never less than the
// base (PowBits): a flood that began while a source's browser was solving
// does not send it back to solve again.
func (s *Service) CheckProofOfWork(ctx context.Context, desk string, pow Pow) error {
	return s.checkProofOfWork(ctx, desk, pow, s.PowBits, s.PowBitsFor(ctx, desk))
}

// checkUploadPow verifies a solved challenge for opening an upload session
// of size bytes to desk, and spends it: at the difficulty UploadPowBits
// asks now, or the challenge's own if that is less, but never less than
// the base and the bits for size (a challenge fetched for a smaller
// session falls short).
func (s *Service) checkUploadPow(ctx context.Context, desk string, size int64, pow Pow) error {
	floor := s.PowBits + SizePowBits(size)
	return s.checkProofOfWork(ctx, desk, pow, floor, s.UploadPowBits(ctx, desk, size))
}

// checkProofOfWork verifies a solved challenge for desk and spends it. It
// needs the difficulty asked now, or the one the challenge was issued at
// if less, and at least floor.
func (s *Service) checkProofOfWork(ctx context.Context, desk string, pow Pow, floor, now int) error {
	token := pow.Token
	invalid := tipline.Errorf(tipline.Invalid, "The anti-abuse check failed or expired. Please submit again.")
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(raw) != powTokenLen || !hmac.Equal(raw[25:], s.powMAC(raw[:25], desk)) {
		return invalid
	}
	need := max(floor, min(now, int(raw[24])))
	expires := int64(binary.BigEndian.Uint64(raw[16:24]))
	if s.Now().Unix() > expires {
		return invalid
	}
	if len(pow.Counters) != PowSolutions {
		return invalid
	}
	for i, counter := range pow.Counters {
		// Increasing: one lucky counter does not count eight times.
		if i > 0 && counter <= pow.Counters[i-1] || powZeroBits(token, counter) < solutionBits(need) {
			return invalid
		}
	}
	if s.Rates == nil {
		return nil
	}
	// The spent token's row is kept to the hour after its expiry: the
	// expiry itself would tell to the second when the page was opened.
	spentUntil := time.Unix(expires, 0).UTC().Truncate(time.Hour).Add(time.Hour).Unix()
	fresh, err := s.Rates.Take(ctx, "pow:"+hex.EncodeToString(raw[:16]), spentUntil, 1)
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
