package blob_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/tipline/tipline/blob"
)

func TestValidKey(t *testing.T) {
	for _, tt := range []struct {
		key string
		ok  bool
	}{
		{"a", true},
		{"a/b", true},
		{"pending/2024_x-1/0z", true},
		{strings.Repeat("a", blob.MaxKeyLen), true},
		{strings.Repeat("a", blob.MaxKeyLen+1), false},
		{"", false},
		{"/x", false},
		{"x/", false},
		{"a//b", false},
		{"../x", false},
		{"a/./b", false},
		{"a/..", false},
		{"A", false},
		{"a b", false},
		{"a\\b", false},
		{"a\x00b", false},
		{"é", false},
	} {
		err := blob.ValidKey(tt.key)
		if tt.ok && err != nil {
			t.Errorf("ValidKey(%q) = %v, want nil", tt.key, err)
		}
		if !tt.ok && !errors.Is(err, blob.ErrInvalidKey) {
			t.Errorf("ValidKey(%q) = %v, want ErrInvalidKey", tt.key, err)
		}
	}
}

func TestValidKeyDoesNotEcho(t *testing.T) {
	const key = "Secret-Name/x"
	if err := blob.ValidKey(key); err == nil || strings.Contains(err.Error(), "Secret") {
		t.Errorf("ValidKey(%q) = %v, want an error without the key", key, err)
	}
}

func TestNewKey(t *testing.T) {
	re := regexp.MustCompile(`^pending/[a-z2-7]{26}$`)
	seen := map[string]bool{}
	for range 1000 {
		key := blob.NewKey("pending/")
		if !re.MatchString(key) {
			t.Fatalf("NewKey = %q, want a match for %s", key, re)
		}
		if err := blob.ValidKey(key); err != nil {
			t.Fatalf("ValidKey(NewKey) = %v", err)
		}
		if seen[key] {
			t.Fatalf("NewKey repeated %q", key)
		}
		seen[key] = true
	}
}
