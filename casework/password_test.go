package casework

import (
	"strings"
	"testing"

	"github.com/tipline/tipline"
)

func TestCheckPassword(t *testing.T) {
	for _, tc := range []struct {
		name, password string
		ok             bool
	}{
		{"OK", "correct horse battery", true},
		{"ErrShortUnicode", "密码是一个很长的句子吧", false}, // 11 characters
		{"OKTwelveUnicode", "密码是一个很长的句子吧好", true},
		{"ErrShort", "short pass", false},
		{"ErrCommon", "password1234", false},
		{"ErrCommonCase", "QwertyUiop123", false},
		{"ErrLocalPart", "xx-anabelle-2024-xx", false},
		{"ErrLocalPartCase", "xx-ANABELLE-2024-xx", false},
		{"ErrTooLong", strings.Repeat("a", 1025), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckPassword(tc.password, "Anabelle@example.org")
			if (err == nil) != tc.ok {
				t.Fatalf("got %v, want ok=%v", err, tc.ok)
			}
			if err != nil && tipline.ErrorCode(err) != tipline.Invalid {
				t.Errorf("code %s, want invalid", tipline.ErrorCode(err))
			}
		})
	}
}

func TestCommonPasswordsLoaded(t *testing.T) {
	if n := len(commonPasswords); n < 300 {
		t.Errorf("%d common passwords, want at least 300", n)
	}
}

func TestPasswordHash(t *testing.T) {
	p := PasswordParams{Time: 1, MemoryKiB: 64, Threads: 1}
	h, err := hashPassword("correct horse battery", p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Errorf("hash %s is not a PHC argon2id string with its parameters", h)
	}
	for pw, want := range map[string]bool{"correct horse battery": true, "correct horse batterY": false} {
		if ok, err := verifyPassword(pw, h); err != nil || ok != want {
			t.Errorf("verify %q = %v, %v; want %v", pw, ok, err, want)
		}
	}
	if _, err := verifyPassword("x", "$argon2i$v=19$m=64,t=1,p=1$AAAA$AAAA"); err == nil {
		t.Error("an argon2i hash was accepted")
	}
}
