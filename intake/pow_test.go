package intake

import (
	"context"
	"crypto/sha256"
	"strconv"
	"testing"
	"time"

	"github.com/tipline/tipline/crypto"
)

// memRates is a RateStore in memory, for tests of the rules above it.
type memRates map[string]int

func (m memRates) Take(_ context.Context, bucket string, window int64, limit int) (bool, error) {
	k := bucket + "@" + strconv.FormatInt(window, 10)
	if m[k] >= limit {
		return false, nil
	}
	m[k]++
	return true, nil
}

func (m memRates) Add(_ context.Context, bucket string, window, n int64) error {
	m[bucket+"@"+strconv.FormatInt(window, 10)] += int(n)
	return nil
}

func (m memRates) Count(_ context.Context, bucket string, window int64) (int64, error) {
	return int64(m[bucket+"@"+strconv.FormatInt(window, 10)]), nil
}

func (m memRates) PurgeRates(context.Context, int64) error { return nil }

func solve(t *testing.T, token string) uint64 {
	t.Helper()
	return PowChallenge{Token: token, Bits: DefaultPowBits}.Solve().Counter
}

func TestProofOfWork(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	s := &Service{Pepper: crypto.NewPepper(), Rates: memRates{}, PowBits: DefaultPowBits, Now: func() time.Time { return now }}
	ctx := context.Background()
	ch := s.NewPowChallenge(ctx, DefaultDeskSlug)
	counter := solve(t, ch.Token)

	if err := s.CheckProofOfWork(ctx, DefaultDeskSlug, Pow{ch.Token, counter + 1}); err == nil {
		// counter+1 is very unlikely to be a solution too.
		sum := sha256.Sum256(append([]byte(ch.Token), strconv.FormatUint(counter+1, 10)...))
		if leadingZeroBits(sum[:]) < DefaultPowBits {
			t.Error("a wrong counter was accepted")
		}
	}
	if err := s.CheckProofOfWork(ctx, DefaultDeskSlug, Pow{ch.Token, counter}); err != nil {
		t.Fatalf("solved challenge refused: %v", err)
	}
	if err := s.CheckProofOfWork(ctx, DefaultDeskSlug, Pow{ch.Token, counter}); err == nil {
		t.Error("a spent token was accepted twice")
	}

	other := &Service{Pepper: crypto.NewPepper(), Rates: memRates{}, PowBits: DefaultPowBits, Now: s.Now}
	if err := other.CheckProofOfWork(ctx, DefaultDeskSlug, Pow{ch.Token, counter}); err == nil {
		t.Error("a token signed with another pepper was accepted")
	}

	late := s.NewPowChallenge(ctx, DefaultDeskSlug)
	lateCounter := solve(t, late.Token)
	now = now.Add(powLifetime + time.Second)
	if err := s.CheckProofOfWork(ctx, DefaultDeskSlug, Pow{late.Token, lateCounter}); err == nil {
		t.Error("an expired token was accepted")
	}
	if err := s.CheckProofOfWork(ctx, DefaultDeskSlug, Pow{"not-a-token", 0}); err == nil {
		t.Error("garbage accepted")
	}
}

func TestLeadingZeroBits(t *testing.T) {
	for _, tt := range []struct {
		in   []byte
		want int
	}{
		{[]byte{0x80}, 0}, {[]byte{0x01}, 7}, {[]byte{0, 0x40}, 9}, {[]byte{0, 0}, 16},
	} {
		if got := leadingZeroBits(tt.in); got != tt.want {
			t.Errorf("leadingZeroBits(%x) = %d, want %d", tt.in, got, tt.want)
		}
	}
}
