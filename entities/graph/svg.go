package graph

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/tipline/tipline/entities"
)

// style is how a kind of node is drawn. Strokes are darkened Okabe–Ito
// hues, fills light tints of them; shapes differ too, so kinds stay apart
// without colour.
type style struct {
	fill, stroke string
	width, rx    float64
	dash         string
	double       bool // a second, inner outline
}

var (
	centerStyle = style{fill: "#FFFFFF", stroke: "#111111", width: 3, rx: 6}
	styles      = map[entities.NodeKind]style{
		entities.NodeSubmission: {fill: "#FBE8C2", stroke: "#8F5F00", width: 1.5},
		entities.NodeCase:       {fill: "#CDEDE2", stroke: "#006B4F", width: 1.5, rx: 3, double: true},
		entities.NodeEntity:     {fill: "#D3E6F3", stroke: "#005A8C", width: 1.5, rx: 12},
		entities.NodeScreening:  {fill: "#F8DDCC", stroke: "#B34700", width: 1.5, dash: "5 3"},
	}
	kindNames = map[entities.NodeKind]string{
		entities.NodeSubmission: "Submission",
		entities.NodeCase:       "Case",
		entities.NodeEntity:     "Related entity",
		entities.NodeScreening:  "Screening-list party",
	}
)

const (
	flagColour = "#D55E00" // the badge of an entity on a screening list
	edgeColour = "#555555"
	fonts      = "DejaVu Sans, Noto Sans, Noto Sans CJK SC, sans-serif"
	swatchW    = 26.0
	swatchH    = 16.0
)

// legendItem is one entry of the legend: a swatch drawn by draw, then text.
type legendItem struct {
	text string
	draw func(w *svgWriter, x, y float64)
}

