// Package casework is the staff side of Tipline: triage of encrypted
// submissions, cases, entities, award claims and the audit log. Decryption
// happens in the investigator's browser or offline tools, never here.
package casework
