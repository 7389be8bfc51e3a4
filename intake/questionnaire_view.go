package intake

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// FormView is what the "questionnaire" template (templates/questionnaire.html)
// renders: a questionnaire in one language, with the answers to fill in
// again and the errors to show next to their fields.
//
// The HTML ids it uses: q-ID wraps a field, f-ID is its control (f-ID-VALUE
// for one option, f-ID-N-PART for one part of a party row), h-ID its help,
// c-ID its condition hint, e-ID its error; s-ID is the section that field
// ID starts; q-countries is the list of country names that party rows
// suggest.
type FormView struct {
	Lang    Lang
	Q       *Questionnaire
	Answers Answers
	Errors  map[string]Text // field id → message; see ErrorsByField
	Kept    KeptFiles       // files already received, not asked for again
}

// FormSection is one section of the form as the template draws it: the
// questions under one heading (none for those before the first section).
type FormSection struct {
	Title     string
	Collapsed bool
	Open      bool // a collapsed section with an answer or an error
	Fields    []Field
}

// Sections returns the questionnaire's fields grouped by section, in order.
func (v FormView) Sections() []FormSection {
	var out []FormSection
	for _, f := range v.Q.Fields {
		if f.Section != nil || len(out) == 0 {
			s := FormSection{}
			if f.Section != nil {
				s.Title, s.Collapsed = f.Section.Title.In(v.Lang), f.Section.Collapsed
			}
			out = append(out, s)
		}
		s := &out[len(out)-1]
		s.Fields = append(s.Fields, f)
		if _, bad := v.Errors[f.ID]; bad || v.answered(f) {
			s.Open = true
		}
	}
	return out
}

// answered reports whether the source gave any answer to f.
func (v FormView) answered(f Field) bool {
	if f.Type == Party {
		for r := range f.RowCount() {
			if v.partyRowAnswered(f, r) {
				return true
			}
		}
		return false
	}
	return strings.TrimSpace(strings.Join(v.Answers[f.ID], "")) != ""
}

// partyRowAnswered reports whether row r of a party field has an answer.
func (v FormView) partyRowAnswered(f Field, r int) bool {
	for _, part := range []string{partName, partRole, partCountry, partIdentifiers} {
		if strings.TrimSpace(v.PartyValue(f.ID, r, part)) != "" {
			return true
		}
	}
	return false
}

// PartyRowOpen reports whether the "add another" of row r of a party field
// starts open: when that row or a later one has an answer.
func (v FormView) PartyRowOpen(f Field, r int) bool {
	for ; r < f.RowCount(); r++ {
		if v.partyRowAnswered(f, r) {
			return true
		}
	}
	return false
}

// T returns a message of the catalog in the view's language.
func (v FormView) T(key string) string { return T(v.Lang, key) }

// Label returns t in the view's language.
func (v FormView) Label(t Text) string { return t.In(v.Lang) }

