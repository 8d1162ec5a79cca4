package pipeline

import (
	"context"
	"encoding/json"

	"github.com/shopspring/decimal"

	"github.com/orderhub/orderhub/order"
	"github.com/orderhub/orderhub/ordermsg"
)

// Schemas of the messages a cancel, replace or change sends the
// warehouses and logistics.
const (
	SchemaCancellationV1 = "cancellation/v1"
	SchemaChangeV1       = "change/v1"
)

// OrderChange is what a warehouse (fulfilment.<warehouse>) and the
// transport side (logistics) get when an order they have is cancelled,
// replaced or changed: the lines of theirs that moved, old and new
// quantities in the catalog's unit. A cancellation takes every line to 0.
type OrderChange struct {
	OrderID   string `json:"order_id"`
	Partner   string `json:"partner"`
	PONumber  string `json:"po_number"`
	Warehouse string `json:"warehouse"`
	// ShipmentID is the shipment request (shipment/v1) it changes or
	// cancels, with the fills after it (<shipment_id>-fill-N).
	ShipmentID string `json:"shipment_id"`
	// By is the order id of the cancel, replace or change, Document its
	// file.
	By       string        `json:"by"`
	Document string        `json:"document,omitempty"`
	Reason   string        `json:"reason"`
	Lines    []ChangedLine `json:"lines"`
}

// ChangedLine is one line of an OrderChange.
type ChangedLine struct {
	LineNo      string          `json:"line_no"`
	SKU         string          `json:"sku,omitempty"`
	Change      string          `json:"change"`
	OldQuantity decimal.Decimal `json:"old_quantity"`
	NewQuantity decimal.Decimal `json:"new_quantity"`
	UOM         string          `json:"uom,omitempty"`
}

// Outputs are derived from the document alone (its Applied): a
// redelivered one sends the same messages under the same ids.
func (s *Changes) Outputs(ctx context.Context, doc *order.Order, js []byte, corr string) ([]Output, error) {
	var outs []Output
	if doc.Purpose == "" || doc.Purpose == order.PurposeOriginal {
		return next(doc, TopicAccepted, js, corr), nil
	}
	if doc.Purpose == order.PurposeReplace {
		outs = next(doc, TopicReserved, js, corr)
	}
	if a := doc.Applied; a != nil {
		schema, reason := SchemaChangeV1, "changed by "+ref(doc)
		switch doc.Purpose {
		case order.PurposeCancel:
			schema, reason = SchemaCancellationV1, "cancelled by "+ref(doc)
		case order.PurposeReplace:
			schema, reason = SchemaCancellationV1, "replaced by "+ref(doc)
		}
		document := ""
		if doc.Source != nil {
			document = doc.Source.Document
		}
		target := &order.Order{ID: a.OrderID, Partner: doc.Partner}
		tag := doc.Purpose + "-" + doc.ID
		for _, wh := range deltaWarehouses(a.Deltas) {
			msg := OrderChange{OrderID: a.OrderID, Partner: doc.Partner, PONumber: doc.PONumber, Warehouse: wh,
				ShipmentID: a.OrderID + "-" + wh, By: doc.ID, Document: document, Reason: reason}
			for _, d := range a.Deltas {
				if d.Warehouse == wh {
					msg.Lines = append(msg.Lines, ChangedLine{LineNo: d.LineNo, SKU: d.SKU, Change: d.Change,
						OldQuantity: d.OldQuantity, NewQuantity: d.NewQuantity, UOM: d.UOM})
				}
			}
			b, err := json.Marshal(msg)
			if err != nil {
				return nil, err
			}
			outs = append(outs, toWarehouse(target, wh, tag, schema, b, corr), toLogistics(target, wh, tag, schema, b, corr))
		}
	}
	if doc.Purpose != order.PurposeReplace && s.Acknowledger != nil && s.Acknowledger.Wants(doc) {
		outs = append(outs, Output{Topic: TopicRouted, Msg: ordermsg.New(doc, TopicRouted, "", js, corr)})
	}
	return outs, nil
}

// deltaWarehouses lists the warehouses deltas touch, in code order.
func deltaWarehouses(deltas []order.Delta) []string {
	return warehouseCodes(deltas, func(d order.Delta) string { return d.Warehouse })
}
