package awards_test

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/tipline/tipline/awards"
	"github.com/tipline/tipline/awards/awardstest"
)

// TestIssue13Cases runs every case of awards/testdata/issue13.json (the
// cases issue 13 quotes and the boundaries around them) through the case
// file reader and the engine. cmd/tipline runs the same file through
// `tipline awards estimate --case`.
func TestIssue13Cases(t *testing.T) {
	for _, tc := range awardstest.LoadCases(t, "testdata/issue13.json") {
		t.Run(tc.Name, func(t *testing.T) {
			in, err := awards.ReadCase(bytes.NewReader(tc.Case), time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC))
			if err != nil {
				t.Fatal(err)
			}
			r, err := awards.Estimate(in)
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.Marshal(r)
			if err != nil {
				t.Fatal(err)
			}
			tc.Check(t, got)
		})
	}
}
