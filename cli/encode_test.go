package cli

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/orderhub/orderhub/order"
)

func TestOrderedEncoder(t *testing.T) {
	t.Run("lines come out in the order the orders went in", func(t *testing.T) {
		var out bytes.Buffer
		enc := newOrderedEncoder(&out, 4, func(o *order.Order, b []byte) ([]byte, error) {
			time.Sleep(time.Duration(rand.IntN(50)) * time.Microsecond)
			return append(append(b, o.PONumber...), '\n'), nil
		})
		var want strings.Builder
		for i := range 2000 {
			po := strconv.Itoa(i)
			want.WriteString(po + "\n")
			if err := enc.add(&order.Order{PONumber: po}); err != nil {
				t.Fatal(err)
			}
		}
		if err := enc.close(); err != nil {
			t.Fatal(err)
		}
		if out.String() != want.String() {
			t.Error("lines out of order")
		}
	})
	t.Run("the first error stops the output and is returned", func(t *testing.T) {
		var out bytes.Buffer
		boom := errors.New("boom")
		enc := newOrderedEncoder(&out, 3, func(o *order.Order, b []byte) ([]byte, error) {
			if o.PONumber == "500" {
				return nil, boom
			}
			return append(append(b, o.PONumber...), '\n'), nil
		})
		var addErr error
		for i := range 5000 {
			if addErr = enc.add(&order.Order{PONumber: strconv.Itoa(i)}); addErr != nil {
				break
			}
		}
		if err := enc.close(); !errors.Is(err, boom) {
			t.Fatalf("close: %v", err)
		}
		if addErr != nil && !errors.Is(addErr, boom) {
			t.Fatalf("add: %v", addErr)
		}
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		if len(lines) != 500 || lines[499] != "499" {
			t.Errorf("%d lines before the error, last %q", len(lines), lines[len(lines)-1])
		}
	})
}
