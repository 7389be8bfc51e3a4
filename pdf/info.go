package pdf

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"time"
	"unicode/utf16"
)

// Info is a PDF's document information dictionary: what a viewer shows as
// the document's properties.
type Info struct {
	Title, Author, Subject, Creator, Producer string
	// Day is the creation day (UTC); zero leaves no date.
	Day time.Time
}

var (
	startXref = regexp.MustCompile(`startxref\s+(\d+)\s+%%EOF\s*$`)
	trailerRe = regexp.MustCompile(`(?s)trailer\s*<<(.*?)>>\s*startxref`)
	sizeRe    = regexp.MustCompile(`/Size\s+(\d+)`)
	rootRe    = regexp.MustCompile(`/Root\s+(\d+\s+\d+\s+R)`)
)

// SetInfo returns doc with its document information replaced by info, as
// an incremental update: the original bytes stay as they are, and a new
// information dictionary, a cross-reference section for it and a trailer
// pointing back to the previous one follow them (ISO 32000-1, 7.5.6). doc
// must end in a classic trailer, as Chromium's do.
func SetInfo(doc []byte, info Info) ([]byte, error) {
	m := startXref.FindSubmatch(doc)
	if m == nil {
		return nil, errors.New("pdf: set the document information: no startxref at the end")
	}
	prev := string(m[1])
	trailers := trailerRe.FindAllSubmatch(doc, -1)
	if len(trailers) == 0 {
		return nil, errors.New("pdf: set the document information: no classic trailer (a cross-reference stream)")
	}
	trailer := trailers[len(trailers)-1][1]
	size := sizeRe.FindSubmatch(trailer)
	root := rootRe.FindSubmatch(trailer)
	if size == nil || root == nil {
		return nil, errors.New("pdf: set the document information: the trailer has no /Size or /Root")
	}
	n, err := strconv.Atoi(string(size[1]))
	if err != nil {
		return nil, fmt.Errorf("pdf: set the document information: /Size: %w", err)
	}
	var out bytes.Buffer
	out.Write(doc)
	if !bytes.HasSuffix(doc, []byte("\n")) {
		out.WriteByte('\n')
	}
	objAt := out.Len()
	fmt.Fprintf(&out, "%d 0 obj\n<<", n)
	for _, f := range []struct{ key, value string }{
		{"Title", info.Title}, {"Author", info.Author}, {"Subject", info.Subject}, {"Creator", info.Creator}, {"Producer", info.Producer},
	} {
		if f.value != "" {
			fmt.Fprintf(&out, "/%s %s\n", f.key, textString(f.value))
		}
	}
	if !info.Day.IsZero() {
		fmt.Fprintf(&out, "/CreationDate (D:%sZ)\n", info.Day.UTC().Format("20060102"))
	}
	out.WriteString(">>\nendobj\n")
	xrefAt := out.Len()
	// Each entry is exactly 20 bytes: offset, generation, type, space, newline.
	fmt.Fprintf(&out, "xref\n%d 1\n%010d 00000 n \ntrailer\n<</Size %d /Root %s /Info %d 0 R /Prev %s>>\nstartxref\n%d\n%%%%EOF\n",
		n, objAt, n+1, root[1], n, prev, xrefAt)
	return out.Bytes(), nil
}

// textString writes s as a PDF text string: UTF-16BE with its byte order
// mark, in hex, so that any character and no delimiter needs escaping.
func textString(s string) string {
	var b bytes.Buffer
	b.WriteString("<FEFF")
	for _, u := range utf16.Encode([]rune(s)) {
		fmt.Fprintf(&b, "%04X", u)
	}
	b.WriteString(">")
	return b.String()
}
