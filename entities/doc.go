// Package entities models who and what tips are about: organizations,
// people, addresses, vessels, aircraft, shipments, products, accounts,
// domains, email addresses and phone numbers.
//
// An entity belongs to one desk, like a case: the desk's investigators
// create, change, link and merge it; admins read every desk's entities;
// counsel and auditors see none. Every change is kept in the entity's
// history (who, when, what). The Service audits every change in the
// change's transaction, and every view of entities before it hands the
// view out, with the actions of audit.go.
//
// # Links and relations
//
// Submissions and cases link to entities with a role (subject, exporter,
// distributor, freight forwarder…); entities relate to each other (owns,
// director of, ships for…). Links and relations stay within the desk.
//
// # Matching
//
// Names and aliases are normalized and indexed by entities/match's
// candidate keys; a search ranks the candidates with match.Compare and
// explains each score. Each entity also carries the screening-list
// parties its names match, refreshed when it is renamed and when the
// lists are re-imported.
//
// # Corroboration
//
// Corroboration counts distinct submissions linked to an entity. Each
// submission has its own codename, so two submissions are counted as two
// sources even when the same person sent both: the count is an upper
// bound on independent sources, and the pages say so.
package entities
