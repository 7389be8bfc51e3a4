package graph

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/entities"
)

// MaxNodes is the most nodes Layout accepts. Pictures stay readable up to
// a few hundred; the limit only bounds the work one request can cause.
const MaxNodes = 2000

// Picture is a laid-out neighbourhood in pixel coordinates, with the
// legend band at the top. Its JSON form is the graph export.
type Picture struct {
	Center    string       `json:"center"`
	Width     float64      `json:"width"`
	Height    float64      `json:"height"`
	Truncated bool         `json:"truncated"` // the neighbourhood was cut at its node limit
	Nodes     []PlacedNode `json:"nodes"`     // the centre first, then by sector, kind and label
	Edges     []PlacedEdge `json:"edges"`     // by From, then To
}

// PlacedNode is a node with its box: X and Y are the top-left corner.
type PlacedNode struct {
	entities.Node
	X       float64 `json:"x"`
	Y       float64 `json:"y"`
	W       float64 `json:"w"`
	H       float64 `json:"h"`
	Text    string  `json:"text"`    // the label as drawn, cut with an ellipsis when long
	Caption string  `json:"caption"` // the second line: kind and flags
}

// PlacedEdge is an edge between the borders of its nodes' boxes. Edges
// between the same two nodes in the same direction are merged, their
// labels joined. LabelText is empty when the label did not fit; LabelX and
// LabelY are then zero.
type PlacedEdge struct {
	entities.Edge
	X1        float64 `json:"x1"`
	Y1        float64 `json:"y1"`
	X2        float64 `json:"x2"`
	Y2        float64 `json:"y2"`
	LabelText string  `json:"label_text,omitempty"`
	LabelX    float64 `json:"label_x,omitempty"` // centre of the drawn label
	LabelY    float64 `json:"label_y,omitempty"`
}

// Geometry, in pixels.
const (
	labelSize      = 12.0  // node label font size
	captionSize    = 10.0  // node caption font size
	centerSize     = 14.0  // centre label font size (bold)
	edgeLabelSize  = 10.0  // edge label font size
	maxLabelW      = 150.0 // widest node label
	maxCenterW     = 260.0 // widest centre label
	maxEdgeLabelW  = 110.0 // widest edge label
	padX           = 8.0   // text padding inside a box
	nodeH          = 36.0  // box height: label and caption
	centerH        = 44.0  // centre box height
	minNodeW       = 56.0
	gap            = 10.0 // clearance kept between boxes
	ringStep       = nodeH + gap
	centerClear    = 90.0 // room between the centre box and the first ring, for edge labels
	scanStep       = 3.0  // arc length between tried positions on a ring
	edgeLabelH     = 14.0
	margin         = 16.0
	legendH        = 40.0 // the legend band above the graph
	minSectorShare = 0.1  // smallest share of the circle a non-empty sector gets
)

// sectors lists the node kinds around the centre, clockwise from the left:
// submissions left, cases top, related entities right, screening bottom.
var sectors = []entities.NodeKind{entities.NodeSubmission, entities.NodeCase, entities.NodeEntity, entities.NodeScreening}

// box is an axis-aligned rectangle by its centre and half sizes.
type box struct{ cx, cy, hw, hh float64 }

func (a box) overlaps(b box, clearance float64) bool {
	return math.Abs(a.cx-b.cx) < a.hw+b.hw+clearance && math.Abs(a.cy-b.cy) < a.hh+b.hh+clearance
}

