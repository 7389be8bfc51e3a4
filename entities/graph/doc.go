// Package graph lays out an entity's neighbourhood (entities.Neighbourhood)
// and draws it as a static SVG picture or exports it as JSON with the same
// positions.
//
// # Layout
//
// The centre entity sits in the middle. Every other node belongs to one of
// four sectors of the circle around it, by kind: submissions, cases,
// related entities and screening-list parties; a sector's angle grows with
// its node count. Within a sector, nodes fill concentric rings from the
// inside out, each placed at the first angle where its box keeps a clear
// gap from every box already placed, so no two node boxes overlap however
// many nodes there are. Nodes are ordered by kind, label and id before
// placement, so the same neighbourhood always gives the same picture.
//
// Labels longer than a box allows are cut with an ellipsis; the full text
// stays in the node's <title> (a tooltip in browsers) and in the JSON.
// Edge labels are drawn only where they overlap no node and no other edge
// label; every edge keeps its label in its <title>.
//
// # Safety
//
// Labels are untrusted (entity names come from tips and screening lists):
// every text and attribute is XML-escaped, control and bidirectional
// formatting characters are removed, and the picture holds no script,
// style sheet, link or external reference. It uses presentation
// attributes only, so it renders under a Content-Security-Policy of
// default-src 'none'.
//
// # Colours
//
// Kinds differ by colour (darkened Okabe–Ito hues, distinguishable with
// the common colour-vision deficiencies) and also by outline: square for
// submissions, double for cases, rounded for entities, dashed for
// screening-list parties, heavy for the centre. The picture stays readable
// in greyscale print.
package graph
