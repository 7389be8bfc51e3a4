package crypto

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// gnupg runs the real gpg binary in a throwaway home directory.
type gnupg struct {
	tb   testing.TB
	home string
	pass string // file holding the passphrase of every key: "test"
}

// newGnuPG makes a GnuPG home for tb. Without gpg it skips the test, unless
// TIPLINE_TEST_REQUIRE=1 or CI=true.
func newGnuPG(tb testing.TB) *gnupg {
	tb.Helper()
	if _, err := exec.LookPath("gpg"); err != nil {
		if os.Getenv("TIPLINE_TEST_REQUIRE") == "1" || os.Getenv("CI") == "true" {
			tb.Fatal("gpg not found: install gnupg")
		}
		tb.Skip("gpg not found")
	}
	// gpg-agent puts its socket in the home directory, whose path must be
	// short: t.TempDir() may be too long.
	home, err := os.MkdirTemp("/tmp", "gpg")
	if err != nil {
		tb.Fatal(err)
	}
	g := &gnupg{tb: tb, home: home, pass: filepath.Join(home, "passphrase")}
	tb.Cleanup(func() {
		kill := exec.Command("gpgconf", "--kill", "gpg-agent")
		kill.Env = g.env()
		if out, err := kill.CombinedOutput(); err != nil {
			tb.Logf("gpgconf --kill gpg-agent: %v: %s", err, out)
		}
		os.RemoveAll(home)
	})
	if err := os.WriteFile(g.pass, testPassphrase, 0o600); err != nil {
		tb.Fatal(err)
	}
	return g
}

func (g *gnupg) env() []string {
	return append(os.Environ(), "GNUPGHOME="+g.home)
}

// run runs gpg with args and stdin, and returns its standard output.
func (g *gnupg) run(stdin []byte, args ...string) []byte {
	g.tb.Helper()
	args = append([]string{"--batch", "--no-tty", "--pinentry-mode", "loopback", "--passphrase-file", g.pass, "--trust-model", "always"}, args...)
	cmd := exec.Command("gpg", args...)
	cmd.Env = g.env()
	cmd.Stdin = bytes.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		g.tb.Fatalf("gpg %s: %v\n%s", strings.Join(args, " "), err, stderr.Bytes())
	}
	return out
}

// genKey makes a key with a primary key of algo and an encryption subkey
// of subAlgo, and returns its fingerprint.
func (g *gnupg) genKey(uid, algo, subAlgo string) string {
	g.tb.Helper()
	g.run(nil, "--quick-gen-key", uid, algo, "sign", "never")
	fpr := g.fingerprint(uid)
	g.run(nil, "--quick-add-key", fpr, subAlgo, "encr", "never")
	return fpr
}

// fingerprint returns the fingerprint of the key that matches name.
func (g *gnupg) fingerprint(name string) string {
	g.tb.Helper()
	for line := range strings.Lines(string(g.run(nil, "--with-colons", "--list-keys", name))) {
		if fields := strings.Split(line, ":"); fields[0] == "fpr" {
			return fields[9]
		}
	}
	g.tb.Fatalf("no key %q", name)
	return ""
}

