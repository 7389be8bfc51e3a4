package intake

import (
	"fmt"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Sources give estimates: "about 200", "大约200台", "$5,000,000", "5万",
// "2.5k", "200-300", "两百"; "March 2024", "2024年3月", "2024". The parsers
// here read what they can of such answers. What they cannot read is not an
// error: the source's own words are always kept next to the parsed value
// (see Check).

// numberPart is one number of an answer: digits with grouping commas and a
// decimal point, or Chinese numerals, then a multiplier word.
const numberPart = `(\d[\d,]*(?:\.\d+)?|[零〇一二两三四五六七八九十百千万亿]+)\s*((?:thousand|k|million|mio|mn|m|billion|bn|b)\b|百万|千万|千|万|亿)?`

var (
	numberExpr = regexp.MustCompile(`(?i)` + numberPart + `(?:\s*(?:-|–|—|~|～|〜|to|and|至|到)\s*` + numberPart + `)?`)
	// groupedDigits is a number with thousands separators, 1,500,000.
	groupedDigits = regexp.MustCompile(`^\d{1,3}(,\d{3})+(\.\d+)?$`)
	plainDigits   = regexp.MustCompile(`^\d+(\.\d+)?$`)
)

// multipliers are the words that multiply the number before them.
var multipliers = map[string]int64{
	"k": 1e3, "thousand": 1e3, "千": 1e3,
	"m": 1e6, "mn": 1e6, "mio": 1e6, "million": 1e6, "百万": 1e6,
	"b": 1e9, "bn": 1e9, "billion": 1e9,
	"万": 1e4, "千万": 1e7, "亿": 1e8,
}

// ParseNumber reads a non-negative number, or a range of two, from a
// source's answer. Words around it (about, 大约, 台, units, USD, $) are
// ignored; thousands separators, multiplier words (2.5k, 5万, 3 million,
// 1.2亿) and Chinese numerals (两百, 一万五千) are understood. It returns the
// number as plain decimal digits ("200", "2500") or a range as "low-high"
// ("200-300"), and false when the answer holds no number or more than one
// number that is not a range.
func ParseNumber(s string) (string, bool) {
	s = strings.ToLower(foldWidth(s))
	matches := numberExpr.FindAllStringSubmatch(s, -1)
	if len(matches) != 1 {
		return "", false
	}
	m := matches[0]
	low, _, ok := readNumber(m[1], m[2])
	if !ok {
		return "", false
	}
	if m[3] == "" {
		return decimalString(low), true
	}
	high, highMult, ok := readNumber(m[3], m[4])
	if !ok {
		return "", false
	}
	// "5-6万": the multiplier of the second number counts for both.
	if m[2] == "" && m[4] != "" {
		low.Mul(low, new(big.Rat).SetInt64(highMult))
	}
	if low.Cmp(high) > 0 {
		return "", false
	}
	if low.Cmp(high) == 0 {
		return decimalString(low), true
	}
	return decimalString(low) + "-" + decimalString(high), true
}

// readNumber reads one number and its multiplier word, and returns the
// value and the multiplier.
func readNumber(digits, multiplier string) (*big.Rat, int64, bool) {
	var r *big.Rat
	switch {
	case groupedDigits.MatchString(digits):
		digits = strings.ReplaceAll(digits, ",", "")
		fallthrough
	case plainDigits.MatchString(digits):
		if len(digits) > 40 {
			return nil, 0, false
		}
		var ok bool
		if r, ok = new(big.Rat).SetString(digits); !ok {
			return nil, 0, false
		}
	default:
		n, ok := chineseNumber(digits)
		if !ok {
			return nil, 0, false
		}
		r = new(big.Rat).SetInt64(n)
	}
	mult := int64(1)
	if multiplier != "" {
		mult = multipliers[multiplier]
	}
	return r.Mul(r, new(big.Rat).SetInt64(mult)), mult, true
}

// decimalString writes a non-negative number in plain decimal digits,
// without a trailing fraction of zeros.
func decimalString(r *big.Rat) string {
	if r.IsInt() {
		return r.Num().String()
	}
	s := strings.TrimRight(r.FloatString(10), "0")
	return strings.TrimSuffix(s, ".")
}

// chineseDigits are the values of the Chinese numerals for 0 to 9.
var chineseDigits = map[rune]int64{'零': 0, '〇': 0, '一': 1, '二': 2, '两': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}

// chineseNumber reads a number written in Chinese numerals, such as 两百,
// 一百二十, 十五, 三万五千 or 一亿, up to the hundreds of millions.
func chineseNumber(s string) (int64, bool) {
	var total, section, digit int64
	seenDigit := false
	for _, r := range s {
		if d, ok := chineseDigits[r]; ok {
			digit, seenDigit = d, true
			continue
		}
		unit := map[rune]int64{'十': 10, '百': 100, '千': 1000, '万': 1e4, '亿': 1e8}[r]
		switch {
		case unit == 0:
			return 0, false
		case unit < 1e4:
			if digit == 0 && unit == 10 && !seenDigit {
				digit = 1 // 十五 is fifteen
			}
			section += digit * unit
		default:
			total = (total + section + digit) * unit
			section = 0
		}
		digit, seenDigit = 0, false
	}
	n := total + section + digit
	return n, n > 0 || strings.ContainsAny(s, "零〇")
}

// Dates a source may type, each with the parts it holds.
var (
	monthNames = map[string]time.Month{
		"jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
		"may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8,
		"sep": 9, "sept": 9, "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
	}
	monthWord = `(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?`
	digitRuns = regexp.MustCompile(`\d+`)
	// Year, month and day in that order, with - / . or 年月日.
	ymdExpr = regexp.MustCompile(`(?:^|\D)(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?:\s*[日号])?(?:\D|$)`)
	// Year and month.
	ymExpr = regexp.MustCompile(`(?:^|\D)(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})(?:\s*月|\D|$)`)
	// Day or month first, year last: 15/03/2024 or 03/15/2024.
	dmyExpr = regexp.MustCompile(`(?:^|\D)(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?:\D|$)`)
	// Month first or last, with a month name: 15 March 2024, March 15, 2024, March 2024.
	dayMonthYear = regexp.MustCompile(`(?i)(?:^|[^\d])(\d{1,2})(?:st|nd|rd|th)?\s+` + monthWord + `,?\s+(\d{4})`)
	monthDayYear = regexp.MustCompile(`(?i)\b` + monthWord + `\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})`)
	monthYear    = regexp.MustCompile(`(?i)\b` + monthWord + `,?\s+(\d{4})`)
)

// ParseDate reads a date from a source's answer, as exactly as the source
// gave it: a day ("2024-03-15", "2024年3月15日", "15 March 2024", "March
// 15, 2024", "15/03/2024"), a month ("2024-03", "2024年3月", "March 2024") or
// a year ("2024", "2024年", "early 2024"). It returns an ISO 8601 date of
// that precision ("2024-03-15", "2024-03", "2024") and false when it finds
// no date, more than one year, a day-month order it cannot tell
// (03/04/2024), or a year before 1900 or more than ten years after now.
func ParseDate(s string, now time.Time) (string, bool) {
	s = foldWidth(s)
	var years []int
	for _, run := range digitRuns.FindAllString(s, -1) {
		if n := atoi(run); len(run) == 4 && n >= 1800 && n <= 2999 {
			years = append(years, n)
		}
	}
	if len(years) != 1 {
		return "", false
	}
	year, month, day := 0, 0, 0
	if m := ymdExpr.FindStringSubmatch(s); m != nil {
		year, month, day = atoi(m[1]), atoi(m[2]), atoi(m[3])
	} else if m := dayMonthYear.FindStringSubmatch(s); m != nil {
		year, month, day = atoi(m[3]), int(monthNames[monthKey(m[2])]), atoi(m[1])
	} else if m := monthDayYear.FindStringSubmatch(s); m != nil {
		year, month, day = atoi(m[3]), int(monthNames[monthKey(m[1])]), atoi(m[2])
	} else if m := dmyExpr.FindStringSubmatch(s); m != nil {
		a, b := atoi(m[1]), atoi(m[2])
		switch {
		case a > 12 && b <= 12:
			day, month = a, b
		case b > 12 && a <= 12:
			month, day = a, b
		case a == b:
			month, day = a, b
		default:
			return "", false // 03/04/2024: March or April?
		}
		year = atoi(m[3])
	} else if m := monthYear.FindStringSubmatch(s); m != nil {
		year, month = atoi(m[2]), int(monthNames[monthKey(m[1])])
	} else if m := ymExpr.FindStringSubmatch(s); m != nil {
		year, month = atoi(m[1]), atoi(m[2])
	} else {
		year = years[0]
	}
	if year < 1900 || year > now.Year()+10 {
		return "", false
	}
	switch {
	case day > 0:
		d := time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
		if d.Month() != time.Month(month) || d.Day() != day {
			return "", false
		}
		return d.Format(time.DateOnly), true
	case month > 0:
		if month > 12 {
			return "", false
		}
		return fmt.Sprintf("%04d-%02d", year, month), true
	}
	return strconv.Itoa(year), true
}

// monthKey is the key of a month name in monthNames.
func monthKey(s string) string {
	s = strings.TrimSuffix(strings.ToLower(s), ".")
	if _, ok := monthNames[s]; ok {
		return s
	}
	return s[:3]
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
