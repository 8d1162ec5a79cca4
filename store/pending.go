package store

import (
	"context"
	"encoding/json"
	"fmt"
)

// PendingMessage is a message to publish once the transaction that
// decided it has committed.
type PendingMessage struct {
	Seq      int64
	Topic    string
	UUID     string
	Metadata map[string]string
	Payload  []byte
}

// AddPending records messages to publish after this transaction commits;
// it returns their sequence numbers, for DonePending.
func (t *Tx) AddPending(msgs []PendingMessage) ([]int64, error) {
	seqs := make([]int64, 0, len(msgs))
	for _, m := range msgs {
		md, err := json.Marshal(m.Metadata)
		if err != nil {
			return nil, err
		}
		r, err := t.tx.Exec(`INSERT INTO pending_messages (topic, uuid, metadata, payload, at) VALUES (?, ?, ?, ?, ?)`,
			m.Topic, m.UUID, string(md), m.Payload, t.now)
		if err != nil {
			return nil, fmt.Errorf("pending message for %s: %w", m.Topic, err)
		}
		seq, err := r.LastInsertId()
		if err != nil {
			return nil, err
		}
		seqs = append(seqs, seq)
	}
	return seqs, nil
}

// Pending is every message still to publish, oldest first.
func (s *Store) Pending(ctx context.Context) ([]PendingMessage, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT seq, topic, uuid, metadata, payload FROM pending_messages ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("pending messages: %w", err)
	}
	defer rows.Close()
	var out []PendingMessage
	for rows.Next() {
		var m PendingMessage
		var md string
		if err := rows.Scan(&m.Seq, &m.Topic, &m.UUID, &md, &m.Payload); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(md), &m.Metadata); err != nil {
			return nil, fmt.Errorf("pending message %d: %w", m.Seq, err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// DonePending forgets messages the bus has.
func (s *Store) DonePending(ctx context.Context, seqs []int64) error {
	if len(seqs) == 0 {
		return nil
	}
	list, err := json.Marshal(seqs)
	if err != nil {
		return err
	}
	return s.Update(ctx, func(tx *Tx) error {
		_, err := tx.exec(`DELETE FROM pending_messages WHERE seq IN (SELECT value FROM json_each(?))`, string(list))
		return err
	})
}
