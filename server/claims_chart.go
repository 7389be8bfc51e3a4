package server

import (
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/tipline/tipline/awards"
	"github.com/tipline/tipline/claims"
)

// The award charts, drawn from the claims service's chart data as SVG
// with presentation attributes only (no script, no style attribute, no
// other origin), so they pass the casework CSP and print to PDF as they
// show.

const (
	chartW, chartH         = 640, 260
	padL, padR, padT, padB = 90, 20, 20, 40
)

// seriesColor is the fill of each series of bars.
var seriesColor = map[claims.Series]string{
	claims.SeriesOrdered:      "#9aa198",
	claims.SeriesCollected:    "#1d3557",
	claims.SeriesAwardMax:     "#2d6a4f",
	claims.SeriesProjectedMax: "#b7d7c2",
	claims.SeriesClaims:       "#457b9d",
}

// esc escapes text for SVG.
func esc(s string) string { return template.HTMLEscapeString(s) }

// dollars formats an axis label in whole dollars.
func dollars(c awards.Cents) string {
	s := (c / 100 * 100).USD()
	return strings.TrimSuffix(s, ".00")
}

// timelineSVG draws the money collected to date (a step line) and the
// award range it supports (a band, in steps too) over the days of a
// claim's ledger (claims.Report.Timeline); a point repeating the one
// before it carries the state on.
func timelineSVG(points []claims.Point) template.HTML {
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="Collections and award range over time">`, chartW, chartH, chartW, chartH)
	if len(points) == 0 {
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="14" fill="#555">Nothing collected yet.</text></svg>`, padL, chartH/2)
		return template.HTML(b.String())
	}
	first, _ := time.Parse(time.DateOnly, points[0].Day)
	last, _ := time.Parse(time.DateOnly, points[len(points)-1].Day)
	span := max(last.Sub(first).Hours()/24, 1)
	var top awards.Cents = 1
	for _, p := range points {
		top = max(top, p.Collected, p.Max)
	}
	plotW, plotH := float64(chartW-padL-padR), float64(chartH-padT-padB)
	x := func(day string) float64 {
		t, _ := time.Parse(time.DateOnly, day)
		if len(points) == 1 {
			return padL + plotW/2
		}
		return padL + plotW*(t.Sub(first).Hours()/24)/span
	}
	y := func(c awards.Cents) float64 { return padT + plotH*(1-float64(c)/float64(top)) }
	// Axes and gridlines at 0, ½ and the top.
	for _, frac := range []float64{0, 0.5, 1} {
		v := awards.Cents(float64(top) * frac)
		fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#d6d9d2"/>`, padL, y(v), chartW-padR, y(v))
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" font-size="11" text-anchor="end" fill="#333">%s</text>`, padL-6, y(v)+4, esc(dollars(v)))
	}
	// The award range band, a step at each change like the money.
	var upper, lower []string
	for i, p := range points {
		if i > 0 {
			upper = append(upper, fmt.Sprintf("%.1f,%.1f", x(p.Day), y(points[i-1].Max)))
		}
		upper = append(upper, fmt.Sprintf("%.1f,%.1f", x(p.Day), y(p.Max)))
	}
	for i := len(points) - 1; i >= 0; i-- {
		lower = append(lower, fmt.Sprintf("%.1f,%.1f", x(points[i].Day), y(points[i].Min)))
		if i > 0 {
			lower = append(lower, fmt.Sprintf("%.1f,%.1f", x(points[i].Day), y(points[i-1].Min)))
		}
	}
	fmt.Fprintf(&b, `<polygon points="%s %s" fill="#b7d7c2" fill-opacity="0.7" stroke="#2d6a4f"><title>Award range</title></polygon>`, strings.Join(upper, " "), strings.Join(lower, " "))
	// Collected to date: a step line.
	var steps []string
	for i, p := range points {
		if i > 0 {
			steps = append(steps, fmt.Sprintf("%.1f,%.1f", x(p.Day), y(points[i-1].Collected)))
		}
		steps = append(steps, fmt.Sprintf("%.1f,%.1f", x(p.Day), y(p.Collected)))
	}
	fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="#1d3557" stroke-width="2"><title>Collected</title></polyline>`, strings.Join(steps, " "))
	for _, p := range points {
		fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3" fill="#1d3557"><title>%s: %s collected; award %s–%s</title></circle>`,
			x(p.Day), y(p.Collected), esc(p.Day), esc(p.Collected.USD()), esc(p.Min.USD()), esc(p.Max.USD()))
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="11" fill="#333">%s</text>`, padL, chartH-padB+16, esc(points[0].Day))
	if len(points) > 1 {
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="11" text-anchor="end" fill="#333">%s</text>`, chartW-padR, chartH-padB+16, esc(points[len(points)-1].Day))
	}
	fmt.Fprintf(&b, `<rect x="%d" y="%d" width="12" height="8" fill="#b7d7c2" stroke="#2d6a4f"/><text x="%d" y="%d" font-size="11" fill="#333">award range</text>`, padL, chartH-12, padL+16, chartH-4)
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#1d3557" stroke-width="2"/><text x="%d" y="%d" font-size="11" fill="#333">collected to date</text>`, padL+110, chartH-8, padL+126, chartH-8, padL+130, chartH-4)
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// barsSVG draws a chart's groups of horizontal bars; money in dollars
// unless the chart counts.
func barsSVG(chart claims.BarChart) template.HTML {
	label, groups, count := chart.Title, chart.Groups, chart.Count
	rowH, groupGap := 18, 14
	h := padT + 10
	for _, g := range groups {
		h += len(g.Bars)*rowH + groupGap + 14
	}
	h = max(h, 60)
	var top int64 = 1
	for _, g := range groups {
		for _, bar := range g.Bars {
			top = max(top, bar.Value)
		}
	}
	labelW, plotW := 170, chartW-170-padR-130
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="%s">`, chartW, h, chartW, h, esc(label))
	if len(groups) == 0 {
		fmt.Fprintf(&b, `<text x="10" y="30" font-size="14" fill="#555">No claims yet.</text></svg>`)
		return template.HTML(b.String())
	}
	yy := padT
	for _, g := range groups {
		fmt.Fprintf(&b, `<text x="4" y="%d" font-size="12" font-weight="bold" fill="#222">%s</text>`, yy+10, esc(g.Label))
		yy += 14
		for _, bar := range g.Bars {
			w := float64(plotW) * float64(bar.Value) / float64(top)
			value := fmt.Sprint(bar.Value)
			if !count {
				value = awards.Cents(bar.Value).USD()
			}
			fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="11" text-anchor="end" fill="#333">%s</text>`, labelW-6, yy+12, esc(bar.Label))
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"><title>%s: %s</title></rect>`, labelW, yy+2, w, rowH-5, esc(seriesColor[bar.Series]), esc(bar.Label), esc(value))
			fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="11" fill="#333">%s</text>`, float64(labelW)+w+4, yy+12, esc(value))
			yy += rowH
		}
		yy += groupGap
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
