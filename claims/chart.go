package claims

// Charts are data here: what a chart shows, in series, values and labels.
// Package server draws them (as SVG, in its colours) on the pages and in
// the printed report.

// Series names what a bar of a chart measures; whoever draws the chart
// picks how each series looks.
type Series string

// The series of the dashboard's charts.
const (
	SeriesOrdered      Series = "ordered"       // sanctions ordered
	SeriesCollected    Series = "collected"     // money collected, net of reversals
	SeriesAwardMax     Series = "award_max"     // the award maximum on amounts collected
	SeriesProjectedMax Series = "projected_max" // the award maximum if everything ordered were collected
	SeriesClaims       Series = "claims"        // a number of claims
)

// Bar is one bar of a bar chart.
type Bar struct {
	Label  string
	Series Series
	Value  int64 // cents, or a count in a chart of counts
}

// BarGroup is a labelled group of bars.
type BarGroup struct {
	Label string
	Bars  []Bar
}

// BarChart is groups of bars: money in cents, or counts.
type BarChart struct {
	Title  string // what the chart shows, in words
	Count  bool   // the values are counts, not cents
	Groups []BarGroup
}
