package order

import "github.com/shopspring/decimal"

// Applied is what a cancel, change or replace did to the live order it
// names: the order, and each warehouse line whose quantity it moved. The
// changes stage sets it on the document's own order, so the messages it
// publishes (cancellation/v1, change/v1) can be derived again from that
// order alone when a message is delivered twice.
type Applied struct {
	// OrderID is the live order changed, cancelled or replaced.
	OrderID string `json:"order_id"`
	// Deltas are the quantities moved in each warehouse, one per line and
	// warehouse; empty when no warehouse had been told of the order yet.
	Deltas []Delta `json:"deltas,omitempty"`
}

// Delta is one line's quantity in one warehouse before and after.
type Delta struct {
	Warehouse string `json:"warehouse"`
	LineNo    string `json:"line_no"`
	SKU       string `json:"sku,omitempty"`
	// Change is what happened to the line: add, delete, cancel,
	// quantity_increase, quantity_decrease.
	Change      string          `json:"change"`
	OldQuantity decimal.Decimal `json:"old_quantity"`
	NewQuantity decimal.Decimal `json:"new_quantity"`
	// UOM is the catalog unit both quantities are in, like allocations.
	UOM string `json:"uom,omitempty"`
}

func appendApplied(b []byte, a *Applied) []byte {
	w := objWriter{b: append(b, '{')}
	w.str("order_id", a.OrderID, false)
	objects(&w, "deltas", a.Deltas, appendDelta)
	return append(w.b, '}')
}

func appendDelta(b []byte, d *Delta) []byte {
	w := objWriter{b: append(b, '{')}
	w.str("warehouse", d.Warehouse, false)
	w.str("line_no", d.LineNo, false)
	w.str("sku", d.SKU, true)
	w.str("change", d.Change, false)
	w.dec("old_quantity", d.OldQuantity)
	w.dec("new_quantity", d.NewQuantity)
	w.str("uom", d.UOM, true)
	return append(w.b, '}')
}
