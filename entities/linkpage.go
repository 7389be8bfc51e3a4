package entities

import (
	"strconv"
	"strings"
	"time"

	"github.com/tipline/tipline"
)

// LinkPageSize is how many submission links one page of an entity shows.
const LinkPageSize = 50

// LinkCursor is the place of a submission link in its entity's list,
// which runs newest received first: the submission's received day and the
// link's id. Its text form, "YYYY-MM-DD.ID", goes in page addresses.
type LinkCursor struct {
	Day string
	ID  int64
}

// String writes the cursor as "YYYY-MM-DD.ID".
func (c LinkCursor) String() string { return c.Day + "." + strconv.FormatInt(c.ID, 10) }

// ParseLinkCursor reads a cursor String wrote; Invalid otherwise.
func ParseLinkCursor(s string) (LinkCursor, error) {
	day, id, ok := strings.Cut(s, ".")
	n, err := strconv.ParseInt(id, 10, 64)
	if _, derr := time.Parse(time.DateOnly, day); !ok || err != nil || derr != nil || n < 1 {
		return LinkCursor{}, tipline.Errorf(tipline.Invalid, "Bad page of links %q.", s)
	}
	return LinkCursor{Day: day, ID: n}, nil
}

// LinkPage asks for one page of an entity's submission links: the first
// when both are empty, the links after the cursor After, or those before
// the cursor Before (cursors in LinkCursor's text form).
type LinkPage struct {
	After  string
	Before string
}

// LinkWindow is a LinkPage read: at most Limit links after After or
// before Before (nil: from the newest).
type LinkWindow struct {
	After  *LinkCursor
	Before *LinkCursor
	Limit  int
}

// window reads the page into a window of LinkPageSize links.
func (p LinkPage) window() (LinkWindow, error) {
	w := LinkWindow{Limit: LinkPageSize}
	if p.After != "" && p.Before != "" {
		return w, tipline.Errorf(tipline.Invalid, "Ask for the links after one link or before one, not both.")
	}
	for _, c := range []struct {
		text string
		into **LinkCursor
	}{{p.After, &w.After}, {p.Before, &w.Before}} {
		if c.text == "" {
			continue
		}
		cur, err := ParseLinkCursor(c.text)
		if err != nil {
			return w, err
		}
		*c.into = &cur
	}
	return w, nil
}

// LinkPages says where the pages next to Detail.Submissions start: Newer
// is the cursor to ask Before for the newer links, Older the one to ask
// After for the older ones; "" when there are none.
type LinkPages struct {
	Newer string `json:"newer,omitempty"`
	Older string `json:"older,omitempty"`
}