// Layout places a neighbourhood. It fails when the centre is missing, an
// id repeats, an edge names an unknown node or itself, a node's kind is
// unknown, or there are more than MaxNodes nodes (TooLarge).
func Layout(n entities.Neighbourhood) (*Picture, error) {
	if len(n.Nodes) > MaxNodes {
		return nil, tipline.Errorf(tipline.TooLarge, "This neighbourhood has more than %d nodes: too many to draw.", MaxNodes)
	}
	index := make(map[string]int, len(n.Nodes))
	for i, node := range n.Nodes {
		if _, dup := index[node.ID]; dup {
			return nil, fmt.Errorf("graph: node %q appears twice", node.ID)
		}
		if node.ID != n.Center && !slices.Contains(sectors, node.Kind) {
			return nil, fmt.Errorf("graph: node %q has unknown kind %q", node.ID, node.Kind)
		}
		index[node.ID] = i
	}
	if _, ok := index[n.Center]; !ok {
		return nil, fmt.Errorf("graph: centre %q is not a node", n.Center)
	}
	for _, e := range n.Edges {
		_, okFrom := index[e.From]
		_, okTo := index[e.To]
		if !okFrom || !okTo {
			return nil, fmt.Errorf("graph: edge %q -> %q names an unknown node", e.From, e.To)
		}
		if e.From == e.To {
			return nil, fmt.Errorf("graph: edge from %q to itself", e.From)
		}
	}

	p := &Picture{Center: n.Center, Truncated: n.Truncated}
	l := layouter{}
	center := sized(n.Nodes[index[n.Center]], true)
	l.place(center, 0, 0)
	p.Nodes = append(p.Nodes, center)

	bySector := make(map[entities.NodeKind][]PlacedNode)
	for _, node := range n.Nodes {
		if node.ID != n.Center {
			bySector[node.Kind] = append(bySector[node.Kind], sized(node, false))
		}
	}
	total := float64(len(n.Nodes) - 1)
	var weights []float64
	sum := 0.0
	for _, k := range sectors {
		w := 0.0
		if c := len(bySector[k]); c > 0 {
			w = max(float64(c), minSectorShare*total)
		}
		weights = append(weights, w)
		sum += w
	}
	l.center = box{0, 0, center.W / 2, center.H / 2}
	bounds := l.sectorBounds(weights)
	for i, k := range sectors {
		if weights[i] == 0 {
			continue
		}
		nodes := bySector[k]
		slices.SortFunc(nodes, func(a, b PlacedNode) int {
			return cmp.Or(cmp.Compare(a.EntityKind, b.EntityKind), cmp.Compare(a.Label, b.Label), cmp.Compare(a.ID, b.ID))
		})
		ring := 0
		for _, node := range nodes {
			ring = l.placeInSector(node, bounds[i], bounds[i+1], ring)
		}
		p.Nodes = append(p.Nodes, nodes...)
	}
	for i := range p.Nodes {
		b := l.boxes[i]
		p.Nodes[i].X, p.Nodes[i].Y = b.cx-b.hw, b.cy-b.hh
	}
	p.Edges = l.edges(p.Nodes, n.Edges)
	p.frame()
	return p, nil
}

// sized fills a node's drawn text, caption and box size.
func sized(n entities.Node, center bool) PlacedNode {
	p := PlacedNode{Node: n}
	label := clean(n.Label)
	if label == "" {
		label = "(no name)"
	}
	p.Caption = caption(n)
	if center {
		p.Text, _ = truncate(label, centerSize*1.1, maxCenterW)
		p.W = max(textWidth(p.Text, centerSize*1.1), textWidth(p.Caption, captionSize)) + 2*padX
		p.H = centerH
	} else {
		p.Text, _ = truncate(label, labelSize, maxLabelW)
		p.Caption, _ = truncate(p.Caption, captionSize, maxLabelW)
		p.W = max(textWidth(p.Text, labelSize), textWidth(p.Caption, captionSize)) + 2*padX
		p.H = nodeH
	}
	p.W = math.Ceil(max(p.W, minNodeW))
	return p
}

// caption is a node's second line: what it is, then its flags in words.
func caption(n entities.Node) string {
	parts := []string{string(n.Kind)}
	switch {
	case n.Kind == entities.NodeEntity && n.EntityKind != "":
		parts[0] = string(n.EntityKind)
	case n.Kind == entities.NodeScreening:
		parts[0] = "screening list"
	}
	for _, f := range n.Flags {
		switch f {
		case entities.FlagScreened:
			parts = append(parts, "listed")
		case entities.FlagOpenCase:
			if n.Kind == entities.NodeCase {
				parts[0] = "open case"
			} else {
				parts = append(parts, "open case")
			}
		}
	}
	return clean(strings.Join(parts, " · "))
}

// layouter holds the boxes placed so far, parallel to the picture's
// nodes, and a grid of square cells that lists the boxes each cell
// touches, so that a collision check looks only at the boxes near it.
type layouter struct {
	center box
	boxes  []box
	grid   map[cell][]int // indexes into boxes
}

// cell is a square of the layout grid, by its column and row.
type cell struct{ x, y int }

// cellSize is the side of a grid cell: about a typical box, so a box
// touches a few cells and a cell holds a few boxes.
const cellSize = 64.0

// cells calls f for every cell that b, grown by clearance, touches.
func cells(b box, clearance float64, f func(cell) bool) {
	x0, x1 := int(math.Floor((b.cx-b.hw-clearance)/cellSize)), int(math.Floor((b.cx+b.hw+clearance)/cellSize))
	y0, y1 := int(math.Floor((b.cy-b.hh-clearance)/cellSize)), int(math.Floor((b.cy+b.hh+clearance)/cellSize))
	for x := x0; x <= x1; x++ {
		for y := y0; y <= y1; y++ {
			if !f(cell{x, y}) {
				return
			}
		}
	}
}

