package intake

import (
	"bytes"
	"encoding/json"
	"html/template"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"github.com/tipline/tipline/templates"
)

func TestDefaultQuestionnaire(t *testing.T) {
	q := DefaultQuestionnaire()
	if q != DefaultQuestionnaire() {
		t.Error("DefaultQuestionnaire parses more than once")
	}
	texts := map[string]Text{"title": q.Title, "intro": q.Intro}
	for _, f := range q.Fields {
		texts[f.ID+" label"] = f.Label
		if f.Help != nil {
			texts[f.ID+" help"] = f.Help
		}
		for _, o := range f.Options {
			texts[f.ID+" option "+o.Value] = o.Label
		}
	}
	for name, tx := range texts {
		if tx[EN] == "" || tx[ZH] == "" {
			t.Errorf("%s: not in both languages: %v", name, tx)
		}
		if !hasHan(tx[ZH]) && tx[ZH] != tx[EN] {
			t.Errorf("%s: the Chinese %q has no Chinese characters", name, tx[ZH])
		}
	}
	// What investigators of chip smuggling rely on.
	for id, typ := range map[string]FieldType{
		"violation": MultipleChoice, "violation_other": ShortText, "models": MultipleChoice,
		"quantity": Number, "serial_numbers": LongText, "eccn": ShortText, "value_usd": Number,
		"parties": Party, "destination": Country, "route": LongText, "started": Date,
		"last_shipment": Date, "knowledge": SingleChoice, "reported": SingleChoice,
		"reported_date": Date, "lawyer": SingleChoice, "narrative": LongText, "evidence": Files,
	} {
		f, ok := q.Field(id)
		if !ok || f.Type != typ {
			t.Errorf("field %q: %v, %v; want a %s field", id, f.Type, ok, typ)
		}
	}
	if f, _ := q.Field("narrative"); !f.Required {
		t.Error("the narrative is not required")
	}
	if f, ok := q.FilesField(); !ok || f.ID != "evidence" {
		t.Errorf("FilesField = %v, %v", f.ID, ok)
	}
	if f, _ := q.Field("violation_other"); f.ShowIf == nil || f.ShowIf.Field != "violation" || !slices.Equal(f.ShowIf.AnyOf, []string{"other"}) {
		t.Errorf("violation_other is not shown only for other: %+v", f.ShowIf)
	}
	if f, _ := q.Field("reported_date"); f.ShowIf == nil || f.ShowIf.Field != "reported" || slices.Contains(f.ShowIf.AnyOf, "no") {
		t.Errorf("reported_date is not shown only after a report: %+v", f.ShowIf)
	}
	if f, _ := q.Field("eccn"); !strings.Contains(f.Help.In(EN), "3A090") || !strings.Contains(f.Help.In(ZH), "4A090") || !strings.Contains(f.Help.In(EN), "5A992") {
		t.Error("the ECCN help does not name 3A090, 4A090 and 5A992")
	}
	if f, _ := q.Field("reported"); !strings.Contains(f.Help.In(EN), "120 days") || !strings.Contains(f.Help.In(ZH), "120 天") {
		t.Error("the help on earlier reports does not explain the 120 days")
	}
	if _, ok := q.Field("nope"); ok {
		t.Error("Field found an unknown id")
	}
}

// validJSON is a small questionnaire that the rejection cases break.
const validJSON = `{
  "version": 1,
  "title": {"en": "T", "zh": "标题"},
  "fields": [
    {"id": "kind", "type": "single_choice", "label": {"en": "Kind", "zh": "类型"},
     "options": [{"value": "a", "label": {"en": "A", "zh": "甲"}}, {"value": "other", "label": {"en": "Other", "zh": "其他"}}]},
    {"id": "kind_other", "type": "short_text", "label": {"en": "Other", "zh": "其他"}, "show_if": {"field": "kind", "any_of": ["other"]}},
    {"id": "files", "type": "files", "label": {"en": "Files", "zh": "文件"}}
  ]
}`

