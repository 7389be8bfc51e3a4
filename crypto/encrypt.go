package crypto

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"slices"
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
	if cipher, ok := seipdV1Cipher(to); ok {
		return encryptSEIPDv1(keyDst, bodyDst, to, cipher, config)
	}
	hints := &openpgp.FileHints{IsBinary: true}
	w, err := openpgp.EncryptSplit(keyDst, bodyDst, to, nil, hints, config)
	if err != nil {
		return nil, fmt.Errorf("crypto: encrypting: %w", err)
	}
	return w, nil
}

// seipdV1Cipher reports whether go-crypto would encrypt to the recipients
// with SEIPD v1 (some key does not advertise SEIPD v2), and with which
// cipher, as go-crypto chooses it: AES-256 when every key prefers it among
// others, else AES-128, which every implementation must read.
func seipdV1Cipher(to openpgp.EntityList) (packet.CipherFunction, bool) {
	v1, aes256 := false, true
	for _, e := range to {
		sig, _ := e.PrimarySelfSignature()
		if sig == nil {
			return 0, false // go-crypto refuses it with its own error
		}
		v1 = v1 || !sig.SEIPDv2
		aes256 = aes256 && slices.Contains(sig.PreferredSymmetric, uint8(packet.CipherAES256))
	}
	if aes256 {
		return packet.CipherAES256, v1
	}
	return packet.CipherAES128, v1
}

// encryptSEIPDv1 writes a key packet (PKESK v3) for each recipient's
// encryption key to keyDst, as go-crypto does, and returns the SEIPD v1
// writer of the body (see seipdWriter).
func encryptSEIPDv1(keyDst, bodyDst io.Writer, to openpgp.EntityList, cipher packet.CipherFunction, config *packet.Config) (io.WriteCloser, error) {
	sessionKey := make([]byte, cipher.KeySize())
	rand.Read(sessionKey)
	defer clear(sessionKey)
	for _, e := range to {
		key, ok := e.EncryptionKey(config.Now())
		if !ok {
			return nil, fmt.Errorf("crypto: encrypting: key %s has no valid encryption key", keyID(e.PrimaryKey.KeyId))
		}
		if err := packet.SerializeEncryptedKeyAEAD(keyDst, key.PublicKey, cipher, false, sessionKey, config); err != nil {
			return nil, fmt.Errorf("crypto: encrypting: %w", err)
		}
	}
	return newSEIPDWriter(bodyDst, sessionKey)
}
