package intake

import (
	"errors"
	"strings"
	"testing"
)

// TestCheckQuestionnaireUploadReportsEveryProblem: an uploaded
// questionnaire's problems come all at once, each with its line and field,
// so that an admin fixes them in one round; JSON that cannot be read stops
// at its first error.
func TestCheckQuestionnaireUploadReportsEveryProblem(t *testing.T) {
	good := `{"version": 1, "title": {"en": "Sanctions", "zh": "制裁"},
"fields": [
  {"id": "what", "type": "long_text", "label": {"en": "What happened?", "zh": "发生了什么？"}, "required": true},
  {"id": "where", "type": "country", "label": {"en": "Where?", "zh": "在哪里？"}},
  {"id": "kind", "type": "single_choice", "label": {"en": "Kind", "zh": "种类"}, "options": [{"value": "a", "label": {"en": "A", "zh": "甲"}}]},
  {"id": "detail", "type": "short_text", "label": {"en": "Detail", "zh": "细节"}, "show_if": {"field": "kind", "any_of": ["a"]}}
]}`
	if _, err := CheckQuestionnaireUpload([]byte(good)); err != nil {
		t.Fatalf("the good questionnaire: %v", err)
	}
	for _, tc := range []struct {
		name    string
		replace []string // old, new pairs applied to good
		want    []QuestionnaireError
	}{
		{"one field", []string{`"country"`, `"nation"`},
			[]QuestionnaireError{{Line: 4, Field: "where", Message: `unknown type "nation"`}}},
		{"three fields and the version", []string{`"version": 1`, `"version": 0`, `, "zh": "发生了什么？"`, ``, `"country"`, `"nation"`,
			`{"en": "Kind", "zh": "种类"}`, `{"en": "Kind"}`},
			[]QuestionnaireError{
				{Message: "version must be 1 or more"},
				{Line: 3, Field: "what", Message: `label: no text in "zh"`},
				{Line: 4, Field: "where", Message: `unknown type "nation"`},
				// kind's label is one problem; detail's condition on kind is not another.
				{Line: 5, Field: "kind", Message: `label: no text in "zh"`},
			}},
		{"a field without an id", []string{`{"id": "where", `, `{`},
			[]QuestionnaireError{{Field: "field 2", Message: "an id is 1 to 64 lowercase letters, digits and underscores, starting with a letter"}}},
		{"JSON syntax", []string{`"required": true},`, `"required": true}`, `"type": "nation"`, `"type": "nation"`},
			[]QuestionnaireError{{Line: 4, Message: "This is not valid JSON: invalid character '{' after array element"}}},
		{"JSON type", []string{`"version": 1`, `"version": "1"`},
			[]QuestionnaireError{{Line: 1, Field: "version", Message: "The value is a JSON string where a int is expected."}}},
		{"empty", []string{good, ``}, []QuestionnaireError{{Message: "The questionnaire is empty."}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			def := strings.NewReplacer(tc.replace...).Replace(good)
			_, err := CheckQuestionnaireUpload([]byte(def))
			var got QuestionnaireErrors
			if !errors.As(err, &got) {
				t.Fatalf("error %v (%T), want QuestionnaireErrors", err, err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("%d problems, want %d: %v", len(got), len(tc.want), got)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("problem %d = %+v, want %+v", i+1, got[i], tc.want[i])
				}
			}
		})
	}
}