func TestParseQuestionnaireRejects(t *testing.T) {
	if _, err := ParseQuestionnaire([]byte(validJSON)); err != nil {
		t.Fatalf("the valid questionnaire: %v", err)
	}
	tests := []struct {
		name, old, new, want string
	}{
		{"duplicate id", `"id": "kind_other"`, `"id": "kind"`, `field "kind": the id is used twice`},
		{"bad id", `"id": "kind_other"`, `"id": "Kind-Other"`, `field "Kind-Other"`},
		{"unknown type", `"type": "short_text"`, `"type": "essay"`, `field "kind_other": unknown type "essay"`},
		{"missing zh label", `"label": {"en": "Other", "zh": "其他"}, "show_if"`, `"label": {"en": "Other"}, "show_if"`, `field "kind_other": label: no text in "zh"`},
		{"blank zh label", `"label": {"en": "Files", "zh": "文件"}`, `"label": {"en": "Files", "zh": " "}`, `field "files": label: no text in "zh"`},
		{"unknown language", `"label": {"en": "Files", "zh": "文件"}`, `"label": {"en": "Files", "zh": "文件", "fr": "Fichiers"}`, `field "files": label: unknown language "fr"`},
		{"missing zh option label", `"label": {"en": "A", "zh": "甲"}`, `"label": {"en": "A"}`, `field "kind": option "a": no text in "zh"`},
		{"choice without options", `"options": [{"value": "a", "label": {"en": "A", "zh": "甲"}}, {"value": "other", "label": {"en": "Other", "zh": "其他"}}]`, `"options": []`, `field "kind": a choice or party field needs options`},
		{"options on text", `"type": "short_text",`, `"type": "short_text", "options": [{"value": "a", "label": {"en": "A", "zh": "甲"}}],`, `field "kind_other": a short_text field has no options`},
		{"duplicate option", `{"value": "other", "label"`, `{"value": "a", "label"`, `field "kind": option "a" is listed twice`},
		{"bad option value", `{"value": "other", "label"`, `{"value": "-x", "label"`, `field "kind": option "-x"`},
		{"show_if unknown field", `"field": "kind"`, `"field": "sort"`, `field "kind_other": show_if: "sort" is not an earlier field`},
		{"show_if unknown value", `"any_of": ["other"]`, `"any_of": ["b"]`, `field "kind_other": show_if: "kind" has no option "b"`},
		{"show_if empty", `"any_of": ["other"]`, `"any_of": []`, `field "kind_other": show_if: any_of is empty`},
		{"show_if on a text field", `{"id": "files", "type": "files", "label": {"en": "Files", "zh": "文件"}}`, `{"id": "more", "type": "short_text", "label": {"en": "M", "zh": "多"}, "show_if": {"field": "kind_other", "any_of": ["x"]}}`, `field "more": show_if: "kind_other" is not a choice field`},
		{"two files fields", `{"id": "files", "type": "files", "label": {"en": "Files", "zh": "文件"}}`, `{"id": "files", "type": "files", "label": {"en": "Files", "zh": "文件"}}, {"id": "files2", "type": "files", "label": {"en": "Files", "zh": "文件"}}`, `more than one files field`},
		{"required files", `"type": "files",`, `"type": "files", "required": true,`, `field "files": a files field cannot be required`},
		{"max_len on files", `"type": "files",`, `"type": "files", "max_len": 5,`, `field "files": a files field has no max_len`},
		{"max_len too large", `"type": "short_text",`, `"type": "short_text", "max_len": 20000,`, `field "kind_other": max_len must be 1 to 10000`},
		{"rows on text", `"type": "short_text",`, `"type": "short_text", "rows": 3,`, `field "kind_other": a short_text field has no rows`},
		{"section without zh title", `"type": "files",`, `"type": "files", "section": {"title": {"en": "F"}},`, `field "files": section title: no text in "zh"`},
		{"required in a collapsed section", `{"id": "kind", "type": "single_choice",`, `{"id": "kind", "section": {"title": {"en": "S", "zh": "节"}, "collapsed": true}, "required": true, "type": "single_choice",`, `field "kind": a required field cannot be in a collapsed section`},
		{"unknown JSON key", `"version": 1,`, `"version": 1, "colour": "red",`, `unknown field "colour"`},
		{"unknown field key", `"type": "files",`, `"type": "files", "accept": "pdf",`, `unknown field "accept"`},
		{"no title", `"title": {"en": "T", "zh": "标题"},`, ``, `title: no text in "en"`},
		{"no version", `"version": 1,`, `"version": 0,`, `version must be 1 or more`},
		{"trailing data", "]\n}", "]\n} {}", `data after the JSON object`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := strings.Replace(validJSON, tt.old, tt.new, 1)
			if src == validJSON {
				t.Fatalf("the case does not change the questionnaire")
			}
			_, err := ParseQuestionnaire([]byte(src))
			if err == nil {
				t.Fatalf("accepted")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not say %q", err, tt.want)
			}
		})
	}
	// A party field with too many rows, and one without roles.
	party := func(extra string) string {
		return strings.Replace(validJSON, `{"id": "files"`, `{"id": "who", "type": "party", "label": {"en": "Who", "zh": "谁"}`+extra+`}, {"id": "files"`, 1)
	}
	if _, err := ParseQuestionnaire([]byte(party(`, "options": [{"value": "x", "label": {"en": "X", "zh": "某"}}], "rows": 21`))); err == nil || !strings.Contains(err.Error(), `field "who": rows must be 1 to 20`) {
		t.Errorf("21 rows: %v", err)
	}
	if _, err := ParseQuestionnaire([]byte(party(``))); err == nil || !strings.Contains(err.Error(), `field "who": a choice or party field needs options`) {
		t.Errorf("party without roles: %v", err)
	}
}

func TestLoadQuestionnaireFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "q.json")
	if err := os.WriteFile(good, []byte(validJSON), 0o600); err != nil {
		t.Fatal(err)
	}
	q, err := LoadQuestionnaireFile(good)
	if err != nil || len(q.Fields) != 3 {
		t.Fatalf("LoadQuestionnaireFile: %v, %v", q, err)
	}
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"version": 1}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadQuestionnaireFile(bad); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("a bad file: %v", err)
	}
	if _, err := LoadQuestionnaireFile(filepath.Join(dir, "missing.json")); err == nil {
		t.Error("a missing file loaded")
	}
}

func TestCheck(t *testing.T) {
	q := DefaultQuestionnaire()
	narrative := Answers{"narrative": {"They ship H100s via Singapore."}}
	with := func(a Answers) Answers {
		out := Answers{}
		for k, v := range narrative {
			out[k] = v
		}
		for k, v := range a {
			out[k] = v
		}
		return out
	}
	tests := []struct {
		name    string
		in      Answers
		want    Answers  // the cleaned answers, when there are no errors
		errs    []string // ids of fields with errors
		message string   // part of the first error's English message
	}{
		{name: "required missing", in: Answers{}, errs: []string{"narrative"}, message: "Please answer"},
		{name: "required blank", in: Answers{"narrative": {"  \r\n\t "}}, errs: []string{"narrative"}},
		{name: "only the narrative", in: narrative, want: Answers{"narrative": {"They ship H100s via Singapore."}}},
		{name: "unknown keys dropped", in: with(Answers{"_csrf": {"x"}, "lang": {"zh"}, "evidence": {"a.pdf"}}), want: narrative},
		{name: "trimmed and cleaned", in: Answers{"narrative": {"  line 1\r\nline 2\x00  "}, "eccn": {" 3A090\n "}},
			want: Answers{"narrative": {"line 1\nline 2"}, "eccn": {"3A090"}}},
		{name: "required but hidden is not required",
			in: with(Answers{"violation": {"smuggling"}}), want: with(Answers{"violation": {"smuggling"}})},
		{name: "hidden answers dropped",
			in:   with(Answers{"violation": {"smuggling"}, "violation_other": {"bribery"}, "reported": {"no"}, "reported_date": {"2024-01-02"}, "reported_to": {"BIS"}}),
			want: with(Answers{"violation": {"smuggling"}, "reported": {"no"}})},
		{name: "shown answers kept",
			in:   with(Answers{"violation": {"other", "smuggling"}, "violation_other": {"bribery"}, "reported": {"agency"}, "reported_date": {"2024-1-2"}, "reported_to": {"BIS"}}),
			want: with(Answers{"violation": {"smuggling", "other"}, "violation_other": {"bribery"}, "reported": {"agency"}, "reported_date": {"2024-01-02"}, "reported_date.raw": {"2024-1-2"}, "reported_to": {"BIS"}})},
		{name: "internal report hides the agency", in: with(Answers{"reported": {"internal"}, "reported_date": {"2024-01-02"}, "reported_to": {"BIS"}}),
			want: with(Answers{"reported": {"internal"}, "reported_date": {"2024-01-02"}})},
		{name: "bad choice", in: with(Answers{"knowledge": {"psychic"}}), errs: []string{"knowledge"}, message: "choose from the options"},
		{name: "two single choices", in: with(Answers{"knowledge": {"first_hand", "documents"}}), errs: []string{"knowledge"}, message: "only one"},
		{name: "no answer to a single choice", in: with(Answers{"knowledge": {""}}), want: narrative},
		{name: "bad multiple choice", in: with(Answers{"models": {"h100", "z9000"}}), errs: []string{"models"}},
		{name: "multiple choice in order, once", in: with(Answers{"models": {"b200", "h100", "b200"}}), want: with(Answers{"models": {"h100", "b200"}})},
		// An estimate is never refused: what cannot be read is kept as typed.
		{name: "unreadable date kept", in: with(Answers{"started": {"last spring"}}),
			want: with(Answers{"started.raw": {"last spring"}})},
		{name: "impossible date kept", in: with(Answers{"started": {"2024-02-30"}}), want: with(Answers{"started.raw": {"2024-02-30"}})},
		{name: "absurd date kept", in: with(Answers{"started": {"3024-01-01"}}), want: with(Answers{"started.raw": {"3024-01-01"}})},
		{name: "dates normalized", in: with(Answers{"started": {"2024/3/5"}, "last_shipment": {"２０２５年１月９日"}}),
			want: with(Answers{"started": {"2024-03-05"}, "started.raw": {"2024/3/5"}, "last_shipment": {"2025-01-09"}, "last_shipment.raw": {"２０２５年１月９日"}})},
		{name: "dates to the month or year", in: with(Answers{"started": {"2024年3月"}, "last_shipment": {"2025"}}),
			want: with(Answers{"started": {"2024-03"}, "started.raw": {"2024年3月"}, "last_shipment": {"2025"}})},
		{name: "estimated numbers", in: with(Answers{"quantity": {"大约200台"}, "value_usd": {"$5,000,000"}}),
			want: with(Answers{"quantity": {"200"}, "quantity.raw": {"大约200台"}, "value_usd": {"5000000"}, "value_usd.raw": {"$5,000,000"}})},
		{name: "unreadable number kept", in: with(Answers{"quantity": {"a few containers"}}), want: with(Answers{"quantity.raw": {"a few containers"}})},
		{name: "numbers normalized", in: with(Answers{"quantity": {"1,500"}, "value_usd": {" 2500000.50 "}}),
			want: with(Answers{"quantity": {"1500"}, "quantity.raw": {"1,500"}, "value_usd": {"2500000.5"}, "value_usd.raw": {"2500000.50"}})},
		{name: "estimate too long", in: with(Answers{"quantity": {strings.Repeat("9", 1001)}}), errs: []string{"quantity"}, message: "1000"},
		{name: "bad country", in: with(Answers{"destination": {"XX"}}), errs: []string{"destination"}, message: "country"},
		{name: "country", in: with(Answers{"destination": {"cn"}}), want: with(Answers{"destination": {"CN"}})},
		{name: "party row with unknown role", in: with(Answers{"parties.1.name": {"Acme"}, "parties.1.role": {"smuggler"}}),
			errs: []string{"parties"}, message: "Row 2"},
		{name: "party rows", in: with(Answers{
			"parties.0.name": {" "}, "parties.0.role": {""},
			"parties.2.name": {"Acme Trading Ltd"}, "parties.2.role": {"freight_forwarder"}, "parties.2.country": {"香港"},
			"parties.3.identifiers": {"Reg. 123\r\nUnit 5"}, "parties.3.country": {"Atlantis"},
			"parties.9.name": {"beyond the rows"}, "parties.x.name": {"garbage"},
		}), want: with(Answers{
			"parties.0.name": {"Acme Trading Ltd"}, "parties.0.role": {"freight_forwarder"}, "parties.0.country": {"HK"},
			"parties.1.identifiers": {"Reg. 123\nUnit 5"}, "parties.1.country": {"Atlantis"},
		})},
		{name: "party entry too long", in: with(Answers{"parties.0.name": {strings.Repeat("x", 301)}}), errs: []string{"parties"}, message: "Row 1"},
		{name: "max_len", in: with(Answers{"eccn": {strings.Repeat("3", 201)}}), errs: []string{"eccn"}, message: "at most 200 characters"},
		{name: "max_len counts characters", in: with(Answers{"eccn": {strings.Repeat("中", 200)}}), want: with(Answers{"eccn": {strings.Repeat("中", 200)}})},
		{name: "default max_len", in: with(Answers{"violation": {"other"}, "violation_other": {strings.Repeat("x", 1001)}}),
			errs: []string{"violation_other"}, message: "1000"},
		{name: "several errors in order", in: Answers{"destination": {"XX"}, "knowledge": {"psychic"}}, errs: []string{"narrative", "destination", "knowledge"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, errs := q.Check(tt.in)
			var ids []string
			for _, e := range errs {
				ids = append(ids, e.Field)
				if e.Message[EN] == "" || e.Message[ZH] == "" || strings.Contains(e.Message[EN], "%!") {
					t.Errorf("error message of %s: %v", e.Field, e.Message)
				}
			}
			if !slices.Equal(ids, tt.errs) {
				t.Fatalf("errors on %v; want %v (%v)", ids, tt.errs, errs)
			}
			if tt.message != "" && !strings.Contains(errs[0].Message[EN], tt.message) {
				t.Errorf("message %q does not say %q", errs[0].Message[EN], tt.message)
			}
			if tt.errs == nil && !equalAnswers(got, tt.want) {
				t.Errorf("cleaned\n%v\nwant\n%v", got, tt.want)
			}
		})
	}
}

