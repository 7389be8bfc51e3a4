package intake

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"sync"
)

// FieldType is the kind of answer a questionnaire field takes.
type FieldType string

// The field types.
const (
	ShortText      FieldType = "short_text"      // one line of text
	LongText       FieldType = "long_text"       // several lines of text
	SingleChoice   FieldType = "single_choice"   // one of Options
	MultipleChoice FieldType = "multiple_choice" // any of Options
	Date           FieldType = "date"            // YYYY-MM-DD
	Number         FieldType = "number"          // a non-negative decimal number
	Country        FieldType = "country"         // an ISO 3166-1 alpha-2 code
	Party          FieldType = "party"           // rows of name, role (Options), country, identifiers
	Files          FieldType = "files"           // evidence files, not part of Answers
)

// Default and largest sizes of fields.
const (
	defaultShortMaxLen = 1000
	defaultLongMaxLen  = 100000
	maxShortMaxLen     = 10000
	maxLongMaxLen      = 1000000
	defaultPartyRows   = 5
	maxPartyRows       = 20
	maxFields          = 200
	maxQuestionnaire   = 1 << 20 // bytes of JSON
)

// Option is one choice of a choice field, or one role of a party field.
type Option struct {
	Value string `json:"value"`
	Label Text   `json:"label"`
}

// Condition shows a field only when the answer to an earlier choice field
// includes one of AnyOf.
type Condition struct {
	Field string   `json:"field"`
	AnyOf []string `json:"any_of"`
}

// Section starts a group of questions under a heading. A collapsed
// section shows only its heading, marked optional, until the source opens
// it (an HTML details element, no JavaScript needed); it is open when one of
// its questions has an answer or an error. A section with a required
// question cannot be collapsed.
type Section struct {
	Title     Text `json:"title"`
	Collapsed bool `json:"collapsed,omitempty"`
}

// Field is one question of a questionnaire.
type Field struct {
	ID       string     `json:"id"`                // [a-z][a-z0-9_]*, unique
	Section  *Section   `json:"section,omitempty"` // starts a section with this field
	Type     FieldType  `json:"type"`
	Label    Text       `json:"label"`
	Help     Text       `json:"help,omitempty"`
	Required bool       `json:"required,omitempty"`
	Options  []Option   `json:"options,omitempty"` // choices; for Party, the roles
	ShowIf   *Condition `json:"show_if,omitempty"`
	MaxLen   int        `json:"max_len,omitempty"` // text, in characters; default 1000 short, 100000 long
	Rows     int        `json:"rows,omitempty"`    // Party: rows offered, one shown and the others behind "add another"; default 5, at most 20
}

// Questionnaire is the list of questions a desk asks, as data: English and
// Simplified Chinese for every text a source reads.
type Questionnaire struct {
	Version int     `json:"version"`
	Title   Text    `json:"title"`
	Intro   Text    `json:"intro,omitempty"` // paragraphs separated by blank lines
	Fields  []Field `json:"fields"`
}

// TextLimit returns the most characters a text answer to f may have.
func (f Field) TextLimit() int {
	switch {
	case f.MaxLen > 0:
		return f.MaxLen
	case f.Type == LongText:
		return defaultLongMaxLen
	default:
		return defaultShortMaxLen
	}
}

// RowCount returns how many rows a party field offers.
func (f Field) RowCount() int {
	if f.Rows > 0 {
		return f.Rows
	}
	return defaultPartyRows
}

// option returns the option of f with the value v.
func (f Field) option(v string) (Option, bool) {
	for _, o := range f.Options {
		if o.Value == v {
			return o, true
		}
	}
	return Option{}, false
}

