package casework

import (
	"bufio"
	"crypto/rand"
	"crypto/subtle"
	_ "embed" // the common-password list
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/tipline/tipline"
)

// Password length limits, in characters.
const (
	MinPasswordLength = 12
	maxPasswordLength = 1024
)

// PasswordParams are the argon2id parameters of new password hashes. Stored
// hashes carry their own parameters, so raising these later keeps old
// hashes valid.
type PasswordParams struct {
	Time      uint32
	MemoryKiB uint32
	Threads   uint8
}

// DefaultPasswordParams cost about 60 ms and 64 MiB per hash on one core of
// a current server: cheap for a staff login, expensive for a guesser.
var DefaultPasswordParams = PasswordParams{Time: 3, MemoryKiB: 64 << 10, Threads: 2}

//go:embed common_passwords.txt
var commonPasswordList string

// commonPasswords is the embedded list, lowercased.
var commonPasswords = func() map[string]bool {
	m := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(commonPasswordList))
	for sc.Scan() {
		if w := strings.TrimSpace(sc.Text()); w != "" {
			m[strings.ToLower(w)] = true
		}
	}
	return m
}()

// CheckPassword applies the password policy: at least MinPasswordLength
// characters, not a common password, and not containing the local part of
// the account's email address. It returns an Invalid error that says which
// rule failed.
func CheckPassword(password, email string) error {
	n := utf8.RuneCountInString(password)
	lower := strings.ToLower(password)
	local, _, _ := strings.Cut(strings.ToLower(email), "@")
	switch {
	case n < MinPasswordLength:
		return tipline.Errorf(tipline.Invalid, "The password must have at least %d characters.", MinPasswordLength)
	case n > maxPasswordLength:
		return tipline.Errorf(tipline.Invalid, "The password must have at most %d characters.", maxPasswordLength)
	case commonPasswords[lower]:
		return tipline.Errorf(tipline.Invalid, "This password is among the most common ones; choose another.")
	case len(local) >= 3 && strings.Contains(lower, local):
		return tipline.Errorf(tipline.Invalid, "The password must not contain the name in the email address.")
	}
	return nil
}

// hashPassword returns an argon2id PHC string:
// $argon2id$v=19$m=MEMORY,t=TIME,p=THREADS$SALT$HASH.
func hashPassword(password string, p PasswordParams) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("casework: salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, 32)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.MemoryKiB, p.Time, p.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// errBadHash means a stored password hash cannot be parsed.
var errBadHash = errors.New("casework: malformed password hash")

// verifyPassword reports whether password matches a PHC string made by
// hashPassword.
func verifyPassword(password, phc string) (bool, error) {
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errBadHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, errBadHash
	}
	var p PasswordParams
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemoryKiB, &p.Time, &p.Threads); err != nil || p.Time == 0 || p.Threads == 0 {
		return false, errBadHash
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return false, errBadHash
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false, errBadHash
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}
