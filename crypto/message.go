package crypto

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// ErrInvalidMessage is wrapped by every error SplitMessage returns for a
// message it refuses, with a short reason such as "truncated" or "literal
// data packet: plaintext refused". The reasons are safe to log: they hold
// packet tags, key ids and fingerprints, never message bytes.
var ErrInvalidMessage = errors.New("crypto: invalid message")

const (
	maxKeyPacketLen = 4 << 10   // an RSA-16384 PKESK is about 2 KiB
	copyBufferSize  = 256 << 10 // for streaming the encrypted data packet: a chunk of Encrypt's
)

// invalid returns an error wrapping ErrInvalidMessage with a reason.
func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidMessage}, args...)...)
}

// SplitMessage reads a binary OpenPGP message from r, as made by OpenPGP.js
// in a source's browser, and checks that it is encrypted to exactly the
// given recipients: a sequence of key packets (PKESK), one for each
// recipient and no other, then exactly one encrypted data packet (SEIPD v1
// or v2), then the end of r. It returns the key packets and copies the
// encrypted data packet, header included, to body as it streams: memory
// use does not depend on the size of the message.
//
// The rules, for untrusted input:
//   - Each key packet names one of the keys from the recipients'
//     EncryptionKeyIDs, uses that key's algorithm, and no key is named twice.
//     A recipient with several valid encryption subkeys may get a key packet
//     for each (Sequoia does that), but every recipient gets at least one.
//   - The wildcard key id 0 ("anonymous recipient", gpg --throw-keyids) is
//     refused: the server could not tell who can read the message.
//   - Key packets are v3 before a SEIPD v1 packet and v6 before a SEIPD v2
//     packet (RFC 9580, section 5.1). Each is at most 4 KiB, and there are
//     no more of them than the recipients have encryption keys.
//   - Anything else is refused: literal and compressed data (plaintext),
//     the unprotected SED packet (tag 9), the non-standard OCB packet (tag
//     20), passphrase key packets, markers, signatures, padding, unknown
//     packets, old-format indeterminate lengths, data after the encrypted
//     packet, and a message that ends early ("truncated").
//
// The body of the encrypted data packet must also look like ciphertext
// (see CiphertextCheck): plaintext wrapped in a well-formed packet is
// refused in its first 4 KiB.
//
// Every such error wraps ErrInvalidMessage. Errors from reading r or writing
// body are returned as they are, wrapped. On any error, body has received
// part of the message and must be discarded. SplitMessage checks the form of
// the message, not the ciphertext: only decryption can tell that it is intact.
func SplitMessage(r io.Reader, body io.Writer, recipients ...*PublicKey) (keyPackets []byte, err error) {
	br := bufio.NewReader(r)
	keyPackets, h, pkeskVersion, err := readKeyPackets(br, recipients)
	if err != nil {
		return nil, err
	}
	if err := copyEncryptedPacket(br, body, h, pkeskVersion); err != nil {
		return nil, err
	}
	if _, err := br.ReadByte(); err != io.EOF {
		if err != nil {
			return nil, fmt.Errorf("crypto: reading message: %w", err)
		}
		return nil, invalid("trailing data after encrypted packet")
	}
	return keyPackets, nil
}

// readKeyPackets reads the key packets at the start of a message from br,
// checked as SplitMessage says, and the header of the encrypted data packet
// that follows them. It returns the key packets as read, that header and
// the version of the key packets.
func readKeyPackets(br *bufio.Reader, recipients []*PublicKey) (keyPackets []byte, seipd header, pkeskVersion int, err error) {
	fail := func(err error) ([]byte, header, int, error) { return nil, header{}, 0, err }
	if len(recipients) == 0 {
		return fail(errors.New("crypto: no recipients"))
	}
	now := time.Now()
	expected := make(map[uint64]recipientKey) // by key id
	for _, k := range recipients {
		if err := k.check(now); err != nil {
			return fail(err)
		}
		for _, pk := range encryptionKeys(k.entity(), now) {
			expected[pk.KeyId] = recipientKey{k, pk}
		}
	}

	covered := make(map[*PublicKey]bool)
	seen := make(map[uint64]bool)
	var keys bytes.Buffer
	for n := 0; ; n++ {
		h, err := readHeader(br)
		if err != nil {
			return fail(headerError(err, n == 0))
		}
		switch h.tag {
		case tagPKESK:
			ek, raw, err := readKeyPacket(br, h)
			if err != nil {
				return fail(err)
			}
			rk, ok := expected[ek.KeyId]
			switch {
			case ek.KeyId == 0:
				return fail(invalid("key packet with wildcard key id refused"))
			case !ok:
				return fail(invalid("key packet for unknown key id %s", keyID(ek.KeyId)))
			case seen[ek.KeyId]:
				return fail(invalid("two key packets for key id %s", keyID(ek.KeyId)))
			case ek.Algo != rk.pk.PubKeyAlgo:
				return fail(invalid("key packet for key id %s has algorithm %d, the key %d", keyID(ek.KeyId), ek.Algo, rk.pk.PubKeyAlgo))
			case ek.KeyFingerprint != nil && !bytes.Equal(ek.KeyFingerprint, rk.pk.Fingerprint):
				return fail(invalid("key packet for key id %s names another fingerprint", keyID(ek.KeyId)))
			case pkeskVersion != 0 && ek.Version != pkeskVersion:
				return fail(invalid("key packets of versions %d and %d mixed", pkeskVersion, ek.Version))
			}
			seen[ek.KeyId] = true
			covered[rk.recipient] = true
			pkeskVersion = ek.Version
			keys.Write(raw)
		case tagSEIPD:
			for _, k := range recipients {
				if !covered[k] {
					return fail(invalid("missing key packet for %s", k.Fingerprint))
				}
			}
			return keys.Bytes(), h, pkeskVersion, nil
		case tagLiteral:
			return fail(invalid("literal data packet: plaintext refused"))
		case tagCompressed:
			return fail(invalid("compressed data packet: plaintext refused"))
		case tagSED:
			return fail(invalid("encrypted packet without integrity protection (tag 9) refused"))
		case tagAEAD:
			return fail(invalid("OCB encrypted data packet (tag 20, not RFC 9580) refused"))
		case tagSKESK:
			return fail(invalid("passphrase key packet refused"))
		case tagSignature, tagOnePassSig:
			return fail(invalid("signature packet refused"))
		case tagMarker, tagPadding:
			return fail(invalid("marker or padding packet refused"))
		default:
			return fail(invalid("unexpected packet with tag %d", h.tag))
		}
	}
}

