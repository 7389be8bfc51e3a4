// Package intake is the source side of Tipline: desks and their
// questionnaires, submissions encrypted in the browser or in server memory,
// resumable upload sessions, codename receipts and the source's mailbox.
//
// Nothing in this package ever writes a tip's plaintext anywhere: the
// database and the blob store only ever receive OpenPGP ciphertext and
// derived, non-reversible values.
package intake