// TestGnuPG checks that GnuPG 2.2 and this package read each other's keys
// and messages.
func TestGnuPG(t *testing.T) {
	g := newGnuPG(t)
	t.Log(strings.SplitN(string(g.run(nil, "--version")), "\n", 2)[0])
	edFpr := g.genKey("Test <t@example.org>", "ed25519", "cv25519")
	rsaFpr := g.genKey("Test RSA <rsa@example.org>", "rsa3072", "rsa3072")
	plaintext := pseudoRandom(300_000, 42)

	// The public keys as GnuPG exports them, and the private keys
	// (protected with the passphrase "test").
	pub := map[string]*PublicKey{}
	priv := map[string]*PrivateKey{}
	for _, fpr := range []string{edFpr, rsaFpr} {
		k, err := ParsePublicKey(g.run(nil, "--armor", "--export", fpr), time.Now())
		if err != nil {
			t.Fatalf("ParsePublicKey(gpg --export %s): %v", fpr, err)
		}
		if k.Fingerprint != fpr {
			t.Fatalf("Fingerprint = %s, want %s", k.Fingerprint, fpr)
		}
		pub[fpr] = k
		priv[fpr], err = ReadPrivateKey(g.run(nil, "--armor", "--export-secret-keys", fpr), testPassphrase)
		if err != nil {
			t.Fatalf("ReadPrivateKey(gpg --export-secret-keys %s): %v", fpr, err)
		}
	}

	t.Run("GnuPGDecryptsEncrypt", func(t *testing.T) {
		for _, recipients := range [][]*PublicKey{
			{pub[edFpr]},
			{pub[rsaFpr]},
			{pub[edFpr], pub[rsaFpr], testKey(t, "alice")},
		} {
			got := g.run(encryptBytes(t, plaintext, recipients...), "--decrypt")
			if !bytes.Equal(got, plaintext) {
				t.Errorf("gpg --decrypt of a message to %d keys: got %d bytes, want the %d bytes of plaintext", len(recipients), len(got), len(plaintext))
			}
		}
	})

	// The SEIPD v1 writer cuts both packets into chunks: GnuPG and
	// go-crypto read every message whose lengths fall around the edges of
	// the one-, two- and five-octet lengths and of the chunks, byte for byte.
	t.Run("GnuPGDecryptsEveryChunking", func(t *testing.T) {
		for _, size := range []int{0, 1, 16, 185, 186, 8377, 8378, seipdChunk - 7, seipdChunk - 6, seipdChunk, 2*seipdChunk - 6, 2*seipdChunk + 1000} {
			plaintext := pseudoRandom(size, byte(size))
			message := encryptBytes(t, plaintext, pub[edFpr])
			if got := g.run(message, "--decrypt"); !bytes.Equal(got, plaintext) {
				t.Errorf("gpg --decrypt of %d bytes: got %d bytes that differ", size, len(got))
			}
			if got := decryptBytes(t, message, priv[edFpr]); !bytes.Equal(got, plaintext) {
				t.Errorf("Decrypt of %d bytes: got %d bytes that differ", size, len(got))
			}
		}
	})

	t.Run("GenerateKeyImports", func(t *testing.T) {
		public, private, fpr, err := GenerateKey("Generated", "generated@example.org", testPassphrase, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		g.run(private, "--import")
		if got := g.fingerprint("generated@example.org"); got != fpr {
			t.Fatalf("gpg imported %s, want %s", got, fpr)
		}
		k, err := ParsePublicKey(public, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		// The passphrase unlocks the key in gpg: it decrypts a message.
		if got := g.run(encryptBytes(t, plaintext, k), "--decrypt"); !bytes.Equal(got, plaintext) {
			t.Errorf("gpg --decrypt: got %d bytes, want the %d bytes of plaintext", len(got), len(plaintext))
		}
		// And gpg encrypts to it, as it would to a desk key.
		message := g.run(plaintext, "--encrypt", "--recipient", fpr)
		if _, _, err := split(message, k); err != nil {
			t.Fatalf("SplitMessage(gpg --encrypt): %v", err)
		}
		key, err := ReadPrivateKey(private, testPassphrase)
		if err != nil {
			t.Fatal(err)
		}
		if got := decryptBytes(t, message, key); !bytes.Equal(got, plaintext) {
			t.Error("Decrypt(gpg --encrypt): decrypted text differs")
		}
	})

	// gpg --encrypt output is key packets and one SEIPD v1 packet; GnuPG
	// compresses inside the encryption unless told not to, which
	// SplitMessage cannot see and Decrypt undoes.
	t.Run("SplitMessageAcceptsGnuPG", func(t *testing.T) {
		for _, tt := range []struct {
			name string
			args []string
		}{
			{"Ed25519", []string{"--recipient", edFpr}},
			{"Ed25519Uncompressed", []string{"--compress-algo", "none", "--recipient", edFpr}},
			{"RSA", []string{"--recipient", rsaFpr}},
			{"TwoRecipients", []string{"--recipient", edFpr, "--recipient", rsaFpr}},
		} {
			t.Run(tt.name, func(t *testing.T) {
				message := g.run(plaintext, append([]string{"--encrypt"}, tt.args...)...)
				recipients := []*PublicKey{pub[edFpr]}
				if tt.name == "RSA" {
					recipients = []*PublicKey{pub[rsaFpr]}
				} else if tt.name == "TwoRecipients" {
					recipients = append(recipients, pub[rsaFpr])
				}
				keyPackets, body, err := split(message, recipients...)
				if err != nil {
					t.Fatalf("SplitMessage: %v", err)
				}
				joined := append(keyPackets, body...)
				for _, k := range recipients {
					if got := decryptBytes(t, joined, priv[k.Fingerprint]); !bytes.Equal(got, plaintext) {
						t.Errorf("Decrypt with %s: decrypted text differs", k.Fingerprint)
					}
				}
			})
		}
	})

	t.Run("SplitMessageRefusesHiddenRecipient", func(t *testing.T) {
		message := g.run(plaintext, "--encrypt", "--throw-keyids", "--recipient", edFpr)
		_, _, err := split(message, pub[edFpr])
		if !errors.Is(err, ErrInvalidMessage) || !strings.Contains(err.Error(), "wildcard") {
			t.Errorf("err = %v, want ErrInvalidMessage for the wildcard key id", err)
		}
	})

	t.Run("SplitMessageRefusesSymmetric", func(t *testing.T) {
		message := g.run(plaintext, "--symmetric")
		if _, _, err := split(message, pub[edFpr]); !errors.Is(err, ErrInvalidMessage) {
			t.Errorf("err = %v, want ErrInvalidMessage", err)
		}
	})
}
