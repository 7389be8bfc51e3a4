package intake

import (
	"strings"

	"github.com/tipline/tipline"
)

// CheckDesk checks a new desk's slug and titles and returns the desk with
// its titles trimmed.
func CheckDesk(slug, titleEN, titleZH string) (Desk, error) {
	if !slugPattern.MatchString(slug) {
		return Desk{}, tipline.Errorf(tipline.Invalid, "A desk slug is 1 to 63 lowercase letters, digits and hyphens, starting with a letter or digit.")
	}
	titleEN, titleZH = strings.TrimSpace(titleEN), strings.TrimSpace(titleZH)
	if titleEN == "" {
		return Desk{}, tipline.Errorf(tipline.Invalid, "A desk needs an English title.")
	}
	return Desk{Slug: slug, TitleEN: titleEN, TitleZH: titleZH}, nil
}

// CheckDeadlines checks a desk's deadline rules. The defaults are EU
// Directive 2019/1937's: 7 days and 3 months; a desk may only shorten them
// or lengthen them within reason.
func CheckDeadlines(ackDays, feedbackMonths int) error {
	if ackDays < 1 || ackDays > 90 || feedbackMonths < 1 || feedbackMonths > 24 {
		return tipline.Errorf(tipline.Invalid, "Acknowledge within 1 to 90 days, give feedback within 1 to 24 months.")
	}
	return nil
}
