package awards

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/tipline/tipline"
)

func TestParseUSD(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Cents
		ok   bool
	}{
		{"1234.56", 123456, true},
		{"1,234.56", 123456, true},
		{"$1,000,000", 100000000, true},
		{"1000000.01", 100000001, true},
		{"0.5", 50, true},
		{".75", 75, true},
		{"0", 0, true},
		{" 12 ", 1200, true},
		{"92233720368547758.07", math.MaxInt64, true},
		{"92233720368547758.08", 0, false}, // overflows
		{"92233720368547759", 0, false},
		{"1.234", 0, false}, // fraction of a cent
		{"-5", 0, false},
		{"1e6", 0, false},
		{"1,00", 0, false},
		{"12,3456.00", 0, false},
		{"", 0, false},
		{".", 0, false},
		{"1.", 0, false},
		{"NaN", 0, false},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseUSD(tc.in)
			if (err == nil) != tc.ok {
				t.Fatalf("ParseUSD(%q) error = %v, want ok=%v", tc.in, err, tc.ok)
			}
			if err != nil && tipline.ErrorCode(err) != tipline.Invalid {
				t.Errorf("code = %s, want invalid", tipline.ErrorCode(err))
			}
			if got != tc.want {
				t.Errorf("ParseUSD(%q) = %d, want %d", tc.in, got, tc.want)
			}
		})
	}
}

func TestCentsFormat(t *testing.T) {
	for _, tc := range []struct {
		c          Cents
		str, human string
	}{
		{0, "0.00", "$0.00"},
		{5, "0.05", "$0.05"},
		{123456, "1234.56", "$1,234.56"},
		{100000000, "1000000.00", "$1,000,000.00"},
		{-5, "-0.05", "-$0.05"},
		{math.MinInt64, "-92233720368547758.08", "-$92,233,720,368,547,758.08"},
		{math.MaxInt64, "92233720368547758.07", "$92,233,720,368,547,758.07"},
	} {
		if got := tc.c.String(); got != tc.str {
			t.Errorf("String(%d) = %q, want %q", tc.c, got, tc.str)
		}
		if got := tc.c.USD(); got != tc.human {
			t.Errorf("USD(%d) = %q, want %q", tc.c, got, tc.human)
		}
		b, _ := json.Marshal(struct{ A Cents }{tc.c})
		if want := `{"A":` + tc.str + `}`; string(b) != want {
			t.Errorf("json = %s, want %s", b, want)
		}
		var back struct{ A Cents }
		if tc.c == math.MinInt64 {
			continue // its magnitude does not fit: never a sanction
		}
		if err := json.Unmarshal(b, &back); err != nil || back.A != tc.c {
			t.Errorf("round trip of %d = %d, %v", tc.c, back.A, err)
		}
	}
}

func TestMulBP(t *testing.T) {
	for _, tc := range []struct {
		c    Cents
		bp   int
		want Cents
	}{
		{100, 3000, 30},
		{1, 3000, 0}, // rounded down
		{333, 1000, 33},
		{math.MaxInt64, 10000, math.MaxInt64},
		{math.MaxInt64, 3000, 2767011611056432742},
		{1666666667, 3000, 500000000},
	} {
		if got := mulBP(tc.c, tc.bp); got != tc.want {
			t.Errorf("mulBP(%d, %d) = %d, want %d", tc.c, tc.bp, got, tc.want)
		}
	}
}

func TestPercent(t *testing.T) {
	for bp, want := range map[int]string{1500: "15%", 2963: "29.63%", 0: "0%", 1050: "10.5%", 3000: "30%"} {
		if got := Percent(bp); got != want {
			t.Errorf("Percent(%d) = %q, want %q", bp, got, want)
		}
	}
}
