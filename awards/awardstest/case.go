// Package awardstest runs case tables against the award engine's JSON, for
// the engine's tests and the command's.
package awardstest

import (
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"slices"
	"strings"
	"testing"
)

// Case is one case of a case table: a case file, the part of the result
// it must give, and the kinds of warning it must carry.
type Case struct {
	Name     string          `json:"name"`
	Case     json.RawMessage `json:"case"`
	Want     json.RawMessage `json:"want"`
	Warnings []string        `json:"warnings"`
}

// LoadCases reads a case table (for the engine's and the command's
// tests).
func LoadCases(t testing.TB, path string) []Case {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var cases []Case
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return cases
}

// Check compares the result JSON got with the case's expectations: every
// key of want must be in got with the same value (numbers compared
// exactly, a null wanting the key absent), list items by position, and
// every warning kind must be present.
func (c Case) Check(t testing.TB, got []byte) {
	t.Helper()
	var g, w any
	dec := json.NewDecoder(strings.NewReader(string(got)))
	dec.UseNumber()
	if err := dec.Decode(&g); err != nil {
		t.Fatal(err)
	}
	dec = json.NewDecoder(strings.NewReader(string(c.Want)))
	dec.UseNumber()
	if err := dec.Decode(&w); err != nil {
		t.Fatal(err)
	}
	for _, diff := range subset("", w, g) {
		t.Error(diff)
	}
	var kinds []string
	if ws, ok := g.(map[string]any)["warnings"].([]any); ok {
		for _, x := range ws {
			kinds = append(kinds, fmt.Sprint(x.(map[string]any)["kind"]))
		}
	}
	for _, k := range c.Warnings {
		if !slices.Contains(kinds, k) {
			t.Errorf("no %s warning among %v", k, kinds)
		}
	}
	if t.Failed() {
		t.Logf("result: %s", got)
	}
}

func subset(path string, want, got any) []string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: got %v, want an object", path, got)}
		}
		var out []string
		for k, v := range w {
			gv, present := g[k]
			if v == nil {
				if present && gv != nil {
					out = append(out, fmt.Sprintf("%s.%s: got %v, want none", path, k, gv))
				}
				continue
			}
			if !present {
				out = append(out, fmt.Sprintf("%s.%s: missing", path, k))
				continue
			}
			out = append(out, subset(path+"."+k, v, gv)...)
		}
		return out
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) < len(w) || (len(w) == 0 && len(g) != 0) {
			return []string{fmt.Sprintf("%s: got %v, want %v", path, got, want)}
		}
		var out []string
		for i := range w {
			out = append(out, subset(fmt.Sprintf("%s[%d]", path, i), w[i], g[i])...)
		}
		return out
	case json.Number:
		g, ok := got.(json.Number)
		wr, _ := new(big.Rat).SetString(w.String())
		if ok {
			if gr, _ := new(big.Rat).SetString(g.String()); gr != nil && gr.Cmp(wr) == 0 {
				return nil
			}
		}
		return []string{fmt.Sprintf("%s: got %v, want %v", path, got, w)}
	}
	if fmt.Sprint(want) != fmt.Sprint(got) {
		return []string{fmt.Sprintf("%s: got %v, want %v", path, got, want)}
	}
	return nil
}
