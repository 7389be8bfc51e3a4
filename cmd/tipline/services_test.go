package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tipline/tipline/intake"
)

// TestQuestionnaireOverride: a SLUG.json in TIPLINE_QUESTIONNAIRE_DIR
// replaces that desk's questionnaire, other desks keep the embedded one,
// and a bad file stops start-up with its name.
func TestQuestionnaireOverride(t *testing.T) {
	dir := t.TempDir()
	custom := `{"version": 2,
 "title": {"en": "Securities tips", "zh": "证券举报"},
 "intro": {"en": "Tell us what you know.", "zh": "请告诉我们您所知道的情况。"},
 "fields": [
  {"id": "narrative", "type": "long_text", "required": true,
   "label": {"en": "What happened?", "zh": "发生了什么？"}}
 ]}`
	os.WriteFile(filepath.Join(dir, "sec-fraud.json"), []byte(custom), 0o600)
	lookup, err := loadQuestionnaires(dir)
	if err != nil {
		t.Fatal(err)
	}
	if q := lookup("sec-fraud"); q.Version != 2 || len(q.Fields) != 1 {
		t.Errorf("sec-fraud questionnaire = version %d with %d fields, want the override", q.Version, len(q.Fields))
	}
	if q := lookup(intake.DefaultDeskSlug); q != intake.DefaultQuestionnaire() {
		t.Error("a desk without an override does not get the embedded questionnaire")
	}

	os.WriteFile(filepath.Join(dir, "broken.json"), []byte(`{"fields": [{"id": "x", "type": "nonsense"}]}`), 0o600)
	if _, err := loadQuestionnaires(dir); err == nil || !strings.Contains(err.Error(), "broken.json") {
		t.Errorf("a bad questionnaire file: %v, want an error naming it", err)
	}
}