// Rings are rounded rectangles around the centre box: ring k holds the
// boxes whose gap to the centre box is centerClear + k·ringStep. onRing
// returns the centre of a box of half sizes hw, hh on ring k in direction
// theta.
func (l *layouter) onRing(theta, hw, hh float64, k int) (float64, float64) {
	d := centerClear + float64(k)*ringStep
	t := math.Min((l.center.hw+hw+d)/math.Abs(math.Cos(theta)), (l.center.hh+hh+d)/math.Abs(math.Sin(theta)))
	return t * math.Cos(theta), t * math.Sin(theta)
}

// sectorBounds divides the circle among the sectors in proportion to
// their weights, measured in room for boxes rather than in angle: boxes
// stack by their height at the sides but sit side by side, by their
// width, above and below the centre. The first non-empty sector is
// centred on the left. It returns len(weights)+1 increasing angles;
// sector i spans bounds[i] to bounds[i+1].
func (l *layouter) sectorBounds(weights []float64) []float64 {
	const steps = 1440
	// A typical box on a typical ring.
	hw, hh := (maxLabelW/2+padX+minNodeW/2)/2, nodeH/2
	d := centerClear + 2*ringStep
	a, b := l.center.hw+hw+d, l.center.hh+hh+d
	room := func(theta float64) float64 {
		c, s := math.Abs(math.Cos(theta)), math.Abs(math.Sin(theta))
		if a*s <= b*c { // on a vertical side: boxes stack by height
			return a / (c * c) / (2*hh + gap)
		}
		return b / (s * s) / (2*hw + gap)
	}
	cum := make([]float64, steps+1)
	dt := 2 * math.Pi / steps
	for i := range steps {
		cum[i+1] = cum[i] + room((float64(i)+0.5)*dt)*dt
	}
	total := cum[steps]
	angle := func(c float64) float64 { // the inverse of cum, unwrapped
		turns := math.Floor(c / total)
		c -= turns * total
		i, _ := slices.BinarySearch(cum, c)
		i = max(i, 1)
		frac := (c - cum[i-1]) / (cum[i] - cum[i-1])
		return (float64(i-1)+frac)*dt + turns*2*math.Pi
	}
	sum := 0.0
	for _, w := range weights {
		sum += w
	}
	first := slices.IndexFunc(weights, func(w float64) bool { return w > 0 })
	if first < 0 {
		return make([]float64, len(weights)+1) // nothing but the centre
	}
	c := cum[steps/2] - weights[first]/sum*total/2 // the first sector centred on θ = π
	bounds := make([]float64, 0, len(weights)+1)
	for _, w := range weights {
		bounds = append(bounds, angle(c))
		c += w / sum * total
	}
	bounds = append(bounds, angle(c))
	// Unwrapping keeps each bound at or after the one before.
	for i := 1; i < len(bounds); i++ {
		for bounds[i] < bounds[i-1] {
			bounds[i] += 2 * math.Pi
		}
	}
	return bounds
}

func (l *layouter) place(n PlacedNode, cx, cy float64) {
	b := box{cx, cy, n.W / 2, n.H / 2}
	if l.grid == nil {
		l.grid = make(map[cell][]int)
	}
	cells(b, 0, func(c cell) bool {
		l.grid[c] = append(l.grid[c], len(l.boxes))
		return true
	})
	l.boxes = append(l.boxes, b)
}

// free reports whether b keeps the clearance from every placed box. Two
// boxes that overlap with clearance share a cell of b grown by clearance,
// so only the boxes listed in those cells are compared.
func (l *layouter) free(b box, clearance float64) bool {
	ok := true
	cells(b, clearance, func(c cell) bool {
		for _, i := range l.grid[c] {
			if b.overlaps(l.boxes[i], clearance) {
				ok = false
				return false
			}
		}
		return true
	})
	return ok
}

// placeInSector puts n on the innermost ring, from ring on, that has room
// for it between angles a0 and a1, at the free angle closest to the
// sector's middle, and returns the ring used. Rings grow outward until one
// has room, which always happens: an outer ring's length grows without
// bound.
func (l *layouter) placeInSector(n PlacedNode, a0, a1 float64, ring int) int {
	mid := (a0 + a1) / 2
	hw, hh := n.W/2, n.H/2
	for ; ; ring++ {
		dist := centerClear + float64(ring)*ringStep
		step := scanStep / math.Hypot(l.center.hw+hw+dist, l.center.hh+hh+dist)
		for j := 0; ; j++ {
			d := float64((j+1)/2) * step
			if j%2 == 1 {
				d = -d
			}
			if math.Abs(d) > (a1-a0)/2 {
				break
			}
			cx, cy := l.onRing(mid+d, hw, hh, ring)
			if b := (box{cx, cy, hw, hh}); l.free(b, gap) {
				l.place(n, cx, cy)
				return ring
			}
		}
	}
}

