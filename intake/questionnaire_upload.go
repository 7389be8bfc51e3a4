package intake

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// QuestionnaireError is what is wrong with an uploaded questionnaire, at a
// line of the file and, when the problem is in one question, that field.
type QuestionnaireError struct {
	Line    int    // 1-based; 0 when no line can be named
	Field   string // the field's id, or "field N" when it has none; "" when not in a field
	Message string
}

func (e *QuestionnaireError) Error() string {
	var where []string
	if e.Line > 0 {
		where = append(where, "line "+strconv.Itoa(e.Line))
	}
	if e.Field != "" {
		where = append(where, e.Field)
	}
	if len(where) == 0 {
		return e.Message
	}
	return strings.Join(where, ", ") + ": " + e.Message
}

// QuestionnaireErrors are the problems of an uploaded questionnaire, in
// the order they were found: a JSON syntax or type error stops reading, so
// it comes alone; otherwise every problem of the whole questionnaire and
// the first of each field.
type QuestionnaireErrors []QuestionnaireError

func (es QuestionnaireErrors) Error() string {
	msgs := make([]string, len(es))
	for i := range es {
		msgs[i] = es[i].Error()
	}
	return strings.Join(msgs, "; ")
}

// fieldErrorPattern matches the errors validate returns about one field:
// `field "ID": …` or `field N: …`.
var fieldErrorPattern = regexp.MustCompile(`(?s)^field (?:"([^"]*)"|(\d+)): (.*)$`)

// CheckQuestionnaireUpload parses and checks an uploaded questionnaire as
// ParseQuestionnaire does and returns QuestionnaireErrors that say where
// each problem is: the line of a JSON syntax or type error, or the field
// an error is about and the line where that field starts.
func CheckQuestionnaireUpload(data []byte) (*Questionnaire, error) {
	if len(data) > maxQuestionnaire {
		return nil, QuestionnaireErrors{{Message: fmt.Sprintf("The file is larger than %d bytes.", maxQuestionnaire)}}
	}
	q, err := ParseQuestionnaire(data)
	if err == nil {
		return q, nil
	}
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	msg := strings.TrimPrefix(err.Error(), "questionnaire: ")
	switch {
	case errors.As(err, &syntax):
		return nil, QuestionnaireErrors{{Line: lineAt(data, syntax.Offset), Message: "This is not valid JSON: " + strings.TrimPrefix(syntax.Error(), "json: ")}}
	case errors.As(err, &typ):
		return nil, QuestionnaireErrors{{Line: lineAt(data, typ.Offset), Field: typ.Field,
			Message: fmt.Sprintf("The value is a JSON %s where a %s is expected.", typ.Value, typ.Type)}}
	case strings.HasPrefix(msg, "json: unknown field "):
		name := strings.TrimPrefix(msg, "json: unknown field ")
		return nil, QuestionnaireErrors{{Line: lineOf(data, []byte(name+":"), []byte(name+" :")), Message: "Unknown key " + name + "."}}
	case errors.Is(err, io.EOF):
		return nil, QuestionnaireErrors{{Message: "The questionnaire is empty."}}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return nil, QuestionnaireErrors{{Line: lineAt(data, int64(len(data))), Message: "The JSON ends before it is complete."}}
	}
	inner := errors.Unwrap(err) // without the "questionnaire: " prefix
	if inner == nil {
		return nil, QuestionnaireErrors{{Message: msg}}
	}
	problems := []error{inner}
	if joined, ok := inner.(interface{ Unwrap() []error }); ok {
		problems = joined.Unwrap()
	}
	es := make(QuestionnaireErrors, len(problems))
	for i, p := range problems {
		es[i] = locate(data, p.Error())
	}
	return nil, es
}

// locate says where a problem validate found is: the field it names, and
// the line where that field's id is.
func locate(data []byte, problem string) QuestionnaireError {
	m := fieldErrorPattern.FindStringSubmatch(problem)
	if m == nil {
		return QuestionnaireError{Message: problem}
	}
	if m[1] == "" {
		return QuestionnaireError{Field: "field " + m[2], Message: m[3]}
	}
	id, _ := json.Marshal(m[1])
	return QuestionnaireError{Field: m[1], Message: m[3],
		Line: lineOf(data, append([]byte(`"id":`), id...), append([]byte(`"id": `), id...))}
}

// lineAt returns the 1-based line of a byte offset.
func lineAt(data []byte, offset int64) int {
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	return bytes.Count(data[:offset], []byte("\n")) + 1
}

// lineOf returns the line of the first of the needles found, 0 when none.
func lineOf(data []byte, needles ...[]byte) int {
	for _, n := range needles {
		if i := bytes.Index(data, n); i >= 0 {
			return lineAt(data, int64(i))
		}
	}
	return 0
}
