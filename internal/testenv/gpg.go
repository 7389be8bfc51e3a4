package testenv

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// GPG is a throwaway GnuPG home with one key pair made by gpg itself.
type GPG struct {
	tb          testing.TB
	home        string
	Fingerprint string
	Public      []byte // armored public key
}

// NewGPG makes a GnuPG home (a short path, for gpg-agent's socket) and an
// Ed25519/Curve25519 key pair without passphrase. It needs the gpg binary:
// skipped without it, a failure under `make test` or CI.
func NewGPG(tb testing.TB) *GPG {
	tb.Helper()
	if _, err := exec.LookPath("gpg"); err != nil {
		if Required() {
			tb.Fatal("gpg is not installed")
		}
		tb.Skip("gpg is not installed")
	}
	home, err := os.MkdirTemp("/tmp", "gpg")
	if err != nil {
		tb.Fatal(err)
	}
	g := &GPG{tb: tb, home: home}
	tb.Cleanup(func() {
		cmd := exec.Command("gpgconf", "--kill", "gpg-agent")
		cmd.Env = append(os.Environ(), "GNUPGHOME="+home)
		cmd.Run()
		os.RemoveAll(home)
	})
	g.run(nil, "--quick-gen-key", "Tipline Test Investigator <investigator@example.org>", "ed25519", "sign", "never")
	out := g.run(nil, "--list-keys", "--with-colons")
	for line := range strings.SplitSeq(string(out), "\n") {
		if f := strings.Split(line, ":"); f[0] == "fpr" {
			g.Fingerprint = f[9]
			break
		}
	}
	g.run(nil, "--quick-add-key", g.Fingerprint, "cv25519", "encr", "never")
	g.Public = g.run(nil, "--armor", "--export", g.Fingerprint)
	return g
}

// Decrypt runs gpg --decrypt on an OpenPGP message.
func (g *GPG) Decrypt(msg []byte) []byte {
	g.tb.Helper()
	return g.run(msg, "--decrypt")
}

// ListPackets runs gpg --list-packets on an OpenPGP message: its packets,
// and those inside its encrypted packet, which gpg decrypts to list.
func (g *GPG) ListPackets(msg []byte) string {
	g.tb.Helper()
	return string(g.run(msg, "--list-packets"))
}

func (g *GPG) run(stdin []byte, args ...string) []byte {
	g.tb.Helper()
	args = append([]string{"--batch", "--yes", "--pinentry-mode", "loopback", "--passphrase", ""}, args...)
	cmd := exec.Command("gpg", args...)
	cmd.Env = append(os.Environ(), "GNUPGHOME="+g.home)
	cmd.Stdin = bytes.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		g.tb.Fatalf("gpg %v: %v\n%s", args, err, errOut.String())
	}
	return out.Bytes()
}

// EncryptFile runs gpg --encrypt --compress-level 0 of the file in to the
// home's own key, writing the binary message to out: the anchor of the
// no-JavaScript benchmark.
func (g *GPG) EncryptFile(in, out string) {
	g.tb.Helper()
	g.run(nil, "--encrypt", "--compress-level", "0", "--recipient", g.Fingerprint, "--output", out, in)
}

// Import adds an armored public key to the keyring.
func (g *GPG) Import(armored []byte) {
	g.tb.Helper()
	g.run(armored, "--import")
}

// Verify checks a cleartext signed message with gpg --verify; it fails the
// test when the signature does not verify.
func (g *GPG) Verify(signed []byte) {
	g.tb.Helper()
	g.run(signed, "--verify")
}

// ExportSecret returns the armored private key (it has no passphrase).
func (g *GPG) ExportSecret() []byte {
	g.tb.Helper()
	return g.run(nil, "--armor", "--export-secret-keys", g.Fingerprint)
}