// edges merges parallel edges, clips each to its nodes' boxes and places
// its label where it overlaps no box and no other label.
func (l *layouter) edges(nodes []PlacedNode, in []entities.Edge) []PlacedEdge {
	at := make(map[string]int, len(nodes))
	for i, n := range nodes {
		at[n.ID] = i
	}
	type pair struct{ from, to string }
	labels := make(map[pair][]string)
	var order []pair
	for _, e := range in {
		k := pair{e.From, e.To}
		if _, seen := labels[k]; !seen {
			order = append(order, k)
			labels[k] = nil
		}
		if lb := clean(e.Label); lb != "" && !slices.Contains(labels[k], lb) {
			labels[k] = append(labels[k], lb)
		}
	}
	slices.SortFunc(order, func(a, b pair) int { return cmp.Or(cmp.Compare(a.from, b.from), cmp.Compare(a.to, b.to)) })
	var placed []box
	out := make([]PlacedEdge, 0, len(order))
	for _, k := range order {
		lbs := labels[k]
		slices.Sort(lbs)
		e := PlacedEdge{Edge: entities.Edge{From: k.from, To: k.to, Label: strings.Join(lbs, ", ")}}
		a, b := l.boxes[at[k.from]], l.boxes[at[k.to]]
		e.X1, e.Y1 = clip(a, b.cx-a.cx, b.cy-a.cy)
		e.X2, e.Y2 = clip(b, a.cx-b.cx, a.cy-b.cy)
		if e.Label != "" {
			// Roles and relations are identifiers (freight_forwarder);
			// the picture says them in words.
			text, _ := truncate(strings.ReplaceAll(e.Label, "_", " "), edgeLabelSize, maxEdgeLabelW)
			hw := textWidth(text, edgeLabelSize)/2 + 3
			for _, t := range []float64{0.5, 0.35, 0.65, 0.2, 0.8} {
				lb := box{e.X1 + t*(e.X2-e.X1), e.Y1 + t*(e.Y2-e.Y1), hw, edgeLabelH / 2}
				if !l.free(lb, 2) || slices.ContainsFunc(placed, func(o box) bool { return lb.overlaps(o, 2) }) {
					continue
				}
				placed = append(placed, lb)
				e.LabelText, e.LabelX, e.LabelY = text, lb.cx, lb.cy
				break
			}
		}
		out = append(out, e)
	}
	return out
}

// clip returns where the ray from b's centre in direction (dx, dy) leaves b.
func clip(b box, dx, dy float64) (float64, float64) {
	t := math.Inf(1)
	if dx != 0 {
		t = b.hw / math.Abs(dx)
	}
	if dy != 0 {
		t = math.Min(t, b.hh/math.Abs(dy))
	}
	if math.IsInf(t, 1) {
		return b.cx, b.cy
	}
	return b.cx + t*dx, b.cy + t*dy
}

// frame moves everything so the picture starts at the margin below the
// legend band, sets the size, and rounds coordinates to a tenth of a
// pixel so that the SVG and the JSON agree exactly.
func (p *Picture) frame() {
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	grow := func(x0, y0, x1, y1 float64) {
		minX, minY, maxX, maxY = math.Min(minX, x0), math.Min(minY, y0), math.Max(maxX, x1), math.Max(maxY, y1)
	}
	for _, n := range p.Nodes {
		grow(n.X, n.Y, n.X+n.W, n.Y+n.H)
	}
	for _, e := range p.Edges {
		if e.LabelText != "" {
			hw := textWidth(e.LabelText, edgeLabelSize)/2 + 3
			grow(e.LabelX-hw, e.LabelY-edgeLabelH/2, e.LabelX+hw, e.LabelY+edgeLabelH/2)
		}
	}
	dx, dy := margin-minX, margin+legendH-minY
	p.Width = math.Ceil(max(maxX-minX+2*margin, legendWidth(p)+2*margin))
	p.Height = math.Ceil(maxY - minY + 2*margin + legendH)
	for i := range p.Nodes {
		n := &p.Nodes[i]
		n.X, n.Y = round(n.X+dx), round(n.Y+dy)
	}
	for i := range p.Edges {
		e := &p.Edges[i]
		e.X1, e.Y1, e.X2, e.Y2 = round(e.X1+dx), round(e.Y1+dy), round(e.X2+dx), round(e.Y2+dy)
		if e.LabelText != "" {
			e.LabelX, e.LabelY = round(e.LabelX+dx), round(e.LabelY+dy)
		}
	}
}

func round(v float64) float64 { return math.Round(v*10) / 10 }
