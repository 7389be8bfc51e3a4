package screening

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/entities/match"
)

// The columns of the Consolidated Screening List CSV (consolidated.csv of
// the U.S. International Trade Administration) that the import reads; every
// other non-empty column goes to Entry.Details.
const (
	cslID            = "_id"
	cslSource        = "source"
	cslEntityNumber  = "entity_number"
	cslType          = "type"
	cslPrograms      = "programs"
	cslName          = "name"
	cslAddresses     = "addresses"
	cslAltNames      = "alt_names"
	cslCitizenships  = "citizenships"
	cslNationalities = "nationalities"
)

// maxField bounds one CSV field (the longest real ones, remarks and
// addresses, are a few kilobytes).
const maxField = 64 << 10

// cslReader streams entries from a CSL CSV file.
type cslReader struct {
	csv    *csv.Reader
	sum    hash.Hash
	header []string
	col    map[string]int
}

// NewCSLReader reads the header of a Consolidated Screening List CSV file
// (columns _id, source, entity_number, type, programs, name, title,
// addresses, …, alt_names, citizenships, …, ids, in any order; source and
// name are required) and returns a reader of its entries. It reads r as a
// stream and keeps one record in memory at a time.
func NewCSLReader(r io.Reader) (EntryReader, error) {
	sum := sha256.New()
	br := bufio.NewReaderSize(io.TeeReader(r, sum), 64<<10)
	if bom, err := br.Peek(3); err == nil && bytes.Equal(bom, []byte{0xEF, 0xBB, 0xBF}) {
		br.Discard(3)
	}
	c := csv.NewReader(br)
	c.ReuseRecord = true
	header, err := c.Read()
	switch {
	case errors.Is(err, io.EOF):
		return nil, tipline.Errorf(tipline.Invalid, "The file is empty.")
	case err != nil:
		return nil, csvError(err)
	}
	cr := &cslReader{csv: c, sum: sum, header: slices.Clone(header), col: map[string]int{}}
	for i, h := range cr.header {
		h = strings.ToLower(strings.TrimSpace(h))
		cr.header[i] = h
		if _, dup := cr.col[h]; dup {
			return nil, tipline.Errorf(tipline.Invalid, "Line 1: the column %q appears twice.", h)
		}
		cr.col[h] = i
	}
	for _, need := range []string{cslSource, cslName} {
		if _, ok := cr.col[need]; !ok {
			return nil, tipline.Errorf(tipline.Invalid, "Line 1: no %q column; is this the Consolidated Screening List CSV?", need)
		}
	}
	return cr, nil
}

// csvError turns a parse error of encoding/csv into an Invalid error with
// its line.
func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return tipline.Wrap(tipline.Invalid, err, fmt.Sprintf("Line %d, column %d: %v.", pe.Line, pe.Column, pe.Err))
	}
	return tipline.Wrap(tipline.Invalid, err, "The file could not be read: "+err.Error())
}

func (cr *cslReader) field(rec []string, name string) string {
	if i, ok := cr.col[name]; ok {
		return strings.TrimSpace(rec[i])
	}
	return ""
}

// Next implements EntryReader.
func (cr *cslReader) Next() (Entry, error) {
	rec, err := cr.csv.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return Entry{}, io.EOF
		}
		return Entry{}, csvError(err)
	}
	line, _ := cr.csv.FieldPos(0)
	for i, f := range rec {
		if len(f) > maxField {
			return Entry{}, tipline.Errorf(tipline.Invalid, "Line %d: the %q field is longer than %d bytes.", line, cr.header[i], maxField)
		}
		if !utf8.ValidString(f) {
			return Entry{}, tipline.Errorf(tipline.Invalid, "Line %d: the %q field is not UTF-8.", line, cr.header[i])
		}
	}
	e := Entry{
		Line:     line,
		List:     cr.field(rec, cslSource),
		Type:     cr.field(rec, cslType),
		Name:     cr.field(rec, cslName),
		Programs: splitList(cr.field(rec, cslPrograms)),
		Details:  map[string]string{},
	}
	switch {
	case e.List == "":
		return Entry{}, tipline.Errorf(tipline.Invalid, "Line %d: the source (list) is empty.", line)
	case match.Normalize(e.Name) == "":
		return Entry{}, tipline.Errorf(tipline.Invalid, "Line %d: the name is empty.", line)
	}
	e.EntryID = cr.field(rec, cslID)
	if e.EntryID == "" {
		e.EntryID = cr.field(rec, cslEntityNumber)
	}
	if e.EntryID == "" {
		// Stable across versions: the list and the name.
		h := sha256.Sum256([]byte(e.List + "\x00" + e.Name))
		e.EntryID = hex.EncodeToString(h[:10])
	}
	seen := map[string]bool{match.Normalize(e.Name): true}
	for _, a := range splitList(cr.field(rec, cslAltNames)) {
		if n := match.Normalize(a); n != "" && !seen[n] {
			seen[n] = true
			e.Aliases = append(e.Aliases, a)
		}
	}
	e.Countries = countries(cr.field(rec, cslAddresses), cr.field(rec, cslCitizenships), cr.field(rec, cslNationalities))
	for i, h := range cr.header {
		switch h {
		case cslID, cslSource, cslEntityNumber, cslType, cslPrograms, cslName, cslAltNames:
			continue
		}
		if v := strings.TrimSpace(rec[i]); v != "" && h != "" {
			e.Details[h] = v
		}
	}
	return e, nil
}

// Checksum implements EntryReader.
func (cr *cslReader) Checksum() string {
	return hex.EncodeToString(cr.sum.Sum(nil))
}

// splitList splits a ';'-separated CSL cell, trimming the items and
// dropping empty ones.
func splitList(s string) []string {
	var out []string
	for item := range strings.SplitSeq(s, ";") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// countries collects ISO 3166 alpha-2 codes: the last part of each address
// ("…, Shenzhen, Guangdong, 518000, CN") and the codes among citizenships
// and nationalities. No duplicates, in order of appearance.
func countries(addresses string, more ...string) []string {
	var out []string
	add := func(c string) {
		if isCountryCode(c) && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	for _, a := range splitList(addresses) {
		parts := strings.Split(a, ",")
		add(strings.TrimSpace(parts[len(parts)-1]))
	}
	for _, m := range more {
		for _, c := range splitList(strings.ReplaceAll(m, ",", ";")) {
			add(c)
		}
	}
	return out
}

func isCountryCode(s string) bool {
	return len(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'
}