// recipientKey is one of the encryption keys of a recipient.
type recipientKey struct {
	recipient *PublicKey
	pk        *packet.PublicKey
}

// headerError explains an error from readHeader.
func headerError(err error, first bool) error {
	switch {
	case err == io.EOF && first:
		return invalid("empty input")
	case err == io.EOF:
		return invalid("truncated: no encrypted data packet")
	case err == io.ErrUnexpectedEOF:
		return invalid("truncated")
	case err == errNotOpenPGP && first:
		return invalid("not an OpenPGP message")
	case err == errNotOpenPGP:
		return invalid("malformed packet header")
	case err == errIndeterminate:
		return invalid("packet of indeterminate length refused")
	}
	return fmt.Errorf("crypto: reading message: %w", err)
}

// readKeyPacket reads the body of the PKESK packet whose header is h and
// parses it. It returns the packet with its header, as read.
func readKeyPacket(r io.Reader, h header) (*packet.EncryptedKey, []byte, error) {
	switch {
	case h.partial:
		return nil, nil, invalid("key packet with partial length")
	case h.length > maxKeyPacketLen:
		return nil, nil, invalid("key packet larger than %d bytes", maxKeyPacketLen)
	}
	raw := make([]byte, len(h.raw)+int(h.length))
	copy(raw, h.raw)
	if _, err := io.ReadFull(r, raw[len(h.raw):]); err != nil {
		return nil, nil, readError(err)
	}
	p, err := packet.Read(bytes.NewReader(raw))
	if err != nil {
		return nil, nil, invalid("malformed or unsupported key packet")
	}
	ek, ok := p.(*packet.EncryptedKey)
	if !ok { // cannot happen: the tag is PKESK
		return nil, nil, invalid("malformed or unsupported key packet")
	}
	return ek, raw, nil
}

// copyEncryptedPacket copies the SEIPD packet whose header is h from r to
// body, chunk by chunk when it has partial body lengths. pkeskVersion is the
// version of the key packets before it.
func copyEncryptedPacket(r *bufio.Reader, body io.Writer, h header, pkeskVersion int) error {
	if err := checkEncryptedPacketStart(r, h, pkeskVersion); err != nil {
		return err
	}
	if _, err := body.Write(h.raw); err != nil {
		return fmt.Errorf("crypto: writing message body: %w", err)
	}
	buf := make([]byte, copyBufferSize)
	var check CiphertextCheck
	var err error
	data := io.MultiWriter(&check, body) // the packet's data, without its length headers
	length, partial := h.length, h.partial
	for {
		if err := copyN(data, r, length, buf); err != nil {
			return err
		}
		if !partial {
			return check.Close()
		}
		var lengthBuf [5]byte
		var raw []byte
		length, partial, raw, err = readLength(r, lengthBuf[:0])
		if err != nil {
			return readError(noEOF(err))
		}
		if _, err := body.Write(raw); err != nil {
			return fmt.Errorf("crypto: writing message body: %w", err)
		}
	}
}

// checkEncryptedPacketStart checks the SEIPD packet whose header is h:
// not empty, and of the version that goes with key packets of version
// pkeskVersion. It peeks at the version octet and leaves it in r.
func checkEncryptedPacketStart(r *bufio.Reader, h header, pkeskVersion int) error {
	if h.length == 0 {
		return invalid("empty encrypted data packet")
	}
	version, err := r.Peek(1)
	if err != nil {
		return readError(err)
	}
	switch {
	case version[0] == 1 && pkeskVersion == 3, version[0] == 2 && pkeskVersion == 6:
		return nil
	case version[0] == 1 || version[0] == 2:
		return invalid("v%d key packets before a SEIPD v%d packet", pkeskVersion, version[0])
	default:
		return invalid("unknown SEIPD version %d", version[0])
	}
}

// copyN copies n bytes from r to w through buf.
func copyN(w io.Writer, r io.Reader, n int64, buf []byte) error {
	for n > 0 {
		m, err := r.Read(buf[:min(n, int64(len(buf)))])
		if m > 0 {
			if _, err := w.Write(buf[:m]); err != nil {
				if errors.Is(err, ErrInvalidMessage) {
					return err
				}
				return fmt.Errorf("crypto: writing message body: %w", err)
			}
			n -= int64(m)
		}
		if err != nil && (n > 0 || err != io.EOF) {
			return readError(err)
		}
	}
	return nil
}

// readError reports an error from reading inside a packet: the end of the
// input there means the message was truncated.
func readError(err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return invalid("truncated")
	}
	return fmt.Errorf("crypto: reading message: %w", err)
}

// JoinMessage returns the whole message again from the key packets and the
// encrypted data packet that SplitMessage or EncryptSplit separated.
func JoinMessage(keyPackets []byte, body io.Reader) io.Reader {
	return io.MultiReader(bytes.NewReader(keyPackets), body)
}
