package intake

import "github.com/tipline/tipline"

// Limits of one submission sent as a plain form (no JavaScript). They bound
// what a single request can make the server do: a form with thousands of
// tiny files would otherwise cost thousands of encryptions, blobs and rows.
var (
	// ErrTooManyFiles refuses a submission with more than
	// MaxSubmissionFiles files, on both paths (TooLarge).
	ErrTooManyFiles = tipline.Errorf(tipline.TooLarge,
		"A tip can have at most %d files; you can add more later with your codename.", MaxSubmissionFiles)
	// ErrTooManyParts refuses a form with more parts than its questionnaire
	// can produce (see Questionnaire.MaxFormParts) (TooLarge).
	ErrTooManyParts = tipline.Errorf(tipline.TooLarge, "The form has more parts than this questionnaire asks for.")
)

// formPartsMargin is room for the form's own hidden fields (lang) and for
// browsers that send a part more than expected.
const formPartsMargin = 10

// MaxFormParts returns the most parts a browser sends for q's form, however
// it is filled in: one per text, date, number, country or single-choice
// field, one per option of a multiple-choice field, four per row of a party
// field, MaxSubmissionFiles for the files field, and a small margin.
func (q *Questionnaire) MaxFormParts() int {
	n := formPartsMargin
	for _, f := range q.Fields {
		switch f.Type {
		case MultipleChoice:
			n += len(f.Options)
		case Party:
			n += 4 * f.RowCount() // name, role, country, identifiers
		case Files:
			n += MaxSubmissionFiles
		default:
			n++
		}
	}
	return n
}