func equalAnswers(a, b Answers) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

func TestErrorsByField(t *testing.T) {
	m := ErrorsByField([]FieldError{{"a", Text{EN: "one"}}, {"b", Text{EN: "two"}}, {"a", Text{EN: "three"}}})
	if len(m) != 2 || m["a"][EN] != "one" || m["b"][EN] != "two" {
		t.Errorf("ErrorsByField = %v", m)
	}
}

func TestNewManifest(t *testing.T) {
	q := DefaultQuestionnaire()
	cleaned, errs := q.Check(Answers{
		"violation":         {"smuggling", "other"},
		"violation_other":   {"relabelling"},
		"models":            {"h100"},
		"quantity":          {"about 2000"},
		"started":           {"last spring"},
		"destination":       {"CN"},
		"parties.0.name":    {"Acme"},
		"parties.0.role":    {"end_user"},
		"parties.0.country": {"Shenzhen"},
		"parties.3.name":    {"Fast Freight Pte"},
		"parties.3.role":    {"freight_forwarder"},
		"parties.3.country": {"SG"},
		"narrative":         {"叙述"},
	})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	m := q.NewManifest("export-controls", ZH, cleaned)
	data, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"version":1`, `"desk":"export-controls"`, `"lang":"zh"`, `"questionnaire_version":1`, `"files":[]`,
		`{"id":"violation","label":"What kind of violation is it?","type":"multiple_choice","values":["smuggling","other"],"value_labels":["Smuggling, or transshipment through another country or region","Other"]}`,
		`{"id":"violation_other","label":"What other kind of violation?","type":"short_text","values":["relabelling"]}`,
		`{"id":"destination","label":"Final destination: country or region","type":"country","values":["CN"],"value_labels":["China"]}`,
		`{"field":"parties","name":"Acme","role":"end_user","role_label":"End user","country":"Shenzhen"}`,
		`{"field":"parties","name":"Fast Freight Pte","role":"freight_forwarder","role_label":"Freight forwarder","country":"SG","country_name":"Singapore"}`,
		`"values":["叙述"]`,
		`{"id":"quantity","label":"About how many chips or servers?","type":"number","values":["2000"],"raw":"about 2000"}`,
		`{"id":"started","label":"When did it start?","type":"date","values":[],"raw":"last spring"}`,
	} {
		if !strings.Contains(string(data), key) {
			t.Errorf("the manifest lacks %s:\n%s", key, data)
		}
	}
	var ids []string
	for _, a := range m.Answers {
		ids = append(ids, a.ID)
	}
	if want := []string{"violation", "violation_other", "models", "quantity", "narrative", "destination", "started"}; !slices.Equal(ids, want) {
		t.Errorf("answers in order %v; want %v", ids, want)
	}
	empty, _ := json.Marshal(q.NewManifest("d", EN, Answers{}))
	if !strings.Contains(string(empty), `"answers":[],"parties":[],"files":[]`) {
		t.Errorf("an empty manifest: %s", empty)
	}
}

func TestCountries(t *testing.T) {
	if len(countries) != 249 {
		t.Errorf("%d countries; ISO 3166-1 has 249", len(countries))
	}
	codes := map[string]bool{}
	fold := strings.NewReplacer("Å", "A", "ç", "c", "é", "e", "ô", "o", "ã", "a", "í", "i", "ü", "u")
	for i, c := range countries {
		if !regexp.MustCompile(`^[A-Z]{2}$`).MatchString(c.Code) || codes[c.Code] {
			t.Errorf("bad or repeated code %q", c.Code)
		}
		codes[c.Code] = true
		if c.Name[EN] == "" || !hasHan(c.Name[ZH]) {
			t.Errorf("%s: names %v", c.Code, c.Name)
		}
		if i > 0 && strings.ToLower(fold.Replace(countries[i-1].Name[EN])) >= strings.ToLower(fold.Replace(c.Name[EN])) {
			t.Errorf("%s sorts before %s", countries[i-1].Name[EN], c.Name[EN])
		}
	}
	for code, zh := range map[string]string{
		"CN": "中国", "HK": "香港", "MO": "澳门", "TW": "台湾", "SG": "新加坡", "MY": "马来西亚", "AE": "阿拉伯联合酋长国",
		"TH": "泰国", "VN": "越南", "IN": "印度", "RU": "俄罗斯", "KR": "韩国", "KP": "朝鲜", "JP": "日本", "US": "美国",
		"NL": "荷兰", "DE": "德国", "KZ": "哈萨克斯坦", "KG": "吉尔吉斯斯坦", "AM": "亚美尼亚", "GE": "格鲁吉亚",
		"TR": "土耳其", "ID": "印度尼西亚", "PH": "菲律宾", "GB": "英国",
	} {
		if got := countryByCode[code].Name[ZH]; got != zh {
			t.Errorf("%s: %q; want %q", code, got, zh)
		}
	}
	// The Chinese order is pinyin order.
	zh := slices.Clone(countries)
	col := collate.New(language.SimplifiedChinese)
	slices.SortStableFunc(zh, func(a, b CountryOption) int { return col.CompareString(a.Name[ZH], b.Name[ZH]) })
	got := countriesIn(ZH)
	if len(got) != len(zh) {
		t.Fatalf("countryOrderZH has %d codes; want %d", len(got), len(zh))
	}
	for i := range zh {
		if got[i].Code != zh[i].Code {
			t.Fatalf("countryOrderZH: %s at %d; pinyin order has %s (%s)", got[i].Code, i, zh[i].Code, zh[i].Name[ZH])
		}
	}
	for in, want := range map[string]string{"cn": "CN", "China": "CN", "中国": "CN", " hong  KONG ": "HK", "中国香港": "HK", "ＵＳＡ": "US", "Türkiye": "TR", "Atlantis": ""} {
		if code, _ := matchCountry(in); code != want {
			t.Errorf("matchCountry(%q) = %q; want %q", in, code, want)
		}
	}
}

// renderForm renders the questionnaire partial inside a small page, as the
// server's page renderer does.
func renderForm(t *testing.T, v FormView) string {
	t.Helper()
	tmpl := template.Must(template.New("page").Parse(
		`<!doctype html><html lang="{{.Data.Form.Lang.HTMLLang}}"><head><meta charset="utf-8"><title>Tipline</title>` +
			`<link rel="stylesheet" href="/static/css/tipline.css"><link rel="stylesheet" href="/conditions.css"></head>` +
			`<body><main><form method="post" enctype="multipart/form-data" action="/submit">` +
			`{{template "questionnaire" .Data.Form}}<button type="submit">{{.Data.Form.T "submit"}}</button></form></main></body></html>`))
	template.Must(tmpl.ParseFS(templates.FS, "questionnaire.html"))
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, map[string]any{"Data": map[string]any{"Form": v}}); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestQuestionnaireTemplate(t *testing.T) {
	q := DefaultQuestionnaire()
	for _, l := range Langs {
		t.Run(string(l), func(t *testing.T) {
			page := renderForm(t, FormView{Lang: l, Q: q})
			if len(page) > 60_000 {
				t.Errorf("the page is %d bytes; keep it under 60 KB", len(page))
			}
			t.Logf("%s page: %d bytes", l, len(page))
			for _, f := range q.Fields {
				name := `name="` + f.ID + `"`
				if f.Type == Party {
					name = `name="` + PartyKey(f.ID, f.RowCount()-1, "identifiers") + `"`
				}
				if !strings.Contains(page, name) {
					t.Errorf("no control named %s", name)
				}
				if !strings.Contains(page, template.HTMLEscapeString(f.Label.In(l))) {
					t.Errorf("no label %q", f.Label.In(l))
				}
			}
			for _, bad := range []string{"style=", "<script", "<style", "javascript:", "[", "%!"} {
				if strings.Contains(page, bad) {
					i := strings.Index(page, bad)
					t.Errorf("the page contains %q: …%s…", bad, page[max(0, i-80):min(len(page), i+80)])
				}
			}
			if !strings.Contains(page, `lang="`+l.HTMLLang()+`"`) {
				t.Errorf("no lang=%q", l.HTMLLang())
			}
			if !strings.Contains(page, `<input type="file" id="f-evidence" name="evidence" multiple`) {
				t.Error("no multiple file input")
			}
			if !strings.Contains(page, `<select id="f-destination" name="destination"`) || !strings.Contains(page, `<option value="CN">`+countryByCode["CN"].Name.In(l)+`</option>`) {
				t.Error("no country select")
			}
			if l == ZH {
				for _, s := range []string{"事情经过", "（必填）", "涉及的公司和个人", "（仅当您选择了“其他”时才需回答。）", "证据文件"} {
					if !strings.Contains(page, s) {
						t.Errorf("no %q in the Chinese page", s)
					}
				}
				if strings.Contains(page, "What happened?") {
					t.Error("English label in the Chinese page")
				}
			} else if !strings.Contains(page, "(Answer this only if you chose “Yes, inside the company, for example to compliance or a hotline” or “Yes, to a government agency or another authority”.)") {
				t.Error("no hint for the conditional report date")
			}
			checkIDs(t, page)
		})
	}
}

// checkIDs checks that ids are unique and that every for= and
// aria-describedby names an id of the page.
func checkIDs(t *testing.T, page string) {
	t.Helper()
	ids := map[string]bool{}
	for _, m := range regexp.MustCompile(` id="([^"]+)"`).FindAllStringSubmatch(page, -1) {
		if ids[m[1]] {
			t.Errorf("id %q appears twice", m[1])
		}
		ids[m[1]] = true
	}
	for _, m := range regexp.MustCompile(` (?:for|aria-describedby|list)="([^"]+)"`).FindAllStringSubmatch(page, -1) {
		for id := range strings.FieldsSeq(m[1]) {
			if !ids[id] {
				t.Errorf("%s names no element", m[0])
			}
		}
	}
}

