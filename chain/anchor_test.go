package chain_test

import (
	"crypto/sha256"
	"fmt"
	"testing"

	"github.com/tipline/tipline/chain"
	"github.com/tipline/tipline/crypto"
)

// TestAnchorMAC: an anchor verifies only for its own log, head and pepper.
func TestAnchorMAC(t *testing.T) {
	key, err := chain.NewKey(crypto.NewPepper())
	if err != nil {
		t.Fatal(err)
	}
	other, err := chain.NewKey(crypto.NewPepper())
	if err != nil {
		t.Fatal(err)
	}
	head := chain.Head{Seq: 7, Hash: sha256.Sum256([]byte("entry 7"))}
	a := key.Anchor(chain.Audit, head)
	tests := []struct {
		name  string
		key   *chain.Key
		edit  func(a chain.Anchor) chain.Anchor
		valid bool
	}{
		{"as made", key, func(a chain.Anchor) chain.Anchor { return a }, true},
		{"another log", key, func(a chain.Anchor) chain.Anchor { a.Log = chain.Intake; return a }, false},
		{"an earlier entry", key, func(a chain.Anchor) chain.Anchor { a.Head.Seq = 6; return a }, false},
		{"another hash", key, func(a chain.Anchor) chain.Anchor { a.Head.Hash[0] ^= 1; return a }, false},
		{"another pepper", other, func(a chain.Anchor) chain.Anchor { return a }, false},
		{"no MAC", key, func(a chain.Anchor) chain.Anchor { a.MAC = [32]byte{}; return a }, false},
	}
	for _, tt := range tests {
		if got := tt.key.Valid(tt.edit(a)); got != tt.valid {
			t.Errorf("%s: Valid = %v, want %v", tt.name, got, tt.valid)
		}
	}
	if s := fmt.Sprintf("%v %+v %#v %s", key, key, key, key); s != "chain.Key chain.Key chain.Key chain.Key" {
		t.Errorf("a key prints as %q", s)
	}
	if _, err := chain.NewKey(crypto.Pepper{1, 2, 3}); err == nil {
		t.Error("NewKey accepted a short pepper")
	}
}