// Paragraphs returns t in the view's language split at blank lines.
func (v FormView) Paragraphs(t Text) []string {
	var out []string
	for p := range strings.SplitSeq(strings.ReplaceAll(t.In(v.Lang), "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Value returns the first answer to a field, or "".
func (v FormView) Value(id string) string {
	if vs := v.Answers[id]; len(vs) > 0 {
		return vs[0]
	}
	return ""
}

// Checked reports whether value is among the answers to a field. The empty
// value, the "no answer" choice, is checked when there is no answer.
func (v FormView) Checked(id, value string) bool {
	if value == "" {
		return strings.TrimSpace(strings.Join(v.Answers[id], "")) == ""
	}
	return slices.Contains(v.Answers[id], value)
}

// PartyValue returns one part of one row of a party field's answers.
func (v FormView) PartyValue(id string, row int, part string) string {
	return v.Value(PartyKey(id, row, part))
}

// PartyKey returns the form name of one part of one row of a party field.
func (v FormView) PartyKey(id string, row int, part string) string {
	return PartyKey(id, row, part)
}

// Rows returns the row numbers of a party field, from 0.
func (v FormView) Rows(f Field) []int {
	rows := make([]int, f.RowCount())
	for i := range rows {
		rows[i] = i
	}
	return rows
}

// shortOption is the longest option label, in characters, that a choice
// field may have to show its options two to a line on a phone.
const shortOption = 26

// ShortOptions reports whether every option of a choice field is short
// enough in the view's language to show two to a line.
func (v FormView) ShortOptions(f Field) bool {
	if f.Type != SingleChoice && f.Type != MultipleChoice {
		return false
	}
	for _, o := range f.Options {
		if utf8.RuneCountInString(o.Label.In(v.Lang)) > shortOption {
			return false
		}
	}
	return true
}

// KeptFilesField returns the name of the hidden field that carries the
// reference to files already received (see KeptFiles).
func (v FormView) KeptFilesField() string { return KeptFilesField }

// MoreRows returns the row numbers after the first of a party field, each
// behind its own "add another", to close in the template.
func (v FormView) MoreRows(f Field) []int { return v.Rows(f)[1:] }

// PartyRowLabel returns the legend of a party row, counting from 1.
func (v FormView) PartyRowLabel(row int) string {
	return fmt.Sprintf(v.T("party_row"), row+1)
}

// Error returns the error message of a field in the view's language, or "".
func (v FormView) Error(id string) string {
	if t, ok := v.Errors[id]; ok {
		return t.In(v.Lang)
	}
	return ""
}

// Countries returns every country in the order readers of the view's
// language expect: alphabetical in English, by pinyin in Chinese.
func (v FormView) Countries() []CountryOption { return countriesIn(v.Lang) }

// HasParty reports whether the questionnaire has a party field, whose rows
// suggest country names from the list q-countries.
func (v FormView) HasParty() bool {
	return slices.ContainsFunc(v.Q.Fields, func(f Field) bool { return f.Type == Party })
}

// InputID returns the HTML id of a field's control.
func (v FormView) InputID(id string) string { return "f-" + id }

// OptionID returns the HTML id of one option of a choice field.
func (v FormView) OptionID(id, value string) string { return optionID(id, value) }

// PartyID returns the HTML id of one part of one row of a party field.
func (v FormView) PartyID(id string, row int, part string) string {
	return fmt.Sprintf("f-%s-%d-%s", id, row, part)
}

// DescribedBy returns the ids of the texts that describe a field's control
// (help, condition hint, error) for aria-describedby, or "".
func (v FormView) DescribedBy(f Field) string {
	var ids []string
	if len(f.Help) > 0 {
		ids = append(ids, "h-"+f.ID)
	}
	if f.ShowIf != nil {
		ids = append(ids, "c-"+f.ID)
	}
	if _, ok := v.Errors[f.ID]; ok {
		ids = append(ids, "e-"+f.ID)
	}
	return strings.Join(ids, " ")
}

// ShowIfHint returns the hint that tells a source when to answer a
// conditional field, such as “(Answer this only if you chose “Other”.)”, so
// that the form works where the condition's stylesheet does not.
func (v FormView) ShowIfHint(f Field) string {
	if f.ShowIf == nil {
		return ""
	}
	on, _ := v.Q.Field(f.ShowIf.Field)
	var labels []string
	for _, val := range f.ShowIf.AnyOf {
		o, _ := on.option(val)
		labels = append(labels, fmt.Sprintf(v.T("show_if_quote"), o.Label.In(v.Lang)))
	}
	return fmt.Sprintf(v.T("show_if_hint"), strings.Join(labels, v.T("or")))
}

// optionID returns the HTML id of one option of a choice field; the empty
// value is the "no answer" choice. Field ids have no hyphens and option
// values do not start with one, so ids never collide.
func optionID(id, value string) string { return "f-" + id + "-" + value }

// ConditionCSS returns the stylesheet that hides each conditional field
// until a triggering choice is checked, with :has() and no JavaScript. A
// field whose condition is on another conditional field is hidden with it.
// Browsers without :has() ignore the rules and show every field, with its
// hint saying when to answer it. Serve it from the same origin: the content
// security policy forbids inline styles.
func (q *Questionnaire) ConditionCSS() string {
	var b strings.Builder
	b.WriteString("/* Conditional questions: generated by Questionnaire.ConditionCSS. */\n")
	for _, f := range q.Fields {
		for c := f.ShowIf; c != nil; {
			var checked []string
			for _, v := range c.AnyOf {
				checked = append(checked, "#"+optionID(c.Field, v)+":checked")
			}
			fmt.Fprintf(&b, ".questionnaire:not(:has(%s)) #q-%s{display:none}\n", strings.Join(checked, ","), f.ID)
			on, _ := q.Field(c.Field)
			c = on.ShowIf
		}
	}
	b.WriteString("@supports selector(:has(a)){.q-cond-hint{display:none}}\n")
	return b.String()
}
