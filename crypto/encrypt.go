package crypto

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// Encrypt returns a WriteCloser that encrypts what is written to it to all
// recipients and writes a binary OpenPGP message to dst as it goes: one
// key packet (PKESK) per recipient, then one encrypted data packet holding
// a literal data packet with no file name and a zero date. Nothing is
// compressed or signed. Close finishes the message (it does not close dst);
// memory use does not grow with the size of the message.
//
// The format follows the recipients' keys: SEIPD v2 (AEAD) when every key
// advertises it, SEIPD v1 (CFB with MDC, which GnuPG 2.2 reads) otherwise,
// as for keys made by GenerateKey.
func Encrypt(dst io.Writer, recipients ...*PublicKey) (io.WriteCloser, error) {
	return encrypt(dst, dst, recipients)
}

// EncryptSplit is Encrypt with the message cut in two, the way SplitMessage
// cuts one: it returns the key packets at once and streams the encrypted
// data packet to body. JoinMessage(keyPackets, body) is the whole message.
func EncryptSplit(body io.Writer, recipients ...*PublicKey) (w io.WriteCloser, keyPackets []byte, err error) {
	var keys bytes.Buffer
	w, err = encrypt(&keys, body, recipients)
	if err != nil {
		return nil, nil, err
	}
	// go-crypto writes every key packet before it returns.
	return w, keys.Bytes(), nil
}

func encrypt(keyDst, bodyDst io.Writer, recipients []*PublicKey) (io.WriteCloser, error) {
	if len(recipients) == 0 {
		return nil, errors.New("crypto: no recipients")
	}
	now := time.Now()
	to := make(openpgp.EntityList, len(recipients))
	for i, k := range recipients {
		if err := k.check(now); err != nil {
			return nil, err
		}
		to[i] = k.entity()
	}
	config := &packet.Config{
		Time:                   func() time.Time { return now },
		DefaultCipher:          packet.CipherAES256,
		DefaultCompressionAlgo: packet.CompressionNone,
		// A non-nil AEADConfig lets go-crypto use SEIPD v2 when every
		// recipient's key asks for it; it then picks the cipher suite
		// from the keys' preferences.
		AEADConfig: &packet.AEADConfig{},
	}
	hints := &openpgp.FileHints{IsBinary: true}
	w, err := openpgp.EncryptSplit(keyDst, bodyDst, to, nil, hints, config)
	if err != nil {
		return nil, fmt.Errorf("crypto: encrypting: %w", err)
	}
	return w, nil
}
