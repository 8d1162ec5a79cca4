package store

import (
	"context"
	"fmt"
)

// Kinds of DocumentProblem.
const (
	// KindProblem is something refused: an order, or the document.
	KindProblem = "problem"
	// KindNotice is something noticed and skipped without refusing
	// anything (a sheet's blank or total rows, columns not understood).
	KindNotice = "notice"
)

// DocumentProblem is one located problem or notice of a document.
type DocumentProblem struct {
	// Kind is KindProblem or KindNotice.
	Kind string
	// Order is the 0-based index of the order in the document, -1 when it
	// is not about one order.
	Order int
	// Position is where in the document ("Orders!C4", "line 3").
	Position string
	// Path is the JSON path inside the order ("lines[0].quantity").
	Path    string
	Message string
}

// SaveDocumentProblems replaces a document's problems and notices with ps,
// kept in the order given (per kind). Everything given is stored: the caller
// caps a long list (intake keeps 1,000 of each kind and says how many more).
func (t *Tx) SaveDocumentProblems(documentID string, ps []DocumentProblem) error {
	if _, err := t.tx.Exec(`DELETE FROM document_problems WHERE document_id = ?`, documentID); err != nil {
		return fmt.Errorf("problems of document %s: %w", documentID, err)
	}
	seq := map[string]int{}
	for _, p := range ps {
		n := seq[p.Kind]
		seq[p.Kind] = n + 1
		if _, err := t.tx.Exec(`INSERT INTO document_problems
			(document_id, seq, kind, order_idx, position, path, message) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			documentID, n, p.Kind, p.Order, p.Position, p.Path, p.Message); err != nil {
			return fmt.Errorf("problems of document %s: %w", documentID, err)
		}
	}
	return nil
}

// SaveDocumentProblems is Tx.SaveDocumentProblems in a transaction of its own.
func (s *Store) SaveDocumentProblems(ctx context.Context, documentID string, ps []DocumentProblem) error {
	return s.Update(ctx, func(t *Tx) error { return t.SaveDocumentProblems(documentID, ps) })
}

// DocumentProblems returns a document's problems, then its notices, each in
// the order they were saved. A document without any gives none (no error).
func (s *Store) DocumentProblems(ctx context.Context, documentID string) ([]DocumentProblem, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT kind, order_idx, position, path, message
		FROM document_problems WHERE document_id = ? ORDER BY kind = 'notice', seq`, documentID)
	if err != nil {
		return nil, fmt.Errorf("problems of document %s: %w", documentID, err)
	}
	defer rows.Close()
	var out []DocumentProblem
	for rows.Next() {
		var p DocumentProblem
		if err := rows.Scan(&p.Kind, &p.Order, &p.Position, &p.Path, &p.Message); err != nil {
			return nil, fmt.Errorf("problems of document %s: %w", documentID, err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("problems of document %s: %w", documentID, err)
	}
	return out, nil
}
