package crypto

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestClearSignDatedToTheDay proves that a cleartext signature carries the
// time it is given (a receipt's day at 00:00 UTC), not the second it was
// made, and that GnuPG and VerifyClearSigned still accept it.
func TestClearSignDatedToTheDay(t *testing.T) {
	keyDay := time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC)
	public, private, _, err := GenerateKey("Tipline receipts", "", testPassphrase, keyDay)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ReadPrivateKey(private, testPassphrase)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := key.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	g := newGnuPG(t)
	g.run(public, "--import")
	for _, tc := range []struct {
		name     string
		signedAt time.Time
	}{
		{"the key's own day", keyDay},
		{"a later day", keyDay.AddDate(0, 5, 17)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text := []byte("TIPLINE RECEIPT v1\nreceived on " + tc.signedAt.Format(time.DateOnly) + "\n")
			signed, err := ClearSign(text, key, tc.signedAt)
			if err != nil {
				t.Fatal(err)
			}
			got, err := VerifyClearSigned(signed, signer)
			if err != nil || !bytes.Equal(got, text) {
				t.Fatalf("VerifyClearSigned = %q, %v", got, err)
			}
			// gpg's VALIDSIG status line: FPR DATE TIMESTAMP ...
			status := string(g.run(signed, "--status-fd", "1", "--verify"))
			var created int64 = -1
			for _, line := range strings.Split(status, "\n") {
				if f := strings.Fields(line); len(f) > 4 && f[1] == "VALIDSIG" {
					created, _ = strconv.ParseInt(f[4], 10, 64)
				}
			}
			if want := tc.signedAt.Unix(); created != want {
				t.Errorf("gpg says the signature was made at %d (%s), want %d (00:00 UTC)\n%s",
					created, time.Unix(created, 0).UTC(), want, status)
			}
		})
	}
	if _, err := ClearSign([]byte("x\n"), key, keyDay.Add(-time.Second)); err == nil {
		t.Error("ClearSign before the key was made: no error, want one (GnuPG would refuse it)")
	}
}
