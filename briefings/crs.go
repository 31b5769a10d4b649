package briefings

import (
	"bytes"
	"regexp"
	"strings"
	"time"
)

// crsMeta is what the header of a Congressional Research Service page
// tells us. Those pages come wrapped in site cruft (navigation links, a
// products table, PDF version lists, a "Listen" link, a disclaimer) that
// must not become briefing text; stripCRS blanks it out.
type crsMeta struct {
	ReportNo string
	Source   string
	Date     time.Time
}

var (
	crsHeaderRE  = regexp.MustCompile(`^\*\*([^*]+?):\*\*\s*(.*?)\s*$`)
	crsPubDateRE = regexp.MustCompile(`\*\*Publication Date:\*\*\s*\|?\s*(\d{1,2}/\d{1,2}/\d{4})`)
)

// crsSkipHeadings are navigation headings of CRS reports whose sections
// hold link lists and footnotes rather than text.
var crsSkipHeadings = map[string]bool{
	"contents": true, "table of contents": true, "figures": true, "tables": true,
	"appendixes": true, "footnotes": true, "crs product library of congress": true,
	"jump to main text of report": true,
}

// mayBeCRS tells cheaply whether stripCRS could recognise a file: one of
// its first 15 lines starts with the "**Report No.:**" header.
func mayBeCRS(data []byte) bool {
	marker := []byte("**Report No.:**")
	if !bytes.Contains(data, marker) {
		return false // most files: one fast scan
	}
	for i := 0; i < 15 && len(data) > 0; i++ {
		if bytes.HasPrefix(data, marker) {
			return true
		}
		j := bytes.IndexByte(data, '\n')
		if j < 0 {
			break
		}
		data = data[j+1:]
	}
	return false
}

// stripCRS recognises a CRS page by its "**Report No.:**" header and
// replaces the cruft lines with empty lines, so that line numbers of the
// remaining text stay true. lines is modified in place.
func stripCRS(lines []string) (crsMeta, bool) {
	var meta crsMeta
	isCRS := false
	for i := 0; i < len(lines) && i < 15; i++ {
		if strings.HasPrefix(lines[i], "**Report No.:**") {
			isCRS = true
			break
		}
	}
	if !isCRS {
		return meta, false
	}
	listen := -1
	for i, l := range lines {
		if m := crsHeaderRE.FindStringSubmatch(strings.TrimSpace(l)); m != nil && listen < 0 {
			switch m[1] {
			case "Report No.":
				meta.ReportNo = m[2]
			case "Source":
				meta.Source = m[2]
			}
		}
		if meta.Date.IsZero() {
			if m := crsPubDateRE.FindStringSubmatch(l); m != nil {
				if t, err := time.Parse("01/02/2006", m[1]); err == nil {
					meta.Date = t
				}
			}
		}
		if strings.HasPrefix(l, "[Listen](") {
			listen = i
			break
		}
	}
	// Everything up to the "Listen" line is header, navigation, products
	// table and version list; the first line (the "# Title") is kept.
	end := listen
	if end < 0 {
		// No "Listen" line: blank up to the end of the products table.
		for i, l := range lines {
			if strings.HasPrefix(l, "[Download PDF") || strings.HasPrefix(l, "| **") || strings.HasPrefix(l, "- [") {
				end = i
			} else if end >= 0 && strings.TrimSpace(l) != "" {
				break
			}
		}
	}
	for i := 1; i <= end && i < len(lines); i++ {
		lines[i] = ""
	}
	// Reports repeat "Title Month D, YYYY (R48903)" after the Listen line,
	// on one line or as the title and an "Updated …" line under it.
	if meta.ReportNo != "" {
		var seen []int
		for i := end + 1; i >= 1 && i < len(lines) && len(seen) < 2; i++ {
			t := strings.TrimSpace(lines[i])
			if t == "" {
				continue
			}
			seen = append(seen, i)
			if strings.HasSuffix(t, "("+meta.ReportNo+")") {
				for _, j := range seen {
					lines[j] = ""
				}
				break
			}
		}
	}
	for i, l := range lines {
		if strings.TrimSpace(l) == "Disclaimer:" {
			for j := i; j < len(lines); j++ {
				lines[j] = ""
			}
			break
		}
	}
	return meta, true
}

var figureRE = regexp.MustCompile(`^\|\s*(Figure|Table)\s+[A-Z]?-?\d+\.`)

// isFigurePlaceholder matches CRS figure and table captions that stand in
// for images ("| Figure 1. Australia Fact Sheet").
func isFigurePlaceholder(text string) bool {
	return figureRE.MatchString(text)
}
