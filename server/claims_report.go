package server

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"io/fs"

	"github.com/tipline/tipline/claims"
	"github.com/tipline/tipline/pdf"
	"github.com/tipline/tipline/static"
	"github.com/tipline/tipline/templates"
)

// The award report of a claim, drawn from the claims service's data: on the
// report page (casework_claim_report_page.html), and as a standalone
// document that headless Chromium prints to PDF, for the casework listener
// and for `tipline awards report`. Both use casework_claim_report.html.

// reportView is a claim's award report with its chart drawn.
type reportView struct {
	claims.Report
	Chart template.HTML // the collections and award range over time
}

func newReportView(r claims.Report) reportView {
	return reportView{Report: r, Chart: timelineSVG(r.Timeline)}
}

// reportDocument is the template of the printable report: a whole HTML
// document with its styles inline, since Chromium prints it from memory.
var reportDocument = template.Must(template.ParseFS(templates.FS, "casework_claim_report.html", "casework_claim_report_pdf.html"))

// ReportDocument renders an award report as a standalone HTML document for
// printing: styles inline, nothing to load.
func ReportDocument(r claims.Report) ([]byte, error) {
	var css bytes.Buffer
	for _, name := range []string{"css/tipline.css", "css/casework.css"} {
		b, err := fs.ReadFile(static.FS, name)
		if err != nil {
			return nil, fmt.Errorf("server: report styles: %w", err)
		}
		css.Write(b)
		css.WriteByte('\n')
	}
	var out bytes.Buffer
	err := reportDocument.ExecuteTemplate(&out, "document", struct {
		Report reportView
		CSS    template.CSS
	}{newReportView(r), template.CSS(css.String())})
	if err != nil {
		return nil, fmt.Errorf("server: render report: %w", err)
	}
	return out.Bytes(), nil
}

// ReportPrinter prints award reports to PDF (claims.Printer): the
// document of ReportDocument, printed by the headless Chromium at
// Chromium, or found on PATH when that is "".
type ReportPrinter struct {
	Chromium string
}

var _ claims.Printer = ReportPrinter{}

// Print implements claims.Printer.
func (p ReportPrinter) Print(ctx context.Context, r claims.Report) ([]byte, error) {
	html, err := ReportDocument(r)
	if err != nil {
		return nil, err
	}
	chromium, err := pdf.FindChromium(p.Chromium)
	if err != nil {
		return nil, err
	}
	return pdf.Print(ctx, chromium, html)
}
