package intake

import (
	"context"
	"slices"
	"strconv"
	"strings"
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

func solve(t *testing.T, token string) Pow {
	t.Helper()
	return PowChallenge{Token: token, Bits: DefaultPowBits}.Solve()
}

func TestProofOfWork(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	s := &Service{Pepper: crypto.NewPepper(), Rates: memRates{}, PowBits: DefaultPowBits, Now: func() time.Time { return now }}
	ctx := context.Background()
	ch := s.NewPowChallenge(ctx, DefaultDeskSlug)
	if ch.Solutions != PowSolutions || ch.SolutionBits != DefaultPowBits-3 {
		t.Fatalf("challenge asks %d solutions of %d bits, want %d of %d", ch.Solutions, ch.SolutionBits, PowSolutions, DefaultPowBits-3)
	}
	pow := solve(t, ch.Token)

	// Each way of falling short of the work is refused (and spends nothing).
	last := pow.Counters[PowSolutions-1]
	next := last + 1
	for powZeroBits(ch.Token, next) >= ch.SolutionBits {
		next++
	}
	for _, tt := range []struct {
		name     string
		counters []uint64
	}{
		{"OneWrong", append(slices.Clone(pow.Counters[:PowSolutions-1]), next)},
		{"OneMissing", pow.Counters[:PowSolutions-1]},
		{"OneTooMany", append(slices.Clone(pow.Counters), next)},
		{"OneRepeated", append(slices.Clone(pow.Counters[:PowSolutions-1]), pow.Counters[PowSolutions-2])},
		{"OneCounterEightTimes", slices.Repeat([]uint64{last}, PowSolutions)},
		{"OutOfOrder", append([]uint64{last}, pow.Counters[:PowSolutions-1]...)},
		{"None", nil},
	} {
		if err := s.CheckProofOfWork(ctx, DefaultDeskSlug, Pow{ch.Token, tt.counters}); err == nil {
			t.Errorf("%s: counters %v accepted", tt.name, tt.counters)
		}
	}
	if err := s.CheckProofOfWork(ctx, DefaultDeskSlug, pow); err != nil {
		t.Fatalf("solved challenge refused: %v", err)
	}
	if err := s.CheckProofOfWork(ctx, DefaultDeskSlug, pow); err == nil {
		t.Error("a spent token was accepted twice")
	}

	other := &Service{Pepper: crypto.NewPepper(), Rates: memRates{}, PowBits: DefaultPowBits, Now: s.Now}
	if err := other.CheckProofOfWork(ctx, DefaultDeskSlug, pow); err == nil {
		t.Error("a token signed with another pepper was accepted")
	}

	late := s.NewPowChallenge(ctx, DefaultDeskSlug)
	latePow := solve(t, late.Token)
	now = now.Add(powLifetime + time.Second)
	if err := s.CheckProofOfWork(ctx, DefaultDeskSlug, latePow); err == nil {
		t.Error("an expired token was accepted")
	}
	if err := s.CheckProofOfWork(ctx, DefaultDeskSlug, Pow{"not-a-token", latePow.Counters}); err == nil {
		t.Error("garbage accepted")
	}
}

// TestProofOfWorkSpread: the tries of a proof of work vary far less than
// those of a single counter of the same average work, so that a source's
// wait stays near its budget (issue 14). Over 400 challenges of 12 bits
// (2^12 tries on average), the slowest one in twenty takes at most 1.8
// times the average; a single counter's would take about 3 times.
func TestProofOfWorkSpread(t *testing.T) {
	const bits, n = 12, 400
	tries := make([]float64, n)
	for i := range tries {
		token := "spread-" + strconv.Itoa(i)
		pow := PowChallenge{Token: token, Bits: bits}.Solve()
		tries[i] = float64(pow.Counters[PowSolutions-1] - powStart(len(token)) + 1)
	}
	slices.Sort(tries)
	mean := 0.0
	for _, x := range tries {
		mean += x / n
	}
	if mean < 0.8*(1<<bits) || mean > 1.2*(1<<bits) {
		t.Errorf("mean tries %.0f, want about %d", mean, 1<<bits)
	}
	p95 := tries[n*95/100]
	t.Logf("mean %.0f tries, 95th percentile %.2f times 2^%d, 99th %.2f", mean, p95/(1<<bits), bits, tries[n*99/100]/(1<<bits))
	if p95 > 1.8*(1<<bits) {
		t.Errorf("95th percentile %.0f tries, %.2f times the work asked; want at most 1.8", p95, p95/(1<<bits))
	}
}

// TestPowStart: the counters of an API token (55 bytes) start where their
// last digits and the padding fit in the block after the token's, so that
// a try hashes one block, not two; tokens whose counters fit in their own
// last block, or would need more than 15 digits, start from 0.
func TestPowStart(t *testing.T) {
	for _, tt := range []struct {
		n    int
		want uint64
	}{
		{55, 1e14}, // the API's: room for 9 digits, then 6 in the next block
		{60, 1e9},
		{119, 1e14},
		{54, 0}, // room for 10: 16 digits would not be exact in JavaScript
		{3, 0},  // counters of up to 52 digits fit the token's block
	} {
		if got := powStart(tt.n); got != tt.want {
			t.Errorf("powStart(%d) = %d, want %d", tt.n, got, tt.want)
		}
	}
	ch := PowChallenge{Token: strings.Repeat("t", 55), Bits: 10}
	if c := ch.Solve().Counters[0]; c < 1e14 || c >= 1e15 {
		t.Errorf("Solve of a 55-byte token found counter %d, want 15 digits", c)
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
