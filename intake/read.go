package intake

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/orderhub/orderhub/adapters/format"
	"github.com/orderhub/orderhub/order"
	"github.com/orderhub/orderhub/ordermsg"
	"github.com/orderhub/orderhub/store"
)

// read streams the document's orders into the store and onto the bus.
func (in *Intake) read(ctx context.Context, doc *store.Document, sub Submission, rc *Receipt) error {
	f, err := os.Open(sub.Path)
	if err != nil {
		return fmt.Errorf("%s: %w", sub.Name, err)
	}
	defer f.Close()
	fm, r, err := in.cfg.Formats.Open(f)
	if err != nil {
		if errors.Is(err, format.ErrUnknown) {
			rc.Problems = append(rc.Problems, Problem{Order: -1, Message: err.Error()})
			return nil
		}
		return fmt.Errorf("%s: %w", sub.Name, err)
	}
	doc.Format = fm.Name()
	if sub.Format != "" && fm.Name() != sub.Format {
		rc.Problems = append(rc.Problems, Problem{Order: -1,
			Message: fmt.Sprintf("expected a %s document, got %s", sub.Format, fm.Name())})
		return nil
	}
	fdoc := format.Doc{ID: doc.ID, Name: doc.Name, Partner: doc.Partner, Transport: doc.Transport, SHA256: doc.SHA256, Size: doc.Size}
	var answers []ordermsg.Ack
	if in.cfg.AnswersTopic != "" {
		fdoc.Answer = func(a ordermsg.Ack) { answers = append(answers, a) }
	}
	notes := &noticeList{rc: rc}
	fdoc.Note = notes.add
	defer notes.close()

	var batch []*order.Order
	var held []*order.Order // AllOrNothing: nothing goes out until all is read
	n := 0
	for o, err := range fm.Read(ctx, r, fdoc) {
		idx := n
		n++
		if err != nil {
			var fatal *format.FatalError
			if errors.As(err, &fatal) {
				return fmt.Errorf("%s: %w", sub.Name, fatal.Err)
			}
			rc.Problems = append(rc.Problems, problemsOf(idx, err)...)
			doc.Rejected++
			continue
		}
		o.ID = order.OrderID(doc.ID, doc.ReceivedAt, idx)
		if sub.AllOrNothing {
			if verr := o.Validate(); verr != nil {
				rc.Problems = append(rc.Problems, problemsOf(idx, verr)...)
				doc.Rejected++
				continue
			}
			held = append(held, o)
			continue
		}
		batch = append(batch, o)
		if len(batch) >= in.cfg.BatchSize {
			if err := in.publish(ctx, doc, batch, rc); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if sub.AllOrNothing {
		if len(rc.Problems) > 0 {
			return nil
		}
		batch = held
	}
	for len(batch) > 0 {
		k := min(len(batch), in.cfg.BatchSize)
		if err := in.publish(ctx, doc, batch[:k], rc); err != nil {
			return err
		}
		batch = batch[k:]
	}
	if err := in.answer(doc, answers, rc); err != nil {
		return err
	}
	if len(rc.Orders) == 0 && len(rc.Problems) == 0 {
		rc.Problems = append(rc.Problems, Problem{Order: -1, Message: "no orders in the document"})
	}
	return nil
}

// answer publishes the format's answers about the document. They go after
// its orders: a partner never gets an acceptance for an order orderhub
// has not stored. Again after a crash, they carry the same control numbers
// and so the same message UUIDs, and the bus keeps one copy.
func (in *Intake) answer(doc *store.Document, answers []ordermsg.Ack, rc *Receipt) error {
	if len(answers) == 0 {
		return nil
	}
	msgs := make([]*message.Message, len(answers))
	for i, a := range answers {
		msgs[i] = ordermsg.NewAck(a, doc.ID)
		rc.Answers = append(rc.Answers, a.Name)
	}
	if err := in.pub.Publish(in.cfg.AnswersTopic, msgs...); err != nil {
		return fmt.Errorf("publish answers to %s: %w", doc.ID, err)
	}
	for _, a := range answers {
		in.log.Info("answer sent", "document", doc.ID, "partner", a.Partner, "kind", a.Kind, "name", a.Name)
	}
	return nil
}

// problemsOf flattens a refusal into located problems.
func problemsOf(idx int, err error) []Problem {
	var le format.LocatedError
	if errors.As(err, &le) {
		if ls := le.Located(); len(ls) > 0 {
			out := make([]Problem, 0, len(ls))
			for _, l := range ls {
				out = append(out, Problem{Order: idx, Position: l.Position, Message: l.Message})
			}
			return out
		}
	}
	pos := ""
	var pe interface{ DocPosition() string }
	if errors.As(err, &pe) {
		pos = pe.DocPosition()
	}
	var ps []order.Problem
	var de *order.DecodeError
	var ve *order.ValidationError
	if errors.As(err, &de) && len(de.Problems) > 0 {
		ps = de.Problems
	} else if errors.As(err, &ve) && len(ve.Problems) > 0 {
		ps = ve.Problems
	}
	if len(ps) == 0 {
		return []Problem{{Order: idx, Position: pos, Message: err.Error()}}
	}
	out := make([]Problem, 0, len(ps))
	for _, p := range ps {
		out = append(out, Problem{Order: idx, Position: pos, Path: p.Path, Message: p.Message})
	}
	return out
}

func (in *Intake) publish(ctx context.Context, doc *store.Document, batch []*order.Order, rc *Receipt) error {
	msgs := make([]*message.Message, len(batch))
	packed := make([]store.Packed, len(batch))
	for i, o := range batch {
		o.Status = order.StatusReceived
		p, err := ordermsg.Encode(o)
		if err != nil {
			return err
		}
		packed[i] = store.Pack(p)
		msgs[i] = ordermsg.New(o, in.cfg.Topic, "", p, doc.ID)
	}
	reason := fmt.Sprintf("%s via %s", doc.Name, doc.Transport)
	err := in.store.Update(ctx, func(tx *store.Tx) error {
		for i, o := range batch {
			if _, err := tx.InsertOrder(o, doc.ID, packed[i], reason); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	// Stored first, published second: a crash in between republishes on
	// the next attempt (same UUIDs), never publishes an order the store
	// does not know.
	if err := in.pub.Publish(in.cfg.Topic, msgs...); err != nil {
		return fmt.Errorf("publish orders of %s: %w", doc.ID, err)
	}
	for _, o := range batch {
		rc.Orders = append(rc.Orders, OrderRef{ID: o.ID, PONumber: o.PONumber})
	}
	if h := in.handoff.Load(); h != nil {
		for i, o := range batch {
			(*h)(msgs[i].UUID, msgs[i].Payload, o)
		}
	}
	doc.Orders += len(batch)
	return nil
}
