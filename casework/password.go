package casework

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/subtle"
	_ "embed" // the common-password list
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/tipline/tipline"
)

// Password length limits, in characters.
const (
	MinPasswordLength = 12
	maxPasswordLength = 1024
)

// maxPasswordBytes bounds what a login checks: no password longer than
// maxPasswordLength characters can have been set.
const maxPasswordBytes = 4 * maxPasswordLength

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

// Password derivations hold their parameters' memory while they run (64 MiB
// each with DefaultPasswordParams), so the staff service runs at most
// HashSlots of them at once: the others wait in line, up to HashWait, and
// a wait ends early when the request is cancelled. Sixteen concurrent
// bogus logins thus cost the memory of one derivation at a time, not of
// sixteen.
const (
	// DefaultHashSlots: one derivation at a time, which already uses
	// DefaultPasswordParams.Threads cores.
	DefaultHashSlots = 1
	// DefaultHashWait is how long a login waits for a slot.
	DefaultHashWait = 30 * time.Second
)

// errHashBusy answers a login that waited HashWait for a slot.
var errHashBusy = tipline.Errorf(tipline.RateLimited, "Too many logins at once; try again in a minute.")

// derive runs f, a password derivation, in one of the service's HashSlots
// slots once one is free. It returns errHashBusy after waiting HashWait,
// and a RateLimited error wrapping the context's error when ctx ends
// first; f does not run then.
func (s *Staff) derive(ctx context.Context, f func()) error {
	s.slotsOnce.Do(func() {
		n := s.HashSlots
		if n <= 0 {
			n = DefaultHashSlots
		}
		s.slots = make(chan struct{}, n)
	})
	wait := s.HashWait
	if wait <= 0 {
		wait = DefaultHashWait
	}
	select {
	case s.slots <- struct{}{}:
	default:
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case s.slots <- struct{}{}:
		case <-ctx.Done(): // the client left: no fault to log
			return tipline.Wrap(tipline.RateLimited, ctx.Err(), errHashBusy.Message)
		case <-t.C:
			return errHashBusy
		}
	}
	defer func() { <-s.slots }()
	f()
	return nil
}

// hash is hashPassword in a derivation slot.
func (s *Staff) hash(ctx context.Context, password string) (string, error) {
	var h string
	var err error
	if werr := s.derive(ctx, func() { h, err = hashPassword(password, s.Password) }); werr != nil {
		return "", werr
	}
	return h, err
}

// verify is verifyPassword in a derivation slot.
func (s *Staff) verify(ctx context.Context, password, phc string) (bool, error) {
	var ok bool
	var err error
	if werr := s.derive(ctx, func() { ok, err = verifyPassword(password, phc) }); werr != nil {
		return false, werr
	}
	return ok, err
}

// checkDuration returns how long one password check takes, measured on
// first use by timing one derivation (in a slot) with the current
// parameters. Callers that arrive meanwhile wait for that measurement.
func (s *Staff) checkDuration(ctx context.Context) (time.Duration, error) {
	s.pauseMu.Lock()
	defer s.pauseMu.Unlock()
	if s.pauseFor > 0 {
		return s.pauseFor, nil
	}
	var err error
	werr := s.derive(ctx, func() {
		start := time.Now()
		_, err = hashPassword("tipline dummy password", s.Password)
		s.pauseFor = time.Since(start)
	})
	if werr != nil {
		s.pauseFor = 0
		return 0, werr
	}
	if err != nil {
		s.pauseFor = 0
		return 0, err
	}
	return s.pauseFor, nil
}

// pause waits about as long as one password check takes, without making
// one: the answer to a login refused before its password is checked takes
// as long as one refused after.
func (s *Staff) pause(ctx context.Context) error {
	d, err := s.checkDuration(ctx)
	if err != nil {
		return err
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done(): // the client left: no fault to log
		return tipline.Wrap(tipline.RateLimited, ctx.Err(), errHashBusy.Message)
	}
}