// legend lists the centre, each kind present, the screening badge when a
// node carries it, the edge arrow, and a note when the graph was cut.
func legend(p *Picture) []legendItem {
	items := []legendItem{{"Centre", func(w *svgWriter, x, y float64) { w.rect(x, y, swatchW, swatchH, centerStyle) }}}
	for _, k := range sectors {
		if slices.ContainsFunc(p.Nodes[1:], func(n PlacedNode) bool { return n.Kind == k }) {
			s := styles[k]
			items = append(items, legendItem{kindNames[k], func(w *svgWriter, x, y float64) { w.rect(x, y, swatchW, swatchH, s) }})
		}
	}
	if slices.ContainsFunc(p.Nodes, func(n PlacedNode) bool { return slices.Contains(n.Flags, entities.FlagScreened) }) {
		items = append(items, legendItem{"On a screening list", func(w *svgWriter, x, y float64) { w.badge(x+swatchW/2, y+1) }})
	}
	items = append(items, legendItem{"Role or relation", func(w *svgWriter, x, y float64) {
		w.printf(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="1.2" marker-end="url(#arrow)"/>`,
			num(x), num(y+swatchH/2), num(x+swatchW), num(y+swatchH/2), edgeColour)
	}})
	if p.Truncated {
		items = append(items, legendItem{"Cut at the node limit", nil})
	}
	return items
}

// legendWidth is the width the legend needs, margins excluded.
func legendWidth(p *Picture) float64 {
	w := 0.0
	for _, it := range legend(p) {
		w += legendItemWidth(it)
	}
	return w
}

func legendItemWidth(it legendItem) float64 {
	w := textWidth(it.text, labelSize) + 18
	if it.draw != nil {
		w += swatchW + 6
	}
	return w
}

// WriteSVG writes the picture as a standalone SVG document: no script, no
// style sheet, no external reference, every label escaped.
func (p *Picture) WriteSVG(out io.Writer) error {
	return p.write(out, nil)
}

// WriteInlineSVG writes the picture as an <svg> element for an HTML page:
// each node whose href is not "" is a link to it, and a label cut short
// has its full text in a second <text> of class "node-full", which the
// page's style sheet shows on hover and focus instead of the cut one.
func (p *Picture) WriteInlineSVG(out io.Writer, href func(nodeID string) string) error {
	return p.write(out, href)
}

// write writes the picture: standalone when href is nil, inline otherwise.
func (p *Picture) write(out io.Writer, href func(nodeID string) string) error {
	w := &svgWriter{b: bufio.NewWriter(out)}
	labels := make(map[string]string, len(p.Nodes))
	for _, n := range p.Nodes {
		labels[n.ID] = clean(n.Label)
	}
	role := `role="img" aria-labelledby="graph-title"`
	if href == nil {
		w.printf(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	} else {
		role = `role="group" aria-labelledby="graph-title" class="cw-graph-svg"`
	}
	w.printf(`<svg xmlns="http://www.w3.org/2000/svg" width="%s" height="%s" viewBox="0 0 %s %s" %s font-family="%s">`+"\n",
		num(p.Width), num(p.Height), num(p.Width), num(p.Height), role, fonts)
	w.printf(`<title id="graph-title">Neighbourhood of %s: %d nodes, %d connections</title>`+"\n", esc(labels[p.Center]), len(p.Nodes), len(p.Edges))
	w.printf(`<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="%s"/></marker></defs>`+"\n", edgeColour)
	w.printf(`<rect width="100%%" height="100%%" fill="#FFFFFF"/>` + "\n")

	w.printf(`<g class="legend" font-size="%s" fill="#111111">`+"\n", num(labelSize))
	x := margin
	for _, it := range legend(p) {
		tx := x
		if it.draw != nil {
			it.draw(w, x, margin-4)
			tx += swatchW + 6
		}
		w.printf(`<text x="%s" y="%s" dy="0.35em">%s</text>`+"\n", num(tx), num(margin-4+swatchH/2), esc(it.text))
		x += legendItemWidth(it)
	}
	w.printf("</g>\n")

	w.printf(`<g class="edges" stroke="%s" stroke-width="1" fill="none">`+"\n", edgeColour)
	for _, e := range p.Edges {
		title := labels[e.From] + " → " + labels[e.To]
		if e.Label != "" {
			title += ": " + e.Label
		}
		dash := ""
		if strings.HasPrefix(e.To, string(entities.NodeScreening)+":") || strings.HasPrefix(e.From, string(entities.NodeScreening)+":") {
			dash = ` stroke-dasharray="4 3"`
		}
		w.printf(`<g class="edge" data-from="%s" data-to="%s"><title>%s</title><line x1="%s" y1="%s" x2="%s" y2="%s"%s marker-end="url(#arrow)"/></g>`+"\n",
			esc(e.From), esc(e.To), esc(title), num(e.X1), num(e.Y1), num(e.X2), num(e.Y2), dash)
	}
	w.printf("</g>\n")

	w.printf(`<g class="edge-labels" font-size="%s" text-anchor="middle">`+"\n", num(edgeLabelSize))
	for _, e := range p.Edges {
		if e.LabelText == "" {
			continue
		}
		hw := textWidth(e.LabelText, edgeLabelSize)/2 + 3
		w.printf(`<g><title>%s</title><rect x="%s" y="%s" width="%s" height="%s" fill="#FFFFFF" fill-opacity="0.85"/><text x="%s" y="%s" dy="0.35em" fill="#333333">%s</text></g>`+"\n",
			esc(e.Label), num(round(e.LabelX-hw)), num(round(e.LabelY-edgeLabelH/2)), num(round(2*hw)), num(edgeLabelH),
			num(e.LabelX), num(e.LabelY), esc(e.LabelText))
	}
	w.printf("</g>\n")

	w.printf(`<g class="nodes" text-anchor="middle" fill="#111111">` + "\n")
	for i, n := range p.Nodes {
		s, size, weight := styles[n.Kind], labelSize, ""
		if i == 0 {
			s, size, weight = centerStyle, centerSize, ` font-weight="bold"`
		}
		link := ""
		if href != nil {
			link = href(n.ID)
		}
		if link != "" {
			w.printf(`<a href="%s">`, esc(link))
		}
		w.printf(`<g class="node node-%s" data-id="%s"><title>%s</title>`, esc(string(n.Kind)), esc(n.ID), esc(labels[n.ID]+" ("+n.Caption+")"))
		w.rect(n.X, n.Y, n.W, n.H, s)
		cx := round(n.X + n.W/2)
		cut := ""
		if href != nil && n.Text != labels[n.ID] {
			cut = ` class="node-cut"`
		}
		w.printf(`<text x="%s" y="%s" font-size="%s"%s%s>%s</text>`, num(cx), num(round(n.Y+n.H*0.42)), num(size), weight, cut, esc(n.Text))
		if cut != "" {
			w.printf(`<text class="node-full" x="%s" y="%s" font-size="%s"%s stroke="#FFFFFF" stroke-width="4" paint-order="stroke">%s</text>`,
				num(cx), num(round(n.Y+n.H*0.42)), num(size), weight, esc(labels[n.ID]))
		}
		w.printf(`<text x="%s" y="%s" font-size="%s" fill="#444444">%s</text>`, num(cx), num(round(n.Y+n.H-6)), num(captionSize), esc(n.Caption))
		if slices.Contains(n.Flags, entities.FlagScreened) {
			w.badge(n.X+n.W-4, n.Y-6)
		}
		w.printf("</g>")
		if link != "" {
			w.printf("</a>")
		}
		w.printf("\n")
	}
	w.printf("</g>\n</svg>\n")
	if w.err != nil {
		return fmt.Errorf("graph: write svg: %w", w.err)
	}
	return w.b.Flush()
}

// svgWriter writes SVG, keeping the first error.
type svgWriter struct {
	b   *bufio.Writer
	err error
}

func (w *svgWriter) printf(format string, args ...any) {
	if w.err == nil {
		_, w.err = fmt.Fprintf(w.b, format, args...)
	}
}

// rect draws a node box in a style.
func (w *svgWriter) rect(x, y, width, height float64, s style) {
	dash := ""
	if s.dash != "" {
		dash = ` stroke-dasharray="` + s.dash + `"`
	}
	w.printf(`<rect x="%s" y="%s" width="%s" height="%s" rx="%s" fill="%s" stroke="%s" stroke-width="%s"%s/>`,
		num(x), num(y), num(width), num(height), num(s.rx), s.fill, s.stroke, num(s.width), dash)
	if s.double {
		w.printf(`<rect x="%s" y="%s" width="%s" height="%s" rx="%s" fill="none" stroke="%s" stroke-width="1"/>`,
			num(round(x+3)), num(round(y+3)), num(round(width-6)), num(round(height-6)), num(max(s.rx-2, 0)), s.stroke)
	}
}

// badge draws the screening mark, a triangle with "!", its top at (x, y).
func (w *svgWriter) badge(x, y float64) {
	w.printf(`<path d="M%s,%sl7,13h-14z" fill="%s" stroke="#FFFFFF" stroke-width="1"/><text x="%s" y="%s" font-size="9" font-weight="bold" text-anchor="middle" fill="#FFFFFF">!</text>`,
		num(x), num(y), flagColour, num(x), num(round(y+11.5)))
}

// esc escapes text for XML character data and attribute values. Characters
// XML cannot hold become U+FFFD.
func esc(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s)) // a strings.Builder never fails
	return b.String()
}

func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
