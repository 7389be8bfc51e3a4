package awards

import (
	"math"
	"strconv"
	"strings"

	"github.com/tipline/tipline"
)

// Cents is money in integer US cents.
type Cents int64

// ParseUSD reads a non-negative amount of US dollars: "1234.56", "1,234.56",
// "$1234" or "1234.5". It refuses fractions of a cent, signs, exponents and
// amounts that do not fit in Cents; the error is tipline.Invalid.
func ParseUSD(s string) (Cents, error) {
	bad := func() (Cents, error) {
		return 0, tipline.Errorf(tipline.Invalid, "Not an amount in dollars: %q (write 1234.56).", s)
	}
	t := strings.TrimSpace(s)
	t = strings.TrimPrefix(t, "$")
	whole, frac, hasFrac := strings.Cut(t, ".")
	if whole == "" && !hasFrac {
		return bad()
	}
	if strings.Contains(whole, ",") {
		// Thousands separators must group by three.
		groups := strings.Split(whole, ",")
		if len(groups[0]) < 1 || len(groups[0]) > 3 {
			return bad()
		}
		for _, g := range groups[1:] {
			if len(g) != 3 {
				return bad()
			}
		}
		whole = strings.Join(groups, "")
	}
	if whole == "" {
		whole = "0"
	}
	if hasFrac && (len(frac) == 0 || len(frac) > 2) {
		return bad()
	}
	for _, r := range whole + frac {
		if r < '0' || r > '9' {
			return bad()
		}
	}
	var c int64
	if frac != "" {
		if len(frac) == 1 {
			frac += "0"
		}
		c, _ = strconv.ParseInt(frac, 10, 64)
	}
	d, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || d > (math.MaxInt64-c)/100 {
		return 0, tipline.Errorf(tipline.Invalid, "Amount too large: %q.", s)
	}
	return Cents(d*100 + c), nil
}

// String formats c as decimal dollars with two decimals and no separators:
// "1234.56", "-0.05".
func (c Cents) String() string {
	sign := ""
	u := uint64(c)
	if c < 0 {
		sign = "-"
		u = uint64(-(c + 1)) + 1 // safe for math.MinInt64
	}
	return sign + strconv.FormatUint(u/100, 10) + "." + twoDigits(u%100)
}

func twoDigits(n uint64) string {
	if n < 10 {
		return "0" + strconv.FormatUint(n, 10)
	}
	return strconv.FormatUint(n, 10)
}

// MarshalJSON writes c as a JSON number in decimal dollars, e.g. 1234.56,
// formatted from the integer so that it is exact.
func (c Cents) MarshalJSON() ([]byte, error) {
	return []byte(c.String()), nil
}

// UnmarshalJSON reads a JSON number (or string) in decimal dollars.
func (c *Cents) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	neg := strings.HasPrefix(s, "-")
	v, err := ParseUSD(strings.TrimPrefix(s, "-"))
	if err != nil {
		return err
	}
	if neg {
		v = -v
	}
	*c = v
	return nil
}

// mulBP returns c × bp / 10000 rounded down, for 0 ≤ bp ≤ 10000, without
// overflowing for any non-negative c.
func mulBP(c Cents, bp int) Cents {
	return c/10000*Cents(bp) + c%10000*Cents(bp)/10000
}

// addCents adds without overflowing; ok is false when the sum does not fit.
func addCents(a, b Cents) (Cents, bool) {
	s := a + b
	if (b > 0 && s < a) || (b < 0 && s > a) {
		return 0, false
	}
	return s, true
}
