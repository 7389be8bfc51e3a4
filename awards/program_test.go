package awards

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/tipline/tipline"
)

// TestProgramsLoad loads every embedded program file (validation runs at
// load) and checks that the program ids are all there.
func TestProgramsLoad(t *testing.T) {
	ps, err := load(programFiles)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"bis-hr6322", "bis-s1473", "cftc", "doj-pilot", "fca", "fincen", "irs", "sec"}
	if len(ps) != len(want) {
		t.Fatalf("%d programs, want %d", len(ps), len(want))
	}
	for i, id := range want {
		if ps[i].ID != id {
			t.Errorf("program %d = %s, want %s", i, ps[i].ID, id)
		}
		p, err := ProgramByID(id)
		if err != nil || p.VerifiedOn == "" || len(p.Citations) == 0 {
			t.Errorf("ProgramByID(%s) = %+v, %v", id, p.ID, err)
		}
	}
	if _, err := ProgramByID("bis"); tipline.ErrorCode(err) != tipline.NotFound {
		t.Errorf("unknown program: %v, want not_found", err)
	}
}

// TestProgramValidation breaks one field of a valid program at a time: each
// must be refused at load, so a bad data change cannot ship.
func TestProgramValidation(t *testing.T) {
	good, err := programFiles.ReadFile("programs/sec.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, from, to, want string }{
		{"OK", "", "", ""},
		{"UncitedFigure", `"ref": "15 U.S.C. 78u-6(b)(1); 17 CFR 240.21F-5(b)"`, `"ref": ""`, "citation needs a label and a ref"},
		{"BadStatus", `"status": "enacted"`, `"status": "law"`, "status"},
		{"UnverifiedWithoutNote", `"17 CFR 240.21F-8(c)(2)", "status": "secondary"}`, `"17 CFR 240.21F-8(c)(2)", "status": "unverified"}`, "needs a note"},
		{"MinAboveMax", "\"min_bp\": 1000,\n      \"max_bp\": 3000", "\"min_bp\": 3500,\n      \"max_bp\": 3000", "min_bp"},
		{"UnknownKind", `"kind": "tax",`, `"kind": "bitcoin",`, "unknown kind"},
		{"KindMissing", `"kind": "other",`, `"kind": "tax",`, "listed twice"},
		{"UnverifiedFileWithoutNote", `"verified_note": "Checked on 2026-12-06 against the statute and Rule 21F-16; secondary items were read in summaries; unverified: whether forfeiture and restitution in a related action count.",`, ``, "verified_note: the file carries unverified citations"},
		{"BadDate", `"verified_on": "2026-12-06"`, `"verified_on": "06/12/2026"`, "verified_on"},
		{"UnknownField", `"agency":`, `"agencies": "x", "agency":`, "unknown field"},
		{"BadAnchor", `"from": "notice_or_related_final_order"`, `"from": "filing"`, "from"},
		{"WrongID", `"id": "sec"`, `"id": "sec2"`, "does not match"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := string(good)
			if tc.from != "" {
				if !strings.Contains(body, tc.from) {
					t.Fatalf("fixture lacks %q", tc.from)
				}
				body = strings.Replace(body, tc.from, tc.to, 1)
			}
			_, err := load(fstest.MapFS{"programs/sec.json": {Data: []byte(body)}})
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("load = %v, want an error with %q", err, tc.want)
			}
		})
	}
}
