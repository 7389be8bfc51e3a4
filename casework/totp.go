package casework

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"net/url"
	"time"
)

// TOTP parameters (RFC 6238 with the defaults every authenticator app
// supports): HMAC-SHA1, six digits, 30-second steps, one step of clock skew
// either way.
const (
	totpDigits     = 6
	totpPeriod     = 30
	totpSkew       = 1
	totpSecretSize = 20
)

// totpEncoding is base32 without padding, as otpauth:// URIs carry secrets.
var totpEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// totpStep returns the RFC 6238 time step of t.
func totpStep(t time.Time) int64 {
	return t.Unix() / totpPeriod
}

// totpCode returns the code of secret for one time step (RFC 4226 HOTP with
// the step as counter), as a zero-padded decimal string.
func totpCode(secret []byte, step int64, digits int) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(step))
	mac := hmac.New(sha1.New, secret)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	v := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	mod := uint32(1)
	for range digits {
		mod *= 10
	}
	return fmt.Sprintf("%0*d", digits, v%mod)
}

// TOTPCode returns the current six-digit code of a base32 secret, as an
// authenticator app shows it. Tests and scripts use it to log in.
func TOTPCode(secret string, now time.Time) (string, error) {
	key, err := totpEncoding.DecodeString(secret)
	if err != nil {
		return "", fmt.Errorf("casework: TOTP secret is not base32: %w", err)
	}
	return totpCode(key, totpStep(now), totpDigits), nil
}

// matchTOTP returns the time step within the allowed skew of now whose code
// is code, and whether there is one later than lastStep. Every candidate is
// compared, so the time taken does not depend on which one matches.
func matchTOTP(secret []byte, code string, now time.Time, lastStep int64) (int64, bool) {
	if len(code) != totpDigits {
		return 0, false
	}
	var found int64
	ok := false
	cur := totpStep(now)
	for step := cur - totpSkew; step <= cur+totpSkew; step++ {
		if subtle.ConstantTimeCompare([]byte(totpCode(secret, step, totpDigits)), []byte(code)) == 1 && step > lastStep {
			found, ok = step, true
		}
	}
	return found, ok
}

// otpauthURI returns the enrollment URI that authenticator apps read,
// usually from a QR code.
func otpauthURI(issuer, account string, secret []byte) string {
	q := url.Values{}
	q.Set("secret", totpEncoding.EncodeToString(secret))
	q.Set("issuer", issuer)
	q.Set("algorithm", "SHA1")
	q.Set("digits", fmt.Sprint(totpDigits))
	q.Set("period", fmt.Sprint(totpPeriod))
	u := url.URL{Scheme: "otpauth", Host: "totp", Path: "/" + issuer + ":" + account, RawQuery: q.Encode()}
	return u.String()
}
