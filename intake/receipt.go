package intake

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/orderhub/orderhub/store"
)

// Problem is one thing refused in a document, with where it is.
type Problem struct {
	// Order is the 0-based index of the order in the document, -1 when the
	// problem is not about one order.
	Order int `json:"order"`
	// Position is where in the document ("line 3").
	Position string `json:"position,omitempty"`
	// Path is the JSON path inside the order ("lines[0].quantity").
	Path    string `json:"path,omitempty"`
	Message string `json:"message"`
}

func (p Problem) String() string {
	var b strings.Builder
	if p.Position != "" {
		b.WriteString(p.Position)
		b.WriteString(": ")
	}
	if p.Path != "" {
		b.WriteString(p.Path)
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// OrderRef names an order a document produced.
type OrderRef struct {
	ID       string `json:"id"`
	PONumber string `json:"po_number"`
}

// Receipt is what became of a document.
type Receipt struct {
	Document *store.Document
	Orders   []OrderRef
	Problems []Problem
	// Notices are what the format noticed and skipped without refusing
	// anything (a sheet's blank or total rows, columns it did not
	// understand), located like problems. At most maxNotices, then one
	// "... and N more".
	Notices []Problem
	// noticesLeftOut is how many notices the cap left out.
	noticesLeftOut int
	// Answers are the file names of the answers sent to the partner about
	// the document itself (997, TA1), not about its orders.
	Answers []string
	// Replayed is set when an Idempotency-Key matched an earlier submission
	// and nothing new was done.
	Replayed bool
}

// noticeCount is how many notices the format made, counting those the cap
// left out.
func (rc *Receipt) noticeCount() int {
	if rc.noticesLeftOut > 0 {
		return len(rc.Notices) - 1 + rc.noticesLeftOut
	}
	return len(rc.Notices)
}

// maxNotices caps a receipt's notices: a sheet of 100,000 blank rows says
// so in a thousand and one lines.
const maxNotices = 1000

// noticeList collects a format's notices into a receipt, capped. A format
// may note from several goroutines.
type noticeList struct {
	mu     sync.Mutex
	rc     *Receipt
	more   int
	closed bool
}

func (l *noticeList) add(position, message string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return
	}
	if len(l.rc.Notices) >= maxNotices {
		l.more++
		return
	}
	l.rc.Notices = append(l.rc.Notices, Problem{Order: -1, Position: position, Message: message})
}

// close ends the list with how many notices were left out; later notes
// (from a format still winding down) are dropped.
func (l *noticeList) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return
	}
	l.closed = true
	if l.more > 0 {
		l.rc.noticesLeftOut = l.more
		l.rc.Notices = append(l.rc.Notices, Problem{Order: -1, Message: fmt.Sprintf("... and %d more", l.more)})
	}
}

// Receipt rebuilds the receipt of a document already processed.
func (in *Intake) Receipt(ctx context.Context, doc *store.Document) (*Receipt, error) {
	rows, err := in.store.OrdersByDocument(ctx, doc.ID)
	if err != nil {
		return nil, err
	}
	rc := &Receipt{Document: doc}
	for _, r := range rows {
		rc.Orders = append(rc.Orders, OrderRef{ID: r.ID, PONumber: r.PONumber})
	}
	return rc, nil
}
