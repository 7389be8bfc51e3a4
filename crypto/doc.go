// Package crypto is Tipline's OpenPGP layer, built on
// github.com/ProtonMail/go-crypto: recipient keys, streaming encryption,
// validation of browser-made ciphertext, codenames, and the Sealer that
// keeps small server-side secrets in database rows. It imports no web,
// database or storage package.
package crypto