var (
	fieldIDPattern     = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)
	optionValuePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$`)
)

// ParseQuestionnaire reads and checks a questionnaire definition: strict
// JSON (unknown keys are errors) whose every field has a unique id of the
// form [a-z][a-z0-9_]*, a known type, a label in every language, options
// where the type needs them and nowhere else, and a condition, if any, on an
// earlier choice field and its existing values. There is at most one files
// field. Errors name the field.
func ParseQuestionnaire(data []byte) (*Questionnaire, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var q Questionnaire
	if err := dec.Decode(&q); err != nil {
		return nil, fmt.Errorf("questionnaire: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("questionnaire: data after the JSON object")
	}
	if err := q.validate(); err != nil {
		return nil, fmt.Errorf("questionnaire: %w", err)
	}
	return &q, nil
}

// validate checks a decoded questionnaire. It reports every problem it
// finds, joined (errors.Join): those of the whole questionnaire, then the
// first of each field, in order.
func (q *Questionnaire) validate() error {
	var problems []error
	if q.Version < 1 {
		problems = append(problems, errors.New("version must be 1 or more"))
	}
	if err := checkText(q.Title, true); err != nil {
		problems = append(problems, fmt.Errorf("title: %w", err))
	}
	if err := checkText(q.Intro, false); err != nil {
		problems = append(problems, fmt.Errorf("intro: %w", err))
	}
	if len(q.Fields) == 0 || len(q.Fields) > maxFields {
		problems = append(problems, fmt.Errorf("a questionnaire has 1 to %d fields", maxFields))
	}
	seen := map[string]Field{}
	files := 0
	collapsed := false
	for i, f := range q.Fields {
		if f.Section != nil {
			collapsed = f.Section.Collapsed
		}
		if err := f.validateInSection(seen, collapsed); err != nil {
			if f.ID == "" {
				problems = append(problems, fmt.Errorf("field %d: %w", i+1, err))
			} else {
				problems = append(problems, fmt.Errorf("field %q: %w", f.ID, err))
			}
		}
		// A field with a problem of its own is still there for the fields
		// after it: their conditions on it are not problems too.
		if _, dup := seen[f.ID]; !dup && fieldIDPattern.MatchString(f.ID) {
			seen[f.ID] = f
		}
		if f.Type == Files {
			files++
		}
	}
	if files > 1 {
		problems = append(problems, errors.New("there is more than one files field"))
	}
	return errors.Join(problems...)
}

// validateInSection checks one field and its place: its section's title,
// and no required field in a collapsed section.
func (f Field) validateInSection(earlier map[string]Field, collapsed bool) error {
	if f.Section != nil {
		if err := checkText(f.Section.Title, true); err != nil {
			return fmt.Errorf("section title: %w", err)
		}
	}
	if collapsed && f.Required {
		return errors.New("a required field cannot be in a collapsed section")
	}
	return f.validate(earlier)
}

// validate checks one field; earlier holds the fields before it.
func (f Field) validate(earlier map[string]Field) error {
	if !fieldIDPattern.MatchString(f.ID) {
		return errors.New("an id is 1 to 64 lowercase letters, digits and underscores, starting with a letter")
	}
	if _, dup := earlier[f.ID]; dup {
		return errors.New("the id is used twice")
	}
	if err := checkText(f.Label, true); err != nil {
		return fmt.Errorf("label: %w", err)
	}
	if err := checkText(f.Help, false); err != nil {
		return fmt.Errorf("help: %w", err)
	}
	switch f.Type {
	case ShortText, LongText, Date, Number, Country, Files:
		if len(f.Options) > 0 {
			return fmt.Errorf("a %s field has no options", f.Type)
		}
	case SingleChoice, MultipleChoice, Party:
		if err := checkOptions(f.Options); err != nil {
			return err
		}
	default:
		return fmt.Errorf("unknown type %q", f.Type)
	}
	if f.MaxLen != 0 {
		limit := map[FieldType]int{ShortText: maxShortMaxLen, LongText: maxLongMaxLen}[f.Type]
		if limit == 0 {
			return fmt.Errorf("a %s field has no max_len", f.Type)
		}
		if f.MaxLen < 1 || f.MaxLen > limit {
			return fmt.Errorf("max_len must be 1 to %d", limit)
		}
	}
	if f.Rows != 0 {
		if f.Type != Party {
			return fmt.Errorf("a %s field has no rows", f.Type)
		}
		if f.Rows < 1 || f.Rows > maxPartyRows {
			return fmt.Errorf("rows must be 1 to %d", maxPartyRows)
		}
	}
	if f.Type == Files {
		// Files stream in before the rest of the form can be checked, and a
		// source must never be forced to hand over documents.
		if f.Required {
			return errors.New("a files field cannot be required")
		}
		if f.ShowIf != nil {
			return errors.New("a files field cannot be conditional")
		}
	}
	if c := f.ShowIf; c != nil {
		on, ok := earlier[c.Field]
		if !ok {
			return fmt.Errorf("show_if: %q is not an earlier field", c.Field)
		}
		if on.Type != SingleChoice && on.Type != MultipleChoice {
			return fmt.Errorf("show_if: %q is not a choice field", c.Field)
		}
		if len(c.AnyOf) == 0 {
			return errors.New("show_if: any_of is empty")
		}
		for _, v := range c.AnyOf {
			if _, ok := on.option(v); !ok {
				return fmt.Errorf("show_if: %q has no option %q", c.Field, v)
			}
		}
	}
	return nil
}

// checkOptions checks the options of a choice or party field.
func checkOptions(options []Option) error {
	if len(options) == 0 {
		return errors.New("a choice or party field needs options")
	}
	seen := map[string]bool{}
	for _, o := range options {
		if !optionValuePattern.MatchString(o.Value) {
			return fmt.Errorf("option %q: a value is 1 to 64 letters, digits, underscores and hyphens, starting with a letter or digit", o.Value)
		}
		if seen[o.Value] {
			return fmt.Errorf("option %q is listed twice", o.Value)
		}
		seen[o.Value] = true
		if err := checkText(o.Label, true); err != nil {
			return fmt.Errorf("option %q: %w", o.Value, err)
		}
	}
	return nil
}

// checkText checks that a text is in every language and in no other; an
// optional text may also be absent altogether.
func checkText(t Text, required bool) error {
	if len(t) == 0 && !required {
		return nil
	}
	for l := range t {
		if l != EN && l != ZH {
			return fmt.Errorf("unknown language %q", l)
		}
	}
	for _, l := range Langs {
		if strings.TrimSpace(t[l]) == "" {
			return fmt.Errorf("no text in %q", l)
		}
	}
	return nil
}

//go:embed questionnaires/export-controls.json
var exportControlsJSON []byte

// defaultQuestionnaire parses the embedded questionnaire once.
var defaultQuestionnaire = sync.OnceValue(func() *Questionnaire {
	q, err := ParseQuestionnaire(exportControlsJSON)
	if err != nil {
		panic("intake: embedded questionnaire: " + err.Error())
	}
	return q
})

// DefaultQuestionnaire returns the embedded export-control questionnaire,
// questionnaires/export-controls.json. It is parsed once and shared: do not
// modify it.
func DefaultQuestionnaire() *Questionnaire { return defaultQuestionnaire() }

// LoadQuestionnaireFile reads and checks a questionnaire definition from a
// file, the override of a desk's embedded default.
func LoadQuestionnaireFile(path string) (*Questionnaire, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxQuestionnaire+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxQuestionnaire {
		return nil, fmt.Errorf("questionnaire %s: larger than %d bytes", path, maxQuestionnaire)
	}
	q, err := ParseQuestionnaire(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return q, nil
}

// FilesField returns the questionnaire's files field, if it has one.
func (q *Questionnaire) FilesField() (Field, bool) {
	for _, f := range q.Fields {
		if f.Type == Files {
			return f, true
		}
	}
	return Field{}, false
}

// Field returns the field with the given id.
func (q *Questionnaire) Field(id string) (Field, bool) {
	for _, f := range q.Fields {
		if f.ID == id {
			return f, true
		}
	}
	return Field{}, false
}
