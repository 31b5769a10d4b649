package briefings

import "fmt"

// Problem is one thing wrong with one briefing file, printed "path:line: message".
type Problem struct {
	Path    string
	Line    int
	Message string
	// Warning problems do not stop the file from loading.
	Warning bool
}

// Error returns the problem as "path:line: message", the form editors and
// terminals turn into links; warnings add "warning: " before the message.
func (p Problem) Error() string {
	line := p.Line
	if line < 1 {
		line = 1
	}
	if p.Warning {
		return fmt.Sprintf("%s:%d: warning: %s", p.Path, line, p.Message)
	}
	return fmt.Sprintf("%s:%d: %s", p.Path, line, p.Message)
}
