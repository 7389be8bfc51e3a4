// Package crypto is Tipline's OpenPGP layer, built on
// github.com/ProtonMail/go-crypto: recipient keys, streaming encryption,
// validation of browser-made ciphertext and codenames. It imports no web,
// database or storage package.
package crypto
