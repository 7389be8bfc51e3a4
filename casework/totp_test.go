package casework

import (
	"strings"
	"testing"
	"time"
)

// TestTOTPVectors checks the SHA-1 test vectors of RFC 6238, appendix B
// (eight digits there; six are the last six of those).
func TestTOTPVectors(t *testing.T) {
	secret := []byte("12345678901234567890")
	for _, tc := range []struct {
		unix int64
		want string
	}{
		{59, "94287082"},
		{1111111109, "07081804"},
		{1111111111, "14050471"},
		{1234567890, "89005924"},
		{2000000000, "69279037"},
		{20000000000, "65353130"},
	} {
		now := time.Unix(tc.unix, 0)
		if got := totpCode(secret, totpStep(now), 8); got != tc.want {
			t.Errorf("T=%d: got %s, want %s", tc.unix, got, tc.want)
		}
		code, err := TOTPCode(totpEncoding.EncodeToString(secret), now)
		if err != nil {
			t.Fatal(err)
		}
		if want := tc.want[2:]; code != want {
			t.Errorf("T=%d six digits: got %s, want %s", tc.unix, code, want)
		}
	}
}

func TestMatchTOTP(t *testing.T) {
	secret := []byte("12345678901234567890")
	now := time.Unix(1234567890, 0)
	cur := totpStep(now)
	for _, tc := range []struct {
		name     string
		at       time.Time
		lastStep int64
		wantStep int64
		wantOK   bool
	}{
		{"OK", now, 0, cur, true},
		{"OKPreviousStep", now.Add(-30 * time.Second), 0, cur - 1, true},
		{"OKNextStep", now.Add(30 * time.Second), 0, cur + 1, true},
		{"ErrTooOld", now.Add(-90 * time.Second), 0, 0, false},
		{"ErrReplay", now, cur, 0, false},
		{"ErrOlderThanLastUsed", now.Add(-30 * time.Second), cur, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code := totpCode(secret, totpStep(tc.at), totpDigits)
			step, ok := matchTOTP(secret, code, now, tc.lastStep)
			if ok != tc.wantOK || step != tc.wantStep {
				t.Errorf("got (%d, %v), want (%d, %v)", step, ok, tc.wantStep, tc.wantOK)
			}
		})
	}
	if _, ok := matchTOTP(secret, "12345", now, 0); ok {
		t.Error("a five-digit code matched")
	}
}

func TestOTPAuthURI(t *testing.T) {
	uri := otpauthURI("Tipline", "ana@example.org", []byte("12345678901234567890"))
	for _, want := range []string{"otpauth://totp/Tipline:ana@example.org?", "secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "issuer=Tipline", "period=30", "digits=6"} {
		if !strings.Contains(uri, want) {
			t.Errorf("%s lacks %s", uri, want)
		}
	}
}
