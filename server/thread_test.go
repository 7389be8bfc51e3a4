package server

import (
	"reflect"
	"testing"

	"github.com/tipline/tipline/casework"
)

// TestThread sorts a submission's objects into the tip and the thread.
func TestThread(t *testing.T) {
	o := func(id, kind string) casework.ObjectRef { return casework.ObjectRef{ID: id, Kind: kind} }
	objects := []casework.ObjectRef{
		o("m0", "manifest"), o("f1", "file"), o("f2", "file"), // the tip
		o("r3", "message"),                                       // a reply
		o("s4", "message"), o("m5", "manifest"), o("f6", "file"), // a follow-up with a file
		o("m7", "manifest"), o("f8", "file"), o("f9", "file"), // files alone
	}
	manifest, files, items := thread(objects)
	if manifest != "m0" || !reflect.DeepEqual(files, objects[1:3]) {
		t.Errorf("tip = %s %v", manifest, files)
	}
	want := []threadItem{
		{ObjectRef: objects[3]},
		{ObjectRef: objects[4]},
		{ObjectRef: objects[5], Files: objects[6:7]},
		{ObjectRef: objects[7], Files: objects[8:10]},
	}
	if !reflect.DeepEqual(items, want) {
		t.Errorf("thread = %+v\nwant %+v", items, want)
	}
	if m, f, i := thread(nil); m != "" || f != nil || i != nil {
		t.Errorf("thread(nil) = %q %v %v", m, f, i)
	}
}

// TestDeadlineName says deadline kinds in words.
func TestDeadlineName(t *testing.T) {
	for kind, want := range map[string]string{
		"acknowledge":                          "Acknowledge receipt",
		"feedback":                             "Feedback to the source",
		"award_claim:sec:sec-wb-app":           "SEC award claim: Form WB-APP award application",
		"award_claim:sec:no-such-rule":         "award_claim:sec:no-such-rule",
		"award_claim:no-such-program:whatever": "award_claim:no-such-program:whatever",
		"award_claim":                          "award_claim",
		"qui_tam:m1:seal":                      "qui tam: 60-day seal ends, Government to elect (31 U.S.C. 3730(b)(2))",
		"qui_tam:m1:seal-ext-2":                "qui tam: extended seal ends, extension 2 (31 U.S.C. 3730(b)(3))",
		"qui_tam:m1:limitations":               "qui tam: limitations date (31 U.S.C. 3731(b))",
		"qui_tam:m1:retaliation":               "qui tam: retaliation action due (31 U.S.C. 3730(h)(3))",
		"qui_tam:m1:seal-ext-0":                "qui_tam:m1:seal-ext-0",
		"qui_tam:m1:no-such-rule":              "qui_tam:m1:no-such-rule",
		"qui_tam:m1":                           "qui_tam:m1",
	} {
		if got := deadlineName(casework.DeadlineKind(kind)); got != want {
			t.Errorf("deadlineName(%q) = %q, want %q", kind, got, want)
		}
	}
}
