package crypto

import (
	"bufio"
	"slices"
)

// ReadMessageStart reads the beginning of a binary OpenPGP message from r,
// as the first chunk of an upload holds it: the key packets, checked
// exactly as SplitMessage checks them (one for each recipient and no
// other), then the header of the encrypted data packet (SEIPD v1 or v2,
// of the version that goes with the key packets). It returns the bytes it
// read, key packets and header, and leaves r at the start of the encrypted
// packet's body, so that the caller can store the chunk as it streams.
//
// The message must not end before the encrypted packet's first octet: a
// first chunk that cuts a key packet short or holds no encrypted data is
// refused ("truncated"). Errors wrap ErrInvalidMessage like SplitMessage's;
// errors from reading r are returned wrapped. What follows the header is
// not read: the caller checks it with a CiphertextCheck as it arrives, and
// SplitMessage checks the whole message once it is complete.
func ReadMessageStart(r *bufio.Reader, recipients ...*PublicKey) ([]byte, error) {
	keyPackets, h, pkeskVersion, err := readKeyPackets(r, recipients)
	if err != nil {
		return nil, err
	}
	if err := checkEncryptedPacketStart(r, h, pkeskVersion); err != nil {
		return nil, err
	}
	return slices.Concat(keyPackets, h.raw), nil
}
