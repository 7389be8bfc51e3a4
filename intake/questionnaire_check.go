package intake

import (
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Answers are a source's answers as an HTML form submits them: field id →
// values. A party field's rows come as PartyKey(id, n, part), for example
// "parties.0.name", with n from 0 to the field's RowCount()-1. Files are not
// answers: they stream in separately.
//
// The page's own form controls (language, tokens…) should have names that
// start with "_": they can never clash with a field id and Check drops them.
type Answers map[string][]string

// The parts of a party row, as in PartyKey.
const (
	partName        = "name"
	partRole        = "role"
	partCountry     = "country"
	partIdentifiers = "identifiers"
)

// Limits of the parts of a party row, in characters.
const (
	maxPartyName        = 300
	maxPartyCountry     = 100
	maxPartyIdentifiers = 2000
)

// PartyKey returns the form name of one part (name, role, country or
// identifiers) of one row of a party field.
func PartyKey(field string, row int, part string) string {
	return field + "." + strconv.Itoa(row) + "." + part
}

// FieldError is a problem with the answer to one field, to show next to it.
type FieldError struct {
	Field   string
	Message Text
}

// ErrorsByField indexes errors by field id for FormView, keeping the first
// error of each field.
func ErrorsByField(errs []FieldError) map[string]Text {
	m := make(map[string]Text, len(errs))
	for _, e := range errs {
		if _, ok := m[e.Field]; !ok {
			m[e.Field] = e.Message
		}
	}
	return m
}

// Check cleans and checks a source's answers. It drops keys that are not
// answers to a field, and answers to fields that are hidden because their
// condition is not met; it trims text, normalizes countries, reads dates
// and numbers as well as it can (keeping the source's own words under
// RawKey when they differ from the value read, or when nothing could be
// read: an estimate is never an error), and keeps only the party rows that
// have something in them. A required field is required only when it is
// shown.
//
// Errors come in questionnaire order, in every language. The cleaned answers
// are meaningful only when there are no errors; to show the form again, use
// the answers as submitted, so that nothing the source typed is lost.
func (q *Questionnaire) Check(a Answers) (cleaned Answers, errs []FieldError) {
	cleaned = Answers{}
	fail := func(f Field, key string, args ...any) {
		errs = append(errs, FieldError{Field: f.ID, Message: message(key).format(args...)})
	}
	for _, f := range q.Fields {
		if !q.shown(f, cleaned) {
			continue
		}
		var values []string
		var errKey string
		switch f.Type {
		case ShortText, LongText:
			values, errKey = checkText1(f, a[f.ID])
		case SingleChoice:
			values, errKey = checkSingle(f, a[f.ID])
		case MultipleChoice:
			values, errKey = checkMultiple(f, a[f.ID])
		case Date, Number:
			// An estimate is never refused: what cannot be read is kept as
			// the source typed it (see checkEstimate).
			raw, parsed, errKey := checkEstimate(f, a[f.ID])
			switch {
			case errKey != "":
				fail(f, errKey, f.TextLimit())
			case raw == "" && f.Required:
				fail(f, "error_required")
			}
			if parsed != "" {
				cleaned[f.ID] = []string{parsed}
			}
			if raw != "" && raw != parsed {
				cleaned[RawKey(f.ID)] = []string{raw}
			}
			continue
		case Country:
			values, errKey = checkOne(a[f.ID], func(s string) (string, string) {
				if code, ok := matchCountry(s); ok {
					return code, ""
				}
				return "", "error_country"
			})
		case Party:
			rows, bad, partyErr := checkParty(f, a)
			if partyErr != "" {
				fail(f, partyErr, bad+1)
				continue
			}
			for n, r := range rows {
				for part, v := range r {
					cleaned[PartyKey(f.ID, n, part)] = []string{v}
				}
			}
			if len(rows) == 0 && f.Required {
				fail(f, "error_required")
			}
			continue
		case Files:
			continue
		}
		switch {
		case errKey == "error_too_long":
			fail(f, errKey, f.TextLimit())
		case errKey != "":
			fail(f, errKey)
		case len(values) > 0:
			cleaned[f.ID] = values
		case f.Required:
			fail(f, "error_required")
		}
	}
	return cleaned, errs
}

// shown reports whether f's condition, if any, is met by the cleaned answers
// so far. A field whose condition is on a hidden field is hidden too, since
// a hidden field has no cleaned answer.
func (q *Questionnaire) shown(f Field, cleaned Answers) bool {
	if f.ShowIf == nil {
		return true
	}
	for _, v := range cleaned[f.ShowIf.Field] {
		if slices.Contains(f.ShowIf.AnyOf, v) {
			return true
		}
	}
	return false
}

// first returns the first non-empty value after cleaning, if any.
func first(values []string) string {
	for _, v := range values {
		if v = cleanLine(v); v != "" {
			return v
		}
	}
	return ""
}

// checkText1 checks a text answer: one value, trimmed, within the limit.
func checkText1(f Field, values []string) ([]string, string) {
	var v string
	for _, raw := range values {
		if f.Type == LongText {
			v = cleanText(raw)
		} else {
			v = cleanLine(raw)
		}
		if v != "" {
			break
		}
	}
	switch {
	case v == "":
		return nil, ""
	case utf8.RuneCountInString(v) > f.TextLimit():
		return nil, "error_too_long"
	}
	return []string{v}, ""
}

// checkSingle checks a single choice: at most one option.
func checkSingle(f Field, values []string) ([]string, string) {
	var chosen []string
	for _, v := range values {
		if v = strings.TrimSpace(v); v != "" && !slices.Contains(chosen, v) {
			chosen = append(chosen, v)
		}
	}
	switch {
	case len(chosen) == 0:
		return nil, ""
	case len(chosen) > 1:
		return nil, "error_one_choice"
	}
	if _, ok := f.option(chosen[0]); !ok {
		return nil, "error_choice"
	}
	return chosen, ""
}

// checkMultiple checks a multiple choice: options, each once, in the
// questionnaire's order.
func checkMultiple(f Field, values []string) ([]string, string) {
	chosen := map[string]bool{}
	for _, v := range values {
		if v = strings.TrimSpace(v); v == "" {
			continue
		}
		if _, ok := f.option(v); !ok {
			return nil, "error_choice"
		}
		chosen[v] = true
	}
	var out []string
	for _, o := range f.Options {
		if chosen[o.Value] {
			out = append(out, o.Value)
		}
	}
	return out, ""
}

// RawKey returns the key of cleaned answers that holds a date or number
// answer as the source typed it, when that differs from its parsed value
// (or nothing could be parsed). Field ids have no dots and party keys end
// in a part name, so it never clashes with another answer.
func RawKey(field string) string { return field + ".raw" }

// checkEstimate reads a date or number answer: the source's words, cleaned,
// and the value parsed from them by ParseDate or ParseNumber ("" when none
// can be). The only error is an answer longer than the field's limit.
func checkEstimate(f Field, values []string) (raw, parsed, errKey string) {
	raw = first(values)
	if utf8.RuneCountInString(raw) > f.TextLimit() {
		return "", "", "error_too_long"
	}
	if f.Type == Date {
		parsed, _ = ParseDate(raw, time.Now())
	} else {
		parsed, _ = ParseNumber(raw)
	}
	return raw, parsed, ""
}

// checkOne checks a one-value answer with a normalizer that returns the
// normalized value or an error message key.
func checkOne(values []string, normalize func(string) (string, string)) ([]string, string) {
	v := first(values)
	if v == "" {
		return nil, ""
	}
	v, errKey := normalize(v)
	if errKey != "" {
		return nil, errKey
	}
	return []string{v}, ""
}

// partyRow is one row of a party field: part → value.
type partyRow map[string]string

// checkParty returns the non-empty rows of a party field, renumbered from 0,
// or the index of the first bad row and an error message key.
func checkParty(f Field, a Answers) ([]partyRow, int, string) {
	var rows []partyRow
	for n := range f.RowCount() {
		r := partyRow{}
		get := func(part string) string { return first(a[PartyKey(f.ID, n, part)]) }
		if v := get(partName); v != "" {
			if utf8.RuneCountInString(v) > maxPartyName {
				return nil, n, "error_party_too_long"
			}
			r[partName] = v
		}
		if v := cleanText(strings.Join(a[PartyKey(f.ID, n, partIdentifiers)], "\n")); v != "" {
			if utf8.RuneCountInString(v) > maxPartyIdentifiers {
				return nil, n, "error_party_too_long"
			}
			r[partIdentifiers] = v
		}
		if v := get(partRole); v != "" {
			if _, ok := f.option(v); !ok {
				return nil, n, "error_party_role"
			}
			r[partRole] = v
		}
		if v := get(partCountry); v != "" {
			// A typed country that matches no known name is kept as typed:
			// it is still useful to an investigator.
			if code, ok := matchCountry(v); ok {
				v = code
			} else if utf8.RuneCountInString(v) > maxPartyCountry {
				return nil, n, "error_party_too_long"
			}
			r[partCountry] = v
		}
		if len(r) > 0 {
			rows = append(rows, r)
		}
	}
	return rows, 0, ""
}

// cleanText cleans a multi-line answer: valid UTF-8, \n line ends, no
// control characters but tabs and newlines, no surrounding space.
func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\r':
			return '\n'
		case r == '\n' || r == '\t':
			return r
		case unicode.IsControl(r):
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

// cleanLine cleans a one-line answer: as cleanText, with line breaks and
// tabs turned into spaces.
func cleanLine(s string) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return ' '
		}
		return r
	}, cleanText(s)))
}

// foldWidth turns full-width ASCII characters and the ideographic space,
// which Chinese input methods produce, into their ASCII forms.
func foldWidth(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			return r - 0xFF01 + '!'
		case r == 0x3000:
			return ' '
		}
		return r
	}, s)
}
