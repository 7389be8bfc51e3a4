package crypto

import (
	"bufio"
	"bytes"
)

// A message checked in pieces: the chunks of a browser upload arrive one
// request at a time, possibly on different app nodes, and are stored as
// they arrive. ReadBodyStart checks the start of the first chunk, and a
// BodyCheck the encrypted data packet's body chunk by chunk, carrying a
// small BodyState from one chunk to the next. Together they check what
// SplitMessage checks, without the whole message ever being read again.

// BodyState is where the check of an encrypted data packet's body stands
// between two pieces: inside a run of data, or inside the length header
// (RFC 9580, section 4.2.1) that follows a run of partial length. Its
// fields are exported so that it can be saved between requests.
type BodyState struct {
	Left    int64  // bytes of the current run of data still to come
	Partial bool   // a length header follows the current run
	Length  []byte // the octets of that header read so far
}

// Complete reports whether the packet has ended: its last run, of a
// definite length, is whole.
func (s BodyState) Complete() bool {
	return s.Left == 0 && !s.Partial
}

// End returns nil when the packet is complete, and an error wrapping
// ErrInvalidMessage ("truncated") when the message ended inside it.
func (s BodyState) End() error {
	if !s.Complete() {
		return invalid("truncated")
	}
	return nil
}

// ReadBodyStart reads the start of a message as ReadMessageStart does, with
// the same checks, and returns its parts: the key packets, the header of
// the encrypted data packet, and the state of the check of the packet's
// body, which starts where r is left.
func ReadBodyStart(r *bufio.Reader, recipients ...*PublicKey) (keyPackets, header []byte, s BodyState, err error) {
	keyPackets, h, pkeskVersion, err := readKeyPackets(r, recipients)
	if err != nil {
		return nil, nil, BodyState{}, err
	}
	if err := checkEncryptedPacketStart(r, h, pkeskVersion); err != nil {
		return nil, nil, BodyState{}, err
	}
	return keyPackets, h.raw, BodyState{Left: h.length, Partial: h.partial}, nil
}

// BodyCheck checks the body of an encrypted data packet, after its
// header, as it is written in pieces: its length headers, that nothing
// follows its end, and with a CiphertextCheck that its data (without the
// length headers) looks like ciphertext, as SplitMessage does. Start it
// from the BodyState that ReadBodyStart returned or that the previous
// piece left, and call EndPiece at the end of each piece.
type BodyCheck struct {
	BodyState
	check CiphertextCheck
}

// Write checks p. It returns an error wrapping ErrInvalidMessage at the
// first byte after the end of the packet, and the CiphertextCheck's
// refusal of data that does not look encrypted.
func (b *BodyCheck) Write(p []byte) (int, error) {
	written := 0
	for len(p) > 0 {
		switch {
		case b.Left > 0:
			k := int(min(int64(len(p)), b.Left))
			if _, err := b.check.Write(p[:k]); err != nil {
				return written, err
			}
			b.Left -= int64(k)
			p = p[k:]
			written += k
		case !b.Partial:
			return written, invalid("trailing data after encrypted packet")
		default:
			b.Length = append(b.Length, p[0])
			p = p[1:]
			written++
			length, partial, _, err := readLength(bytes.NewReader(b.Length), nil)
			if err == nil { // else the header goes on in the next bytes
				b.Left, b.Partial, b.Length = length, partial, nil
			}
		}
	}
	return written, nil
}

// EndPiece tests the data of the piece after its last full window of the
// CiphertextCheck (see CiphertextCheck.Close), and starts a new
// CiphertextCheck for the next piece.
func (b *BodyCheck) EndPiece() error {
	err := b.check.Close()
	b.check = CiphertextCheck{}
	return err
}
