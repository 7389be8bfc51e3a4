package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/tipline/tipline/config"
	"github.com/tipline/tipline/crypto"
)

// decrypt is `tipline decrypt --key KEY.asc [--passphrase-file F] FILE`:
// offline decryption of an exported object or a downloaded ciphertext with
// a recipient's private key. It needs no database and no server.
func decrypt(_ context.Context, p *program, args []string) error {
	fs := config.NewFlagSet("decrypt", "--key KEY.asc [--passphrase-file F] [--out FILE] FILE", p.stderr)
	keyFile := fs.String("key", "", "armored OpenPGP private key of a recipient (GnuPG, OpenPGP.js or tipline keys generate)")
	passFile := fs.String("passphrase-file", "", "read the key's passphrase from the first line of this file instead of prompting")
	out := fs.String("out", "", "write the plaintext to this new file instead of standard output")
	if _, rest, err := parseArgs(p, fs, args); err != nil {
		return err
	} else if len(rest) != 1 || *keyFile == "" {
		return fmt.Errorf("%w: want 'tipline decrypt --key KEY.asc FILE'", errUsage)
	} else {
		args = rest
	}
	armored, err := os.ReadFile(*keyFile)
	if err != nil {
		return err
	}
	passphrase, err := readPassphrase(p, *passFile, "Passphrase of the private key: ")
	if err != nil {
		return err
	}
	key, err := crypto.ReadPrivateKey(armored, passphrase)
	if err != nil {
		return err
	}
	src, err := os.Open(args[0])
	if err != nil {
		return err
	}
	defer src.Close()
	plain, err := crypto.Decrypt(src, key)
	if err != nil {
		return err
	}
	if *out == "" {
		// Standard output cannot take back what it printed: say loudly
		// when the end of the message did not check out.
		if _, err := io.Copy(p.stdout, plain); err != nil {
			return fmt.Errorf("%w — discard everything printed above", err)
		}
		return nil
	}
	f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, plain); err != nil {
		// A message that fails its integrity check leaves nothing behind.
		f.Close()
		os.Remove(*out)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(*out)
		return err
	}
	return nil
}
