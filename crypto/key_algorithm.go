package crypto

import (
	"fmt"

	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// Algorithm names the public-key algorithm of the key's primary key, with
// its size or curve, as admins compare keys ("RSA 4096", "Ed25519").
func (k *PublicKey) Algorithm() string {
	pk := k.e.PrimaryKey
	switch pk.PubKeyAlgo {
	case packet.PubKeyAlgoRSA, packet.PubKeyAlgoRSAEncryptOnly, packet.PubKeyAlgoRSASignOnly:
		if bits, err := pk.BitLength(); err == nil {
			return fmt.Sprintf("RSA %d", bits)
		}
		return "RSA"
	case packet.PubKeyAlgoEdDSA:
		return "EdDSA (Ed25519, legacy format)"
	case packet.PubKeyAlgoEd25519:
		return "Ed25519"
	case packet.PubKeyAlgoEd448:
		return "Ed448"
	case packet.PubKeyAlgoECDSA:
		if curve, err := pk.Curve(); err == nil {
			return "ECDSA " + string(curve)
		}
		return "ECDSA"
	case packet.PubKeyAlgoDSA:
		return "DSA"
	}
	return fmt.Sprintf("algorithm %d", pk.PubKeyAlgo)
}