func TestQuestionnaireTemplateRefill(t *testing.T) {
	q := DefaultQuestionnaire()
	in := Answers{
		"violation":         {"other"},
		"violation_other":   {`<b>"quoted"</b>`},
		"knowledge":         {"documents"},
		"destination":       {"HK"},
		"quantity":          {"lots"},
		"parties.1.name":    {"Acme & Sons"},
		"parties.1.role":    {"consignee"},
		"parties.1.country": {"新加坡"},
		"route":             {"line one\nline two"},
	}
	_, errs := q.Check(in)
	page := renderForm(t, FormView{Lang: ZH, Q: q, Answers: in, Errors: ErrorsByField(errs)})
	for _, want := range []string{
		`id="f-violation-other" name="violation" value="other" checked`,
		`value="&lt;b&gt;&#34;quoted&#34;&lt;/b&gt;"`,
		`id="f-knowledge-documents" name="knowledge" value="documents" checked`,
		`id="f-reported-" name="reported" value="" checked`,
		`<option value="HK" selected>香港</option>`,
		`value="Acme &amp; Sons"`,
		`<option value="consignee" selected>收货人</option>`,
		`name="parties.1.country" value="新加坡"`,
		">line one\nline two</textarea>",
		`name="quantity" value="lots"`,
		`<p class="q-error" id="e-narrative">`,
		`aria-describedby="h-narrative e-narrative" aria-invalid="true"`,
		`<a href="#q-narrative">事情经过</a>`,
		`<details class="q-section" id="s-parties" open>`,
		`<details class="q-more" open>`,
		`role="alert"`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	if strings.Contains(page, `<b>"quoted"`) {
		t.Error("an answer was not escaped")
	}
	checkIDs(t, page)
}

func TestConditionCSS(t *testing.T) {
	q := DefaultQuestionnaire()
	css := q.ConditionCSS()
	page := renderForm(t, FormView{Lang: EN, Q: q})
	conditional := 0
	for _, f := range q.Fields {
		if f.ShowIf == nil {
			if strings.Contains(css, "#q-"+f.ID+"{") {
				t.Errorf("a rule hides the unconditional field %s", f.ID)
			}
			continue
		}
		conditional++
		if !strings.Contains(css, " #q-"+f.ID+"{display:none}") {
			t.Errorf("no rule for %s", f.ID)
		}
		if !strings.Contains(page, `id="q-`+f.ID+`" data-show-if="`+f.ShowIf.Field+`"`) {
			t.Errorf("the wrapper of %s has no data-show-if", f.ID)
		}
	}
	if conditional < 3 {
		t.Errorf("only %d conditional fields", conditional)
	}
	for _, want := range []string{
		".questionnaire:not(:has(#f-violation-other:checked)) #q-violation_other{display:none}",
		".questionnaire:not(:has(#f-reported-internal:checked,#f-reported-agency:checked)) #q-reported_date{display:none}",
		"@supports selector(:has(a)){.q-cond-hint{display:none}}",
	} {
		if !strings.Contains(css, want) {
			t.Errorf("the CSS lacks %s:\n%s", want, css)
		}
	}
	// Every id the rules name is on the page.
	for _, m := range regexp.MustCompile(`#([a-z][a-z0-9_-]*)`).FindAllStringSubmatch(css, -1) {
		if !strings.Contains(page, `id="`+m[1]+`"`) {
			t.Errorf("the CSS names #%s, which is not on the page", m[1])
		}
	}
	// A condition on a conditional field also hides with its parent.
	chain := strings.Replace(validJSON, `{"id": "files"`, `{"id": "why", "type": "single_choice", "label": {"en": "W", "zh": "为"}, "options": [{"value": "x", "label": {"en": "X", "zh": "某"}}], "show_if": {"field": "kind", "any_of": ["a"]}}, {"id": "why_x", "type": "short_text", "label": {"en": "W", "zh": "为"}, "show_if": {"field": "why", "any_of": ["x"]}}, {"id": "files"`, 1)
	cq, err := ParseQuestionnaire([]byte(chain))
	if err != nil {
		t.Fatal(err)
	}
	ccss := cq.ConditionCSS()
	for _, want := range []string{":not(:has(#f-why-x:checked)) #q-why_x{", ":not(:has(#f-kind-a:checked)) #q-why_x{"} {
		if !strings.Contains(ccss, want) {
			t.Errorf("the chained CSS lacks %s:\n%s", want, ccss)
		}
	}
	if _, errs := cq.Check(Answers{"kind": {"other"}, "why": {"x"}, "why_x": {"hidden"}}); len(errs) > 0 {
		t.Error(errs)
	} else if got, _ := cq.Check(Answers{"kind": {"other"}, "why": {"x"}, "why_x": {"hidden"}}); len(got["why_x"]) > 0 || len(got["why"]) > 0 {
		t.Errorf("answers under a hidden field kept: %v", got)
	}
}

// TestQuestionnaireTemplatePhone checks the shape that keeps the form short
// on a phone: optional sections collapsed, one party row shown and each
// further row behind its own "add another", with nothing answered yet.
func TestQuestionnaireTemplatePhone(t *testing.T) {
	q := DefaultQuestionnaire()
	page := renderForm(t, FormView{Lang: EN, Q: q})
	for _, want := range []string{
		`<section class="q-section" id="s-violation">` + "\n" + `<h2>What happened</h2>`,
		`<details class="q-section" id="s-parties">` + "\n" + `<summary><h2>Companies and people</h2> <span class="q-optional">optional</span></summary>`,
		`<input type="text" id="f-started" name="started" value="" maxlength="1000"`,
		`<input type="text" id="f-quantity" name="quantity" value="" maxlength="1000"`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	if n := strings.Count(page, `<details class="q-more">`); n != 4 {
		t.Errorf("%d closed rows behind “add another”; want 4", n)
	}
	if n := strings.Count(page, `<details class="q-section" id=`); n != 3 {
		t.Errorf("%d collapsed sections; want 3", n)
	}
	if strings.Contains(page, " open>") {
		t.Error("something is open on an empty form")
	}
	checkIDs(t, page)
}
